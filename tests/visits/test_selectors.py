"""Reads of the plan: which areas keep face-to-face service, and what a calendar shows."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import AreaFactory, ServicePointFactory
from tests.visits.factories import AdvisorFactory, VenueFactory, VisitFactory
from visits.models import State
from visits.recurrence import local_datetime
from visits.selectors import area_coverage, calendar_visits

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2027, 2, 15)
HORIZON = TODAY + datetime.timedelta(weeks=4)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return local_datetime(day, datetime.time(hour, minute))


def coverage_of(area):
    [found] = [c for c in area_coverage(today=TODAY) if c.area == area]
    return found


def visit_in(area, start: datetime.datetime, **kwargs):
    return VisitFactory(
        venue=VenueFactory(area=area), starts_at=start, ends_at=start + datetime.timedelta(hours=2), **kwargs
    )


# Area coverage -------------------------------------------------------------------------------


def test_an_area_with_neither_an_open_point_nor_a_published_visit_is_uncovered():
    area = AreaFactory()

    coverage = coverage_of(area)

    assert coverage.uncovered
    assert coverage.flagged


def test_an_open_service_point_covers_its_area():
    area = AreaFactory()
    ServicePointFactory(area=area)

    coverage = coverage_of(area)

    assert not coverage.uncovered
    assert not coverage.flagged


def test_a_published_visit_in_the_coming_four_weeks_covers_its_area():
    area = AreaFactory()
    visit_in(area, at(TODAY + datetime.timedelta(days=10), 10), published=True)

    coverage = coverage_of(area)

    assert coverage.published_visits == 1
    assert not coverage.uncovered


@pytest.mark.parametrize("state", [{"state": State.DRAFT}, {"cancelled": True}], ids=["draft", "cancelled"])
def test_draft_and_cancelled_visits_do_not_cover_an_area(state):
    area = AreaFactory()
    visit_in(area, at(TODAY + datetime.timedelta(days=10), 10), **state)

    coverage = coverage_of(area)

    assert coverage.published_visits == 0
    assert coverage.uncovered


@pytest.mark.parametrize(
    ("start", "counted"),
    [
        (at(TODAY, 9), True),
        (at(HORIZON - datetime.timedelta(days=1), 22), True),
        (at(HORIZON, 0), False),
        (at(HORIZON, 10), False),
        (at(TODAY - datetime.timedelta(days=1), 10), False),
    ],
    ids=["this-morning", "last-evening-of-the-fourth-week", "horizon-midnight", "day-after-four-weeks", "yesterday"],
)
def test_only_published_visits_within_four_weeks_count(start, counted):
    area = AreaFactory()
    visit_in(area, start, published=True)

    assert coverage_of(area).published_visits == (1 if counted else 0)


def test_a_visit_counts_only_for_the_area_of_its_venue():
    here, elsewhere = AreaFactory(), AreaFactory()
    visit_in(elsewhere, at(TODAY + datetime.timedelta(days=3), 10), published=True)

    assert coverage_of(here).uncovered
    assert not coverage_of(elsewhere).uncovered


@pytest.mark.parametrize(
    "dates",
    [
        {"closes_on": TODAY - datetime.timedelta(days=1)},
        {"opens_on": TODAY + datetime.timedelta(days=1)},
    ],
    ids=["closed-yesterday", "opens-tomorrow"],
)
def test_a_point_not_serving_today_does_not_cover_its_area(dates):
    area = AreaFactory()
    ServicePointFactory(area=area, **dates)

    coverage = coverage_of(area)

    assert coverage.open_points == []
    assert coverage.uncovered


@pytest.mark.parametrize(
    ("closes_on", "losing"),
    [
        (TODAY, True),
        (HORIZON - datetime.timedelta(days=1), True),
        (HORIZON, False),
        (None, False),
    ],
    ids=["closes-today", "last-day-within-four-weeks", "last-day-after-four-weeks", "no-closure"],
)
def test_an_area_whose_only_open_point_closes_within_four_weeks_is_losing_its_last_point(closes_on, losing):
    area = AreaFactory()
    ServicePointFactory(area=area, closes_on=closes_on)

    coverage = coverage_of(area)

    assert not coverage.uncovered
    assert coverage.losing_last_point is losing
    assert coverage.flagged is losing


def test_an_area_keeping_another_open_point_is_not_losing_its_last_point():
    area = AreaFactory()
    closing = ServicePointFactory(area=area, closes_on=TODAY + datetime.timedelta(days=7))
    ServicePointFactory(area=area)

    coverage = coverage_of(area)

    assert coverage.closing_points == [closing]
    assert len(coverage.open_points) == 2
    assert not coverage.losing_last_point


def test_a_closing_last_point_is_flagged_even_with_visits_planned():
    area = AreaFactory()
    ServicePointFactory(area=area, closes_on=TODAY + datetime.timedelta(days=7))
    visit_in(area, at(TODAY + datetime.timedelta(days=14), 10), published=True)

    coverage = coverage_of(area)

    assert coverage.losing_last_point
    assert not coverage.uncovered


def test_coverage_lists_every_area_once():
    areas = [AreaFactory() for _ in range(3)]
    for area in areas:
        for day in range(3):
            visit_in(area, at(TODAY + datetime.timedelta(days=day + 1), 10), published=True)
        ServicePointFactory(area=area)

    coverage = area_coverage(today=TODAY)

    assert sorted(c.area.pk for c in coverage) == sorted(a.pk for a in areas)
    assert {c.published_visits for c in coverage} == {3}


# Calendar ------------------------------------------------------------------------------------

MONDAY = datetime.date(2027, 2, 22)
SUNDAY = MONDAY + datetime.timedelta(days=6)


@pytest.mark.parametrize(
    ("start", "end", "shown"),
    [
        (at(MONDAY, 0), at(MONDAY, 2), True),
        (at(SUNDAY, 22), at(SUNDAY + datetime.timedelta(days=1), 1), True),
        (at(MONDAY - datetime.timedelta(days=1), 22), at(MONDAY, 0), False),
        (at(SUNDAY + datetime.timedelta(days=1), 0), at(SUNDAY + datetime.timedelta(days=1), 2), False),
    ],
    ids=["monday-midnight", "sunday-night", "ends-at-monday-midnight", "next-monday-midnight"],
)
def test_the_calendar_shows_visits_overlapping_its_local_days_inclusive(start, end, shown):
    visit = VisitFactory(starts_at=start, ends_at=end)

    assert (visit in calendar_visits(start=MONDAY, end=SUNDAY)) is shown


def test_the_calendar_shows_every_state_in_time_order():
    cancelled = VisitFactory(starts_at=at(MONDAY, 14), ends_at=at(MONDAY, 16), cancelled=True)
    draft = VisitFactory(starts_at=at(MONDAY, 8), ends_at=at(MONDAY, 10))
    published = VisitFactory(starts_at=at(MONDAY, 10), ends_at=at(MONDAY, 12), published=True)

    assert calendar_visits(start=MONDAY, end=SUNDAY) == [draft, published, cancelled]


def test_the_calendar_of_an_advisor_shows_their_visits_once():
    advisor, colleague = AdvisorFactory(), AdvisorFactory()
    shared = VisitFactory(starts_at=at(MONDAY, 10), ends_at=at(MONDAY, 12), advisors=[advisor, colleague])
    VisitFactory(starts_at=at(MONDAY, 13), ends_at=at(MONDAY, 15), advisors=[colleague])

    assert calendar_visits(start=MONDAY, end=SUNDAY, advisor=advisor) == [shared]


def test_the_calendar_filters_by_venue_and_by_area():
    area = AreaFactory()
    venue = VenueFactory(area=area)
    at_venue = VisitFactory(venue=venue, starts_at=at(MONDAY, 10), ends_at=at(MONDAY, 12))
    in_area = VisitFactory(venue=VenueFactory(area=area), starts_at=at(MONDAY, 12), ends_at=at(MONDAY, 14))
    VisitFactory(starts_at=at(MONDAY, 10), ends_at=at(MONDAY, 12))

    assert calendar_visits(start=MONDAY, end=SUNDAY, venue=venue) == [at_venue]
    assert calendar_visits(start=MONDAY, end=SUNDAY, area=area) == [at_venue, in_area]


def queries_for_a_week_of(monday: datetime.date, visits: int) -> int:
    for hour in range(visits):
        VisitFactory(starts_at=at(monday, 8 + hour), ends_at=at(monday, 9 + hour), advisors=[AdvisorFactory()])
    with CaptureQueriesContext(connection) as captured:
        shown = [
            (
                str(visit.venue.area),
                [str(a) for a in visit.advisors.all()],
                list(visit.services.all()),
                list(visit.languages.all()),
            )
            for visit in calendar_visits(start=monday, end=monday + datetime.timedelta(days=6))
        ]
    assert len(shown) == visits
    return len(captured)


def test_the_calendar_takes_the_same_number_of_queries_for_one_visit_or_many():
    one = queries_for_a_week_of(MONDAY, 1)

    many = queries_for_a_week_of(MONDAY + datetime.timedelta(weeks=1), 8)

    assert many == one
