"""RFC 5545 rules expanded in Europe/Helsinki wall-clock time.

The rule is expanded on naive local datetimes and only then given the zone, so a visit at 10:00
stays at 10:00 on both sides of a daylight-saving change. A rule kept in UTC would drift an hour.
"""

import datetime
from itertools import islice
from zoneinfo import ZoneInfo

import holidays
from dateutil.rrule import rrulestr
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

HELSINKI = ZoneInfo("Europe/Helsinki")
MAX_OCCURRENCES = 500
MAX_SPAN = datetime.timedelta(days=2 * 366)
# The subset of RFC 5545 a visit plan needs. It also keeps out rules that can never match (say
# FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30): the library would search up to the year 9999 for them,
# holding a web worker for tens of seconds.
ALLOWED_PARTS = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "WKST"}
ALLOWED_FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY"}
MAX_INTERVAL = 52


def local_datetime(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(day, time, tzinfo=HELSINKI)


def _rule_parts(text: str) -> dict[str, str]:
    example = _("Write the rule as one RRULE line, e.g. FREQ=WEEKLY;BYDAY=TU;COUNT=10.")
    if not text or "\n" in text:
        raise ValidationError(example)
    parts: dict[str, str] = {}
    for part in text.split(";"):
        name, _sep, value = part.partition("=")
        if not value or name in parts:
            raise ValidationError(example)
        if name not in ALLOWED_PARTS:
            raise ValidationError(
                _("%(part)s is not supported here; use %(allowed)s.")
                % {"part": name, "allowed": ", ".join(sorted(ALLOWED_PARTS))}
            )
        parts[name] = value
    if parts.get("FREQ") not in ALLOWED_FREQUENCIES:
        raise ValidationError(_("Repeat DAILY, WEEKLY or MONTHLY (FREQ=…)."))
    if "BYDAY" in parts and "BYMONTHDAY" in parts:
        raise ValidationError(_("Give either weekdays (BYDAY) or days of the month (BYMONTHDAY), not both."))
    interval = parts.get("INTERVAL", "1")
    if not interval.isdigit() or not 1 <= int(interval) <= MAX_INTERVAL:
        raise ValidationError(_("INTERVAL must be a whole number from 1 to %(max)s.") % {"max": MAX_INTERVAL})
    return parts


def rule_dates(*, rule: str, starts_on: datetime.date) -> list[datetime.date]:
    """Every date the rule gives from `starts_on`, refusing rules that are unbounded or too long."""
    text = rule.strip().removeprefix("RRULE:").upper()
    parts = _rule_parts(text)
    if "COUNT" not in parts and "UNTIL" not in parts:
        raise ValidationError(_("The rule needs an end: COUNT (number of visits) or UNTIL (last date)."))
    try:
        parsed = rrulestr(text, dtstart=datetime.datetime.combine(starts_on, datetime.time()), ignoretz=True)
    except (ValueError, TypeError):
        raise ValidationError(_("The repeat rule is not a valid RFC 5545 rule.")) from None
    until = getattr(parsed, "_until", None)
    if until is not None and until.date() - starts_on > MAX_SPAN:
        raise ValidationError(_("A series can span at most two years; split it or end it sooner."))
    dates = [occurrence.date() for occurrence in islice(parsed, MAX_OCCURRENCES + 1)]
    if len(dates) > MAX_OCCURRENCES:
        raise ValidationError(
            _("The rule gives more than %(max)s visits; shorten it.") % {"max": MAX_OCCURRENCES}, code="too_many"
        )
    if dates and dates[-1] - starts_on > MAX_SPAN:
        raise ValidationError(_("A series can span at most two years; split it or end it sooner."))
    # Sub-daily rules, BYHOUR lists and INTERVAL=0 repeat a day; a series has one visit a date.
    if len(set(dates)) != len(dates):
        raise ValidationError(
            _("The rule gives the same day more than once; a series has at most one visit a day."), code="same_day"
        )
    return dates


def public_holidays(years: set[int]) -> set[datetime.date]:
    return set(holidays.Finland(years=sorted(years)))


def weekly_rule(*, weekdays: list[int], interval: int, count: int | None, until: datetime.date | None) -> str:
    """The RRULE for "every N weeks on these weekdays", ending after `count` visits or on `until`."""
    codes = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
    parts = ["FREQ=WEEKLY", f"INTERVAL={interval}", "BYDAY=" + ",".join(codes[d] for d in sorted(weekdays))]
    if count:
        parts.append(f"COUNT={count}")
    if until:
        parts.append(f"UNTIL={until:%Y%m%d}T235959")
    return ";".join(parts)
