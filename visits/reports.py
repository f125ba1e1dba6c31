"""Reads of the pilot's figures: what the mobile service and the fixed points did in a period.

`pilot_figures` computes every figure of the staff dashboard and its exports in a fixed number of
queries, however long the period: rows are read once with `values()` or aggregated in SQL and
counted here. `PilotFigures.tables` lays them out as the tables the page, the charts, the CSV and
the workbook all show, so the four cannot disagree.
"""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from common.dates import format_day
from servicepoints.models import Area, ServicePoint, ServicePointDailyCount, ServiceType
from visits.models import Contact, Language, State, Venue, Visit
from visits.recurrence import local_datetime
from visits.selectors import period_coverage

# Longer periods are refused: five years is the whole pilot and more, and the page stays fast.
MAX_REPORT_YEARS = 5
# The busiest venues list stops here; the CSV and the workbook have the same rows.
BUSIEST_VENUES = 10

Cell = str | int | float | None


@dataclass(frozen=True)
class FigureTable:
    """One group of figures as a table: the page shows it beside its chart, the exports as a
    section or a sheet. `chart_column` is the column the chart draws (None: no chart)."""

    key: str
    title: str
    description: str
    columns: list[str]
    rows: list[list[Cell]]
    chart_column: int | None = 1


@dataclass(frozen=True)
class VenueFigures:
    name: str
    area: str
    held: int
    people_helped: int


@dataclass(frozen=True)
class PointFigures:
    name: str
    area: str
    days_counted: int
    visitors: int

    @property
    def visitors_per_day(self) -> float | None:
        return self.visitors / self.days_counted if self.days_counted else None


@dataclass(frozen=True)
class AreaGaps:
    """The ISO weeks (clipped to the period) in which the area had no face-to-face service."""

    area: str
    weeks: list[tuple[datetime.date, datetime.date]]


@dataclass(frozen=True)
class PilotFigures:
    """The figures of `start`..`end` (Helsinki days, inclusive), for one area or all."""

    start: datetime.date
    end: datetime.date
    area: Area | None
    planned: int
    held: int
    cancelled: int
    upcoming: int
    not_recorded: int
    recorded: int
    people_helped: int
    recorded_hours: float
    services: list[tuple[str, int]]
    languages: list[tuple[str, int]]
    venues: list[VenueFigures]
    weekdays: list[tuple[str, int, int]]
    gaps: list[AreaGaps]
    gaps_until: datetime.date | None
    points: list[PointFigures]
    point_weekdays: list[tuple[str, int]]

    @property
    def people_per_visit(self) -> float | None:
        """Of the visits recorded, so a visit not yet recorded does not lower the figure."""
        return self.people_helped / self.recorded if self.recorded else None

    @property
    def people_per_hour(self) -> float | None:
        """People helped over the hours of the recorded visits."""
        return self.people_helped / self.recorded_hours if self.recorded_hours else None

    def tables(self) -> list[FigureTable]:
        return [
            FigureTable(
                key="visits",
                title=_("Visits"),
                description=_(
                    "Planned: published for residents, cancelled ones included. Held: published, not "
                    "cancelled and over. Not recorded: held, but nobody has recorded whom it helped yet."
                ),
                columns=[_("Visits"), _("Number")],
                rows=[
                    [_("Planned"), self.planned],
                    [_("Held"), self.held],
                    [_("Cancelled"), self.cancelled],
                    [_("Still to come"), self.upcoming],
                    [_("Held, not recorded"), self.not_recorded],
                ],
            ),
            FigureTable(
                key="people",
                title=_("People helped"),
                description=_(
                    "Of the held visits whose figures are recorded; a visit where nobody came counts with 0. "
                    "Hours are the recorded visits' own hours."
                ),
                columns=[_("Figure"), _("Value")],
                rows=[
                    [_("People helped"), self.people_helped],
                    [_("Visits recorded"), self.recorded],
                    [_("Hours of recorded visits"), _rounded(self.recorded_hours)],
                    [_("People per visit"), _rounded(self.people_per_visit)],
                    [_("People per hour"), _rounded(self.people_per_hour)],
                ],
                chart_column=None,
            ),
            FigureTable(
                key="services",
                title=_("Kinds of help"),
                description=_("How many of the people helped got each kind of help; one person may get several."),
                columns=[_("Kind of help"), _("People")],
                rows=[[name, count] for name, count in self.services],
            ),
            FigureTable(
                key="languages",
                title=_("Languages"),
                description=_("The language in which each person was helped."),
                columns=[_("Language"), _("People")],
                rows=[[name, count] for name, count in self.languages],
            ),
            FigureTable(
                key="venues",
                title=_("Busiest venues"),
                description=_("The venues where the most people were helped."),
                columns=[_("Venue"), _("People helped"), _("Visits held"), _("Area")],
                rows=[[v.name, v.people_helped, v.held, v.area] for v in self.venues],
            ),
            FigureTable(
                key="weekdays",
                title=_("Busiest weekdays"),
                description=_("People helped and visits held on each weekday."),
                columns=[_("Weekday"), _("People helped"), _("Visits held")],
                rows=[[name, people, held] for name, people, held in self.weekdays],
            ),
            FigureTable(
                key="gaps",
                title=_("Weeks without face-to-face service"),
                description=(
                    # Translators: the last day whose weeks are counted (today, or the end of the period).
                    _(
                        "Weeks in which an area had neither a visit that counts as service nor a serving "
                        "service point, up to %(date)s."
                    )
                    % {"date": format_day(self.gaps_until)}
                    if self.gaps_until
                    else _("The period has not begun yet.")
                ),
                columns=[_("Area"), _("Weeks without service"), _("Weeks")],
                rows=[[gap.area, len(gap.weeks), _week_list(gap.weeks)] for gap in self.gaps],
            ),
            FigureTable(
                key="points",
                title=_("Service points: visitors"),
                description=_("The daily visitor counts that the service points' staff entered."),
                columns=[_("Service point"), _("Visitors"), _("Days counted"), _("Visitors per day"), _("Area")],
                rows=[[p.name, p.visitors, p.days_counted, _rounded(p.visitors_per_day), p.area] for p in self.points],
            ),
            FigureTable(
                key="point-weekdays",
                title=_("Service points: visitors by weekday"),
                description=_("The service points' visitors on each weekday, all points together."),
                columns=[_("Weekday"), _("Visitors")],
                rows=[[name, visitors] for name, visitors in self.point_weekdays],
            ),
        ]


