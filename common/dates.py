import calendar
import datetime

from django.utils import timezone


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
