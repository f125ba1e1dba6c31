import datetime

import pytest
import time_machine
from django.conf import settings

from servicepoints.models import OpeningHours, OpeningHoursException, ServicePoint
from tests.factories import AreaFactory, OpeningHoursExceptionFactory, ServicePointFactory

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/servicepoints/servicepoint/add/"
LOGIN_URL = "/admin/login/"
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
XSS = "<img src=x onerror=alert(1)>"


def inline_management(prefix: str, total: int = 0, initial: int = 0) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


@pytest.fixture
def new_point_form() -> dict[str, str]:
    """What an administrator types for a new service point in Kivenlahti, all of it valid."""
    area = AreaFactory(slug="suur-espoonlahti")
    return {
        "name_fi": "Kivenlahden asiointipiste",
        "name_sv": "Servicepunkten i Stensvik",
        "name_en": "Kivenlahti service point",
        "slug": "kivenlahti",
        "kind": "fixed",
        "area": str(area.pk),
        "street_address_fi": "Kivenlahdenkatu 1",
        "postal_code": "02320",
        "city_fi": "Espoo",
        "city_sv": "Esbo",
        "city_en": "Espoo",
        "latitude": "60.1510",
        "longitude": "24.6380",
        "opens_on": "2027-01-04",
        "closes_on": "2027-12-31",
        **inline_management("opening_hours", total=1),
        "opening_hours-0-weekday": "0",
        "opening_hours-0-opens": "09:00",
        "opening_hours-0-closes": "16:00",
        **inline_management("exceptions", total=1),
        "exceptions-0-start_date": "2027-01-06",
        "exceptions-0-end_date": "2027-01-06",
        "exceptions-0-closed": "on",
        "exceptions-0-reason_fi": "Loppiainen",
    }


def nothing_saved() -> bool:
    return not (
        ServicePoint.objects.exists() or OpeningHours.objects.exists() or OpeningHoursException.objects.exists()
    )


def test_an_administrator_adds_a_service_point_with_its_hours(admin_client, new_point_form):
    response = admin_client.post(ADD_URL, new_point_form, **ENGLISH)

    assert response.status_code == 302
    point = ServicePoint.objects.get(slug="kivenlahti")
    assert (point.name_sv, point.closes_on) == ("Servicepunkten i Stensvik", datetime.date(2027, 12, 31))
    assert [(h.weekday, h.opens, h.closes) for h in point.opening_hours.all()] == [
        (0, datetime.time(9), datetime.time(16))
    ]
    assert [(e.start_date, e.closed) for e in point.exceptions.all()] == [(datetime.date(2027, 1, 6), True)]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"closes_on": "2027-01-03"}, "closes_on", "The closing date cannot be before the opening date."),
        ({"latitude": "91"}, "latitude", "Ensure this value is less than or equal to 90."),
        ({"latitude": "-91"}, "latitude", "Ensure this value is greater than or equal to -90."),
        ({"longitude": "181"}, "longitude", "Ensure this value is less than or equal to 180."),
        ({"latitude": "61.4981"}, "latitude", "is far outside Espoo"),
        ({"longitude": "23.7610"}, "longitude", "is far outside Espoo"),
        ({"latitude": "24.6380", "longitude": "60.1510"}, "latitude", "is far outside Espoo"),
        ({"latitude": "sixty"}, "latitude", "Enter a number."),
    ],
)
def test_it_rejects_an_impossible_service_point_and_saves_nothing(
    admin_client, new_point_form, changes, field, message
):
    response = admin_client.post(ADD_URL, {**new_point_form, **changes}, **ENGLISH)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert field in errors
    assert any(message in error for error in errors[field])
    assert message in response.content.decode()
    assert nothing_saved()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"exceptions-0-closed": "", "exceptions-0-opens": "14:00", "exceptions-0-closes": "10:00"},
            "closes",
            "The closing time must be after the opening time.",
        ),
        (
            {"exceptions-0-closed": "", "exceptions-0-opens": "10:00", "exceptions-0-closes": "10:00"},
            "closes",
            "The closing time must be after the opening time.",
        ),
        (
            {"exceptions-0-closed": "", "exceptions-0-opens": "10:00"},
            "closes",
            "Give the closing time, or mark the day closed.",
        ),
        ({"exceptions-0-end_date": "2027-01-05"}, "end_date", "The end date cannot be before the start date."),
    ],
)
def test_it_rejects_an_exception_that_closes_before_it_opens_and_saves_nothing(
    admin_client, new_point_form, changes, field, message
):
    form = {key: value for key, value in {**new_point_form, **changes}.items() if value != ""}

    response = admin_client.post(ADD_URL, form, **ENGLISH)

    assert response.status_code == 200
    exception_forms = next(f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "exceptions")
    assert message in exception_forms.formset.errors[0][field]
    assert message in response.content.decode()
    assert nothing_saved()


def test_it_rejects_weekly_hours_that_close_before_they_open(admin_client, new_point_form):
    new_point_form["opening_hours-0-closes"] = "08:00"

    response = admin_client.post(ADD_URL, new_point_form, **ENGLISH)

    assert response.status_code == 200
    assert "The closing time must be after the opening time." in response.content.decode()
    assert nothing_saved()