def _rounded(value: float | None) -> float | None:
    """One decimal; None (shown as a dash, an empty cell in the exports) when there is nothing to divide."""
    return None if value is None else round(value, 1)


def _week_list(weeks: list[tuple[datetime.date, datetime.date]]) -> str:
    return ", ".join(f"{format_day(first)}–{format_day(last)}" for first, last in weeks)


def years_later(day: datetime.date, years: int) -> datetime.date:
    """The same date `years` later; 28 February for a 29 February that has no match."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def last_full_weeks(*, today: datetime.date, weeks: int = 4) -> tuple[datetime.date, datetime.date]:
    """The `weeks` whole ISO weeks before the one `today` is in: the dashboard's default period."""
    monday = today - datetime.timedelta(days=today.weekday())
    return monday - datetime.timedelta(weeks=weeks), monday - datetime.timedelta(days=1)


def pilot_figures(*, start: datetime.date, end: datetime.date, area: Area | None) -> PilotFigures:
    """Every figure of the dashboard for the Helsinki days `start`..`end`, for `area` or all areas.

    A visit belongs to the period if it starts on one of its days. Held: published, not cancelled,
    ended (`Visit.is_over`); its record says how many people it helped (no record: not recorded,
    0: nobody came). A fixed number of queries whatever the period and the number of rows.
    """
    now = timezone.now()
    in_area = Q(venue__area=area) if area else Q()
    visits = list(
        Visit.objects.public()
        .filter(in_area, starts_at__gte=local_datetime(start, datetime.time()))
        .filter(starts_at__lt=local_datetime(end + datetime.timedelta(days=1), datetime.time()))
        .values("pk", "state", "starts_at", "ends_at", "venue_id", "record__people_helped")
    )
    held = [v for v in visits if v["state"] == State.PUBLISHED and v["ends_at"] <= now]
    recorded = [v for v in held if v["record__people_helped"] is not None]

    # Contacts of the held visits: the same filter, counted in SQL.
    contacts = Contact.objects.filter(
        Q(record__visit__venue__area=area) if area else Q(),
        record__visit__state=State.PUBLISHED,
        record__visit__ends_at__lte=now,
        record__visit__starts_at__gte=local_datetime(start, datetime.time()),
        record__visit__starts_at__lt=local_datetime(end + datetime.timedelta(days=1), datetime.time()),
    )
    by_language = dict(contacts.values_list("language").annotate(n=Count("pk")).values_list("language", "n"))
    by_service = dict(
        Contact.services.through.objects.filter(contact__in=contacts.values("pk"))
        .values_list("servicetype")
        .annotate(n=Count("pk"))
        .values_list("servicetype", "n")
    )

    venues = {venue.pk: venue for venue in Venue.objects.select_related("area")}
    venue_held = Counter(v["venue_id"] for v in held)
    venue_people = Counter()
    for v in recorded:
        venue_people[v["venue_id"]] += v["record__people_helped"]
    busiest = sorted(venue_held, key=lambda pk: (-venue_people[pk], -venue_held[pk], str(venues[pk])))

    weekday_held = Counter(timezone.localtime(v["starts_at"]).weekday() for v in held)
    weekday_people = Counter()
    for v in recorded:
        weekday_people[timezone.localtime(v["starts_at"]).weekday()] += v["record__people_helped"]

    return PilotFigures(
        start=start,
        end=end,
        area=area,
        planned=len(visits),
        held=len(held),
        cancelled=sum(1 for v in visits if v["state"] == State.CANCELLED),
        upcoming=sum(1 for v in visits if v["state"] == State.PUBLISHED and v["ends_at"] > now),
        not_recorded=len(held) - len(recorded),
        recorded=len(recorded),
        people_helped=sum(v["record__people_helped"] for v in recorded),
        recorded_hours=sum((v["ends_at"] - v["starts_at"]).total_seconds() for v in recorded) / 3600,
        services=[(s.name, by_service[s.pk]) for s in ServiceType.objects.all() if by_service.get(s.pk)],
        languages=[(lang.name, by_language[lang.pk]) for lang in Language.objects.all() if by_language.get(lang.pk)],
        venues=[
            VenueFigures(
                name=str(venues[pk]), area=str(venues[pk].area), held=venue_held[pk], people_helped=venue_people[pk]
            )
            for pk in busiest[:BUSIEST_VENUES]
        ],
        weekdays=[(str(WEEKDAYS[day]), weekday_people[day], weekday_held[day]) for day in range(7)],
        **_gaps(start=start, end=end, area=area, today=timezone.localdate(now)),
        **_points(start=start, end=end, area=area),
    )


