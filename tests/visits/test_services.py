"""The scheduling rules the services enforce: no double booking, frozen past and cancelled visits,
publishing, copying a week, and series that repeat in Helsinki wall-clock time."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils import timezone, translation
from simple_history.middleware import HistoryRequestMiddleware

from tests.factories import ServiceTypeFactory
from tests.visits.factories import (
    AdvisorFactory,
    LanguageFactory,
    SeriesPlanFactory,
    UserFactory,
    VenueFactory,
    VenueOpeningHoursFactory,
    VisitFactory,
    VisitPlanFactory,
)
from visits.models import CancelReason, SeriesSkip, State, Visit, VisitAdvisor, VisitSeries
from visits.recurrence import HELSINKI, local_datetime
from visits.selectors import visit_history
from visits.services import (
    series_create,
    series_plan,
    series_skip,
    series_update,
    visit_cancel,
    visit_create,
    visit_review,
    visit_update,
    visits_publish,
    week_copy,
)

pytestmark = pytest.mark.django_db


# Monday 15 February 2027, 11:00 in Helsinki (UTC+2).
@pytest.fixture(autouse=True)
def _english_messages():
    """These tests call services directly, outside a request; their messages are checked in English."""
    with translation.override("en"):
        yield


NOW = datetime.datetime(2027, 2, 15, 9, 0, tzinfo=datetime.UTC)
MONDAY = datetime.date(2027, 2, 22)
TUESDAY = MONDAY + datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return local_datetime(day, datetime.time(hour, minute))


def book(venue, starts_at, ends_at, *advisors, **details) -> Visit:
    return visit_create(
        VisitPlanFactory(venue=venue, starts_at=starts_at, ends_at=ends_at, advisors=list(advisors), **details)
    )


def local_times(visits) -> list[tuple[datetime.date, datetime.time, datetime.time]]:
    return [(v.starts_at.astimezone(HELSINKI).date(), *local_clock(v)) for v in visits]


def local_clock(visit: Visit) -> tuple[datetime.time, datetime.time]:
    return visit.starts_at.astimezone(HELSINKI).time(), visit.ends_at.astimezone(HELSINKI).time()


def messages(error: ValidationError, field: str) -> list[str]:
    return error.message_dict[field]


# Double booking ------------------------------------------------------------------------------


def test_it_creates_a_draft_visit_with_the_advisors_booked_for_its_time():
    advisor = AdvisorFactory()

    visit = book(VenueFactory(), at(MONDAY, 10), at(MONDAY, 14), advisor)

    assert visit.state == State.DRAFT
    assert list(visit.advisors.all()) == [advisor]
    assert list(VisitAdvisor.objects.values_list("starts_at", "ends_at", "active")) == [
        (at(MONDAY, 10), at(MONDAY, 14), True)
    ]


def test_it_rejects_an_advisor_in_two_overlapping_visits_naming_the_other_visit():
    advisor = AdvisorFactory()
    sello = VenueFactory(name_fi="Sellon kirjasto")
    first = book(sello, at(MONDAY, 10), at(MONDAY, 14), advisor)

    with pytest.raises(ValidationError) as refused:
        book(VenueFactory(), at(MONDAY, 13), at(MONDAY, 16), advisor)

    [message] = messages(refused.value, "advisors")
    assert f"#{first.pk}" in message
    assert str(sello) in message
    assert str(advisor) in message
    assert list(Visit.objects.all()) == [first]
    assert VisitAdvisor.objects.count() == 1


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ((9, 0), (10, 1)),
        ((11, 59), (13, 0)),
        ((10, 0), (12, 0)),
        ((9, 0), (13, 0)),
        ((10, 30), (11, 30)),
    ],
    ids=["ends-a-minute-into-it", "starts-a-minute-before-its-end", "same-time", "around-it", "inside-it"],
)
def test_any_overlap_with_the_advisors_other_visit_is_refused(start, end):
    advisor = AdvisorFactory()
    book(VenueFactory(), at(MONDAY, 10), at(MONDAY, 12), advisor)

    with pytest.raises(ValidationError):
        book(VenueFactory(), at(MONDAY, *start), at(MONDAY, *end), advisor)

    assert Visit.objects.count() == 1


@pytest.mark.parametrize(
    ("start", "end"),
    [((12, 0), (14, 0)), ((8, 0), (10, 0))],
    ids=["starts-when-the-other-ends", "ends-when-the-other-starts"],
)
def test_touching_visits_do_not_overlap(start, end):
    advisor = AdvisorFactory()
    book(VenueFactory(), at(MONDAY, 10), at(MONDAY, 12), advisor)

    book(VenueFactory(), at(MONDAY, *start), at(MONDAY, *end), advisor)

    assert Visit.objects.filter(advisors=advisor).count() == 2


def test_one_advisor_works_at_many_venues_on_different_days():
    advisor = AdvisorFactory()

    for offset in range(5):
        day = MONDAY + datetime.timedelta(days=offset)
        book(VenueFactory(), at(day, 10), at(day, 14), advisor)

    assert Visit.objects.filter(advisors=advisor).count() == 5


def test_two_advisors_can_be_in_different_visits_at_the_same_time():
    book(VenueFactory(), at(MONDAY, 10), at(MONDAY, 14), AdvisorFactory())

    book(VenueFactory(), at(MONDAY, 10), at(MONDAY, 14), AdvisorFactory())

    assert Visit.objects.count() == 2


def test_cancelling_a_visit_frees_its_advisor():
    advisor = AdvisorFactory()
    first = book(VenueFactory(), at(MONDAY, 10), at(MONDAY, 14), advisor)
    visit_cancel(visit=first, reason=CancelReason.ILLNESS)

    second = book(VenueFactory(), at(MONDAY, 10), at(MONDAY, 14), advisor)

    assert list(second.advisors.all()) == [advisor]


def test_moving_a_visit_frees_its_advisor_at_the_old_time():
    advisor = AdvisorFactory()
    visit = book(VenueFactory(), at(MONDAY, 10), at(MONDAY, 12), advisor)
    visit_update(
        visit=visit,
        plan=VisitPlanFactory(venue=visit.venue, starts_at=at(MONDAY, 14), ends_at=at(MONDAY, 16), advisors=[advisor]),
    )

    book(VenueFactory(), at(MONDAY, 10), at(MONDAY, 12), advisor)

    with pytest.raises(ValidationError, match=f"#{visit.pk}"):
        book(VenueFactory(), at(MONDAY, 15), at(MONDAY, 17), advisor)


def test_taking_an_advisor_off_a_visit_frees_them():
    advisor, colleague = AdvisorFactory(), AdvisorFactory()
    visit = book(VenueFactory(), at(MONDAY, 10), at(MONDAY, 12), advisor, colleague)
    visit_update(
        visit=visit,
        plan=VisitPlanFactory(
            venue=visit.venue, starts_at=visit.starts_at, ends_at=visit.ends_at, advisors=[colleague]
        ),
    )

    book(VenueFactory(), at(MONDAY, 10), at(MONDAY, 12), advisor)

    assert list(visit.advisors.all()) == [colleague]


def test_an_edit_that_would_double_book_is_refused_and_changes_nothing():
    advisor = AdvisorFactory()
    morning = book(VenueFactory(), at(MONDAY, 10), at(MONDAY, 12), advisor)
    afternoon = book(VenueFactory(), at(MONDAY, 13), at(MONDAY, 15), advisor)

    with pytest.raises(ValidationError) as refused:
        visit_update(
            visit=afternoon,
            plan=VisitPlanFactory(
                venue=afternoon.venue, starts_at=at(MONDAY, 11), ends_at=at(MONDAY, 15), advisors=[advisor]
            ),
        )

    assert f"#{morning.pk}" in " ".join(messages(refused.value, "advisors"))
    afternoon.refresh_from_db()
    assert afternoon.starts_at == at(MONDAY, 13)
    assert afternoon.assignments.get().starts_at == at(MONDAY, 13)


# Warnings ------------------------------------------------------------------------------------


def test_a_visit_within_the_venue_opening_hours_earns_no_warning():
    hours = VenueOpeningHoursFactory(weekday=MONDAY.weekday(), opens=datetime.time(9), closes=datetime.time(18))

    review = visit_review(VisitPlanFactory(venue=hours.venue, starts_at=at(MONDAY, 9), ends_at=at(MONDAY, 18)))

    assert review.warnings == []
    assert review.conflicts == []


@pytest.mark.parametrize(
    ("start", "end"),
    [((8, 59), (12, 0)), ((16, 0), (18, 1)), ((7, 0), (8, 0))],
    ids=["starts-before-opening", "ends-after-closing", "entirely-before-opening"],
)
def test_a_visit_outside_the_venue_opening_hours_is_a_conflict_and_refused(start, end):
    hours = VenueOpeningHoursFactory(weekday=MONDAY.weekday(), opens=datetime.time(9), closes=datetime.time(18))
    plan = VisitPlanFactory(venue=hours.venue, starts_at=at(MONDAY, *start), ends_at=at(MONDAY, *end))

    review = visit_review(plan)

    assert review.conflicts == [
        f"{hours.venue} is open only 09:00–18:00 on 22 Feb; the visit must fit within those hours."
    ]
    with pytest.raises(ValidationError, match=r"is open only 09:00–18:00"):
        visit_create(plan)
    assert not Visit.objects.exists()


def test_a_visit_on_a_weekday_the_venue_is_closed_is_a_conflict():
    hours = VenueOpeningHoursFactory(weekday=MONDAY.weekday())

    review = visit_review(VisitPlanFactory(venue=hours.venue, starts_at=at(TUESDAY, 10), ends_at=at(TUESDAY, 12)))

    assert review.conflicts == [f"{hours.venue} is closed on 23 Feb."]


def test_two_visits_at_one_venue_at_the_same_time_earn_a_warning_naming_the_other():
    venue = VenueFactory()
    other = book(venue, at(MONDAY, 10), at(MONDAY, 12), AdvisorFactory())

    plan = VisitPlanFactory(venue=venue, starts_at=at(MONDAY, 11), ends_at=at(MONDAY, 13), advisors=[AdvisorFactory()])

    review = visit_review(plan)

    assert len(review.warnings) == 1
    assert f"#{other.pk}" in review.warnings[0]
    assert review.conflicts == []
    assert visit_create(plan).pk is not None


def test_a_cancelled_visit_at_the_venue_earns_no_warning():
    venue = VenueFactory()
    VisitFactory(venue=venue, starts_at=at(MONDAY, 10), ends_at=at(MONDAY, 12), cancelled=True)

    review = visit_review(VisitPlanFactory(venue=venue, starts_at=at(MONDAY, 10), ends_at=at(MONDAY, 12)))

    assert review.warnings == []


def test_a_visit_under_review_is_not_warned_about_itself():
    visit = book(VenueFactory(), at(MONDAY, 10), at(MONDAY, 12), AdvisorFactory())

    review = visit_review(
        VisitPlanFactory(
            venue=visit.venue, starts_at=at(MONDAY, 11), ends_at=at(MONDAY, 13), advisors=list(visit.advisors.all())
        ),
        exclude=visit.pk,
    )

    assert review.warnings == []
    assert review.conflicts == []


def test_the_review_lists_a_double_booking_as_a_conflict():
    advisor = AdvisorFactory()
    other = book(VenueFactory(), at(MONDAY, 10), at(MONDAY, 12), advisor)

    review = visit_review(
        VisitPlanFactory(venue=VenueFactory(), starts_at=at(MONDAY, 11), ends_at=at(MONDAY, 13), advisors=[advisor])
    )

    assert len(review.conflicts) == 1
    assert f"#{other.pk}" in review.conflicts[0]


# Bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ((12, 0), (10, 0), "end after it starts"),
        ((10, 0), (10, 0), "end after it starts"),
        ((6, 0), (18, 1), "at most 12 hours"),
    ],
    ids=["ends-before-it-starts", "ends-when-it-starts", "twelve-hours-and-a-minute"],
)
def test_it_refuses_an_impossible_time_and_saves_nothing(start, end, expected):
    with pytest.raises(ValidationError) as refused:
        book(VenueFactory(), at(MONDAY, *start), at(MONDAY, *end), AdvisorFactory())

    assert expected in " ".join(messages(refused.value, "ends_at"))
    assert Visit.objects.count() == 0
    assert VisitAdvisor.objects.count() == 0


def test_a_visit_may_last_exactly_twelve_hours():
    visit = book(VenueFactory(), at(MONDAY, 6), at(MONDAY, 18))

    assert visit.ends_at - visit.starts_at == datetime.timedelta(hours=12)


def test_it_refuses_an_inactive_advisor_by_name():
    retired = AdvisorFactory(active=False, user__first_name="Raili", user__last_name="Eläkeläinen")

    with pytest.raises(ValidationError) as refused:
        book(VenueFactory(), at(MONDAY, 10), at(MONDAY, 12), retired)

    assert "Raili Eläkeläinen" in " ".join(messages(refused.value, "advisors"))
    assert Visit.objects.count() == 0


def test_a_cancelled_visit_cannot_be_edited():
    visit = VisitFactory(cancelled=True, starts_at=at(MONDAY, 10), ends_at=at(MONDAY, 12))

    with pytest.raises(ValidationError, match="cancelled"):
        visit_update(
            visit=visit,
            plan=VisitPlanFactory(venue=visit.venue, starts_at=at(MONDAY, 13), ends_at=at(MONDAY, 15)),
        )

    visit.refresh_from_db()
    assert visit.starts_at == at(MONDAY, 10)
    assert visit.state == State.CANCELLED


def test_a_cancelled_visit_cannot_be_cancelled_again_with_another_reason():
    visit = VisitFactory(cancelled=True, cancel_reason_code=CancelReason.ILLNESS, cancel_reason="Neuvoja sairastui.")

    with pytest.raises(ValidationError, match="cancelled"):
        visit_cancel(visit=visit, reason=CancelReason.OTHER, details={"fi": "Toinen syy."})

    visit.refresh_from_db()
    assert (visit.cancel_reason_code, visit.cancel_reason) == (CancelReason.ILLNESS, "Neuvoja sairastui.")


@pytest.mark.parametrize(
    "ended", [datetime.timedelta(minutes=1), datetime.timedelta(0)], ids=["a-minute-ago", "this-very-moment"]
)
def test_a_visit_that_has_taken_place_cannot_be_edited(ended):
    visit = VisitFactory(published=True, starts_at=NOW - datetime.timedelta(hours=2), ends_at=NOW - ended)

    with pytest.raises(ValidationError, match="already taken place"):
        visit_update(
            visit=visit,
            plan=VisitPlanFactory(venue=visit.venue, starts_at=at(MONDAY, 10), ends_at=at(MONDAY, 12)),
        )

    visit.refresh_from_db()
    assert visit.ends_at == NOW - ended


def test_a_visit_that_has_taken_place_cannot_be_cancelled():
    visit = VisitFactory(
        published=True, starts_at=NOW - datetime.timedelta(hours=3), ends_at=NOW - datetime.timedelta(hours=1)
    )

    with pytest.raises(ValidationError, match="already taken place"):
        visit_cancel(visit=visit, reason=CancelReason.OTHER, details={"fi": "Liian myöhään."})

    visit.refresh_from_db()
    assert visit.state == State.PUBLISHED


@pytest.mark.parametrize("reason", ["", "   \n", "Neuvoja sairastui."], ids=["empty", "blank", "free-text-only"])
def test_cancelling_needs_a_reason_residents_can_read(reason):
    visit = VisitFactory(published=True)

    with pytest.raises(ValidationError) as refused:
        visit_cancel(visit=visit, reason=reason, details={"fi": "Neuvoja sairastui."})

    assert "reason" in " ".join(messages(refused.value, "cancel_reason_code"))
    visit.refresh_from_db()
    assert visit.state == State.PUBLISHED


def test_cancelling_keeps_the_visit_with_its_reason():
    visit = VisitFactory(published=True)

    visit_cancel(visit=visit, reason=CancelReason.ILLNESS, details={"fi": "  Neuvoja sairastui.  "})

    visit.refresh_from_db()
    assert (visit.state, visit.cancel_reason_code, visit.cancel_reason, visit.cancelled_at) == (
        State.CANCELLED,
        CancelReason.ILLNESS,
        "Neuvoja sairastui.",
        NOW,
    )


# Publishing and copying ----------------------------------------------------------------------


def test_publishing_publishes_only_drafts_that_are_not_over():
    upcoming = VisitFactory(starts_at=at(MONDAY, 10), ends_at=at(MONDAY, 12))
    ongoing = VisitFactory(starts_at=NOW - datetime.timedelta(hours=1), ends_at=NOW + datetime.timedelta(hours=1))
    past = VisitFactory(starts_at=NOW - datetime.timedelta(hours=3), ends_at=NOW - datetime.timedelta(hours=1))
    cancelled = VisitFactory(cancelled=True)
    earlier = NOW - datetime.timedelta(days=3)
    published = VisitFactory(published=True, published_at=earlier)

    count = visits_publish(visits=[upcoming, ongoing, past, cancelled, published])

    assert count == 2
    states = {v.pk: (v.state, v.published_at) for v in Visit.objects.all()}
    assert states == {
        upcoming.pk: (State.PUBLISHED, NOW),
        ongoing.pk: (State.PUBLISHED, NOW),
        past.pk: (State.DRAFT, None),
        cancelled.pk: (State.CANCELLED, cancelled.published_at),
        published.pk: (State.PUBLISHED, earlier),
    }


@pytest.mark.parametrize(
    ("day", "copy_day"),
    [
        (datetime.date(2027, 2, 22), datetime.date(2027, 3, 1)),
        (datetime.date(2027, 3, 23), datetime.date(2027, 3, 30)),
        (datetime.date(2027, 10, 26), datetime.date(2027, 11, 2)),
    ],
    ids=["winter-time", "across-the-march-change", "across-the-october-change"],
)
def test_copying_a_week_puts_drafts_seven_days_later_at_the_same_local_time(day, copy_day):
    advisor = AdvisorFactory()
    service, language = ServiceTypeFactory(), LanguageFactory()
    visit = book(
        VenueFactory(),
        at(day, 10),
        at(day, 14),
        advisor,
        services=[service],
        languages=[language],
        audience_note="Ota oma puhelin mukaan.",
    )
    visits_publish(visits=[visit])

    copied, items = copy_one_week(visit)

    assert [item.left_out for item in items] == [""]
    [copy] = copied.visits.all()
    assert local_times([copy]) == [(copy_day, datetime.time(10), datetime.time(14))]
    assert copy.state == State.DRAFT
    assert copy.venue == visit.venue
    assert list(copy.advisors.all()) == [advisor]
    assert list(copy.services.all()) == [service]
    assert list(copy.languages.all()) == [language]
    assert copy.audience_note == "Ota oma puhelin mukaan."


def test_copying_a_week_skips_and_reports_a_copy_that_would_double_book():
    busy, free = AdvisorFactory(), AdvisorFactory()
    sello, entresse = VenueFactory(), VenueFactory()
    clash = book(sello, at(MONDAY, 10), at(MONDAY, 14), busy)
    fine = book(sello, at(TUESDAY, 10), at(TUESDAY, 14), free)
    next_week = MONDAY + datetime.timedelta(days=7)
    blocker = book(entresse, at(next_week, 12), at(next_week, 16), busy)

    copied, items = copy_one_week(clash, fine)

    assert local_times(copied.visits.all()) == [
        (TUESDAY + datetime.timedelta(days=7), datetime.time(10), datetime.time(14))
    ]
    [report] = [item for item in items if item.left_out]
    assert report.source == clash
    assert f"#{blocker.pk}" in report.left_out
    assert Visit.objects.filter(venue=sello, starts_at=at(next_week, 10)).count() == 0


def test_copying_a_week_leaves_cancelled_visits_behind():
    cancelled = VisitFactory(cancelled=True)

    _, items = copy_one_week(cancelled)

    assert items == []
    assert Visit.objects.count() == 1


def copy_one_week(*visits: Visit):
    """Copy the visits' week (all in one week) to the week after it."""
    source = timezone.localtime(visits[0].starts_at).date()
    monday = source - datetime.timedelta(days=source.weekday())
    return week_copy(visits=list(visits), source_week=monday, first_week=monday + datetime.timedelta(days=7), weeks=1)


