import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from servicepoints.models import Area, OpeningHours, OpeningHoursException, ServicePoint, ServiceType
from servicepoints.services import public_holiday_closures_add
from tests.factories import OpeningHoursExceptionFactory, ServicePointFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 11, 28, 12, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _today_is_28_november_2026():
    with time_machine.travel(TODAY, tick=False):
        yield


def load_espoo_data() -> None:
    call_command("load_espoo_data", stdout=StringIO())


@pytest.fixture
def network(espoo_network):
    """What `load_espoo_data` loads for service points, on 28 November 2026."""


def counts() -> dict[str, int]:
    return {
        "areas": Area.objects.count(),
        "service types": ServiceType.objects.count(),
        "service points": ServicePoint.objects.count(),
        "weekly hours": OpeningHours.objects.count(),
        "exceptions": OpeningHoursException.objects.count(),
        "services offered": ServicePoint.services.through.objects.count(),
        "alternatives": ServicePoint.alternatives.through.objects.count(),
    }


def test_loading_the_data_twice_adds_nothing_the_second_time():
    load_espoo_data()
    first = counts()

    load_espoo_data()

    assert counts() == first
    assert first["service points"] == 7


def test_it_loads_the_seven_urban_centres_in_three_languages(network):
    assert [(a.name_fi, a.name_sv, a.name_en) for a in Area.objects.order_by("ordering")] == [
        ("Suur-Leppävaara", "Stor-Alberga", "Suur-Leppävaara"),
        ("Suur-Tapiola", "Stor-Hagalund", "Suur-Tapiola"),
        ("Suur-Matinkylä", "Stor-Mattby", "Suur-Matinkylä"),
        ("Suur-Espoonlahti", "Stor-Esboviken", "Suur-Espoonlahti"),
        ("Suur-Kauklahti", "Stor-Köklax", "Suur-Kauklahti"),
        ("Vanha-Espoo", "Gamla Esbo", "Vanha-Espoo"),
        ("Pohjois-Espoo", "Norra Esbo", "Pohjois-Espoo"),
    ]


def test_every_area_centre_lies_in_espoo(network):
    for area in Area.objects.all():
        area.full_clean()


def test_it_loads_the_service_points_with_the_dates_the_city_decided(network):
    points = {p.slug: p for p in ServicePoint.objects.all()}
    assert {slug: (p.kind, p.opens_on, p.closes_on) for slug, p in points.items()} == {
        "matinkyla": ("fixed", None, None),
        "leppavaara": ("fixed", None, None),
        "kalajarvi": ("fixed", None, None),
        "espoonlahti": ("fixed", None, datetime.date(2022, 3, 31)),
        "espoon-keskus": ("fixed", None, datetime.date(2022, 6, 30)),
        "tapiola": ("fixed", None, datetime.date(2023, 6, 30)),
        "espoon-keskus-pieni": ("small", datetime.date(2022, 7, 1), None),
    }
    assert {slug: p.area.slug for slug, p in points.items()} == {
        "matinkyla": "suur-matinkyla",
        "leppavaara": "suur-leppavaara",
        "kalajarvi": "pohjois-espoo",
        "espoonlahti": "suur-espoonlahti",
        "espoon-keskus": "vanha-espoo",
        "tapiola": "suur-tapiola",
        "espoon-keskus-pieni": "vanha-espoo",
    }


def test_every_point_has_a_name_in_finnish_swedish_and_english(network):
    for point in ServicePoint.objects.all():
        names = {point.name_fi, point.name_sv, point.name_en}
        assert len(names) == 3, point.slug
        assert (point.city_fi, point.city_sv, point.city_en) == ("Espoo", "Esbo", "Espoo")


def test_known_positions_are_exact_and_the_others_are_flagged_approximate(network):
    positions = {p.slug: (p.latitude, p.longitude, p.location_is_approximate) for p in ServicePoint.objects.all()}
    assert positions["leppavaara"] == (60.21748, 24.80992, False)
    assert positions["espoon-keskus-pieni"] == (60.203636, 24.657864, False)
    assert positions["matinkyla"] == (pytest.approx(60.1618, abs=1e-3), pytest.approx(24.7377, abs=1e-3), False)
    assert {slug for slug, (_, _, approximate) in positions.items() if approximate} == {
        "kalajarvi",
        "espoonlahti",
        "espoon-keskus",
        "tapiola",
    }
    for point in ServicePoint.objects.all():
        point.full_clean()


def test_closed_points_name_where_to_go_instead(network):
    alternatives = {
        p.slug: sorted(a.slug for a in p.alternatives.all())
        for p in ServicePoint.objects.filter(closes_on__isnull=False)
    }
    assert alternatives == {
        "espoonlahti": ["matinkyla"],
        "espoon-keskus": ["espoon-keskus-pieni", "leppavaara"],
        "tapiola": ["leppavaara", "matinkyla"],
    }
    for point in ServicePoint.objects.filter(closes_on__isnull=False):
        assert point.closure_note_fi
        assert point.closure_note_sv
        assert point.closure_note_en