def _gaps(*, start: datetime.date, end: datetime.date, area: Area | None, today: datetime.date) -> dict:
    """The weeks without face-to-face service, by `period_coverage`'s rule, up to today: a week
    still to come is not a week without service yet."""
    until = min(end, today)
    if until < start:
        return {"gaps": [], "gaps_until": None}
    coverage = period_coverage(start=start, end=until)
    gaps = [
        AreaGaps(area=str(weeks.area), weeks=[(week.start, week.end) for week in weeks.uncovered_weeks])
        for weeks in coverage.areas
        if area is None or weeks.area.pk == area.pk
    ]
    return {"gaps": gaps, "gaps_until": until}


def _points(*, start: datetime.date, end: datetime.date, area: Area | None) -> dict:
    """The fixed points' daily counts of the period, per point and per weekday."""
    counts = list(
        ServicePointDailyCount.objects.filter(
            Q(service_point__area=area) if area else Q(), day__gte=start, day__lte=end
        ).values_list("service_point", "day", "visitors")
    )
    days = Counter(point for point, _day, _visitors in counts)
    visitors = Counter()
    by_weekday = Counter()
    for point, day, number in counts:
        visitors[point] += number
        by_weekday[day.weekday()] += number
    points = [
        PointFigures(name=str(p), area=str(p.area), days_counted=days[p.pk], visitors=visitors[p.pk])
        for p in ServicePoint.objects.select_related("area")
        if days[p.pk]
    ]
    points.sort(key=lambda p: (-p.visitors, p.name))
    return {"points": points, "point_weekdays": [(str(WEEKDAYS[day]), by_weekday[day]) for day in range(7)]}