# History -------------------------------------------------------------------------------------


def history_types(visit: Visit) -> list[str]:
    return list(visit.history.order_by("history_date", "history_id").values_list("history_type", flat=True))


def test_every_service_write_is_recorded_in_the_visit_history():
    advisor = AdvisorFactory()
    visit = book(VenueFactory(), at(MONDAY, 10), at(MONDAY, 12), advisor)
    assert history_types(visit) == ["+"]

    visit_update(
        visit=visit,
        plan=VisitPlanFactory(venue=visit.venue, starts_at=at(MONDAY, 13), ends_at=at(MONDAY, 15), advisors=[advisor]),
    )
    assert history_types(visit) == ["+", "~"]

    visits_publish(visits=[visit])
    assert history_types(visit) == ["+", "~", "~"]

    visit_cancel(visit=visit, reason=CancelReason.ILLNESS)
    assert history_types(visit) == ["+", "~", "~", "~"]
    states = list(visit.history.order_by("history_date", "history_id").values_list("state", flat=True))
    assert states == [State.DRAFT, State.DRAFT, State.PUBLISHED, State.CANCELLED]


def test_series_writes_are_recorded_in_the_history_of_the_series_and_its_visits():
    series = six_tuesdays()
    assert series.history.earliest().history_type == "+"
    series_rows = series.history.count()
    visit_rows = {day: v.history.count() for day, v in by_date(series).items()}

    plan = series_plan(series)
    plan.start_time = datetime.time(9)
    series_update(series=series, plan=plan)

    assert series.history.latest().start_time == datetime.time(9)
    assert series.history.count() > series_rows
    after = {day: v.history.count() for day, v in by_date(series).items()}
    assert after == {day: visit_rows[day] + (0 if day < NOW.date() else 1) for day in SIX_TUESDAYS}


