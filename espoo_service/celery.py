import os
from datetime import timedelta

from celery import Celery
from celery.schedules import crontab
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "espoo_service.settings")

app = Celery("espoo_service")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The one beat schedule: each entry is a thin task over a service that reads the database,
# so a missed or repeated run does no harm.
app.conf.beat_schedule = {
    "add-public-holiday-closures": {
        "task": "servicepoints.tasks.add_public_holiday_closures",
        "schedule": crontab(minute=15, hour=3, day_of_month=1),
    },
    # Residents' notices: the sweep relays and hands over again whatever is still not sent.
    "sweep-notices": {
        "task": "visits.tasks.sweep_notices",
        "schedule": timedelta(seconds=settings.NOTICE_SWEEP_SECONDS),
    },
    "create-closure-notices": {
        "task": "visits.tasks.create_closure_notices",
        "schedule": crontab(minute="*/15"),
    },
    "create-weekly-digest": {
        "task": "visits.tasks.create_weekly_digest",
        "schedule": crontab(minute=0, hour=7, day_of_week="mon"),
    },
    "purge-unconfirmed-subscriptions": {
        "task": "visits.tasks.purge_unconfirmed_subscriptions",
        "schedule": crontab(minute=30, hour=3),
    },
}
