import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from common.dates import format_day, format_moment, weeks_covering


@pytest.mark.parametrize(
    ("start", "end", "first", "last", "rows"),
    [
        # February 2027 starts on a Monday and ends on a Sunday: exactly four rows.
        ("2027-02-01", "2027-02-28", "2027-02-01", "2027-02-28", 4),
        ("2026-12-01", "2026-12-31", "2026-11-30", "2027-01-03", 5),
        ("2026-12-03", "2026-12-03", "2026-11-30", "2026-12-06", 1),
        ("2026-12-28", "2027-01-10", "2026-12-28", "2027-01-10", 2),
    ],
    ids=["whole-weeks", "month-over-two-years-edge", "one-day", "across-new-year"],
)
def test_whole_weeks_monday_first_cover_the_range(start, end, first, last, rows):
    weeks = weeks_covering(datetime.date.fromisoformat(start), datetime.date.fromisoformat(end))

    assert len(weeks) == rows
    assert weeks[0][0] == datetime.date.fromisoformat(first)
    assert weeks[-1][-1] == datetime.date.fromisoformat(last)
    days = [day for week in weeks for day in week]
    assert all(week[0].weekday() == 0 and len(week) == 7 for week in weeks)
    assert days == [days[0] + datetime.timedelta(days=i) for i in range(len(days))]


HELSINKI = ZoneInfo("Europe/Helsinki")
TODAY = datetime.datetime(2026, 12, 3, 9, 0, tzinfo=HELSINKI)


@pytest.mark.parametrize(
    ("language", "this_year", "next_year", "with_weekday", "moment"),
    [
        ("fi", "7.12.", "12.1.2027", "ma 7.12.", "12.1.2027 klo 13.05"),
        ("sv", "7.12.", "12.1.2027", "mån 7.12.", "12.1.2027 kl. 13.05"),
        ("en", "7 Dec", "12 Jan 2027", "Mon 7 Dec", "12 Jan 2027, 13:05"),
    ],
)
def test_a_day_is_written_one_way_per_language_with_the_year_only_when_not_this_year(
    language, this_year, next_year, with_weekday, moment
):
    with time_machine.travel(TODAY, tick=False), translation.override(language):
        assert format_day(datetime.date(2026, 12, 7)) == this_year
        assert format_day(datetime.date(2027, 1, 12)) == next_year
        assert format_day(datetime.date(2026, 12, 7), "D") == with_weekday
        # A moment is read in Helsinki time: 11.05 UTC is 13.05 in January.
        assert format_moment(datetime.datetime(2027, 1, 12, 11, 5, tzinfo=datetime.UTC)) == moment


def test_the_year_follows_the_helsinki_date_not_the_servers_utc_date():
    # 23.30 UTC on New Year's Eve is already 1 January in Helsinki: 2027 is "this year".
    new_years_eve = datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.UTC)
    with time_machine.travel(new_years_eve, tick=False), translation.override("en"):
        assert format_day(datetime.date(2027, 1, 1)) == "1 Jan"
        assert format_day(datetime.date(2026, 12, 31)) == "31 Dec 2026"
