import datetime

import pytest

from common.dates import weeks_covering


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
