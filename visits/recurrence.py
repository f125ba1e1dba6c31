"""RFC 5545 rules expanded in Europe/Helsinki wall-clock time.

The rule is expanded on naive local datetimes and only then given the zone, so a visit at 10:00
stays at 10:00 on both sides of a daylight-saving change. A rule kept in UTC would drift an hour.
"""

import datetime
from dataclasses import dataclass
from itertools import islice
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from django.contrib.humanize.templatetags.humanize import ordinal
from django.core.exceptions import ValidationError
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, npgettext, pgettext, pgettext_lazy
from icalendar import vRecur

from common.dates import format_day

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


# Rules in words. Each sentence is one whole translatable pattern with named placeholders, so
# Finnish and Swedish choose their own word order and case; the weekday names come in the case
# each pattern needs, as entries of their own.
_WEEKDAYS_EVERY = (
    pgettext_lazy("every …", "Monday"),
    pgettext_lazy("every …", "Tuesday"),
    pgettext_lazy("every …", "Wednesday"),
    pgettext_lazy("every …", "Thursday"),
    pgettext_lazy("every …", "Friday"),
    pgettext_lazy("every …", "Saturday"),
    pgettext_lazy("every …", "Sunday"),
)
_WEEKDAYS_ON = (
    pgettext_lazy("on …s only", "Mondays"),
    pgettext_lazy("on …s only", "Tuesdays"),
    pgettext_lazy("on …s only", "Wednesdays"),
    pgettext_lazy("on …s only", "Thursdays"),
    pgettext_lazy("on …s only", "Fridays"),
    pgettext_lazy("on …s only", "Saturdays"),
    pgettext_lazy("on …s only", "Sundays"),
)
_WEEKDAYS_OF_MONTH = (
    pgettext_lazy("the first … of the month", "Monday"),
    pgettext_lazy("the first … of the month", "Tuesday"),
    pgettext_lazy("the first … of the month", "Wednesday"),
    pgettext_lazy("the first … of the month", "Thursday"),
    pgettext_lazy("the first … of the month", "Friday"),
    pgettext_lazy("the first … of the month", "Saturday"),
    pgettext_lazy("the first … of the month", "Sunday"),
)
_WEEKDAY_ORDINALS = {
    1: pgettext_lazy("the … Tuesday of the month", "first"),
    2: pgettext_lazy("the … Tuesday of the month", "second"),
    3: pgettext_lazy("the … Tuesday of the month", "third"),
    4: pgettext_lazy("the … Tuesday of the month", "fourth"),
    5: pgettext_lazy("the … Tuesday of the month", "fifth"),
    -1: pgettext_lazy("the … Tuesday of the month", "last"),
    -2: pgettext_lazy("the … Tuesday of the month", "second-to-last"),
    -3: pgettext_lazy("the … Tuesday of the month", "third-to-last"),
    -4: pgettext_lazy("the … Tuesday of the month", "fourth-to-last"),
    -5: pgettext_lazy("the … Tuesday of the month", "fifth-to-last"),
}
_DAYS_FROM_MONTH_END = {
    -1: pgettext_lazy("on the … of every month", "last day"),
    -2: pgettext_lazy("on the … of every month", "second-to-last day"),
    -3: pgettext_lazy("on the … of every month", "third-to-last day"),
    -4: pgettext_lazy("on the … of every month", "fourth-to-last day"),
    -5: pgettext_lazy("on the … of every month", "fifth-to-last day"),
}


