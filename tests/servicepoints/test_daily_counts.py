"""Staff enter the fixed service points' daily visitor counts (issue 14) at
/<lang>/staff/service-points/counts/: one count per point and day, entering a day again corrects
it and the history keeps what it said, a future day or an impossible number is refused with a
clear message and nothing saved. Schedulers may; advisors may not."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from servicepoints.models import ServicePointDailyCount
from servicepoints.services import daily_count_save
from tests.factories import ServicePointFactory
from tests.html import parse, text
from tests.visits.factories import UserFactory

pytestmark = pytest.mark.django_db

# Wednesday 4 March 2026, noon in Helsinki (UTC+2).
NOW = datetime.datetime(2026, 3, 4, 10, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 3, 4)
COUNTS = "/en/staff/service-points/counts/"


@pytest.fixture(autouse=True)
def _wednesday_noon():
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        yield


@pytest.fixture
def point(db):
    return ServicePointFactory(name_en="Entresse service point")


def in_role(role: str):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def scheduler(db):
    return in_role("scheduler")


@pytest.fixture
def scheduler_client(client, scheduler):
    client.force_login(scheduler)
    return client


def test_it_records_a_days_visitors_and_who_entered_them(point, scheduler):
    count = daily_count_save(service_point=point, day=TODAY, visitors=37, user=scheduler)

    assert (count.service_point, count.day, count.visitors, count.recorded_by) == (point, TODAY, 37, scheduler)


def test_entering_a_day_again_corrects_it_and_the_history_keeps_the_old_count(point, scheduler):
    daily_count_save(service_point=point, day=TODAY, visitors=37, user=scheduler)
    daily_count_save(service_point=point, day=TODAY, visitors=41, user=scheduler)

    [count] = ServicePointDailyCount.objects.all()
    assert count.visitors == 41
    assert [version.visitors for version in count.history.order_by("history_date")] == [37, 41]


def test_it_refuses_a_day_in_the_future(point, scheduler):
    with pytest.raises(ValidationError) as refused:
        daily_count_save(service_point=point, day=TODAY + datetime.timedelta(days=1), visitors=3, user=scheduler)

    assert refused.value.message_dict == {"day": ["The day cannot be in the future."]}
    assert not ServicePointDailyCount.objects.exists()


@pytest.mark.parametrize(("visitors", "saved"), [(0, True), (5000, True), (5001, False)])
def test_it_accepts_up_to_5000_visitors_a_day(point, scheduler, visitors, saved):
    if saved:
        daily_count_save(service_point=point, day=TODAY, visitors=visitors, user=scheduler)
    else:
        with pytest.raises(ValidationError, match="At most 5000 visitors"):
            daily_count_save(service_point=point, day=TODAY, visitors=visitors, user=scheduler)

    assert ServicePointDailyCount.objects.filter(visitors=visitors).exists() is saved


def test_the_database_refuses_a_second_count_for_the_same_point_and_day(point):
    ServicePointDailyCount.objects.create(service_point=point, day=TODAY, visitors=1)

    with pytest.raises(IntegrityError), transaction.atomic():
        ServicePointDailyCount.objects.create(service_point=point, day=TODAY, visitors=2)


def test_the_page_offers_today_and_lists_the_last_14_days(point, scheduler_client):
    ServicePointDailyCount.objects.create(service_point=point, day=TODAY - datetime.timedelta(days=2), visitors=12)

    page = parse(scheduler_client.get(COUNTS).content)

    assert page.find(id="id_day")["value"] == "2026-03-04"
    table = page.find("table")
    days = [th.find("time")["datetime"] for th in table.find("thead").find_all("th")[1:]]
    assert days[0] == "2026-03-04" and days[-1] == "2026-02-19" and len(days) == 14
    row = table.find("tbody").find("tr")
    assert text(row.find("th")) == "Entresse service point"
    assert text(row.find_all("td")[2]) == "12"
    assert text(row.find_all("td")[0]) == "–not counted"


def test_a_scheduler_enters_a_count_and_corrects_it_by_entering_it_again(point, scheduler_client):
    form = {"service_point": point.pk, "day": "2026-03-03", "visitors": "25"}
    response = scheduler_client.post(COUNTS, form, follow=True)

    assert "Saved: Entresse service point, 2026-03-03: 25 visitors." in text(parse(response.content))
    scheduler_client.post(COUNTS, {**form, "visitors": "27"})
    assert list(ServicePointDailyCount.objects.values_list("day", "visitors")) == [(datetime.date(2026, 3, 3), 27)]


@pytest.mark.parametrize(
    ("day", "visitors", "field", "message"),
    [
        ("2026-03-05", "10", "id_day", "The day cannot be in the future."),
        ("2026-03-03", "5001", "id_visitors", "At most 5000 visitors can be recorded for one day; check the number."),
        ("2026-03-03", "-1", "id_visitors", "The number of visitors cannot be negative."),
        ("2026-03-03", "many", "id_visitors", "Enter the number of visitors as a whole number, for example 12."),
    ],
)
def test_bad_input_is_refused_next_to_its_field_and_nothing_is_saved(
    point, scheduler_client, day, visitors, field, message
):
    response = scheduler_client.post(COUNTS, {"service_point": point.pk, "day": day, "visitors": visitors})

    assert response.status_code == 200
    page = parse(response.content)
    assert message in text(page.find(id="form-errors"))
    described = page.find(id=field)["aria-describedby"].split()
    assert any(message in text(page.find(id=ref)) for ref in described if page.find(id=ref))
    assert not ServicePointDailyCount.objects.exists()


@pytest.mark.parametrize(("role", "allowed"), [("advisor", False), ("manager", False), ("scheduler", True)])
def test_only_schedulers_enter_counts(point, client, role, allowed):
    client.force_login(in_role(role))

    assert client.get(COUNTS).status_code == (200 if allowed else 403)
    response = client.post(COUNTS, {"service_point": point.pk, "day": "2026-03-03", "visitors": "5"})
    assert response.status_code == (302 if allowed else 403)
    assert ServicePointDailyCount.objects.exists() is allowed


def test_an_administrator_reads_the_daily_counts_and_their_history_and_changes_none(admin_client):
    count = ServicePointDailyCount.objects.create(
        service_point=ServicePointFactory(name_en="Leppävaara"),
        day=timezone.localdate() - datetime.timedelta(days=1),
        visitors=17,
    )

    listed = admin_client.get("/admin/servicepoints/servicepointdailycount/")
    shown = admin_client.get(f"/admin/servicepoints/servicepointdailycount/{count.pk}/change/")
    history = admin_client.get(f"/admin/servicepoints/servicepointdailycount/{count.pk}/history/")
    posted = admin_client.post(f"/admin/servicepoints/servicepointdailycount/{count.pk}/change/", {"visitors": 99})

    assert (listed.status_code, shown.status_code, history.status_code) == (200, 200, 200)
    assert "17" in listed.content.decode()
    assert posted.status_code == 403
    count.refresh_from_db()
    assert count.visitors == 17