def test_changing_the_advisors_of_a_visit_is_in_its_history_with_who_did_it(rf):
    scheduler = UserFactory(first_name="Sanna", last_name="Suunnittelija")
    first = AdvisorFactory(user__first_name="Aino", user__last_name="Laaksonen")
    second = AdvisorFactory(user__first_name="Olga", user__last_name="Virtanen")
    visit = book(VenueFactory(), at(MONDAY, 10), at(MONDAY, 12), first)
    request = rf.post("/fi/staff/")
    request.user = scheduler

    def swap_view(request):
        visit_update(
            visit=visit,
            plan=VisitPlanFactory(
                venue=visit.venue, starts_at=visit.starts_at, ends_at=visit.ends_at, advisors=[second]
            ),
        )
        return HttpResponse()

    HistoryRequestMiddleware(swap_view)(request)

    advisor_changes = [
        (entry.user, change.old, change.new)
        for entry in visit_history(visit=visit)
        for change in entry.changes
        if change.label == str(Visit._meta.get_field("advisors").verbose_name)
    ]
    assert (scheduler, "–", "Olga Virtanen") in advisor_changes
    assert (scheduler, "Aino Laaksonen", "–") in advisor_changes


def test_a_refused_write_leaves_no_history():
    advisor = AdvisorFactory()
    book(VenueFactory(), at(MONDAY, 10), at(MONDAY, 12), advisor)

    with pytest.raises(ValidationError):
        book(VenueFactory(), at(MONDAY, 11), at(MONDAY, 13), advisor)

    assert Visit.history.count() == 1


