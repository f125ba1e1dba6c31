"""Repeat rules are expanded in Helsinki wall-clock time, bounded, and refused when they make no sense."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from common.dates import public_holidays
from visits.models import SeriesSkip
from visits.recurrence import (
    MAX_OCCURRENCES,
    WeeklyRule,
    local_datetime,
    rule_dates,
    weekly_rule,
    weekly_terms,
)
from visits.services import series_schedule

TUESDAY_2_MARCH_2027 = datetime.date(2027, 3, 2)


@pytest.fixture(autouse=True)
def _english_messages():
    """These tests call services directly, outside a request; their messages are checked in English."""
    with translation.override("en"):
        yield


def test_every_tuesday_for_ten_weeks_gives_the_ten_tuesdays():
    dates = rule_dates(rule="FREQ=WEEKLY;BYDAY=TU;COUNT=10", starts_on=TUESDAY_2_MARCH_2027)

    assert dates == [TUESDAY_2_MARCH_2027 + datetime.timedelta(weeks=n) for n in range(10)]


def test_the_rule_may_carry_its_rrule_prefix():
    assert rule_dates(rule="RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=2", starts_on=TUESDAY_2_MARCH_2027) == [
        datetime.date(2027, 3, 2),
        datetime.date(2027, 3, 9),
    ]


@pytest.mark.parametrize(
    ("until", "last"),
    [
        ("20270511T235959", datetime.date(2027, 5, 11)),
        ("20270511", datetime.date(2027, 5, 11)),
        ("20270511T235959Z", datetime.date(2027, 5, 11)),
        ("20270510T235959", datetime.date(2027, 5, 4)),
    ],
    ids=["end-of-the-last-day", "date-only", "utc-suffix", "day-before"],
)
def test_until_includes_its_own_day(until, last):
    dates = rule_dates(rule=f"FREQ=WEEKLY;BYDAY=TU;UNTIL={until}", starts_on=TUESDAY_2_MARCH_2027)

    assert dates[-1] == last


@pytest.mark.parametrize(
    ("day", "offset_hours"),
    [
        (datetime.date(2027, 3, 23), 2),
        (datetime.date(2027, 3, 30), 3),
        (datetime.date(2027, 10, 26), 3),
        (datetime.date(2027, 11, 2), 2),
    ],
    ids=["before-march-change", "after-march-change", "before-october-change", "after-october-change"],
)
def test_ten_oclock_stays_ten_oclock_in_helsinki_whatever_the_season(day, offset_hours):
    moment = local_datetime(day, datetime.time(10))

    assert moment.utcoffset() == datetime.timedelta(hours=offset_hours)
    assert moment.astimezone(datetime.UTC).hour == 10 - offset_hours


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=WEEKLY;BYDAY=TU", "needs an end"),
        ("DTSTART:20270302T100000\nRRULE:FREQ=WEEKLY;COUNT=3", "one RRULE line"),
        ("DTSTART=20270302T100000;FREQ=WEEKLY;COUNT=3", "DTSTART is not supported"),
        ("FREQ=WEEKLY;COUNT=3;DTSTART=20270302T100000", "DTSTART is not supported"),
        ("FREQ=WEEKLY;COUNT=3;TZID=Europe/Helsinki", "TZID is not supported"),
        ("FREQ=WEEKLY;COUNT=3\nFREQ=DAILY;COUNT=3", "one RRULE line"),
        ("", "one RRULE line"),
        ("FREQ=WEEKLY;;COUNT=3", "one RRULE line"),
        ("FREQ=WEEKLY;COUNT=3;COUNT=4", "one RRULE line"),
        ("COUNT=3", "DAILY, WEEKLY or MONTHLY"),
        ("FREQ=SOMETIMES;COUNT=3", "DAILY, WEEKLY or MONTHLY"),
        ("FREQ=MINUTELY;COUNT=3", "DAILY, WEEKLY or MONTHLY"),
        ("FREQ=YEARLY;COUNT=3", "DAILY, WEEKLY or MONTHLY"),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=3", "BYMONTH is not supported"),
        ("FREQ=WEEKLY;BYHOUR=10,14;COUNT=3", "BYHOUR is not supported"),
        ("FREQ=MONTHLY;BYMONTHDAY=31;BYDAY=2MO;COUNT=3", "not both"),
        ("FREQ=WEEKLY;COUNT=3;INTERVAL=0", "INTERVAL must be"),
        ("FREQ=WEEKLY;COUNT=3;INTERVAL=53", "INTERVAL must be"),
        ("FREQ=WEEKLY;COUNT=abc", "not a valid"),
        ("FREQ=WEEKLY;BYDAY=XX;COUNT=3", "not a valid"),
        ("FREQ=WEEKLY;UNTIL=tomorrow", "not a valid"),
        ("FREQ=DAILY;COUNT=401", "more than 400"),
        ("FREQ=WEEKLY;COUNT=99999999999999999999", "more than 400"),
        ("FREQ=WEEKLY;COUNT=106", "two years"),
    ],
)
def test_it_refuses_a_rule_with_a_clear_message(rule, message):
    with pytest.raises(ValidationError, match=message):
        rule_dates(rule=rule, starts_on=TUESDAY_2_MARCH_2027)


@pytest.mark.parametrize(
    ("count", "refused"), [(MAX_OCCURRENCES, False), (MAX_OCCURRENCES + 1, True)], ids=["400", "401"]
)
def test_a_rule_may_give_at_most_400_dates(count, refused):
    rule = f"FREQ=DAILY;COUNT={count}"

    if refused:
        with pytest.raises(ValidationError, match="more than 400"):
            rule_dates(rule=rule, starts_on=TUESDAY_2_MARCH_2027)
    else:
        assert len(rule_dates(rule=rule, starts_on=TUESDAY_2_MARCH_2027)) == count


@pytest.mark.parametrize(
    ("rule", "refused"),
    [
        ("FREQ=WEEKLY;INTERVAL=52;COUNT=3", False),
        ("FREQ=WEEKLY;INTERVAL=52;COUNT=4", True),
        ("FREQ=MONTHLY;UNTIL=20290303", False),
        ("FREQ=MONTHLY;UNTIL=20290304", True),
    ],
    ids=["last-date-within-two-years", "last-date-past-two-years", "until-two-years-on", "until-a-day-later"],
)
def test_a_series_may_span_at_most_two_years(rule, refused):
    if refused:
        with pytest.raises(ValidationError, match="two years"):
            rule_dates(rule=rule, starts_on=TUESDAY_2_MARCH_2027)
    else:
        assert rule_dates(rule=rule, starts_on=TUESDAY_2_MARCH_2027)[0] == TUESDAY_2_MARCH_2027


@pytest.mark.parametrize(
    "rule", ["FREQ=WEEKLY;BYDAY=TU;UNTIL=20270301", "FREQ=WEEKLY;COUNT=0"], ids=["ends-before-it-starts", "count-zero"]
)
def test_a_rule_that_gives_no_date_gives_an_empty_list(rule):
    assert rule_dates(rule=rule, starts_on=TUESDAY_2_MARCH_2027) == []


def test_finnish_public_holidays_include_the_moving_and_the_fixed_ones():
    found = public_holidays({2027}).keys()

    assert {
        datetime.date(2027, 3, 26),
        datetime.date(2027, 3, 29),
        datetime.date(2027, 5, 6),
        datetime.date(2027, 6, 25),
        datetime.date(2027, 12, 6),
        datetime.date(2027, 12, 24),
    } <= found
    assert datetime.date(2027, 3, 30) not in found


def test_series_dates_leave_out_holidays_and_skipped_ranges():
    dates = series_schedule(
        rrule="FREQ=WEEKLY;BYDAY=FR;COUNT=6",
        starts_on=datetime.date(2027, 3, 12),
        skip_public_holidays=True,
        skips=[SeriesSkip(start_date=datetime.date(2027, 4, 5), end_date=datetime.date(2027, 4, 9))],
    ).dates

    assert dates == [
        datetime.date(2027, 3, 12),
        datetime.date(2027, 3, 19),
        datetime.date(2027, 4, 2),
        datetime.date(2027, 4, 16),
    ]


def test_series_dates_keep_holidays_when_told_to():
    dates = series_schedule(
        rrule="FREQ=WEEKLY;BYDAY=FR;COUNT=3", starts_on=datetime.date(2027, 3, 12), skip_public_holidays=False
    ).dates

    assert datetime.date(2027, 3, 26) in dates


@pytest.mark.parametrize(
    ("weekdays", "interval", "count", "until", "expected"),
    [
        ([1], 1, 3, None, ["2027-03-02", "2027-03-09", "2027-03-16"]),
        ([3, 1], 2, 4, None, ["2027-03-02", "2027-03-04", "2027-03-16", "2027-03-18"]),
        ([1], 1, None, datetime.date(2027, 3, 16), ["2027-03-02", "2027-03-09", "2027-03-16"]),
    ],
    ids=["every-tuesday", "every-other-tuesday-and-thursday", "until-a-date-inclusive"],
)
def test_the_weekly_rule_the_staff_form_builds_gives_the_days_asked_for(weekdays, interval, count, until, expected):
    rule = weekly_rule(weekdays=weekdays, interval=interval, count=count, until=until)

    assert [d.isoformat() for d in rule_dates(rule=rule, starts_on=TUESDAY_2_MARCH_2027)] == expected


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=DAILY;BYMONTHDAY=32;COUNT=1", "run from 1 to 31"),
        ("FREQ=MONTHLY;BYDAY=6MO;COUNT=1", "1st to 5th"),
        ("FREQ=MONTHLY;BYMONTHDAY=30;INTERVAL=12;COUNT=3", "two years"),
        ("FREQ=MONTHLY;BYDAY=5MO;INTERVAL=12;COUNT=3", "two years"),
    ],
    ids=["day-no-month-has", "weekday-no-month-has", "day-too-seldom", "weekday-too-seldom"],
)
def test_a_rule_that_cannot_give_its_dates_within_two_years_is_refused(rule, message):
    # dateutil alone would search for these up to the year 9999, holding a worker for seconds.
    with translation.override("en"), pytest.raises(ValidationError, match=message):
        rule_dates(rule=rule, starts_on=TUESDAY_2_MARCH_2027)


@pytest.mark.parametrize(
    ("weekdays", "interval", "count", "until"),
    [([1, 3], 2, 10, None), ([0], 1, None, datetime.date(2027, 5, 31))],
)
def test_the_staff_forms_terms_read_back_from_the_rule_it_writes(weekdays, interval, count, until):
    rule = weekly_rule(weekdays=weekdays, interval=interval, count=count, until=until)

    assert weekly_terms(rule) == WeeklyRule(weekdays=weekdays, interval=interval, count=count, until=until)
    assert weekly_terms("FREQ=MONTHLY;BYMONTHDAY=1;COUNT=3") is None
