import datetime

from django.utils import timezone


def local_today() -> datetime.date:
    """Today in Helsinki: the date every "today", "open now" and default range counts from."""
    return timezone.localdate()
