"""RFC 5545 rules expanded in Europe/Helsinki wall-clock time.

The rule is expanded on naive local datetimes and only then given the zone, so a visit at 10:00
stays at 10:00 on both sides of a daylight-saving change. A rule kept in UTC would drift an hour.
"""

import datetime
import re
from itertools import islice
from zoneinfo import ZoneInfo

import holidays
from dateutil.rrule import rrulestr
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

HELSINKI = ZoneInfo("Europe/Helsinki")
MAX_OCCURRENCES = 500
MAX_SPAN = datetime.timedelta(days=2 * 366)
_FORBIDDEN = re.compile(r"(^|;)\s*(DTSTART|TZID)\b", re.IGNORECASE)


def local_datetime(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(day, time, tzinfo=HELSINKI)


def rule_dates(*, rule: str, starts_on: datetime.date) -> list[datetime.date]:
    """Every date the rule gives from `starts_on`, refusing rules that are unbounded or too long."""
    text = rule.strip().removeprefix("RRULE:")
    if not text or _FORBIDDEN.search(text) or "\n" in text:
        raise ValidationError(_("Write the rule as one RRULE line, e.g. FREQ=WEEKLY;BYDAY=TU;COUNT=10."))
    upper = text.upper()
    if "COUNT=" not in upper and "UNTIL=" not in upper:
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
