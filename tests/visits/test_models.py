"""Model validation, database constraints and the named filters of visits."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from tests.factories import AreaFactory, ServiceTypeFactory
from tests.visits.factories import (
    AdvisorFactory,
    LanguageFactory,
    SeriesSkipFactory,
    VenueFactory,
    VenueOpeningHoursFactory,
    VisitFactory,
    VisitSeriesFactory,
)
from visits.models import State, Visit, VisitAdvisor
from visits.recurrence import local_datetime

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2027, 2, 15, 9, 0, tzinfo=datetime.UTC)
MONDAY = datetime.date(2027, 2, 22)

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the exclusion constraint exists only on PostgreSQL"
)


@pytest.fixture(autouse=True)
def _frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


def at(hour: int, minute: int = 0, day: datetime.date = MONDAY) -> datetime.datetime:
    return local_datetime(day, datetime.time(hour, minute))


# Validation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        (at(12), at(10), "ends_before_start"),
        (at(10), at(10), "ends_before_start"),
        (at(6), at(18, 1), "too_long"),
    ],
    ids=["ends-before-start", "no-length", "over-twelve-hours"],
)
def test_a_visit_with_an_impossible_time_does_not_validate(start, end, code):
    visit = VisitFactory.build(venue=VenueFactory(), starts_at=start, ends_at=end)

    with pytest.raises(ValidationError) as refused:
        visit.full_clean()

    assert [e.code for e in refused.value.error_dict["ends_at"]] == [code]


def test_a_twelve_hour_visit_validates():
    VisitFactory.build(venue=VenueFactory(), starts_at=at(6), ends_at=at(18)).full_clean()


@pytest.mark.parametrize("code", ["", "  "], ids=["empty", "blank"])
def test_a_cancelled_visit_needs_a_reason(code):
    # Free-text details alone are not enough: residents read a standard reason in their language.
    visit = VisitFactory.build(
        venue=VenueFactory(), cancelled=True, cancel_reason_code=code, cancel_reason="Neuvoja sairastui."
    )

    with pytest.raises(ValidationError) as refused:
        visit.full_clean()

    assert "cancel_reason_code" in refused.value.error_dict


@pytest.mark.parametrize(
    ("latitude", "longitude", "bad_field"),
    [
        (60.05, 24.45, None),
        (60.40, 24.95, None),
        (60.04, 24.7, "latitude"),
        (60.41, 24.7, "latitude"),
        (60.2, 24.44, "longitude"),
        (60.2, 24.96, "longitude"),
        (24.7, 60.2, "latitude"),
    ],
    ids=["south-west-corner", "north-east-corner", "south", "north", "west", "east", "swapped"],
)
def test_a_venue_must_lie_in_espoo(latitude, longitude, bad_field):
    venue = VenueFactory.build(area=AreaFactory(), latitude=latitude, longitude=longitude)

    if bad_field is None:
        venue.full_clean()
    else:
        with pytest.raises(ValidationError) as refused:
            venue.full_clean()
        assert bad_field in refused.value.error_dict


@pytest.mark.parametrize(("opens", "closes"), [(12, 10), (10, 10)], ids=["closes-before-opening", "no-length"])
def test_venue_opening_hours_must_close_after_opening(opens, closes):
    hours = VenueOpeningHoursFactory.build(
        venue=VenueFactory(), opens=datetime.time(opens), closes=datetime.time(closes)
    )

    with pytest.raises(ValidationError) as refused:
        hours.full_clean()

    assert "closes" in refused.value.error_dict


@pytest.mark.parametrize(("opens", "closes"), [(12, 10), (10, 10)], ids=["closes-before-opening", "no-length"])
def test_the_database_refuses_venue_hours_that_close_before_they_open(opens, closes):
    hours = VenueOpeningHoursFactory(venue=VenueFactory(), opens=datetime.time(9), closes=datetime.time(17))

    with pytest.raises(IntegrityError), transaction.atomic():
        type(hours).objects.filter(pk=hours.pk).update(opens=datetime.time(opens), closes=datetime.time(closes))


def test_a_visit_reads_as_its_venue_and_local_start():
    visit = VisitFactory(venue=VenueFactory(name_fi="Sellon kirjasto"), starts_at=at(10), ends_at=at(12))

    assert str(visit) == f"{visit.venue} 2027-02-22 10:00"


@pytest.mark.parametrize(
    ("state", "status"),
    [(State.DRAFT, "scheduled"), (State.PUBLISHED, "scheduled"), (State.CANCELLED, "cancelled")],
)
def test_residents_see_a_visit_as_scheduled_or_cancelled(state, status):
    assert Visit(state=state).public_status == status


# Database constraints ------------------------------------------------------------------------


@pytest.mark.parametrize(("start", "end"), [(at(12), at(10)), (at(10), at(10))], ids=["backwards", "no-length"])
def test_the_database_refuses_a_visit_that_does_not_end_after_it_starts(start, end):
    venue = VenueFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Visit.objects.create(venue=venue, starts_at=start, ends_at=end)


def test_the_database_refuses_two_visits_for_one_series_date():
    series = VisitSeriesFactory()
    VisitFactory(venue=series.venue, series=series, occurrence_date=MONDAY)

    with pytest.raises(IntegrityError), transaction.atomic():
        VisitFactory(venue=series.venue, series=series, occurrence_date=MONDAY)


def test_visits_outside_a_series_may_share_a_date():
    venue = VenueFactory()

    VisitFactory(venue=venue, occurrence_date=MONDAY)
    VisitFactory(venue=venue, occurrence_date=MONDAY)

    assert Visit.objects.count() == 2


def test_the_database_refuses_a_skip_that_ends_before_it_starts():
    series = VisitSeriesFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        SeriesSkipFactory(series=series, start_date=MONDAY, end_date=MONDAY - datetime.timedelta(days=1))


def test_the_database_refuses_an_advisor_twice_in_one_visit():
    advisor = AdvisorFactory()
    visit = VisitFactory(advisors=[advisor])

    with pytest.raises(IntegrityError), transaction.atomic():
        VisitAdvisor.objects.create(visit=visit, advisor=advisor, starts_at=visit.starts_at, ends_at=visit.ends_at)


def book_directly(advisor, start, end, *, active=True) -> VisitAdvisor:
    visit = VisitFactory(starts_at=start, ends_at=end, state=State.DRAFT if active else State.CANCELLED)
    return VisitAdvisor.objects.create(visit=visit, advisor=advisor, starts_at=start, ends_at=end, active=active)


@postgresql_only
@pytest.mark.parametrize(
    ("start", "end"),
    [(at(11), at(13)), (at(9), at(10, 1)), (at(10), at(12)), (at(10, 30), at(11))],
    ids=["overlapping-end", "overlapping-start", "same-time", "inside"],
)
def test_postgresql_refuses_an_overlapping_booking_written_directly(start, end):
    advisor = AdvisorFactory()
    book_directly(advisor, at(10), at(12))

    with pytest.raises(IntegrityError, match="visitadvisor_no_overlap"), transaction.atomic():
        book_directly(advisor, start, end)

    assert VisitAdvisor.objects.filter(advisor=advisor).count() == 1


@postgresql_only
def test_postgresql_refuses_moving_a_booking_onto_another():
    advisor = AdvisorFactory()
    book_directly(advisor, at(10), at(12))
    later = book_directly(advisor, at(13), at(15))

    with pytest.raises(IntegrityError, match="visitadvisor_no_overlap"), transaction.atomic():
        VisitAdvisor.objects.filter(pk=later.pk).update(starts_at=at(11))


@postgresql_only
@pytest.mark.parametrize(
    "second",
    [
        {"start": at(12), "end": at(14)},
        {"start": at(8), "end": at(10)},
        {"start": at(10), "end": at(12), "active": False},
        {"start": at(10), "end": at(12), "other_advisor": True},
    ],
    ids=["touching-after", "touching-before", "cancelled", "another-advisor"],
)
def test_postgresql_accepts_bookings_that_do_not_clash(second):
    advisor = AdvisorFactory()
    book_directly(advisor, at(10), at(12))

    book_directly(
        AdvisorFactory() if second.get("other_advisor") else advisor,
        second["start"],
        second["end"],
        active=second.get("active", True),
    )

    assert VisitAdvisor.objects.count() == 2


# Named filters -------------------------------------------------------------------------------


def test_residents_see_published_and_cancelled_visits_but_not_drafts():
    published = VisitFactory(published=True)
    cancelled = VisitFactory(cancelled=True)
    VisitFactory()
    VisitFactory(state=State.CANCELLED, cancel_reason="Ei koskaan julkaistu.")

    assert set(Visit.objects.public()) == {published, cancelled}


@pytest.mark.parametrize(
    ("start", "end", "overlaps"),
    [
        (at(8), at(10), False),
        (at(12), at(14), False),
        (at(8), at(10, 1), True),
        (at(11, 59), at(14), True),
        (at(10, 30), at(11), True),
    ],
    ids=["ends-as-it-starts", "starts-as-it-ends", "a-minute-in", "a-minute-before-the-end", "inside"],
)
def test_overlapping_finds_visits_sharing_time_but_not_touching_ones(start, end, overlaps):
    visit = VisitFactory(starts_at=at(10), ends_at=at(12))

    assert (visit in Visit.objects.overlapping(start, end)) is overlaps


@pytest.mark.parametrize(
    ("ends_at", "upcoming"),
    [(NOW + datetime.timedelta(minutes=1), True), (NOW, False), (NOW - datetime.timedelta(minutes=1), False)],
    ids=["ends-in-a-minute", "ends-now", "ended-a-minute-ago"],
)
def test_upcoming_means_not_yet_ended(ends_at, upcoming):
    visit = VisitFactory(starts_at=ends_at - datetime.timedelta(hours=2), ends_at=ends_at)

    assert (visit in Visit.objects.upcoming()) is upcoming


def test_not_cancelled_leaves_out_cancelled_visits():
    draft, published = VisitFactory(), VisitFactory(published=True)
    VisitFactory(cancelled=True)

    assert set(Visit.objects.not_cancelled()) == {draft, published}


# One home per rule ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("traits", "ends", "publishable"),
    [
        ({}, at(12), True),
        ({}, at(10, day=datetime.date(2027, 2, 15)), False),
        ({"published": True}, at(12), False),
        ({"cancelled": True}, at(12), False),
    ],
    ids=["future-draft", "draft-already-over", "published", "cancelled"],
)
def test_the_publishable_property_and_query_agree(traits, ends, publishable):
    starts = ends - datetime.timedelta(hours=2)
    visit = VisitFactory(starts_at=starts, ends_at=ends, **traits)

    assert visit.is_publishable is publishable
    assert list(Visit.objects.publishable()) == ([visit] if publishable else [])


@pytest.mark.parametrize(
    ("traits", "ends", "reason"),
    [
        ({"published": True}, at(12), ""),
        ({"cancelled": True}, at(12), "A cancelled visit cannot be changed."),
        ({"published": True}, at(10, day=datetime.date(2027, 2, 15)), "already taken place"),
    ],
    ids=["changeable", "cancelled", "over"],
)
def test_a_frozen_visit_names_why_it_cannot_change(traits, ends, reason):
    visit = VisitFactory(starts_at=ends - datetime.timedelta(hours=2), ends_at=ends, **traits)

    with translation.override("en"):
        assert (reason in visit.frozen_reason) if reason else visit.frozen_reason == ""


def test_a_visit_with_no_kinds_of_help_or_languages_offers_general_guidance_in_finnish():
    bare = VisitFactory()
    chosen = VisitFactory(
        services=[ServiceTypeFactory(slug="kela", name_en="Kela matters")],
        languages=[LanguageFactory(code="sv", name_en="Swedish")],
    )

    assert [s.code for s in bare.offered_services] == ["general-guidance"]
    assert [language.code for language in bare.offered_languages] == ["fi"]
    assert [s.code for s in chosen.offered_services] == ["kela"]
    assert [language.code for language in chosen.offered_languages] == ["sv"]


def test_filtering_by_general_guidance_or_finnish_finds_visits_that_left_them_unset():
    guidance, kela = ServiceTypeFactory(slug="general-guidance"), ServiceTypeFactory(slug="kela")
    finnish, swedish = LanguageFactory(code="fi"), LanguageFactory(code="sv")
    bare = VisitFactory()
    kela_in_swedish = VisitFactory(services=[kela], languages=[swedish])

    assert list(Visit.objects.offering(guidance)) == [bare]
    assert list(Visit.objects.offering(kela)) == [kela_in_swedish]
    assert list(Visit.objects.in_language(finnish)) == [bare]
    assert list(Visit.objects.in_language(swedish)) == [kela_in_swedish]