@pytest.mark.parametrize(
    ("day", "operating"),
    [
        (
            datetime.date(2022, 1, 1),
            {"matinkyla", "leppavaara", "kalajarvi", "espoonlahti", "espoon-keskus", "tapiola"},
        ),
        (datetime.date(2026, 11, 28), {"matinkyla", "leppavaara", "kalajarvi", "espoon-keskus-pieni"}),
    ],
)
def test_which_points_serve_residents_on_a_date(settings, day, operating, network):
    settings.SERVICEPOINT_CLOSING_NOTICE_DAYS = 60
    statuses = {p.slug: p.status_on(day) for p in ServicePoint.objects.all()}

    assert {slug for slug, status in statuses.items() if status in ("open", "closing")} == operating
    assert {slug for slug, status in statuses.items() if status == "open"} == operating
    if day.year == 2022:
        assert statuses["espoon-keskus-pieni"] == "planned"
    else:
        assert {slug for slug, status in statuses.items() if status == "closed"} == {
            "espoonlahti",
            "tapiola",
            "espoon-keskus",
        }


def test_public_holidays_of_this_and_next_year_are_closed_days_named_in_three_languages(network):
    for point in ServicePoint.objects.all():
        holidays = {e.start_date: e for e in point.exceptions.all()}
        christmas = holidays[datetime.date(2026, 12, 25)]
        new_year = holidays[datetime.date(2027, 1, 1)]
        assert christmas.closed
        assert christmas.end_date == christmas.start_date
        assert (christmas.reason_fi, christmas.reason_sv, christmas.reason_en) == (
            "Joulupäivä",
            "Juldagen",
            "Christmas Day",
        )
        assert (new_year.reason_fi, new_year.reason_sv, new_year.reason_en) == (
            "Uudenvuodenpäivä",
            "Nyårsdagen",
            "New Year's Day",
        )
        assert datetime.date(2026, 12, 6) in holidays
        assert {day.year for day in holidays} == {2026, 2027}
        assert all(e.closed for e in holidays.values())


def test_a_rerun_keeps_the_weekly_hours_an_administrator_set(network):
    kalajarvi = ServicePoint.objects.get(slug="kalajarvi")
    kalajarvi.opening_hours.all().delete()
    kalajarvi.opening_hours.create(weekday=2, opens=datetime.time(12), closes=datetime.time(15))

    load_espoo_data()

    assert [(h.weekday, h.opens, h.closes) for h in kalajarvi.opening_hours.all()] == [
        (2, datetime.time(12), datetime.time(15))
    ]


def test_a_rerun_keeps_what_an_administrator_corrected(network):
    ServicePoint.objects.filter(slug="tapiola").update(
        closes_on=datetime.date(2023, 6, 30), latitude=60.1760, longitude=24.8060, location_is_approximate=False
    )
    tapiola = ServicePoint.objects.get(slug="tapiola")
    tapiola.alternatives.set(ServicePoint.objects.filter(slug="leppavaara"))

    load_espoo_data()

    tapiola.refresh_from_db()
    assert tapiola.closes_on == datetime.date(2023, 6, 30)
    assert (tapiola.latitude, tapiola.longitude, tapiola.location_is_approximate) == (60.1760, 24.8060, False)
    assert [a.slug for a in tapiola.alternatives.all()] == ["leppavaara"]


def test_holiday_closures_are_added_once_however_often_they_run():
    point = ServicePointFactory()

    first = public_holiday_closures_add(years=[2026])
    second = public_holiday_closures_add(years=[2026])

    assert first == point.exceptions.count() > 10
    assert second == 0


def test_holiday_closures_leave_hours_an_administrator_set_for_that_day():
    point = ServicePointFactory()
    OpeningHoursExceptionFactory(
        service_point=point,
        start_date=datetime.date(2026, 12, 24),
        closed=False,
        opens=datetime.time(9),
        closes=datetime.time(12),
        reason_en="Open in the morning",
    )

    public_holiday_closures_add(years=[2026])

    christmas_eve = point.exceptions.filter(start_date__lte="2026-12-24", end_date__gte="2026-12-24")
    assert [(e.closed, e.reason_en) for e in christmas_eve] == [(False, "Open in the morning")]
    assert point.exceptions.filter(start_date="2026-12-25", closed=True).exists()


def test_holiday_closures_skip_days_inside_an_existing_longer_closure():
    point = ServicePointFactory()
    OpeningHoursExceptionFactory(
        service_point=point, start_date=datetime.date(2026, 12, 21), end_date=datetime.date(2027, 1, 6)
    )

    public_holiday_closures_add(years=[2026, 2027])

    days = set(point.exceptions.values_list("start_date", flat=True))
    assert datetime.date(2026, 12, 25) not in days
    assert datetime.date(2027, 1, 1) not in days
    assert datetime.date(2026, 12, 6) in days