def test_a_change_made_in_a_request_records_who_made_it(rf):
    scheduler = UserFactory()
    visit = VisitFactory(published=True)
    request = rf.post("/fi/staff/")
    request.user = scheduler

    def cancel_view(request):
        visit_cancel(visit=visit, reason=CancelReason.ILLNESS)
        return HttpResponse()

    HistoryRequestMiddleware(cancel_view)(request)

    latest = visit.history.latest()
    assert (latest.state, latest.history_user) == (State.CANCELLED, scheduler)


# Series --------------------------------------------------------------------------------------


def test_a_tuesday_series_gives_ten_visits_at_ten_on_both_sides_of_the_march_change():
    series = series_create(
        SeriesPlanFactory(
            rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=10",
            starts_on=datetime.date(2027, 3, 2),
            start_time=datetime.time(10),
            end_time=datetime.time(14),
        )
    )

    visits = list(series.visits.order_by("starts_at"))
    tuesdays = [datetime.date(2027, 3, 2) + datetime.timedelta(weeks=n) for n in range(10)]
    assert local_times(visits) == [(day, datetime.time(10), datetime.time(14)) for day in tuesdays]
    # Summer time starts on Sunday 28 March: 10:00 is 08:00 UTC before it and 07:00 UTC after.
    assert [v.starts_at.astimezone(datetime.UTC).hour for v in visits] == [8] * 4 + [7] * 6
    assert {v.state for v in visits} == {State.DRAFT}
    assert [v.occurrence_date for v in visits] == tuesdays


