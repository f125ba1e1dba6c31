"""RFC 5545 rules expanded in Europe/Helsinki wall-clock time.

The rule is expanded on naive local datetimes and only then given the zone, so a visit at 10:00
stays at 10:00 on both sides of a daylight-saving change. A rule kept in UTC would drift an hour.
"""

import datetime
from dataclasses import dataclass
from itertools import islice
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from icalendar import vRecur

HELSINKI = ZoneInfo("Europe/Helsinki")
MAX_OCCURRENCES = 400
MAX_SPAN = datetime.timedelta(days=2 * 366)
# The subset of RFC 5545 a visit plan needs. It also keeps out parts that make rules costly or
# meaningless for one visit a day (BYHOUR, BYSETPOS, sub-daily frequencies).
ALLOWED_PARTS = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "WKST"}
ALLOWED_FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY"}
MAX_INTERVAL = 52
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# Translators: the largest number of visits in a series.
_TOO_MANY = gettext_lazy("The rule gives more than %(max)s visits; shorten it.")


def local_datetime(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(day, time, tzinfo=HELSINKI)


def parse_rule(text: str) -> vRecur:
    """One RRULE line, parsed by icalendar and held to the subset a visit plan needs."""
    text = text.strip().removeprefix("RRULE:").upper()
    example = _("Write the rule as one RRULE line, e.g. FREQ=WEEKLY;BYDAY=TU;COUNT=10.")
    parts = text.split(";")
    names = [part.partition("=")[0] for part in parts]
    # icalendar reads an empty or repeated part silently (the last one wins); a rule that says
    # two things is refused rather than guessed at.
    if not text or "\n" in text or not all(part.partition("=")[2] for part in parts) or len(set(names)) < len(names):
        raise ValidationError(example)
    if unsupported := [name for name in names if name not in ALLOWED_PARTS]:
        raise ValidationError(
            # Translators: a part of the rule such as BYHOUR, then the parts that may be used.
            _("%(part)s is not supported here; use %(allowed)s.")
            % {"part": unsupported[0], "allowed": ", ".join(sorted(ALLOWED_PARTS))}
        )
    raw = dict(part.partition("=")[::2] for part in parts)
    if raw.get("FREQ") not in ALLOWED_FREQUENCIES:
        raise ValidationError(_("Repeat DAILY, WEEKLY or MONTHLY (FREQ=…)."))
    if raw.get("COUNT", "").isdigit() and int(raw["COUNT"]) > MAX_OCCURRENCES:
        raise ValidationError(_TOO_MANY % {"max": MAX_OCCURRENCES}, code="too_many")
    try:
        rule = vRecur.from_ical(text)
    except (ValueError, TypeError):
        raise ValidationError(_("The repeat rule is not a valid RFC 5545 rule.")) from None
    # A day of the month or a weekday ordinal that no month has never matches, and dateutil
    # would search for it up to the year 9999, holding a web worker for seconds.
    if not all(1 <= abs(day) <= 31 for day in rule.get("BYMONTHDAY", [])):
        raise ValidationError(_("Days of the month (BYMONTHDAY) run from 1 to 31, or -1 to -31 from the end."))
    if not all(abs(int(code[:-2] or 1)) in range(1, 6) for code in rule.get("BYDAY", [])):
        raise ValidationError(_("A weekday can be the 1st to 5th of its month (BYDAY=1MO … 5MO, or -1MO …)."))
    if "BYDAY" in rule and "BYMONTHDAY" in rule:
        raise ValidationError(_("Give either weekdays (BYDAY) or days of the month (BYMONTHDAY), not both."))
    if not 1 <= rule.get("INTERVAL", [1])[0] <= MAX_INTERVAL:
        # Translators: the largest interval.
        raise ValidationError(_("INTERVAL must be a whole number from 1 to %(max)s.") % {"max": MAX_INTERVAL})
    if "COUNT" not in rule and "UNTIL" not in rule:
        raise ValidationError(_("The rule needs an end: COUNT (number of visits) or UNTIL (last date)."))
    return rule


def _last_moment(until: datetime.date | datetime.datetime | None) -> datetime.datetime | None:
    """UNTIL as a naive wall-clock moment: a date alone includes its whole day; a zone is ignored."""
    if until is None or isinstance(until, datetime.datetime):
        return until.replace(tzinfo=None) if until else None
    return datetime.datetime.combine(until, datetime.time(23, 59, 59))


def rule_dates(*, rule: str, starts_on: datetime.date) -> list[datetime.date]:
    """Every date the rule gives from `starts_on`, refusing rules that are unbounded or too long.

    The expansion stops at two years from `starts_on`: a rule whose dates do not all fall within
    them (a COUNT too large, or a day that comes too seldom) is refused.
    """
    parsed = parse_rule(rule)
    start = datetime.datetime.combine(starts_on, datetime.time())
    horizon = start + MAX_SPAN
    until = _last_moment(parsed.get("UNTIL", [None])[0])
    if until is not None and until.date() - starts_on > MAX_SPAN:
        raise ValidationError(_("A series can span at most two years; split it or end it sooner."))
    count = parsed.get("COUNT", [None])[0]
    bounded = vRecur({key: value for key, value in parsed.items() if key != "COUNT"})
    bounded["UNTIL"] = [min(until, horizon) if until is not None else horizon]
    try:
        expansion = rrulestr(bounded.to_ical().decode(), dtstart=start, ignoretz=True)
    except (ValueError, TypeError):
        raise ValidationError(_("The repeat rule is not a valid RFC 5545 rule.")) from None
    limit = MAX_OCCURRENCES + 1 if count is None else count
    dates = [occurrence.date() for occurrence in islice(expansion, limit)]
    if len(dates) > MAX_OCCURRENCES:
        raise ValidationError(_TOO_MANY % {"max": MAX_OCCURRENCES}, code="too_many")
    if count is not None and len(dates) < count:
        raise ValidationError(_("A series can span at most two years; split it or end it sooner."))
    # Sub-daily rules, BYHOUR lists and INTERVAL=0 repeat a day; a series has one visit a date.
    if len(set(dates)) != len(dates):
        raise ValidationError(
            _("The rule gives the same day more than once; a series has at most one visit a day."), code="same_day"
        )
    return dates


@dataclass(frozen=True)
class WeeklyRule:
    """A rule in the staff form's terms: every `interval` weeks on `weekdays` (0 = Monday)."""

    weekdays: list[int]
    interval: int
    count: int | None
    until: datetime.date | None


def weekly_rule(*, weekdays: list[int], interval: int, count: int | None, until: datetime.date | None) -> str:
    """The RRULE for "every N weeks on these weekdays", ending after `count` visits or on `until`."""
    rule = vRecur(freq="WEEKLY", interval=interval, byday=[WEEKDAY_CODES[d] for d in sorted(weekdays)])
    if count:
        rule["COUNT"] = count
    if until:
        rule["UNTIL"] = datetime.datetime.combine(until, datetime.time(23, 59, 59))
    return rule.to_ical().decode()


def weekly_terms(rule: str) -> WeeklyRule | None:
    """The staff form's terms for a rule that form could have written (see `weekly_rule`), else None."""
    try:
        parsed = parse_rule(rule)
    except ValidationError:
        return None
    codes = parsed.get("BYDAY", [])
    if (
        parsed["FREQ"] != ["WEEKLY"]
        or not set(parsed) <= {"FREQ", "INTERVAL", "BYDAY", "COUNT", "UNTIL"}
        or not codes
        or not all(code in WEEKDAY_CODES for code in codes)
        or ("COUNT" in parsed) == ("UNTIL" in parsed)
    ):
        return None
    until = _last_moment(parsed.get("UNTIL", [None])[0])
    return WeeklyRule(
        weekdays=sorted(WEEKDAY_CODES.index(code) for code in codes),
        interval=parsed.get("INTERVAL", [1])[0],
        count=parsed.get("COUNT", [None])[0],
        until=until.date() if until else None,
    )
