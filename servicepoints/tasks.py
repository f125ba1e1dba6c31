from celery import shared_task

from common.dates import local_today
from servicepoints.services import public_holiday_closures_add


@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def add_public_holiday_closures() -> int:
    """Keep this year's and next year's public holidays marked closed; safe to run any time."""
    year = local_today().year
    return public_holiday_closures_add(years=[year, year + 1])