def test_the_change_form_puts_a_map_under_the_coordinates(admin_client):
    point = ServicePointFactory()

    response = admin_client.get(f"/admin/servicepoints/servicepoint/{point.pk}/change/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "/static/leaflet/leaflet.js" in body
    assert "/static/js/admin-location-picker.js" in body
    assert 'data-location-picker="latitude"' in body
    assert 'data-location-picker="longitude"' in body
    assert f'data-tile-url="{settings.MAP_TILE_URL}"' in body


def test_the_area_form_has_the_map_too(admin_client):
    area = AreaFactory()

    response = admin_client.get(f"/admin/servicepoints/area/{area.pk}/change/")

    assert "/static/js/admin-location-picker.js" in response.content.decode()


def test_the_change_form_lists_upcoming_exceptions_but_not_past_ones(admin_client):
    point = ServicePointFactory()
    OpeningHoursExceptionFactory(service_point=point, start_date=datetime.date(2026, 1, 6), reason_fi="Loppiainen")
    OpeningHoursExceptionFactory(service_point=point, start_date=datetime.date(2026, 12, 25), reason_fi="Joulupäivä")

    with time_machine.travel(datetime.datetime(2026, 11, 28, 12, tzinfo=datetime.UTC), tick=False):
        response = admin_client.get(f"/admin/servicepoints/servicepoint/{point.pk}/change/")

    body = response.content.decode()
    assert "Joulupäivä" in body
    assert "Loppiainen" not in body


def test_the_list_shows_each_points_status_today(admin_client, settings):
    settings.SERVICEPOINT_CLOSING_NOTICE_DAYS = 60
    ServicePointFactory(name_en="Still serving", name_fi="Palvelee yhä")
    ServicePointFactory(name_en="Gone", name_fi="Poissa", closes_on=datetime.date(2022, 9, 30))

    with time_machine.travel(datetime.datetime(2026, 11, 28, 12, tzinfo=datetime.UTC), tick=False):
        response = admin_client.get("/admin/servicepoints/servicepoint/", **ENGLISH)

    rows = {
        point.name_fi: status
        for point, status in (
            (p, response.context["cl"].model_admin.status_today(p)) for p in response.context["cl"].result_list
        )
    }
    assert rows == {"Palvelee yhä": ServicePoint.Status.OPEN.label, "Poissa": ServicePoint.Status.CLOSED.label}


def test_a_name_with_markup_is_shown_as_text_in_the_admin_list(admin_client):
    ServicePointFactory(name_fi=XSS, name_sv=XSS, name_en=XSS)

    response = admin_client.get("/admin/servicepoints/servicepoint/")

    body = response.content.decode()
    assert "<img src=x" not in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user(
        username="scheduler", password="correct horse battery staple", is_staff=True, is_superuser=True
    )


def log_in(client, username: str, password: str):
    return client.post(LOGIN_URL, {"username": username, "password": password, "next": "/admin/"})


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_a_staff_member_logs_in_with_the_right_password(client, staff_user):
    response = log_in(client, "scheduler", "correct horse battery staple")

    assert response.status_code == 302
    assert is_logged_in(client)


def test_a_few_wrong_passwords_do_not_lock_anyone_out(client, staff_user):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "scheduler", "wrong").status_code == 200

    log_in(client, "scheduler", "correct horse battery staple")

    assert is_logged_in(client)


def test_repeated_wrong_passwords_lock_the_username_out_even_with_the_right_one(client, staff_user):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "scheduler", "wrong")

    response = log_in(client, "scheduler", "correct horse battery staple")

    assert response.status_code == 429
    assert not is_logged_in(client)
    assert client.get("/admin/").status_code == 302


def test_a_lockout_does_not_lock_out_another_username_from_the_same_address(client, django_user_model, staff_user):
    django_user_model.objects.create_user(username="advisor", password="another long passphrase", is_staff=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "scheduler", "wrong")

    response = log_in(client, "advisor", "another long passphrase")

    assert response.status_code == 302
    assert is_logged_in(client)


# Behind the HTTPS proxy ----------------------------------------------------------------------


def log_in_from(client, address: str, password: str):
    """A login through one trusted proxy (10.0.0.2) that appends the client's address."""
    return client.post(
        LOGIN_URL,
        {"username": "scheduler", "password": password, "next": "/admin/"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR=address,
    )


def client_class_for(client):
    """Another browser: its own cookies, the same test server."""
    return type(client)()


def test_behind_the_proxy_an_attacker_cannot_lock_the_scheduler_out_for_everyone(client, settings, staff_user):
    settings.TRUSTED_PROXY_COUNT = 1
    attacker = client_class_for(client)
    for _ in range(settings.AXES_FAILURE_LIMIT + 2):
        log_in_from(attacker, "6.6.6.6, 198.51.100.9", "wrong")

    assert log_in_from(attacker, "198.51.100.9", "correct horse battery staple").status_code == 429
    response = log_in_from(client, "203.0.113.5", "correct horse battery staple")

    assert response.status_code == 302
    assert is_logged_in(client)


def test_failures_during_a_lockout_do_not_extend_it(client, settings, staff_user):
    settings.TRUSTED_PROXY_COUNT = 1
    start = datetime.datetime(2026, 12, 3, 9, 0, tzinfo=datetime.UTC)
    cooloff = settings.AXES_COOLOFF_TIME
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(settings.AXES_FAILURE_LIMIT):
            log_in_from(client, "198.51.100.9", "wrong")
        clock.move_to(start + cooloff - datetime.timedelta(minutes=1))
        assert log_in_from(client, "198.51.100.9", "wrong").status_code == 429
        clock.move_to(start + cooloff + datetime.timedelta(seconds=1))

        response = log_in_from(client, "198.51.100.9", "correct horse battery staple")

    assert response.status_code == 302
    assert is_logged_in(client)
