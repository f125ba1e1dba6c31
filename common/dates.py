import calendar
import datetime
from collections.abc import Iterable

import holidays
from django.utils import timezone
from django.utils.translation import get_language

# holidays names its languages by locale; ours are plain codes.
HOLIDAY_LOCALES = {"fi": "fi", "sv": "sv_FI", "en": "en_US"}


def local_today() -> datetime.date:
    """Today in Helsinki: the date every "today", "open now" and default range counts from."""
    return timezone.localdate()


def weeks_covering(start: datetime.date, end: datetime.date) -> list[list[datetime.date]]:
    """Whole weeks, Monday first, that cover `start`..`end`: the rows of a month calendar."""
    months = calendar.Calendar(firstweekday=calendar.MONDAY)
    weeks: dict[datetime.date, list[datetime.date]] = {}
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        for week in months.monthdatescalendar(year, month):
            if week[-1] >= start and week[0] <= end:
                weeks[week[0]] = week
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return list(weeks.values())


def public_holidays(years: Iterable[int], language: str | None = None) -> dict[datetime.date, str]:
    """Finland's public holidays in `years`, Christmas and Midsummer Eve included, named in
    `language` (default: the active one)."""
    language = (language or get_language() or "fi")[:2]
    return dict(holidays.Finland(years=sorted(set(years)), language=HOLIDAY_LOCALES.get(language, "fi")))
