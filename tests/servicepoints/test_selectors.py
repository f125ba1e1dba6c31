import datetime
from urllib.parse import unquote

import pytest

from servicepoints.selectors import (
    journey_planner_url,
    service_point_alternatives,
    service_point_collection,
    service_point_hours_on,
    service_point_week,
    service_points_with_details,
)
from tests.factories import (
    OpeningHoursExceptionFactory,
    OpeningHoursFactory,
    ServicePointFactory,
    ServiceTypeFactory,
)

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 12, 21)
THURSDAY = datetime.date(2026, 12, 24)
FRIDAY_CHRISTMAS = datetime.date(2026, 12, 25)


def hours_on(point, day):
    """The hours as the selector gives them to pages: loaded with their prefetches."""
    loaded = next(p for p in service_points_with_details() if p.pk == point.pk)
    return service_point_hours_on(service_point=loaded, day=day)


@pytest.fixture
def weekday_point():
    """Open Monday to Friday 9–16."""
    point = ServicePointFactory()
    for weekday in range(5):
        OpeningHoursFactory(service_point=point, weekday=weekday, opens=datetime.time(9), closes=datetime.time(16))
    return point


def test_a_weekday_has_its_weekly_hours(weekday_point):
    hours = hours_on(weekday_point, MONDAY)

    assert hours.periods == [(datetime.time(9), datetime.time(16))]
    assert not hours.closed
    assert not hours.is_exception


def test_a_day_without_weekly_hours_is_closed(weekday_point):
    assert hours_on(weekday_point, datetime.date(2026, 12, 26)).closed


def test_a_split_day_has_both_periods_in_order():
    point = ServicePointFactory()
    OpeningHoursFactory(service_point=point, weekday=0, opens=datetime.time(13), closes=datetime.time(16))
    OpeningHoursFactory(service_point=point, weekday=0, opens=datetime.time(9), closes=datetime.time(11))

    assert hours_on(point, MONDAY).periods == [
        (datetime.time(9), datetime.time(11)),
        (datetime.time(13), datetime.time(16)),
    ]


def test_a_closed_public_holiday_is_closed_though_the_weekly_rule_says_open(weekday_point):
    OpeningHoursExceptionFactory(
        service_point=weekday_point, start_date=FRIDAY_CHRISTMAS, closed=True, reason_en="Christmas Day"
    )

    hours = hours_on(weekday_point, FRIDAY_CHRISTMAS)

    assert hours.closed
    assert hours.is_exception
    assert hours.reason == "Christmas Day"


def test_an_exception_with_other_hours_replaces_the_weekly_hours(weekday_point):
    OpeningHoursExceptionFactory(
        service_point=weekday_point,
        start_date=THURSDAY,
        closed=False,
        opens=datetime.time(10),
        closes=datetime.time(12),
        reason_en="Christmas Eve",
    )

    assert hours_on(weekday_point, THURSDAY).periods == [(datetime.time(10), datetime.time(12))]


def test_an_exception_opens_a_day_the_weekly_rule_keeps_closed(weekday_point):
    saturday = datetime.date(2026, 12, 19)
    OpeningHoursExceptionFactory(
        service_point=weekday_point,
        start_date=saturday,
        closed=False,
        opens=datetime.time(10),
        closes=datetime.time(14),
    )

    assert hours_on(weekday_point, saturday).periods == [(datetime.time(10), datetime.time(14))]


def test_a_closed_exception_wins_over_hours_given_for_the_same_day(weekday_point):
    OpeningHoursExceptionFactory(
        service_point=weekday_point,
        start_date=THURSDAY,
        closed=False,
        opens=datetime.time(10),
        closes=datetime.time(12),
    )
    OpeningHoursExceptionFactory(service_point=weekday_point, start_date=THURSDAY, closed=True)

    assert hours_on(weekday_point, THURSDAY).closed


@pytest.mark.parametrize(
    ("day", "closed"),
    [
        (datetime.date(2026, 7, 3), False),
        (datetime.date(2026, 7, 6), True),
        (datetime.date(2026, 7, 17), True),
        (datetime.date(2026, 7, 31), True),
        (datetime.date(2026, 8, 3), False),
    ],
)
def test_a_summer_closure_covers_every_day_of_its_range(weekday_point, day, closed):
    OpeningHoursExceptionFactory(
        service_point=weekday_point, start_date=datetime.date(2026, 7, 6), end_date=datetime.date(2026, 7, 31)
    )

    assert hours_on(weekday_point, day).closed is closed


@pytest.mark.parametrize(
    ("dates", "day"),
    [
        ({"closes_on": datetime.date(2026, 12, 18)}, MONDAY),
        ({"opens_on": datetime.date(2027, 1, 4)}, MONDAY),
    ],
)
def test_a_closed_or_planned_point_has_no_hours(dates, day):
    point = ServicePointFactory(**dates)
    OpeningHoursFactory(service_point=point, weekday=day.weekday())
    OpeningHoursExceptionFactory(
        service_point=point, start_date=day, closed=False, opens=datetime.time(10), closes=datetime.time(12)
    )

    assert hours_on(point, day).closed


