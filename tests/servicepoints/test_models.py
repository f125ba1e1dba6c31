import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from servicepoints.models import ServicePoint, great_circle_m
from tests.factories import OpeningHoursExceptionFactory, OpeningHoursFactory, ServicePointFactory

OPENS_ON = datetime.date(2026, 1, 1)
CLOSES_ON = datetime.date(2026, 6, 30)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def notice_days(settings):
    settings.SERVICEPOINT_CLOSING_NOTICE_DAYS = 60
    return 60


@pytest.mark.parametrize(
    ("day", "status"),
    [
        (OPENS_ON - 365 * DAY, "planned"),
        (OPENS_ON - DAY, "planned"),
        (OPENS_ON, "open"),
        (CLOSES_ON - 60 * DAY, "open"),
        (CLOSES_ON - 59 * DAY, "closing"),
        (CLOSES_ON - DAY, "closing"),
        (CLOSES_ON, "closing"),
        (CLOSES_ON + DAY, "closed"),
        (CLOSES_ON + 3650 * DAY, "closed"),
    ],
)
def test_its_status_on_a_date_follows_its_opening_and_closing_dates(notice_days, day, status):
    point = ServicePointFactory.build(opens_on=OPENS_ON, closes_on=CLOSES_ON)

    assert point.status_on(day) == status


@pytest.mark.parametrize(
    ("day", "status"),
    [
        (CLOSES_ON - 10 * DAY, "open"),
        (CLOSES_ON - 9 * DAY, "closing"),
    ],
)
def test_the_closing_notice_period_comes_from_settings(settings, day, status):
    settings.SERVICEPOINT_CLOSING_NOTICE_DAYS = 10
    point = ServicePointFactory.build(opens_on=None, closes_on=CLOSES_ON)

    assert point.status_on(day) == status


def test_with_no_notice_period_a_point_is_open_until_its_last_day(settings):
    settings.SERVICEPOINT_CLOSING_NOTICE_DAYS = 0
    point = ServicePointFactory.build(opens_on=None, closes_on=CLOSES_ON)

    assert point.status_on(CLOSES_ON) == "open"
    assert point.status_on(CLOSES_ON + DAY) == "closed"


@pytest.mark.parametrize("day", [datetime.date(1990, 1, 1), datetime.date(2022, 1, 1), datetime.date(2099, 12, 31)])
def test_a_point_without_dates_is_always_open(notice_days, day):
    point = ServicePointFactory.build(opens_on=None, closes_on=None)

    assert point.status_on(day) == "open"


def test_a_point_that_opens_and_closes_on_the_same_day_serves_on_that_one_day(notice_days):
    point = ServicePointFactory.build(opens_on=OPENS_ON, closes_on=OPENS_ON)

    assert [point.status_on(OPENS_ON + offset * DAY) for offset in (-1, 0, 1)] == ["planned", "closing", "closed"]


@pytest.mark.django_db
def test_points_operating_on_a_date_leave_out_planned_and_closed_ones(notice_days):
    ServicePointFactory(slug="always", opens_on=None, closes_on=None)
    ServicePointFactory(slug="later", opens_on=datetime.date(2026, 3, 2))
    ServicePointFactory(slug="gone", closes_on=datetime.date(2026, 2, 28))
    ServicePointFactory(slug="last-day", closes_on=datetime.date(2026, 3, 1))
    ServicePointFactory(slug="first-day", opens_on=datetime.date(2026, 3, 1))

    operating = ServicePoint.objects.operating_on(datetime.date(2026, 3, 1))

    assert sorted(p.slug for p in operating) == ["always", "first-day", "last-day"]


@pytest.mark.django_db
def test_it_rejects_a_closing_date_before_the_opening_date():
    point = ServicePointFactory.build(
        area=ServicePointFactory().area, opens_on=datetime.date(2026, 5, 1), closes_on=datetime.date(2026, 4, 30)
    )

    with pytest.raises(ValidationError) as error:
        point.full_clean()

    assert "closes_on" in error.value.message_dict


@pytest.mark.django_db
def test_the_database_refuses_a_closing_date_before_the_opening_date_too():
    point = ServicePointFactory()
    ServicePoint.objects.filter(pk=point.pk).update(opens_on=datetime.date(2026, 5, 1))

    with pytest.raises(IntegrityError):
        ServicePoint.objects.filter(pk=point.pk).update(closes_on=datetime.date(2026, 4, 30))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("latitude", "longitude", "field"),
    [
        (60.45, 24.7, "latitude"),
        (59.9, 24.7, "latitude"),
        (60.2, 25.1, "longitude"),
        (60.2, 24.3, "longitude"),
        (-60.2, 24.7, "latitude"),
        (91, 24.7, "latitude"),
        (60.2, 181, "longitude"),
    ],
)
def test_it_rejects_a_position_far_outside_espoo(latitude, longitude, field):
    point = ServicePointFactory.build(area=ServicePointFactory().area, latitude=latitude, longitude=longitude)

    with pytest.raises(ValidationError) as error:
        point.full_clean()

    assert list(error.value.message_dict) == [field]


@pytest.mark.django_db
def test_it_accepts_a_real_espoo_position():
    point = ServicePointFactory.build(area=ServicePointFactory().area, latitude=60.21748, longitude=24.80992)

    point.full_clean()


@pytest.mark.django_db
@pytest.mark.parametrize("closes", [datetime.time(9), datetime.time(8, 59)])
def test_weekly_hours_must_close_after_they_open(closes):
    hours = OpeningHoursFactory.build(service_point=ServicePointFactory(), opens=datetime.time(9), closes=closes)

    with pytest.raises(ValidationError) as error:
        hours.full_clean()

    assert "closes" in error.value.message_dict


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "bad_field"),
    [
        ({"closed": False, "opens": datetime.time(12), "closes": datetime.time(10)}, "closes"),
        ({"closed": False, "opens": None, "closes": datetime.time(10)}, "opens"),
        ({"closed": True, "opens": datetime.time(10), "closes": datetime.time(12)}, "closed"),
        ({"start_date": datetime.date(2026, 12, 24), "end_date": datetime.date(2026, 12, 23)}, "end_date"),
    ],
)
def test_it_rejects_an_inconsistent_exception(fields, bad_field):
    exception = OpeningHoursExceptionFactory.build(service_point=ServicePointFactory(), **fields)

    with pytest.raises(ValidationError) as error:
        exception.full_clean()

    assert bad_field in error.value.message_dict


def test_one_degree_of_latitude_is_about_111_kilometres():
    assert great_circle_m(60.0, 24.7, 61.0, 24.7) == pytest.approx(111_195, rel=1e-3)


def test_sello_and_iso_omena_are_about_seven_kilometres_apart():
    sello, iso_omena = (60.21748, 24.80992), (60.1618, 24.7377)

    assert great_circle_m(*sello, *iso_omena) == pytest.approx(7_370, abs=100)


@pytest.mark.parametrize(
    ("status", "serving", "winding_down"),
    [
        (ServicePoint.Status.PLANNED, False, False),
        (ServicePoint.Status.OPEN, True, False),
        (ServicePoint.Status.CLOSING, True, True),
        (ServicePoint.Status.CLOSED, False, True),
    ],
)
def test_each_status_says_whether_the_point_serves_and_whether_it_winds_down(status, serving, winding_down):
    assert status.serving is serving
    assert status.winding_down is winding_down