def test_a_tuesday_series_stays_at_ten_across_the_october_change():
    series = series_create(
        SeriesPlanFactory(
            rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=6", starts_on=datetime.date(2027, 10, 5), start_time=datetime.time(10)
        )
    )

    visits = list(series.visits.order_by("starts_at"))
    assert {local_clock(v)[0] for v in visits} == {datetime.time(10)}
    # Winter time starts on Sunday 31 October.
    assert [v.starts_at.astimezone(datetime.UTC).hour for v in visits] == [7] * 4 + [8] * 2


@pytest.mark.parametrize(
    ("weekday", "holiday"),
    [
        ("FR", datetime.date(2027, 3, 26)),
        ("MO", datetime.date(2027, 3, 29)),
        ("TH", datetime.date(2027, 5, 6)),
        ("FR", datetime.date(2027, 6, 25)),
        ("MO", datetime.date(2027, 12, 6)),
        ("FR", datetime.date(2027, 12, 24)),
    ],
    ids=["good-friday", "easter-monday", "ascension-day", "midsummer-eve", "independence-day", "christmas-eve"],
)
def test_a_weekly_series_skips_public_holidays_by_default(weekday, holiday):
    starts_on = holiday - datetime.timedelta(weeks=2)

    series = series_create(SeriesPlanFactory(rrule=f"FREQ=WEEKLY;BYDAY={weekday};COUNT=5", starts_on=starts_on))

    dates = list(series.visits.order_by("starts_at").values_list("occurrence_date", flat=True))
    assert dates == [starts_on + datetime.timedelta(weeks=n) for n in (0, 1, 3, 4)]


