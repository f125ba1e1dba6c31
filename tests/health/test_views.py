import pytest

from health import views

pytestmark = pytest.mark.django_db


def broken() -> None:
    raise ConnectionError("nobody answers")


def test_it_reports_every_dependency_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok", "broker": "ok"}


def test_it_is_never_cached(client):
    response = client.get("/healthz")

    assert "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize("down", ["database", "cache", "broker"])
def test_it_answers_503_naming_what_is_down(client, monkeypatch, down):
    monkeypatch.setitem(views.CHECKS, down, broken)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {name: "down" if name == down else "ok" for name in ("database", "cache", "broker")}


def test_it_names_every_part_that_is_down(client, monkeypatch):
    monkeypatch.setitem(views.CHECKS, "cache", broken)
    monkeypatch.setitem(views.CHECKS, "broker", broken)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"database": "ok", "cache": "down", "broker": "down"}


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
