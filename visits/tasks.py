"""Background work for residents' notices: thin tasks over `visits.notices.services`.

Every task is idempotent (see that module), so late acknowledgement and redelivery by the broker
are harmless; each has a time limit and retries with back-off on mail and database errors.
"""

import smtplib

from celery import shared_task
from django.db import DatabaseError

from visits.notices import services

RETRIED = (smtplib.SMTPException, OSError, DatabaseError)
LIMITS = {"soft_time_limit": 60, "time_limit": 90}


@shared_task(autoretry_for=RETRIED, retry_backoff=5, retry_backoff_max=300, max_retries=None, **LIMITS)
def relay_notices() -> int:
    """Make the deliveries of pending events and hand them to workers."""
    total = 0
    while True:
        relayed = services.notices_relay()
        services.deliveries_hand_over(relayed.deliveries)
        total += len(relayed.deliveries)
        # A short batch took every event not held by another relay (which hands over its own).
        if relayed.notices < services.RELAY_BATCH:
            return total


# The delivery's own attempt count (NOTICE_MAX_ATTEMPTS) decides when it has failed for good, so
# Celery retries without a limit of its own.
@shared_task(autoretry_for=RETRIED, retry_backoff=10, retry_backoff_max=600, max_retries=None, **LIMITS)
def deliver_notice(delivery_id: int) -> str:
    return services.delivery_send(delivery_id=delivery_id)


@shared_task(**LIMITS)
def sweep_notices() -> int:
    """Relay what no kick relayed, and hand over again what is still not sent long after it was
    handed over: a lost enqueue, a killed worker, a lost retry."""
    relay_notices.apply()
    due = services.deliveries_due()
    services.deliveries_hand_over(due)
    return len(due)


@shared_task(**LIMITS)
def create_weekly_digest() -> bool:
    return services.digest_notice_create() is not None


@shared_task(**LIMITS)
def create_closure_notices() -> int:
    return services.venue_closure_notices_create() + services.point_closing_notices_create()


@shared_task(**LIMITS)
def purge_unconfirmed_subscriptions() -> int:
    return services.subscriptions_purge_unconfirmed()