def _and_list(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    # Translators: joins the last item of a list to the others, e.g. "Monday, Wednesday and Friday";
    # items: the items before the last, separated by commas; last: the last item.
    return pgettext("a list", "%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def _ordinal(number: int) -> str:
    """3 as "3rd", "3." or "3:e" (django.contrib.humanize's translations)."""
    return str(ordinal(number))


def _every(interval: int, *, first: str, second: str, nth: str, **names: str) -> str:
    """One of three patterns by the interval: every (1), every other (2) or every nth (3 and up)."""
    pattern = first if interval == 1 else second if interval == 2 else nth
    return pattern % {**names, "ordinal": _ordinal(interval)}


def _daily(interval: int) -> str:
    return _every(
        interval,
        first=pgettext("repeat rule", "every day"),
        second=pgettext("repeat rule", "every other day"),
        # Translators: ordinal: a number as an ordinal, e.g. 3rd (fi "3.", sv "3:e").
        nth=pgettext("repeat rule", "every %(ordinal)s day"),
    )


def _weekly(interval: int) -> str:
    return _every(
        interval,
        first=pgettext("repeat rule", "every week"),
        second=pgettext("repeat rule", "every other week"),
        # Translators: ordinal: a number as an ordinal, e.g. 3rd (fi "3.", sv "3:e").
        nth=pgettext("repeat rule", "every %(ordinal)s week"),
    )


def _on_weekdays(weekdays: list[int], interval: int) -> str:
    """Every `interval` weeks on these weekdays."""
    if interval == 1 and len(weekdays) == len(WEEKDAY_CODES):
        return _daily(1)
    return _every(
        interval,
        # Translators: weekdays: e.g. "Tuesday" or "Tuesday and Thursday".
        first=pgettext("repeat rule", "every %(weekdays)s"),
        # Translators: weekdays: e.g. "Tuesday" or "Tuesday and Thursday".
        second=pgettext("repeat rule", "every other %(weekdays)s"),
        # Translators: ordinal: a number as an ordinal, e.g. 3rd (fi "3.", sv "3:e"); weekdays: e.g.
        # "Tuesday" or "Tuesday and Thursday". Every third week on those days.
        nth=pgettext("repeat rule", "every %(ordinal)s %(weekdays)s"),
        weekdays=_and_list([str(_WEEKDAYS_EVERY[day]) for day in weekdays]),
    )


def _on_weekdays_of_months(weekdays: list[int], interval: int) -> str:
    """These weekdays, every week of every `interval` months."""
    if interval == 1:
        return _on_weekdays(weekdays, 1)
    names = {"weekdays": _and_list([str(_WEEKDAYS_EVERY[day]) for day in weekdays]), "ordinal": _ordinal(interval)}
    if interval == 2:
        # Translators: weekdays: e.g. "Tuesday" or "Tuesday and Thursday".
        return pgettext("repeat rule", "every %(weekdays)s of every other month") % names
    # Translators: weekdays: e.g. "Tuesday" or "Tuesday and Thursday"; ordinal: a number as an
    # ordinal, e.g. 3rd (fi "3.", sv "3:e").
    return pgettext("repeat rule", "every %(weekdays)s of every %(ordinal)s month") % names


def _nth_weekdays_of_months(nth_weekdays: list[tuple[int, int]], interval: int) -> str:
    """E.g. the first and third Tuesday of every `interval` months."""
    items = []
    for day in sorted({day for day, _n in nth_weekdays}):
        numbers = sorted((n for weekday, n in nth_weekdays if weekday == day), key=lambda n: (n < 0, n))
        items.append(
            # Translators: ordinals: e.g. "first" or "first and third"; weekday: e.g. "Tuesday".
            pgettext("the first Tuesday of the month", "%(ordinals)s %(weekday)s")
            % {
                "ordinals": _and_list([str(_WEEKDAY_ORDINALS[n]) for n in numbers]),
                "weekday": _WEEKDAYS_OF_MONTH[day],
            }
        )
    return _every(
        interval,
        # Translators: weekdays: e.g. "first Tuesday" or "first Tuesday and last Friday".
        first=pgettext("repeat rule", "on the %(weekdays)s of the month"),
        # Translators: weekdays: e.g. "first Tuesday" or "first Tuesday and last Friday".
        second=pgettext("repeat rule", "on the %(weekdays)s of every other month"),
        # Translators: weekdays: e.g. "first Tuesday" or "first Tuesday and last Friday"; ordinal: a
        # number as an ordinal, e.g. 3rd (fi "3.", sv "3:e").
        nth=pgettext("repeat rule", "on the %(weekdays)s of every %(ordinal)s month"),
        weekdays=_and_list(items),
    )


def _month_days(days: list[int]) -> str:
    """E.g. "1st, 15th and last day": from the start of the month, then from its end."""
    items = []
    for day in sorted(set(days), key=lambda day: (day < 0, day)):
        if day > 0:
            items.append(_ordinal(day))
        elif day in _DAYS_FROM_MONTH_END:
            items.append(str(_DAYS_FROM_MONTH_END[day]))
        else:
            # Translators: ordinal: a number as an ordinal, e.g. 6th (fi "6.", sv "6:e"); a day of
            # the month counted from its end.
            items.append(pgettext("on the … of every month", "%(ordinal)s-to-last day") % {"ordinal": _ordinal(-day)})
    return _and_list(items)


def _month_days_of_months(days: list[int], interval: int) -> str:
    return _every(
        interval,
        # Translators: days: e.g. "15th" or "1st and last day" (fi "15." or "1. ja viimeinen").
        first=pgettext("repeat rule", "on the %(days)s of every month"),
        # Translators: days: e.g. "15th" or "1st and last day" (fi "15." or "1. ja viimeinen").
        second=pgettext("repeat rule", "on the %(days)s of every other month"),
        # Translators: days: e.g. "15th" or "1st and last day" (fi "15." or "1. ja viimeinen");
        # ordinal: a number as an ordinal, e.g. 3rd (fi "3.", sv "3:e").
        nth=pgettext("repeat rule", "on the %(days)s of every %(ordinal)s month"),
        days=_month_days(days),
    )


def _days_in_words(parsed: vRecur, starts_on: datetime.date) -> str:
    """Which days the rule gives, as dateutil expands it (see `rule_dates`)."""
    frequency = parsed["FREQ"][0]
    interval = parsed.get("INTERVAL", [1])[0]
    codes = [str(code) for code in parsed.get("BYDAY", [])]
    month_days = list(parsed.get("BYMONTHDAY", []))
    # An ordinal on a weekday counts only in a monthly rule; dateutil drops it from the others.
    plain = sorted({WEEKDAY_CODES.index(code[-2:]) for code in codes if frequency != "MONTHLY" or not code[:-2]})
    nth = [(WEEKDAY_CODES.index(code[-2:]), int(code[:-2])) for code in codes if frequency == "MONTHLY" and code[:-2]]
    if frequency == "MONTHLY":
        if nth and plain:
            return _and_list([_on_weekdays_of_months(plain, interval), _nth_weekdays_of_months(nth, interval)])
        if nth:
            return _nth_weekdays_of_months(nth, interval)
        if plain:
            return _on_weekdays_of_months(plain, interval)
        return _month_days_of_months(month_days or [starts_on.day], interval)
    if frequency == "WEEKLY" and not month_days:
        return _on_weekdays(plain or [starts_on.weekday()], interval)
    if interval == 1 and month_days:
        return _month_days_of_months(month_days, 1)
    if interval == 1 and plain:
        return _on_weekdays(plain, 1)
    base = _daily(interval) if frequency == "DAILY" else _weekly(interval)
    if plain:
        # Translators: pattern: e.g. "every other day"; weekdays: e.g. "Mondays and Fridays".
        return pgettext("repeat rule", "%(pattern)s, on %(weekdays)s only") % {
            "pattern": base,
            "weekdays": _and_list([str(_WEEKDAYS_ON[day]) for day in plain]),
        }
    if month_days:
        # Translators: pattern: e.g. "every other week"; days: e.g. "15th" or "1st and last day"
        # (fi "15." or "1. ja viimeinen").
        return pgettext("repeat rule", "%(pattern)s, on the %(days)s of the month only") % {
            "pattern": base,
            "days": _month_days(month_days),
        }
    return base


def rule_in_words(
    *,
    rule: str,
    starts_on: datetime.date,
    start_time: datetime.time,
    end_time: datetime.time,
    with_end: bool = True,
) -> str:
    """The rule as a phrase in the active language, e.g. "every other Wednesday 10.00–14.00 until 3 Feb 2027".

    Any rule `parse_rule` accepts (it raises ValidationError for the others); `starts_on` gives
    the weekday or day of the month a rule without BYDAY or BYMONTHDAY repeats. Without the end
    ("every Tuesday 10.00–14.00") it describes a visit pattern, as on a venue's page. The phrase
    starts in lower case, to be capitalised where it begins a sentence.
    """
    parsed = parse_rule(rule)
    # Translators: days: e.g. "every Tuesday"; start and end: clock times, e.g. 10.00 and 14.00.
    words = pgettext("repeat rule: days, then a time", "%(days)s %(start)s–%(end)s") % {
        "days": _days_in_words(parsed, starts_on),
        "start": time_format(start_time),
        "end": time_format(end_time),
    }
    if not with_end:
        return words
    if "COUNT" in parsed:
        count = parsed["COUNT"][0]
        # Translators: pattern: e.g. "every Tuesday 10.00–14.00"; count: the number of visits.
        ending = npgettext("repeat rule: count", "%(pattern)s, %(count)s time", "%(pattern)s, %(count)s times", count)
        words = ending % {"pattern": words, "count": count}
    if "UNTIL" in parsed:
        last_day = _last_moment(parsed["UNTIL"][0]).date()
        # Translators: pattern: e.g. "every Tuesday 10.00–14.00"; date: the last day, e.g. 3.2.2027 (included).
        words = pgettext("repeat rule ends on a date", "%(pattern)s until %(date)s") % {
            "pattern": words,
            "date": format_day(last_day),
        }
    return words
