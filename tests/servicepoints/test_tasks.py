import datetime

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from servicepoints.models import OpeningHoursException
from servicepoints.tasks import add_public_holiday_closures
from tests.factories import ServicePointFactory


@pytest.mark.skipif(bool(settings.REDIS_URL), reason="with a broker the task runs on a worker: see the test below")
@pytest.mark.django_db
def test_in_the_embedded_mode_the_task_runs_at_once_in_process():
    point = ServicePointFactory()

    with time_machine.travel(datetime.datetime(2026, 11, 28, 12, tzinfo=datetime.UTC), tick=False):
        created = add_public_holiday_closures.delay().get(timeout=10)

    closed_days = set(point.exceptions.filter(closed=True).values_list("start_date", flat=True))
    assert created == len(closed_days) == 30
    assert {datetime.date(2026, 12, 25), datetime.date(2027, 12, 25)} <= closed_days
    assert {day.year for day in closed_days} == {2026, 2027}


def test_a_worker_marks_this_and_next_years_public_holidays_closed(celery_worker):
    point = ServicePointFactory()
    year = timezone.localdate().year

    created = celery_worker.run(add_public_holiday_closures)

    closed_days = set(OpeningHoursException.objects.filter(service_point=point).values_list("start_date", flat=True))
    assert created == len(closed_days) > 20
    assert {datetime.date(year, 12, 25), datetime.date(year + 1, 12, 25)} <= closed_days
    assert {day.year for day in closed_days} == {year, year + 1}
    assert all(e.closed and e.reason_fi and e.reason_sv and e.reason_en for e in point.exceptions.all())


def test_running_the_task_again_adds_nothing(celery_worker):
    ServicePointFactory()

    celery_worker.run(add_public_holiday_closures)
    count = OpeningHoursException.objects.count()
    again = celery_worker.run(add_public_holiday_closures)

    assert again == 0
    assert OpeningHoursException.objects.count() == count
