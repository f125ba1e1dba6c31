"""Where the staff calendar's week view puts each visit: rows of a quarter hour, lanes side by side.

The page may carry no style attributes (the CSP forbids them), so a visit is placed with
classes that `static/css/staff.css` defines once for every value these functions can return:
`cal-start-N` (the first row, 1-based), `cal-span-N` (rows), `cal-col-N` and `cal-wide-N` (its
share of the day's twelve columns) and `cal-hours-N` (the grid's height in hours). The same
markup, without the grid, is the agenda list a phone and a screen reader read.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from django.utils import timezone

from visits.models import Advisor, Visit

FIRST_HOUR, LAST_HOUR = 7, 21  # the hours always shown; a visit outside them widens the grid
SLOT_MINUTES = 15
COLUMNS = 12  # lanes share twelve columns: one, two, three, four, six or twelve side by side
LANE_COUNTS = (1, 2, 3, 4, 6, 12)
COLOURS = 8  # `cal-advisor-0` … `cal-advisor-7`
MAX_SLOTS = 24 * 60 // SLOT_MINUTES
MAX_SPAN = 12 * 60 // SLOT_MINUTES  # a visit lasts at most 12 hours (`Visit.clean`)


@dataclass(frozen=True)
class Placed:
    """A visit in the time grid: its rows from the top of the grid and its columns in the day."""

    visit: Visit
    start: int
    span: int
    column: int
    width: int

    @property
    def classes(self) -> str:
        return f"cal-start-{self.start} cal-span-{self.span} cal-col-{self.column} cal-wide-{self.width}"


@dataclass(frozen=True)
class HourLabel:
    time: datetime.time
    start: int


@dataclass(frozen=True)
class Hours:
    """The hours the grid shows: FIRST_HOUR–LAST_HOUR, widened to fit every visit of the week."""

    first: int
    last: int

    @property
    def classes(self) -> str:
        return f"cal-hours-{self.last - self.first}"

    @property
    def labels(self) -> list[HourLabel]:
        per_hour = 60 // SLOT_MINUTES
        return [
            HourLabel(time=datetime.time(hour), start=(hour - self.first) * per_hour + 1)
            for hour in range(self.first, self.last)
        ]


def _minutes(moment: datetime.datetime, day: datetime.date) -> int:
    """Minutes since the start of the local `day`, clamped to the day (a visit past midnight ends at 24.00)."""
    local = timezone.localtime(moment)
    if local.date() < day:
        return 0
    if local.date() > day:
        return 24 * 60
    return local.hour * 60 + local.minute


def _span(visit: Visit, day: datetime.date) -> tuple[int, int]:
    start = _minutes(visit.starts_at, day)
    return start, max(_minutes(visit.ends_at, day), start + 1)


def grid_hours(days: Iterable[tuple[datetime.date, Sequence[Visit]]]) -> Hours:
    first, last = FIRST_HOUR, LAST_HOUR
    for day, visits in days:
        for visit in visits:
            start, end = _span(visit, day)
            first = min(first, start // 60)
            last = max(last, -(-end // 60))
    return Hours(first=first, last=last)


def _lane_width(lanes: int) -> int:
    """Columns for one of `lanes` side by side: beyond twelve, lanes overlap rather than vanish."""
    return COLUMNS // next((count for count in LANE_COUNTS if count >= lanes), COLUMNS)


def place_day(visits: Sequence[Visit], *, day: datetime.date, hours: Hours) -> list[Placed]:
    """Rows and side-by-side lanes for one day's visits, in the order given (their start order).

    Visits that overlap, directly or through others, form a cluster; each takes the first lane
    free at its start, and every visit of the cluster gets the same share of the day's width.
    """
    origin = hours.first * 60
    placed: list[Placed] = []
    cluster: list[tuple[Visit, int, int, int]] = []  # visit, start and end minute, lane
    lane_ends: list[int] = []

    def close_cluster() -> None:
        width = _lane_width(len(lane_ends))
        for visit, start, end, lane in cluster:
            first = (start - origin) // SLOT_MINUTES + 1
            last = -(-(end - origin) // SLOT_MINUTES) + 1
            placed.append(
                Placed(
                    visit=visit,
                    start=min(first, MAX_SLOTS),
                    span=max(1, min(last - first, MAX_SPAN)),
                    column=(lane * width) % COLUMNS + 1,
                    width=width,
                )
            )
        cluster.clear()
        lane_ends.clear()

    for visit in sorted(visits, key=lambda v: _span(v, day)):
        start, end = _span(visit, day)
        if lane_ends and start >= max(lane_ends):
            close_cluster()
        lane = next((i for i, lane_end in enumerate(lane_ends) if lane_end <= start), len(lane_ends))
        if lane == len(lane_ends):
            lane_ends.append(end)
        else:
            lane_ends[lane] = end
        cluster.append((visit, start, end, lane))
    if cluster:
        close_cluster()
    order = {visit.pk: index for index, visit in enumerate(visits)}
    return sorted(placed, key=lambda item: order[item.visit.pk])


@dataclass(frozen=True)
class AdvisorColours:
    """Each advisor's colour class number, by their place in the list of advisors: the same in
    every week and view, and different for up to COLOURS advisors. A visit takes the colour of
    its first advisor, or of the advisor the calendar is filtered to."""

    indexes: dict[int, int]
    chosen: Advisor | None = None

    def advisor_of(self, visit: Visit) -> Advisor | None:
        advisors = list(visit.advisors.all())
        if self.chosen is not None and any(a.pk == self.chosen.pk for a in advisors):
            return self.chosen
        return advisors[0] if advisors else None

    def of(self, visit: Visit) -> int | None:
        """The visit's colour number; None for a visit nobody has been put on yet."""
        advisor = self.advisor_of(visit)
        return None if advisor is None else self.indexes.get(advisor.pk, 0)

    def legend(self, visits: Iterable[Visit]) -> list[tuple[Advisor, int]]:
        """The advisors whose colour the shown visits carry, with that colour, by name."""
        seen = {advisor.pk: advisor for visit in visits if (advisor := self.advisor_of(visit)) is not None}
        return sorted(((a, self.indexes.get(a.pk, 0)) for a in seen.values()), key=lambda item: str(item[0]).casefold())


def advisor_colours(*, chosen: Advisor | None = None) -> AdvisorColours:
    pks = Advisor.objects.values_list("pk", flat=True)
    return AdvisorColours(indexes={pk: index % COLOURS for index, pk in enumerate(pks)}, chosen=chosen)


class Day(Protocol):
    date: datetime.date
    visits: list[Visit]


@dataclass(frozen=True)
class Week:
    hours: Hours
    days: list[tuple[Day, list[Placed]]]


def week(days: Sequence[Day]) -> Week:
    """The week's days, each with its visits placed, on hours that fit all of them."""
    hours = grid_hours((day.date, day.visits) for day in days)
    return Week(hours=hours, days=[(day, place_day(day.visits, day=day.date, hours=hours)) for day in days])
