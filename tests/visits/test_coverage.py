"""Coverage of the period on screen: each area's face-to-face service week by week, in the staff
calendar's panel and in /api/v1/areas. Cancelled visits and visits on a day their venue is closed
(or outside its hours) do not count; the latter are listed for the scheduler."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests.factories import AreaFactory, ServicePointFactory
from tests.html import parse, text
from tests.visits.factories import LanguageFactory, UserFactory, VenueFactory, VisitFactory
from visits.models import VenueException, VenueOpeningHours
from visits.recurrence import local_datetime
from visits.selectors import area_coverage, period_coverage

pytestmark = pytest.mark.django_db

# Monday 15 February 2027; the March after it starts on a Monday and has five weeks, the last
# one clipped to Monday 29 – Wednesday 31 March.
NOW = datetime.datetime(2027, 2, 15, 9, 0, tzinfo=datetime.UTC)
MARCH_1 = datetime.date(2027, 3, 1)
MARCH_31 = datetime.date(2027, 3, 31)
MARCH_MONDAYS = [datetime.date(2027, 3, day) for day in (1, 8, 15, 22, 29)]


@pytest.fixture(autouse=True)
def _frozen_now():
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        yield


@pytest.fixture
def scheduler_client(client):
    user = UserFactory()
    user.groups.add(Group.objects.get(name="scheduler"))
    client.force_login(user)
    return client


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return local_datetime(day, datetime.time(hour, minute))


def visit_on(venue, day: datetime.date, start: int = 10, end: int = 12, **kwargs):
    return VisitFactory(venue=venue, starts_at=at(day, start), ends_at=at(day, end), **kwargs)


def closed_on(venue, day: datetime.date, reason: str = "Inventaario") -> VenueException:
    return VenueException.objects.create(venue=venue, start_date=day, end_date=day, closed=True, reason=reason)


def weeks_of(area, start=MARCH_1, end=MARCH_31):
    [row] = [row for row in period_coverage(start=start, end=end).areas if row.area == area]
    return row.weeks


def week_starting(area, monday: datetime.date):
    [week] = [week for week in weeks_of(area) if week.start == monday]
    return week


def panel(client, **query):
    response = client.get(reverse("staff:calendar"), query)
    assert response.status_code == 200
    return parse(response.content).select_one("section.coverage")


# The selector ----------------------------------------------------------------------------------


def test_a_march_with_no_visits_leaves_every_area_without_a_point_uncovered_in_every_week():
    areas = [AreaFactory() for _ in range(3)]

    coverage = period_coverage(start=MARCH_1, end=MARCH_31)

    assert coverage.weeks == [(monday, min(monday + datetime.timedelta(days=6), MARCH_31)) for monday in MARCH_MONDAYS]
    for area in areas:
        weeks = weeks_of(area)
        assert [week.start for week in weeks] == MARCH_MONDAYS
        assert all(week.uncovered for week in weeks)
    assert coverage.uncovered_weeks == 15


def test_weeks_are_iso_weeks_clipped_to_the_period():
    area = AreaFactory()

    weeks = period_coverage(start=datetime.date(2027, 3, 3), end=datetime.date(2027, 3, 9)).weeks

    assert weeks == [
        (datetime.date(2027, 3, 3), datetime.date(2027, 3, 7)),
        (datetime.date(2027, 3, 8), datetime.date(2027, 3, 9)),
    ]
    assert len(weeks_of(area, datetime.date(2027, 3, 3), datetime.date(2027, 3, 9))) == 2


def test_a_published_visit_covers_its_area_in_its_own_week_only():
    area = AreaFactory()
    visit_on(VenueFactory(area=area), datetime.date(2027, 3, 10), published=True)

    weeks = weeks_of(area)

    assert [week.uncovered for week in weeks] == [True, False, True, True, True]
    assert (weeks[1].visits, weeks[1].hours) == (1, 2)


@pytest.mark.parametrize("state", [{"cancelled": True}, {}], ids=["cancelled", "draft"])
def test_cancelled_and_draft_visits_do_not_count(state):
    area = AreaFactory()
    visit_on(VenueFactory(area=area), datetime.date(2027, 3, 10), **state)

    coverage = period_coverage(start=MARCH_1, end=MARCH_31)

    week = week_starting(area, MARCH_MONDAYS[1])
    assert (week.visits, week.uncovered) == (0, True)
    assert coverage.flagged == []


def test_a_visit_on_a_day_its_venue_is_closed_does_not_count_and_is_flagged():
    area = AreaFactory()
    venue = VenueFactory(area=area, name_en="Entresse library")
    visit = visit_on(venue, datetime.date(2027, 3, 10), published=True)
    closed_on(venue, datetime.date(2027, 3, 10), reason="Inventaario")

    coverage = period_coverage(start=MARCH_1, end=MARCH_31)

    week = week_starting(area, MARCH_MONDAYS[1])
    assert (week.visits, week.hours, week.not_counted, week.uncovered) == (0, 0, 1, True)
    assert coverage.flagged == [visit]
    assert "Entresse library is closed on" in coverage.flagged[0].closure
    assert "Inventaario" in coverage.flagged[0].closure


def test_a_visit_outside_its_venues_weekly_hours_does_not_count():
    area = AreaFactory()
    venue = VenueFactory(area=area)
    VenueOpeningHours.objects.create(venue=venue, weekday=2, opens=datetime.time(12), closes=datetime.time(16))
    visit_on(venue, datetime.date(2027, 3, 10), start=10, end=12, published=True)
    visit_on(venue, datetime.date(2027, 3, 17), start=12, end=14, published=True)

    coverage = period_coverage(start=MARCH_1, end=MARCH_31)

    assert week_starting(area, MARCH_MONDAYS[1]).uncovered
    assert week_starting(area, MARCH_MONDAYS[2]).visits == 1
    assert len(coverage.flagged) == 1


def test_hours_count_the_time_when_at_least_one_visit_is_held():
    area = AreaFactory()
    day = datetime.date(2027, 3, 10)
    visit_on(VenueFactory(area=area), day, start=10, end=12, published=True)
    visit_on(VenueFactory(area=area), day, start=11, end=13, published=True)
    visit_on(VenueFactory(area=area), day, start=15, end=16, published=True)
    visit_on(VenueFactory(area=area), datetime.date(2027, 3, 11), start=9, end=11, published=True)

    week = week_starting(area, MARCH_MONDAYS[1])

    assert week.visits == 4
    assert week.hours == 6  # 10–13 and 15–16 on Wednesday, 9–11 on Thursday


def test_visits_without_languages_offer_finnish_and_each_language_is_listed_once():
    area = AreaFactory()
    swedish = LanguageFactory(code="sv", name_en="Swedish")
    venue = VenueFactory(area=area)
    visit_on(venue, datetime.date(2027, 3, 2), published=True)
    visit_on(venue, datetime.date(2027, 3, 9), published=True, languages=[swedish])
    visit_on(venue, datetime.date(2027, 3, 10), published=True, languages=[swedish])

    first, second = weeks_of(area)[:2]

    assert [(language.code, language.name) for language in first.languages] == [("fi", "Finnish")]
    assert [language.code for language in second.languages] == ["sv"]


def test_an_area_with_an_open_fixed_point_is_covered_until_the_week_the_point_closes():
    area = AreaFactory()
    point = ServicePointFactory(area=area, closes_on=datetime.date(2027, 3, 16))

    weeks = weeks_of(area)

    assert [week.uncovered for week in weeks] == [False, False, False, True, True]
    assert weeks[2].points == [point]
    assert weeks[2].closing_points == [point]
    assert weeks[1].closing_points == []


def test_a_point_opening_mid_week_covers_that_week():
    area = AreaFactory()
    ServicePointFactory(area=area, opens_on=datetime.date(2027, 3, 14))

    assert [week.uncovered for week in weeks_of(area)] == [True, False, False, False, False]


def test_a_visit_counts_only_in_the_area_of_its_venue():
    here, elsewhere = AreaFactory(), AreaFactory()
    visit_on(VenueFactory(area=elsewhere), datetime.date(2027, 3, 3), published=True)

    assert week_starting(here, MARCH_1).uncovered
    assert not week_starting(elsewhere, MARCH_1).uncovered


def build_plan(*, areas: int, weeks: int) -> None:
    swedish = LanguageFactory(code="sv")
    for _ in range(areas):
        area = AreaFactory()
        ServicePointFactory(area=area)
        venue = VenueFactory(area=area)
        VenueOpeningHours.objects.create(venue=venue, weekday=2, opens=datetime.time(9), closes=datetime.time(16))
        closed_on(venue, MARCH_1 + datetime.timedelta(days=2))
        for week in range(weeks):
            day = MARCH_1 + datetime.timedelta(weeks=week, days=2)
            visit_on(venue, day, published=True, languages=[swedish])
            visit_on(venue, day, start=13, end=15, published=True)
            visit_on(venue, day + datetime.timedelta(days=1), cancelled=True)


def queries_for_coverage() -> int:
    with CaptureQueriesContext(connection) as queries:
        coverage = period_coverage(start=MARCH_1, end=datetime.date(2027, 5, 31))
        shown = [
            (language.name, point.name)
            for row in coverage.areas
            for week in row.weeks
            for language in week.languages
            for point in week.points
        ]
        shown += [(visit.closure, visit.venue.area.name) for visit in coverage.flagged]
    assert shown
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_visits_areas_or_weeks():
    build_plan(areas=1, weeks=1)
    few = queries_for_coverage()

    build_plan(areas=4, weeks=12)
    many = queries_for_coverage()

    assert many == few, (few, many)
    assert many <= 8, many


# area_coverage, the API's reading of the same rule -------------------------------------------


def test_area_coverage_counts_neither_cancelled_visits_nor_those_on_a_closed_day():
    area = AreaFactory()
    venue = VenueFactory(area=area)
    visit_on(venue, datetime.date(2027, 2, 17), cancelled=True)
    visit_on(venue, datetime.date(2027, 2, 18), published=True)
    closed_on(venue, datetime.date(2027, 2, 18))

    [coverage] = [c for c in area_coverage(today=datetime.date(2027, 2, 15)) if c.area == area]

    assert (coverage.published_visits, coverage.uncovered) == (0, True)


def test_the_api_reports_every_area_uncovered_in_a_march_without_visits(client):
    AreaFactory(slug="suur-tapiola")
    AreaFactory(slug="suur-matinkyla")
    venue = VenueFactory(area=AreaFactory(slug="pohjois-espoo"))
    visit_on(venue, datetime.date(2027, 2, 17), published=True)  # before March: does not count

    response = client.get("/api/v1/areas", {"start": "2027-03-01", "end": "2027-03-31"})

    assert response.status_code == 200
    assert {row["slug"]: (row["published_visits"], row["uncovered"]) for row in response.json()} == {
        "suur-tapiola": (0, True),
        "suur-matinkyla": (0, True),
        "pohjois-espoo": (0, True),
    }


def test_the_api_does_not_count_a_visit_on_a_day_its_venue_is_closed(client):
    venue = VenueFactory(area=AreaFactory(slug="suur-tapiola"))
    visit_on(venue, datetime.date(2027, 3, 10), published=True)
    visit_on(venue, datetime.date(2027, 3, 11), published=True)
    closed_on(venue, datetime.date(2027, 3, 10))

    [counted_one] = client.get("/api/v1/areas", {"start": "2027-03-01", "end": "2027-03-31"}).json()
    [none_left] = client.get("/api/v1/areas", {"start": "2027-03-10", "end": "2027-03-10"}).json()

    assert (counted_one["published_visits"], counted_one["uncovered"]) == (1, False)
    assert (none_left["published_visits"], none_left["uncovered"]) == (0, True)


def test_the_api_still_defaults_to_today_and_the_four_weeks_after(client):
    venue = VenueFactory(area=AreaFactory(slug="suur-tapiola"))
    visit_on(venue, datetime.date(2027, 3, 14), published=True)  # the 28th day from today
    visit_on(venue, datetime.date(2027, 3, 15), published=True)  # the 29th: outside

    [row] = client.get("/api/v1/areas").json()

    assert row["published_visits"] == 1


# The staff calendar's panel --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "mondays"),
    [
        ("2027-03-10", ["2027-03-01", "2027-03-08", "2027-03-15", "2027-03-22", "2027-03-29"]),
        ("2026-03-10", ["2026-02-23", "2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23", "2026-03-30"]),
    ],
    ids=["five-weeks", "six-weeks"],
)
def test_the_month_view_describes_every_week_of_the_month(scheduler_client, date, mondays):
    AreaFactory(slug="suur-tapiola", name_en="Suur-Tapiola")

    section = panel(scheduler_client, view="month", date=date)

    table = section.select_one("table.coverage-table")
    assert text(table.caption) == "Face-to-face service by area and week"
    headers = table.select("thead th[scope=col]")
    assert text(headers[0]) == "Area"
    assert len(headers) == len(mondays) + 1
    assert text(headers[1]).startswith("Week ")
    row = table.select_one('tr[data-area="suur-tapiola"]')
    assert text(row.select_one("th[scope=row]")) == "Suur-Tapiola"
    assert [cell["data-week"] for cell in row.select("td")] == mondays
    assert all("No service" in text(cell) for cell in row.select("td"))


@pytest.mark.parametrize(
    ("date", "monday", "period"),
    [
        ("2027-03-10", "2027-03-08", "from 8 Mar to 14 Mar"),
        # A week of another year than this one names its year.
        ("2028-03-08", "2028-03-06", "from 6 Mar 2028 to 12 Mar 2028"),
    ],
    ids=["this-year", "next-year"],
)
def test_the_week_view_describes_that_week_only(scheduler_client, date, monday, period):
    AreaFactory(slug="suur-tapiola")

    section = panel(scheduler_client, view="week", date=date)

    assert [cell["data-week"] for cell in section.select('tr[data-area="suur-tapiola"] td')] == [monday]
    assert period in text(section)


def test_the_panel_shows_a_week_without_service_apart_from_a_covered_one(scheduler_client):
    quiet, served = AreaFactory(slug="suur-kauklahti"), AreaFactory(slug="suur-tapiola")
    ServicePointFactory(area=served, name_en="Tapiola")
    visit_on(VenueFactory(area=served), datetime.date(2027, 3, 10), published=True)

    section = panel(scheduler_client, view="week", date="2027-03-10")

    quiet_week = section.select_one(f'tr[data-area="{quiet.slug}"] td')
    served_week = section.select_one(f'tr[data-area="{served.slug}"] td')
    assert "coverage-week--uncovered" in quiet_week["class"]
    assert "No service" in text(quiet_week)
    assert "coverage-week--uncovered" not in served_week["class"]
    assert "Covered" in text(served_week)
    assert "1 visit" in text(served_week)
    assert "Visit hours: 2" in text(served_week)
    assert "Languages: Finnish" in text(served_week)
    assert "Tapiola" in text(served_week)
    assert "1 week without service in an area." in text(section)


def test_visits_on_a_day_the_venue_is_closed_are_listed_with_the_reason_and_a_link(scheduler_client):
    area = AreaFactory(slug="suur-tapiola")
    venue = VenueFactory(area=area, name_en="Tapiola library")
    visit = visit_on(venue, datetime.date(2027, 3, 10), published=True)
    closed_on(venue, datetime.date(2027, 3, 10), reason="Remontti")

    section = panel(scheduler_client, view="week", date="2027-03-10")

    week = section.select_one('tr[data-area="suur-tapiola"] td')
    assert "No service" in text(week)
    assert "1 visit not counted" in text(week)
    assert week.select_one("a")["href"] == "#coverage-flagged"
    assert text(section.select_one("#coverage-flagged")) == "Published visits that do not count"
    [item] = section.select("ul.coverage-flagged li")
    assert item.select_one("a")["href"] == reverse("staff:visit_detail", kwargs={"pk": visit.pk})
    assert "Tapiola library is closed on" in text(item)
    assert "Remontti" in text(item)


def test_the_panel_does_not_list_a_closed_day_visit_outside_the_period_shown(scheduler_client):
    venue = VenueFactory(area=AreaFactory())
    visit_on(venue, datetime.date(2027, 3, 17), published=True)
    closed_on(venue, datetime.date(2027, 3, 17))

    section = panel(scheduler_client, view="week", date="2027-03-10")

    assert section.select_one("ul.coverage-flagged") is None
