"""Liveness of what the service depends on, for load balancers and monitoring."""

import logging

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from visits.notices.selectors import oldest_undelivered_age

logger = logging.getLogger(__name__)


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache() -> None:
    # The cache backend swallows Redis errors so that pages survive an outage; ask Redis itself.
    if settings.REDIS_URL:
        from django_redis import get_redis_connection

        get_redis_connection("default").ping()
    else:
        cache.set("healthz", "ok", 5)
        if cache.get("healthz") != "ok":
            raise RuntimeError("cache did not return what was stored")


def _broker() -> None:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return  # tasks run in-process: there is no broker to reach
    from espoo_service.celery import app

    # Asked directly with socket timeouts: a hung broker must not hold this request.
    timeout = settings.REDIS_TIMEOUT_SECONDS
    client = redis.Redis.from_url(app.conf.broker_url, socket_timeout=timeout, socket_connect_timeout=timeout)
    try:
        client.ping()
    finally:
        client.close()


CHECKS = {"database": _database, "cache": _cache, "broker": _broker}


def _oldest_undelivered_seconds() -> int | None:
    """How long residents' oldest notice has waited to be delivered, for monitoring to alert on
    a stuck relay or worker. A figure, not a check: it never makes the service unhealthy."""
    try:
        age = oldest_undelivered_age()
    except Exception:
        logger.exception("The age of the oldest undelivered notice could not be read")
        return None
    return None if age is None else int(age.total_seconds())


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    report = {}
    for name, check in CHECKS.items():
        try:
            check()
            report[name] = "ok"
        except Exception:
            logger.exception("Health check %s failed", name)
            report[name] = "down"
    healthy = all(value == "ok" for value in report.values())
    # Asked only of a database that answers: one that is away is named above, not waited on twice.
    report["oldest_undelivered_seconds"] = _oldest_undelivered_seconds() if report["database"] == "ok" else None
    return JsonResponse(report, status=200 if healthy else 503)
