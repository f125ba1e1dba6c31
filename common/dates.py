import calendar
import datetime
from collections.abc import Iterable

import holidays
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import get_language, pgettext

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


def _local(value: datetime.date | datetime.datetime) -> datetime.date | datetime.datetime:
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def format_day(value: datetime.date | datetime.datetime, weekday: str = "") -> str:
    """A day as every page writes it in the active language: 3.12.2027 in Finnish and Swedish,
    3 Dec 2027 in English, the year left out when it is this year (3.12., 3 Dec). `weekday` "D"
    or "l" puts the short or long weekday name first ("Fri 3 Dec", "perjantai 3.12.")."""
    value = _local(value)
    pattern = "MONTH_DAY_FORMAT" if value.year == local_today().year else "DATE_FORMAT"
    text = date_format(value, pattern)
    return f"{date_format(value, weekday)} {text}" if weekday else text


def format_moment(value: datetime.datetime, weekday: str = "") -> str:
    """A day and a clock time: 3.12.2027 klo 10.00, 3.12.2027 kl. 10.00, 3 Dec 2027, 10:00 (the
    year left out when it is this year)."""
    value = _local(value)
    # Translators: a date and a clock time, e.g. "3 Dec 2027, 10:00"; Finnish "%(date)s klo %(time)s".
    return pgettext("date and time", "%(date)s, %(time)s") % {
        "date": format_day(value, weekday),
        "time": time_format(value),
    }


def month_of_day(value: datetime.date) -> str:
    """What a day's number is followed by to name its month: ".12." in Finnish and Swedish, " Dec"
    in English (a calendar cell shows the day's number and then this)."""
    return date_format(value, "MONTH_DAY_FORMAT").removeprefix(str(value.day))