def test_a_series_told_not_to_skip_holidays_keeps_good_friday():
    starts_on = datetime.date(2027, 3, 12)

    series = series_create(
        SeriesPlanFactory(rrule="FREQ=WEEKLY;BYDAY=FR;COUNT=4", starts_on=starts_on, skip_public_holidays=False)
    )

    dates = list(series.visits.order_by("starts_at").values_list("occurrence_date", flat=True))
    assert datetime.date(2027, 3, 26) in dates
    assert len(dates) == 4


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270301",
        "FREQ=WEEKLY;BYDAY=TU;COUNT=0",
        "FREQ=DAILY;COUNT=501",
        "FREQ=WEEKLY;BYDAY=TU",
        "DTSTART:20270302T100000\nRRULE:FREQ=WEEKLY;COUNT=3",
        "FREQ=WEEKLY;COUNT=3;DTSTART=20270302T100000",
        "FREQ=WEEKLY;COUNT=3;TZID=Europe/Helsinki",
        "every Tuesday for ten weeks",
        "FREQ=SOMETIMES;COUNT=3",
        "FREQ=WEEKLY;BYDAY=XX;COUNT=3",
        "",
    ],
    ids=[
        "no-occurrence-until-before-start",
        "no-occurrence-count-zero",
        "more-than-500",
        "no-end",
        "dtstart-line",
        "dtstart-part",
        "tzid",
        "prose",
        "unknown-frequency",
        "unknown-weekday",
        "empty",
    ],
)
def test_a_series_with_a_bad_rule_is_refused_and_nothing_is_saved(rule):
    with pytest.raises(ValidationError) as refused:
        series_create(SeriesPlanFactory(rrule=rule, starts_on=datetime.date(2027, 3, 2), advisors=[AdvisorFactory()]))

    assert messages(refused.value, "rrule")
    assert VisitSeries.objects.count() == 0
    assert Visit.objects.count() == 0


@pytest.mark.parametrize(
    "rule",
    ["FREQ=WEEKLY;BYDAY=TU;COUNT=3;INTERVAL=0", "FREQ=HOURLY;COUNT=3", "FREQ=DAILY;BYHOUR=10,14;COUNT=4"],
    ids=["interval-zero", "hourly", "two-times-a-day"],
)
def test_a_rule_giving_one_day_twice_is_refused_not_crashed_on(rule):
    with pytest.raises(ValidationError) as refused:
        series_create(SeriesPlanFactory(rrule=rule, starts_on=datetime.date(2027, 3, 2)))

    assert messages(refused.value, "rrule")
    assert VisitSeries.objects.count() == 0
    assert Visit.objects.count() == 0


@pytest.mark.parametrize(
    ("start", "end"), [(14, 10), (10, 10), (6, 19)], ids=["ends-before-start", "no-length", "over-twelve-hours"]
)
def test_a_series_with_impossible_hours_is_refused(start, end):
    with pytest.raises(ValidationError):
        series_create(SeriesPlanFactory(start_time=datetime.time(start), end_time=datetime.time(end)))

    assert VisitSeries.objects.count() == 0
    assert Visit.objects.count() == 0


def test_a_series_that_would_double_book_is_refused_whole_naming_the_date_and_the_other_visit():
    advisor = AdvisorFactory()
    third_tuesday = datetime.date(2027, 3, 16)
    blocker = book(VenueFactory(), at(third_tuesday, 11), at(third_tuesday, 12), advisor)

    with pytest.raises(ValidationError) as refused:
        series_create(
            SeriesPlanFactory(
                rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=4", starts_on=datetime.date(2027, 3, 2), advisors=[advisor]
            )
        )

    [message] = messages(refused.value, "advisors")
    assert f"#{blocker.pk}" in message
    assert "16" in message.split(":")[0]
    assert VisitSeries.objects.count() == 0
    assert list(Visit.objects.all()) == [blocker]


# Skipping dates ------------------------------------------------------------------------------


def weekday_series(**overrides) -> VisitSeries:
    """Every weekday 10–12 for three weeks from Monday 1 March 2027, with one advisor."""
    plan = SeriesPlanFactory(
        rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;COUNT=15",
        starts_on=datetime.date(2027, 3, 1),
        advisors=[AdvisorFactory()],
        **overrides,
    )
    return series_create(plan)


def test_a_holiday_week_is_skipped_in_one_action():
    series = weekday_series(skip_public_holidays=False)
    week = [datetime.date(2027, 3, 8) + datetime.timedelta(days=n) for n in range(5)]
    visits_publish(visits=series.visits.filter(occurrence_date__in=week[:2]))

    series_skip(series=series, start_date=week[0], end_date=week[-1], reason="Hiihtoloma")

    in_week = series.visits.filter(occurrence_date__in=week)
    assert list(in_week.values_list("occurrence_date", "state", "cancel_reason_code", "cancel_reason")) == [
        (week[0], State.CANCELLED, CancelReason.HOLIDAY, "Hiihtoloma"),
        (week[1], State.CANCELLED, CancelReason.HOLIDAY, "Hiihtoloma"),
    ]
    assert VisitAdvisor.objects.filter(visit__in=in_week, active=True).count() == 0
    assert series.visits.exclude(occurrence_date__in=week).count() == 10
    assert list(SeriesSkip.objects.values_list("start_date", "end_date")) == [(week[0], week[-1])]


