import datetime

import pytest
import time_machine
from django.db import DatabaseError

from health import views
from tests.visits.factories import VisitFactory
from visits.models import Delivery, Notice, Subscription

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 1, 10, tzinfo=datetime.UTC)
NOTHING_WAITS = {"oldest_undelivered_seconds": None}


def broken() -> None:
    raise ConnectionError("nobody answers")


def test_it_reports_every_dependency_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok", "broker": "ok"} | NOTHING_WAITS


def test_it_is_never_cached(client):
    response = client.get("/healthz")

    assert "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize("down", ["database", "cache", "broker"])
def test_it_answers_503_naming_what_is_down(client, monkeypatch, down):
    monkeypatch.setitem(views.CHECKS, down, broken)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert (
        response.json()
        == {name: "down" if name == down else "ok" for name in ("database", "cache", "broker")} | NOTHING_WAITS
    )


def test_it_names_every_part_that_is_down(client, monkeypatch):
    monkeypatch.setitem(views.CHECKS, "cache", broken)
    monkeypatch.setitem(views.CHECKS, "broker", broken)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"database": "ok", "cache": "down", "broker": "down"} | NOTHING_WAITS


def test_it_reports_a_redis_cache_that_does_not_answer(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": settings.REDIS_URL,
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
            },
        }
    }

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["cache"] == "down"
    assert response.json()["database"] == "ok"


def test_it_reports_a_broker_that_does_not_answer(client, settings):
    from espoo_service.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = original

    assert response.status_code == 503
    assert response.json()["broker"] == "down"


# The age of residents' oldest undelivered notice --------------------------------------------


def notice_at(created_at: datetime.datetime, *, relayed: bool, states: tuple[str, ...] = ()) -> Notice:
    """A cancellation notice made at `created_at`, relayed or not, with a delivery in each state."""
    notice = Notice.objects.create(
        kind=Notice.Kind.CANCELLED,
        visit=VisitFactory(published=True),
        created_at=created_at,
        relayed_at=created_at if relayed else None,
    )
    for number, state in enumerate(states):
        subscription = Subscription.objects.create(
            email=f"asukas{notice.pk}-{number}@example.invalid",
            language="fi",
            token=f"{notice.pk:03d}-{number:02d}".ljust(43, "x"),
            confirmed_at=created_at,
        )
        Delivery.objects.create(notice=notice, subscription=subscription, state=state)
    return notice


@time_machine.travel(NOW, tick=False)
def test_it_reports_how_long_the_oldest_notice_not_yet_relayed_has_waited(client):
    notice_at(NOW - datetime.timedelta(seconds=95, milliseconds=700), relayed=False)
    notice_at(NOW - datetime.timedelta(seconds=20), relayed=False)

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok", "broker": "ok", "oldest_undelivered_seconds": 95}


@time_machine.travel(NOW, tick=False)
def test_it_counts_a_relayed_notice_whose_mail_still_waits(client):
    notice_at(NOW - datetime.timedelta(minutes=10), relayed=True, states=(Delivery.State.SENT, Delivery.State.FAILED))
    notice_at(NOW - datetime.timedelta(minutes=3), relayed=True, states=(Delivery.State.SENT, Delivery.State.PENDING))

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["oldest_undelivered_seconds"] == 180


@time_machine.travel(NOW, tick=False)
def test_nothing_waits_once_every_mail_is_sent_or_failed_for_good(client):
    notice_at(NOW - datetime.timedelta(hours=2), relayed=True, states=(Delivery.State.SENT, Delivery.State.FAILED))

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["oldest_undelivered_seconds"] is None


@time_machine.travel(NOW, tick=False)
def test_a_notice_waiting_for_days_does_not_make_the_service_unhealthy(client):
    notice_at(NOW - datetime.timedelta(days=3), relayed=False)

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["oldest_undelivered_seconds"] == 3 * 24 * 3600


@time_machine.travel(NOW, tick=False)
def test_with_the_database_down_the_age_is_null_and_the_database_named(client, monkeypatch):
    notice_at(NOW - datetime.timedelta(minutes=5), relayed=False)
    monkeypatch.setitem(views.CHECKS, "database", broken)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"database": "down", "cache": "ok", "broker": "ok", "oldest_undelivered_seconds": None}


def test_an_age_that_cannot_be_read_is_null_and_not_an_error(client, monkeypatch):
    def failing():
        raise DatabaseError("the server closed the connection")

    monkeypatch.setattr(views, "oldest_undelivered_age", failing)

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok", "broker": "ok"} | NOTHING_WAITS
