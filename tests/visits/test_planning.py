"""Plans that can be trusted: closed venues and holidays are known, series and copies are previewed
before they are made, and a copy can be undone."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories import ServiceTypeFactory
from tests.visits.factories import (
    AdvisorFactory,
    LanguageFactory,
    SeriesPlanFactory,
    SeriesSkipFactory,
    UserFactory,
    VenueFactory,
    VenueOpeningHoursFactory,
    VisitFactory,
    VisitPlanFactory,
    VisitSeriesFactory,
)
from tests.visits.test_staff_views import page_of, url
from visits import services
from visits.models import State, VenueException, Visit, VisitCopy
from visits.recurrence import local_datetime

pytestmark = pytest.mark.django_db

# Monday 6 December 2027, 11:00 in Helsinki.
NOW = datetime.datetime(2027, 12, 6, 9, 0, tzinfo=datetime.UTC)
WEEK_BEFORE_CHRISTMAS = datetime.date(2027, 12, 13)
CHRISTMAS_WEEK = datetime.date(2027, 12, 20)


@pytest.fixture(autouse=True)
def _frozen_in_english():
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        yield


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return local_datetime(day, datetime.time(hour, minute))


def closed(venue, start: datetime.date, end: datetime.date | None = None, reason: str = "") -> VenueException:
    return VenueException.objects.create(
        venue=venue, start_date=start, end_date=end or start, closed=True, reason_fi=reason, reason_en=reason
    )


@pytest.fixture
def venue(db):
    name = "Sellon kirjasto"
    return VenueFactory(name_fi=name, name_sv=name, name_en=name)


@pytest.fixture
def scheduler_client(client, db):
    user = UserFactory()
    user.groups.add(Group.objects.get(name="scheduler"))
    client.force_login(user)
    return client


# Closed days and holidays ------------------------------------------------------------------


def test_a_new_exception_is_open_unless_closed_is_ticked(venue):
    assert VenueException(venue=venue, start_date=WEEK_BEFORE_CHRISTMAS, end_date=WEEK_BEFORE_CHRISTMAS).closed is False


def test_a_visit_on_a_day_the_venue_is_closed_is_a_conflict_and_nothing_is_saved(venue):
    closed(venue, datetime.date(2027, 12, 14), reason="Inventory")
    plan = VisitPlanFactory(
        venue=venue, starts_at=at(datetime.date(2027, 12, 14), 10), ends_at=at(datetime.date(2027, 12, 14), 12)
    )

    assert services.visit_review(plan).conflicts == ["Sellon kirjasto is closed on 14 Dec (Inventory)."]
    with pytest.raises(ValidationError, match="is closed on 14 Dec"):
        services.visit_create(plan)
    assert not Visit.objects.exists()


def test_other_hours_on_a_date_replace_the_weekly_hours(venue):
    day = datetime.date(2027, 12, 14)
    VenueOpeningHoursFactory(venue=venue, weekday=day.weekday(), opens=datetime.time(9), closes=datetime.time(18))
    VenueException.objects.create(
        venue=venue, start_date=day, end_date=day, closed=False, opens=datetime.time(12), closes=datetime.time(15)
    )

    morning = services.visit_review(VisitPlanFactory(venue=venue, starts_at=at(day, 10), ends_at=at(day, 12)))
    afternoon = services.visit_review(VisitPlanFactory(venue=venue, starts_at=at(day, 12), ends_at=at(day, 15)))

    assert morning.conflicts == [
        "Sellon kirjasto is open only 12:00–15:00 on 14 Dec; the visit must fit within those hours."
    ]
    assert afternoon.conflicts == []


@pytest.mark.parametrize(
    ("day", "holiday"),
    [(datetime.date(2027, 12, 24), "Christmas Eve"), (datetime.date(2028, 6, 23), "Midsummer Eve")],
    ids=["christmas-eve", "midsummer-eve"],
)
def test_a_visit_on_a_finnish_public_holiday_is_a_warning_that_needs_save_anyway(venue, day, holiday):
    review = services.visit_review(VisitPlanFactory(venue=venue, starts_at=at(day, 10), ends_at=at(day, 12)))

    assert review.conflicts == []
    assert len(review.warnings) == 1 and holiday in review.warnings[0]


def test_publishing_never_publishes_a_visit_on_a_day_its_venue_became_closed(venue):
    day = datetime.date(2027, 12, 14)
    visit = services.visit_create(VisitPlanFactory(venue=venue, starts_at=at(day, 10), ends_at=at(day, 12)))
    closed(venue, day)

    assert services.visits_publish(visits=[visit]) == 0
    visit.refresh_from_db()
    assert visit.state == State.DRAFT


def test_publishing_a_holiday_visit_asks_first_and_publishes_on_publish_anyway(scheduler_client, venue):
    eve = VisitFactory(venue=venue, starts_at=at(datetime.date(2027, 12, 24), 10))
    ordinary = VisitFactory(venue=venue, starts_at=at(datetime.date(2027, 12, 21), 10))
    chosen = {"visits": [eve.pk, ordinary.pk], "next": url("calendar")}

    check = page_of(scheduler_client.post(url("visits_publish"), chosen))
    assert "Christmas Eve" in check.text and "Publish 2 visits anyway" in check.text
    assert Visit.objects.filter(state=State.PUBLISHED).count() == 0

    response = scheduler_client.post(url("visits_publish"), {**chosen, "acknowledged": check.hidden["acknowledged"]})
    assert response.status_code == 302
    assert Visit.objects.filter(state=State.PUBLISHED).count() == 2


def test_a_closed_day_visit_is_listed_as_not_published_and_the_others_still_publish(scheduler_client, venue):
    day = datetime.date(2027, 12, 14)
    blocked = VisitFactory(venue=venue, starts_at=at(day, 10))
    fine = VisitFactory(venue=venue, starts_at=at(day + datetime.timedelta(days=1), 10))
    closed(venue, day, reason="Inventory")
    chosen = {"visits": [blocked.pk, fine.pk], "next": url("calendar")}

    check = page_of(scheduler_client.post(url("visits_publish"), chosen))
    assert "Will not be published: Sellon kirjasto is closed on 14 Dec (Inventory)." in check.text

    scheduler_client.post(url("visits_publish"), {**chosen, "acknowledged": check.hidden["acknowledged"]})
    assert {v.pk: v.state for v in Visit.objects.all()} == {blocked.pk: State.DRAFT, fine.pk: State.PUBLISHED}


# Venue exceptions by schedulers and in the admin ---------------------------------------------


def exception_data(**extra) -> dict:
    return {
        "start_date": "2027-12-14",
        "end_date": "",
        "opens": "",
        "closes": "",
        "reason_fi": "",
        "reason_sv": "",
        "reason_en": "",
        **extra,
    }


def test_a_scheduler_closes_a_venue_for_a_day_and_is_told_which_visits_it_affects(scheduler_client, venue):
    visit = VisitFactory(venue=venue, starts_at=at(datetime.date(2027, 12, 14), 10), published=True)
    add = url("venue_exception_add", pk=venue.pk)

    response = scheduler_client.post(add, exception_data(closed="on", reason_en="Inventory"), follow=True)

    page = page_of(response)
    assert "1 planned visit now falls on a closed day or outside the hours: move or cancel it." in page.text
    assert f'href="{url("visit_detail", pk=visit.pk)}"' in response.content.decode()
    assert VenueException.objects.get().closed is True


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (exception_data(closed="on", end_date="2027-12-13"), "The end date cannot be before the start date."),
        (exception_data(), "Give the opening time, or mark the day closed."),
        (exception_data(closed="on", start_date="2027-12-15"), "These dates overlap another exception"),
        (exception_data(closed="on", start_date="14.12.2027"), "14.12.2027"),
    ],
    ids=["end-before-start", "neither-closed-nor-hours", "overlap", "not-a-date"],
)
def test_a_bad_exception_is_explained_and_nothing_is_saved(scheduler_client, venue, data, message):
    closed(venue, datetime.date(2027, 12, 15), datetime.date(2027, 12, 16))

    page = page_of(scheduler_client.post(url("venue_exception_add", pk=venue.pk), data))

    assert message in page.text
    assert VenueException.objects.count() == 1


def admin_inline(venue, rows: list[dict]) -> dict:
    data = {
        "name_fi": venue.name_fi,
        "name_sv": venue.name_sv,
        "name_en": venue.name_en,
        "kind": venue.kind,
        "area": venue.area_id,
        "active": "on",
        "street_address_fi": venue.street_address_fi,
        "postal_code": venue.postal_code,
        "city_fi": venue.city_fi,
        "latitude": venue.latitude,
        "longitude": venue.longitude,
        "opening_hours-TOTAL_FORMS": 0,
        "opening_hours-INITIAL_FORMS": 0,
        "exceptions-TOTAL_FORMS": len(rows),
        "exceptions-INITIAL_FORMS": 0,
    }
    for i, row in enumerate(rows):
        data.update({f"exceptions-{i}-{name}": value for name, value in row.items()})
    return data


def test_an_admin_save_says_how_many_visits_a_new_closed_day_affects(admin_client, venue):
    VisitFactory(venue=venue, starts_at=at(datetime.date(2027, 12, 14), 10))
    VisitFactory(venue=venue, starts_at=at(datetime.date(2027, 12, 14), 14))
    change = reverse("admin:visits_venue_change", args=[venue.pk])

    response = admin_client.post(
        change,
        admin_inline(venue, [{"start_date": "2027-12-14", "end_date": "2027-12-14", "closed": "on"}]),
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert "2 planned visits at this venue now fall on a closed day or outside its hours" in response.content.decode()
    assert VenueException.objects.filter(venue=venue, closed=True).count() == 1


def test_the_admin_refuses_overlapping_exceptions(admin_client, venue):
    change = reverse("admin:visits_venue_change", args=[venue.pk])
    rows = [
        {"start_date": "2027-12-14", "end_date": "2027-12-16", "closed": "on"},
        {"start_date": "2027-12-16", "end_date": "2027-12-17", "closed": "on"},
    ]

    response = admin_client.post(change, admin_inline(venue, rows), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "These dates overlap another exception" in response.content.decode()
    assert not VenueException.objects.exists()


# Series: preview before saving ----------------------------------------------------------------


def test_a_series_leaves_out_holidays_and_closed_days_and_says_why(venue):
    closed(venue, datetime.date(2027, 12, 14), reason="Inventory")
    plan = SeriesPlanFactory(venue=venue, rrule="FREQ=WEEKLY;BYDAY=TU,FR;COUNT=6", starts_on=datetime.date(2027, 12, 7))

    preview = services.series_preview(plan)

    assert [d.day for d in preview.dates] == [
        datetime.date(2027, 12, 7),
        datetime.date(2027, 12, 10),
        datetime.date(2027, 12, 17),
        datetime.date(2027, 12, 21),
    ]
    assert [(s.day, s.reason) for s in preview.skipped] == [
        (datetime.date(2027, 12, 14), "Sellon kirjasto is closed (Inventory)."),
        (datetime.date(2027, 12, 24), "Public holiday: Christmas Eve"),
    ]


def test_the_series_preview_shows_each_conflict_and_the_advisors_other_visits(venue):
    advisor = AdvisorFactory()
    elsewhere = VenueFactory()
    other = services.visit_create(
        VisitPlanFactory(
            venue=elsewhere,
            starts_at=at(datetime.date(2027, 12, 14), 11),
            ends_at=at(datetime.date(2027, 12, 14), 13),
            advisors=[advisor],
        )
    )
    plan = SeriesPlanFactory(
        venue=venue, rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=2", starts_on=datetime.date(2027, 12, 7), advisors=[advisor]
    )

    preview = services.series_preview(plan)

    by_day = {d.day: d.review for d in preview.dates}
    assert by_day[datetime.date(2027, 12, 7)].conflicts == []
    assert f"#{other.pk}" in by_day[datetime.date(2027, 12, 14)].conflicts[0]
    assert [b.visit_id for b in preview.bookings] == [other.pk]


def series_post(venue, **extra) -> dict:
    return {
        "venue": venue.pk,
        "starts_on": "2027-12-07",
        "start_time": "10:00",
        "end_time": "12:00",
        "weekdays": ["1", "4"],
        "interval": "1",
        "weeks": "3",
        "until": "",
        "rrule": "",
        "skip_public_holidays": "on",
        "audience_note": "",
        "audience_note_sv": "",
        "audience_note_en": "",
        **extra,
    }


def test_the_preview_answers_htmx_with_the_dates_and_saves_nothing(scheduler_client, venue):
    response = scheduler_client.post(url("series_preview"), series_post(venue), HTTP_HX_REQUEST="true")

    page = page_of(response)
    assert "6 visits to make or change" not in page.text
    assert "5 visits to make or change" in page.text
    assert "Fri 24 Dec: Public holiday: Christmas Eve" in page.text
    assert "FREQ=" not in page.text
    assert "<html" not in response.content.decode()
    assert not Visit.objects.exists()


def test_without_javascript_checking_the_series_shows_the_same_preview(scheduler_client, venue):
    page = page_of(scheduler_client.post(url("series_create"), {**series_post(venue), "action": "review"}))

    assert "5 visits to make or change" in page.text
    assert "1 date left out" in page.text
    assert not Visit.objects.exists()


def test_a_series_of_more_than_400_visits_is_refused(scheduler_client, venue):
    data = series_post(venue, rrule="FREQ=DAILY;COUNT=401", weekdays=[], weeks="")

    page = page_of(scheduler_client.post(url("series_create"), {**data, "action": "save"}))

    assert "more than 400 visits" in page.text
    assert not Visit.objects.exists()


def test_the_usual_kinds_of_help_and_languages_fill_an_empty_choice(scheduler_client, venue):
    digital, finnish = ServiceTypeFactory(name_en="Digital support"), LanguageFactory(code="fi", name_en="Finnish")
    swedish = LanguageFactory(code="sv", name_en="Swedish")
    advisor = AdvisorFactory(languages=[swedish])
    VisitFactory(venue=venue, starts_at=at(datetime.date(2027, 11, 30), 10), services=[digital], languages=[finnish])

    page = page_of(
        scheduler_client.post(url("series_create"), {**series_post(venue, advisors=[advisor.pk]), "action": "usual"})
    )

    checked = {(i["name"], i.get("value")) for i in page.soup.find_all("input", checked=True)}
    assert ("services", str(digital.pk)) in checked
    assert ("languages", "sv") in checked and ("languages", "fi") not in checked
    assert Visit.objects.count() == 1


def test_the_series_page_lists_the_dates_left_out_automatically_and_by_hand(scheduler_client, venue):
    series = VisitSeriesFactory(
        venue=venue, rrule="FREQ=WEEKLY;BYDAY=FR;COUNT=4", starts_on=datetime.date(2027, 12, 10)
    )
    SeriesSkipFactory(
        series=series,
        start_date=datetime.date(2027, 12, 17),
        end_date=datetime.date(2027, 12, 17),
        reason="Training day",
    )

    page = page_of(scheduler_client.get(url("series_detail", pk=series.pk)))

    assert "Fri 17 Dec: Skipped in the series: Training day" in page.text
    assert "Fri 24 Dec: Public holiday: Christmas Eve" in page.text
    assert "Fri 31 Dec" not in page.text.split("Dates left out")[1].split("Visits")[0]


# Copying weeks --------------------------------------------------------------------------------


def copy_data(venue=None, **extra) -> dict:
    return {"week": WEEK_BEFORE_CHRISTMAS.isoformat(), "first_week": CHRISTMAS_WEEK.isoformat(), "weeks": "1", **extra}


def test_copying_the_week_before_christmas_leaves_the_holidays_out_and_says_why(scheduler_client, venue):
    for day in (16, 17, 18):  # Thursday, Friday, Saturday
        VisitFactory(venue=venue, starts_at=at(datetime.date(2027, 12, day), 10), published=True)

    preview = page_of(scheduler_client.post(url("week_copy"), copy_data(action="preview")))
    assert "1 visit will be copied" in preview.text
    assert "Left out: Public holiday: Christmas Eve" in preview.text
    assert "Left out: Public holiday: Christmas Day" in preview.text
    assert Visit.objects.count() == 3

    scheduler_client.post(url("week_copy"), copy_data(action="copy"))
    [copy] = Visit.objects.filter(starts_at__gte=at(CHRISTMAS_WEEK, 0))
    assert timezone.localtime(copy.starts_at).date() == datetime.date(2027, 12, 23)
    assert copy.state == State.DRAFT


def test_a_copy_never_recreates_a_date_its_series_skipped(venue):
    series = VisitSeriesFactory(venue=venue, rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=1", starts_on=WEEK_BEFORE_CHRISTMAS)
    SeriesSkipFactory(
        series=series,
        start_date=CHRISTMAS_WEEK,
        end_date=CHRISTMAS_WEEK + datetime.timedelta(days=6),
        reason="Christmas break",
    )
    visit = VisitFactory(
        venue=venue,
        series=series,
        occurrence_date=datetime.date(2027, 12, 14),
        starts_at=at(datetime.date(2027, 12, 14), 10),
    )

    items = services.week_copy_preview(
        visits=[visit], source_week=WEEK_BEFORE_CHRISTMAS, first_week=CHRISTMAS_WEEK, weeks=1
    )

    assert [item.left_out for item in items] == ["Skipped in its series: Christmas break"]


@pytest.mark.parametrize(
    ("first_week", "weeks", "message"),
    [
        ("2027-11-29", "1", "That week is in the past"),
        ("2027-12-13", "1", "Copy to a week after the one being copied."),
        ("2028-11-27", "4", "A copy can reach at most a year ahead."),
        ("2027-12-20", "0", "Ensure this value is greater than or equal to 1."),
    ],
    ids=["past-week", "same-week", "over-a-year-ahead", "no-weeks"],
)
def test_a_copy_to_a_week_it_cannot_go_to_is_explained_and_nothing_is_made(
    scheduler_client, venue, first_week, weeks, message
):
    VisitFactory(venue=venue, starts_at=at(datetime.date(2027, 12, 14), 10))

    page = page_of(
        scheduler_client.post(url("week_copy"), copy_data(first_week=first_week, weeks=weeks, action="copy"))
    )

    assert message in page.text
    assert Visit.objects.count() == 1
    assert not VisitCopy.objects.exists()


def test_a_copy_to_four_weeks_is_undone_in_one_action_while_its_visits_are_drafts(scheduler_client, venue):
    VisitFactory(venue=venue, starts_at=at(datetime.date(2027, 12, 14), 10))
    response = scheduler_client.post(url("week_copy"), copy_data(first_week="2028-01-03", weeks="4", action="copy"))
    copy = VisitCopy.objects.get()
    assert response["Location"] == url("copy_detail", pk=copy.pk)
    assert copy.visits.count() == 4

    scheduler_client.post(url("copy_undo", pk=copy.pk))

    assert Visit.objects.count() == 1
    copy.refresh_from_db()
    assert copy.undone_at is not None


def test_a_copy_is_not_undone_once_one_of_its_visits_is_published(scheduler_client, venue):
    VisitFactory(venue=venue, starts_at=at(datetime.date(2027, 12, 14), 10))
    scheduler_client.post(url("week_copy"), copy_data(first_week="2028-01-03", weeks="2", action="copy"))
    copy = VisitCopy.objects.get()
    services.visits_publish(visits=copy.visits.all()[:1])

    response = scheduler_client.post(url("copy_undo", pk=copy.pk), follow=True)

    assert "Some of the copied visits have been published or cancelled" in page_of(response).text
    assert Visit.objects.count() == 3