def test_a_skipped_range_stays_skipped_when_the_series_is_edited():
    series = weekday_series(skip_public_holidays=False)
    series_skip(series=series, start_date=datetime.date(2027, 3, 8), end_date=datetime.date(2027, 3, 12), reason="")

    plan = series_plan(series)
    plan.start_time, plan.end_time = datetime.time(12), datetime.time(14)
    series_update(series=series, plan=plan)

    dates = set(series.visits.values_list("occurrence_date", flat=True))
    assert not dates & {datetime.date(2027, 3, 8) + datetime.timedelta(days=n) for n in range(5)}
    assert len(dates) == 10


def test_a_skip_never_touches_visits_that_have_taken_place():
    with time_machine.travel(datetime.datetime(2027, 2, 1, 8, tzinfo=datetime.UTC), tick=False):
        series = weekday_series(skip_public_holidays=False)
        visits_publish(visits=series.visits.all())

    with time_machine.travel(datetime.datetime(2027, 3, 3, 12, tzinfo=datetime.UTC), tick=False):
        series_skip(series=series, start_date=datetime.date(2027, 3, 1), end_date=datetime.date(2027, 3, 5), reason="x")

    states = dict(series.visits.filter(occurrence_date__lte="2027-03-05").values_list("occurrence_date", "state"))
    assert states == {
        datetime.date(2027, 3, 1): State.PUBLISHED,
        datetime.date(2027, 3, 2): State.PUBLISHED,
        datetime.date(2027, 3, 3): State.PUBLISHED,
        datetime.date(2027, 3, 4): State.CANCELLED,
        datetime.date(2027, 3, 5): State.CANCELLED,
    }


def test_a_skip_ending_before_it_starts_is_refused():
    series = weekday_series()

    with pytest.raises(ValidationError):
        series_skip(series=series, start_date=datetime.date(2027, 3, 9), end_date=datetime.date(2027, 3, 8), reason="")

    assert SeriesSkip.objects.count() == 0
    assert series.visits.count() == 15


# Editing a series ----------------------------------------------------------------------------

EARLIER = datetime.datetime(2027, 1, 25, 8, tzinfo=datetime.UTC)
# Six Tuesdays from 2 February 2027; with the clock at NOW (Monday 15 February) two have passed.
SIX_TUESDAYS = [datetime.date(2027, 2, 2) + datetime.timedelta(weeks=n) for n in range(6)]


def six_tuesdays(advisor=None, **overrides) -> VisitSeries:
    with time_machine.travel(EARLIER, tick=False):
        series = series_create(
            SeriesPlanFactory(
                rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=6",
                starts_on=SIX_TUESDAYS[0],
                advisors=[advisor or AdvisorFactory()],
                **overrides,
            )
        )
        visits_publish(visits=series.visits.all())
    return series


def by_date(series: VisitSeries) -> dict[datetime.date, Visit]:
    return {v.occurrence_date: v for v in series.visits.all()}


def test_changing_the_series_time_moves_future_visits_and_keeps_the_ones_edited_cancelled_or_past():
    series = six_tuesdays()
    visits = by_date(series)
    edited, cancelled = visits[SIX_TUESDAYS[3]], visits[SIX_TUESDAYS[4]]
    visit_update(
        visit=edited,
        plan=VisitPlanFactory(
            venue=edited.venue,
            starts_at=at(SIX_TUESDAYS[3], 9),
            ends_at=at(SIX_TUESDAYS[3], 11),
            advisors=list(edited.advisors.all()),
        ),
    )
    visit_cancel(visit=cancelled, reason=CancelReason.TRAINING, details={"fi": "Neuvoja koulutuksessa."})

    plan = series_plan(series)
    plan.start_time, plan.end_time = datetime.time(13), datetime.time(16)
    series_update(series=series, plan=plan)

    after = by_date(series)
    assert {day: (local_clock(v), v.state) for day, v in after.items()} == {
        SIX_TUESDAYS[0]: ((datetime.time(10), datetime.time(12)), State.PUBLISHED),
        SIX_TUESDAYS[1]: ((datetime.time(10), datetime.time(12)), State.PUBLISHED),
        SIX_TUESDAYS[2]: ((datetime.time(13), datetime.time(16)), State.PUBLISHED),
        SIX_TUESDAYS[3]: ((datetime.time(9), datetime.time(11)), State.PUBLISHED),
        SIX_TUESDAYS[4]: ((datetime.time(10), datetime.time(12)), State.CANCELLED),
        SIX_TUESDAYS[5]: ((datetime.time(13), datetime.time(16)), State.PUBLISHED),
    }
    assert after[SIX_TUESDAYS[3]].detached
    assert (after[SIX_TUESDAYS[4]].cancel_reason_code, after[SIX_TUESDAYS[4]].cancel_reason) == (
        CancelReason.TRAINING,
        "Neuvoja koulutuksessa.",
    )
    series.refresh_from_db()
    assert (series.start_time, series.end_time) == (datetime.time(13), datetime.time(16))
    moved = VisitAdvisor.objects.filter(visit=after[SIX_TUESDAYS[5]]).get()
    assert (moved.starts_at, moved.ends_at) == (at(SIX_TUESDAYS[5], 13), at(SIX_TUESDAYS[5], 16))


