"""Drill: Redis hangs (a paused process, as on a stalled network) and then thaws.

Health answers 503 in time, residents' pages and schedulers' saves go through, health recovers.

The test starts its own Redis on a free port and pauses it with SIGSTOP; the shared Redis is
never touched. Every wait on Redis is bounded by REDIS_TIMEOUT_SECONDS.
"""

import os
import re
import signal
import time

import pytest

from tests.processes import celery_publishing_to

pytestmark = pytest.mark.django_db

BOUND_SECONDS = 3


@pytest.fixture
def on_private_redis(settings, private_redis):
    server, url = private_redis
    settings.REDIS_URL = url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": settings.REDIS_TIMEOUT_SECONDS,
                "SOCKET_TIMEOUT": settings.REDIS_TIMEOUT_SECONDS,
            },
        }
    }
    settings.CACHES["public"] = {
        **settings.CACHES["default"],
        "OPTIONS": {**settings.CACHES["default"]["OPTIONS"], "IGNORE_EXCEPTIONS": False},
    }
    with celery_publishing_to(url):
        yield server


def timed_get(client, url: str):
    started = time.monotonic()
    response = client.get(url)
    return response, time.monotonic() - started


def test_a_hung_redis_is_reported_within_the_bound_and_pages_still_answer(client, on_private_redis):
    healthy, _ = timed_get(client, "/healthz")
    assert healthy.json() == {"database": "ok", "cache": "ok", "broker": "ok", "oldest_undelivered_seconds": None}

    os.kill(on_private_redis.pid, signal.SIGSTOP)
    report, waited = timed_get(client, "/healthz")
    page, page_waited = timed_get(client, "/fi/visits/")

    assert report.status_code == 503
    assert report.json() == {"database": "ok", "cache": "down", "broker": "down", "oldest_undelivered_seconds": None}
    assert waited < BOUND_SECONDS
    assert page.status_code == 200
    assert page_waited < BOUND_SECONDS

    # A scheduler's save goes through too: cancelling a visit, with its reason.
    from django.contrib.auth.models import Group

    from tests.visits.factories import UserFactory, VisitFactory

    scheduler = UserFactory()
    scheduler.groups.add(Group.objects.get(name="scheduler"))
    client.force_login(scheduler)
    visit = VisitFactory(published=True)
    path = f"/en/staff/visits/{visit.pk}/cancel/"
    data = {"cancel_reason_code": "illness", "cancel_reason": "Neuvoja sairastui."}
    # The first submit shows what residents will be told; the confirming one cancels.
    review = client.post(path, {**data, "action": "review"}).content.decode()
    acknowledged = re.search(r'name="acknowledged" value="(\w+)"', review)[1]
    started = time.monotonic()
    saved = client.post(path, {**data, "action": "save", "acknowledged": acknowledged})
    assert saved.status_code == 302
    assert time.monotonic() - started < BOUND_SECONDS
    visit.refresh_from_db()
    assert visit.is_cancelled

    os.kill(on_private_redis.pid, signal.SIGCONT)
    thawed, _ = timed_get(client, "/healthz")
    assert thawed.status_code == 200
    # The cancellation's notice waits: no worker has relayed it yet.
    assert thawed.json() == {"database": "ok", "cache": "ok", "broker": "ok"} | {
        "oldest_undelivered_seconds": thawed.json()["oldest_undelivered_seconds"]
    }
    assert isinstance(thawed.json()["oldest_undelivered_seconds"], int)


def test_a_cancellation_saves_in_time_though_telling_residents_meets_a_hung_broker(
    client, on_private_redis, django_capture_on_commit_callbacks
):
    """After the commit the save asks the broker to relay the residents' notice; a hung broker
    makes that ask give up, and the notice waits in the database for the sweep."""
    from django.contrib.auth.models import Group

    from tests.visits.factories import UserFactory, VisitFactory
    from visits.models import Notice

    scheduler = UserFactory()
    scheduler.groups.add(Group.objects.get(name="scheduler"))
    client.force_login(scheduler)
    visit = VisitFactory(published=True)
    path = f"/en/staff/visits/{visit.pk}/cancel/"
    data = {"cancel_reason_code": "illness", "cancel_reason": "Neuvoja sairastui."}
    review = client.post(path, {**data, "action": "review"}).content.decode()
    acknowledged = re.search(r'name="acknowledged" value="(\w+)"', review)[1]

    os.kill(on_private_redis.pid, signal.SIGSTOP)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        saved = client.post(path, {**data, "action": "save", "acknowledged": acknowledged})
    waited = time.monotonic() - started

    assert saved.status_code == 302
    assert callbacks, "the save asked for no relay"
    assert waited < 5
    notice = Notice.objects.get(visit=visit)
    assert notice.relayed_at is None
