import os

from celery import Celery
from celery.schedules import crontab

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
}