def test_changing_the_series_venue_moves_only_future_visits():
    series = six_tuesdays()
    old_venue, new_venue = series.venue, VenueFactory()

    plan = series_plan(series)
    plan.venue = new_venue
    series_update(series=series, plan=plan)

    venues = {day: v.venue for day, v in by_date(series).items()}
    assert venues == {day: old_venue if day < NOW.date() else new_venue for day in SIX_TUESDAYS}


def test_changing_the_series_advisors_frees_the_old_one_in_future_visits_only():
    old, new = AdvisorFactory(), AdvisorFactory()
    series = six_tuesdays(advisor=old)

    plan = series_plan(series)
    plan.advisors = [new]
    series_update(series=series, plan=plan)

    advisors = {day: list(v.advisors.all()) for day, v in by_date(series).items()}
    assert advisors == {day: [old] if day < NOW.date() else [new] for day in SIX_TUESDAYS}
    book(VenueFactory(), at(SIX_TUESDAYS[5], 10), at(SIX_TUESDAYS[5], 12), old)


def test_shortening_a_series_removes_future_drafts_and_cancels_future_published_visits():
    series = six_tuesdays()
    last = by_date(series)[SIX_TUESDAYS[5]]
    Visit.objects.filter(pk=last.pk).update(state=State.DRAFT, published_at=None)

    plan = series_plan(series)
    plan.rrule = "FREQ=WEEKLY;BYDAY=TU;COUNT=4"
    series_update(series=series, plan=plan)

    after = by_date(series)
    assert sorted(after) == SIX_TUESDAYS[:5]
    assert after[SIX_TUESDAYS[4]].state == State.CANCELLED
    assert after[SIX_TUESDAYS[4]].cancel_reason_code == CancelReason.OTHER
    assert after[SIX_TUESDAYS[4]].public_cancel_reason == "Other reason."
    assert {after[day].state for day in SIX_TUESDAYS[:4]} == {State.PUBLISHED}


def test_lengthening_a_series_adds_draft_visits():
    series = six_tuesdays()

    plan = series_plan(series)
    plan.rrule = "FREQ=WEEKLY;BYDAY=TU;COUNT=8"
    series_update(series=series, plan=plan)

    after = by_date(series)
    new_days = [SIX_TUESDAYS[0] + datetime.timedelta(weeks=n) for n in (6, 7)]
    assert sorted(after) == SIX_TUESDAYS + new_days
    assert [after[day].state for day in new_days] == [State.DRAFT, State.DRAFT]
    assert [local_clock(after[day]) for day in new_days] == [(datetime.time(10), datetime.time(12))] * 2


def test_a_series_edit_that_would_double_book_is_refused_whole():
    advisor = AdvisorFactory()
    series = six_tuesdays(advisor=advisor)
    blocker = book(VenueFactory(), at(SIX_TUESDAYS[5], 13), at(SIX_TUESDAYS[5], 14), advisor)

    plan = series_plan(series)
    plan.start_time, plan.end_time = datetime.time(12), datetime.time(15)
    with pytest.raises(ValidationError) as refused:
        series_update(series=series, plan=plan)

    assert f"#{blocker.pk}" in " ".join(messages(refused.value, "advisors"))
    series.refresh_from_db()
    assert series.start_time == datetime.time(10)
    assert {local_clock(v) for v in series.visits.all()} == {(datetime.time(10), datetime.time(12))}


def test_a_series_edit_with_a_bad_rule_changes_nothing():
    series = six_tuesdays()

    plan = series_plan(series)
    plan.rrule = "FREQ=WEEKLY;BYDAY=TU"
    with pytest.raises(ValidationError):
        series_update(series=series, plan=plan)

    series.refresh_from_db()
    assert series.rrule == "FREQ=WEEKLY;BYDAY=TU;COUNT=6"
    assert series.visits.count() == 6


# Contention ----------------------------------------------------------------------------------


class Deadlock(Exception):
    pgcode = "40P01"


def losing_twice_then(real, losses: int):
    calls = {"n": 0}

    def apply(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] <= losses:
            from django.db import OperationalError

            raise OperationalError("deadlock detected") from Deadlock()
        return real(*args, **kwargs)

    return apply


# The retry happens at the outermost call: the test must not wrap it in a transaction.
@pytest.mark.django_db(transaction=True)
def test_a_save_that_loses_a_deadlock_is_run_again_and_stored_once(monkeypatch):
    from visits import services

    monkeypatch.setattr(services, "_apply", losing_twice_then(services._apply, losses=2))
    plan = VisitPlanFactory(advisors=[AdvisorFactory()])

    visit = visit_create(plan)

    assert list(Visit.objects.all()) == [visit]
    assert VisitAdvisor.objects.filter(visit=visit).count() == 1


# The retry happens at the outermost call: the test must not wrap it in a transaction.
@pytest.mark.django_db(transaction=True)
def test_a_save_that_keeps_losing_is_refused_with_a_message_and_stores_nothing(monkeypatch):
    from visits import services

    monkeypatch.setattr(services, "_apply", losing_twice_then(services._apply, losses=3))

    with pytest.raises(ValidationError) as refused:
        visit_create(VisitPlanFactory(advisors=[AdvisorFactory()]))

    assert refused.value.code == "contention"
    assert not Visit.objects.exists()