def test_a_week_runs_from_monday_to_sunday_around_the_day(weekday_point):
    OpeningHoursExceptionFactory(service_point=weekday_point, start_date=FRIDAY_CHRISTMAS)
    loaded = service_points_with_details()[0]

    week = service_point_week(service_point=loaded, start=THURSDAY)

    assert [d.day for d in week] == [MONDAY + datetime.timedelta(days=i) for i in range(7)]
    assert [d.closed for d in week] == [False, False, False, False, True, True, True]


@pytest.fixture
def closed_tapiola(settings):
    settings.SERVICEPOINT_CLOSING_NOTICE_DAYS = 60
    return ServicePointFactory(
        slug="tapiola", latitude=60.1752, longitude=24.8046, closes_on=datetime.date(2022, 9, 30)
    )


def test_alternatives_are_the_nearest_points_still_serving_nearest_first(closed_tapiola):
    ServicePointFactory(slug="far", latitude=60.2766, longitude=24.6532)
    ServicePointFactory(slug="near", latitude=60.1618, longitude=24.7377)
    ServicePointFactory(slug="middle", latitude=60.21748, longitude=24.80992)
    on = datetime.date(2026, 11, 28)

    alternatives = service_point_alternatives(
        service_point=closed_tapiola, on=on, candidates=service_points_with_details()
    )

    assert [a.service_point.slug for a in alternatives] == ["near", "middle", "far"]
    assert [round(a.distance_m, -2) for a in alternatives] == [4_000, 4_700, 14_000]


def test_alternatives_leave_out_points_that_are_closed_or_not_yet_open_on_that_date(closed_tapiola):
    on = datetime.date(2026, 11, 28)
    ServicePointFactory(slug="closed-too", latitude=60.17, longitude=24.80, closes_on=on - datetime.timedelta(days=1))
    ServicePointFactory(slug="not-yet", latitude=60.17, longitude=24.80, opens_on=on + datetime.timedelta(days=1))
    ServicePointFactory(slug="closing", latitude=60.20, longitude=24.70, closes_on=on + datetime.timedelta(days=5))
    ServicePointFactory(slug="open", latitude=60.25, longitude=24.70)

    alternatives = service_point_alternatives(
        service_point=closed_tapiola, on=on, candidates=service_points_with_details()
    )

    assert [a.service_point.slug for a in alternatives] == ["closing", "open"]


def test_alternatives_mark_the_ones_the_city_recommends_and_stop_at_the_limit(closed_tapiola):
    points = [ServicePointFactory(slug=f"p{i}", latitude=60.18 + i / 100, longitude=24.80) for i in range(5)]
    closed_tapiola.alternatives.add(points[2])

    alternatives = service_point_alternatives(
        service_point=closed_tapiola, on=datetime.date(2026, 11, 28), candidates=service_points_with_details()
    )

    assert [(a.service_point.slug, a.recommended) for a in alternatives] == [
        ("p0", False),
        ("p1", False),
        ("p2", True),
    ]


@pytest.mark.parametrize(
    ("language", "name", "city", "url"),
    [
        ("fi", "Leppävaaran asiointipiste", "Espoo", "/fi/service-points/leppavaara/"),
        ("sv", "Servicepunkten i Alberga", "Esbo", "/sv/service-points/leppavaara/"),
        ("en", "Leppävaara service point", "Espoo", "/en/service-points/leppavaara/"),
    ],
)
def test_the_collection_speaks_the_language_asked(language, name, city, url):
    ServicePointFactory(
        slug="leppavaara",
        name_fi="Leppävaaran asiointipiste",
        name_sv="Servicepunkten i Alberga",
        name_en="Leppävaara service point",
    )

    properties = service_point_collection(on=datetime.date(2026, 11, 28), language=language)["features"][0][
        "properties"
    ]

    assert (properties["name"], properties["city"], properties["url"]) == (name, city, url)


def test_points_load_in_a_fixed_number_of_queries(django_assert_max_num_queries):
    for _ in range(6):
        point = ServicePointFactory()
        point.services.add(ServiceTypeFactory())
        OpeningHoursFactory(service_point=point)
        OpeningHoursExceptionFactory(service_point=point)

    with django_assert_max_num_queries(5):
        points = service_points_with_details()
        for point in points:
            service_point_hours_on(service_point=point, day=FRIDAY_CHRISTMAS)
            [s.slug for s in point.services.all()]
            point.area.slug  # noqa: B018 - touching the relation is the point


def test_the_journey_planner_link_has_the_place_as_its_destination():
    url = journey_planner_url(
        base_url="https://reittiopas.hsl.fi/",
        name="Matinkylän asiointipiste, Piispansilta 11, Espoo",
        latitude=60.1618,
        longitude=24.7377,
        language="sv",
    )

    assert url.startswith("https://reittiopas.hsl.fi/reitti/-/")
    assert url.endswith("?locale=sv")
    destination = unquote(url.removeprefix("https://reittiopas.hsl.fi/reitti/-/").removesuffix("?locale=sv"))
    assert destination == "Matinkylän asiointipiste, Piispansilta 11, Espoo::60.161800,24.737700"
