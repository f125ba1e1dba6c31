"""Reads of the mobile service's plan."""

import datetime
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, NamedTuple

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from common.dates import format_moment, public_holidays
from servicepoints.models import Area, DayHours, ServicePoint, ServiceType
from visits.geocoding import Place
from visits.models import (
    DEFAULT_LANGUAGE,
    DEFAULT_SERVICE,
    RECORD_CORRECTION_DAYS,
    Advisor,
    AgeGroup,
    Contact,
    Language,
    Offered,
    State,
    Venue,
    VenueException,
    Visit,
    VisitAdvisor,
    VisitCopy,
    VisitRecord,
    VisitSeries,
)
from visits.recurrence import local_datetime, rule_in_words

if TYPE_CHECKING:
    from visits.services import SeriesPlan

COVERAGE_WEEKS = 4


def visits_with_details(queryset: QuerySet[Visit] | None = None) -> QuerySet[Visit]:
    """Visits with everything a calendar, page or feed shows, in a fixed number of queries."""
    return (
        (queryset if queryset is not None else Visit.objects.all())
        .select_related("venue__area", "series")
        .prefetch_related(
            Prefetch("advisors", queryset=Advisor.objects.select_related("user")),
            "services",
            "languages",
            "venue__opening_hours",
            "venue__exceptions",
        )
    )


def calendar_visits(
    *,
    start: datetime.date,
    end: datetime.date,
    advisor: Advisor | None = None,
    venue: Venue | None = None,
    area: Area | None = None,
) -> list[Visit]:
    """Every visit, in any state, whose time overlaps the local days `start`..`end` inclusive."""
    queryset = Visit.objects.overlapping(
        local_datetime(start, datetime.time()), local_datetime(end + datetime.timedelta(days=1), datetime.time())
    )
    if advisor is not None:
        queryset = queryset.filter(advisors=advisor)
    if venue is not None:
        queryset = queryset.filter(venue=venue)
    if area is not None:
        queryset = queryset.filter(venue__area=area)
    return list(visits_with_details(queryset.distinct()).order_by("starts_at", "pk"))


@dataclass(frozen=True)
class DayMarks:
    """What the staff calendar labels on a day: a public holiday, and venues closed or on other hours."""

    holiday: str = ""
    exceptions: list[VenueException] = field(default_factory=list)


def calendar_marks(
    *, start: datetime.date, end: datetime.date, venue: Venue | None = None, area: Area | None = None
) -> dict[datetime.date, DayMarks]:
    """Holidays (named in the active language) and venue exceptions for each day of `start`..`end`."""
    holidays = public_holidays(range(start.year, end.year + 1))
    exceptions = VenueException.objects.filter(start_date__lte=end, end_date__gte=start).select_related("venue")
    if venue is not None:
        exceptions = exceptions.filter(venue=venue)
    if area is not None:
        exceptions = exceptions.filter(venue__area=area)
    exceptions = list(exceptions.order_by("venue__name", "start_date"))
    marks = {}
    day = start
    while day <= end:
        marks[day] = DayMarks(holiday=holidays.get(day, ""), exceptions=[e for e in exceptions if e.covers(day)])
        day += datetime.timedelta(days=1)
    return marks


@dataclass
class AreaCoverage:
    area: Area
    open_points: list[ServicePoint] = field(default_factory=list)
    closing_points: list[ServicePoint] = field(default_factory=list)
    published_visits: int = 0

    @property
    def uncovered(self) -> bool:
        """No fixed point open and no published visit: the promise of face-to-face service is broken."""
        return not self.open_points and not self.published_visits

    @property
    def losing_last_point(self) -> bool:
        """Every point still open in the area closes within the coming weeks."""
        return bool(self.open_points) and len(self.closing_points) == len(self.open_points)

    @property
    def flagged(self) -> bool:
        return self.uncovered or self.losing_last_point


def area_coverage(*, today: datetime.date, until: datetime.date | None = None) -> list[AreaCoverage]:
    """For each area: service points open on `today`, those that close by `until` (inclusive;
    default the coming COVERAGE_WEEKS weeks), and the visits in the same days that count for
    coverage (`coverage_visits`)."""
    horizon = (until + datetime.timedelta(days=1)) if until else today + datetime.timedelta(weeks=COVERAGE_WEEKS)
    counted, _flagged = coverage_visits(start=today, end=horizon - datetime.timedelta(days=1))
    visits_by_area = Counter(visit.venue.area_id for visit in counted)
    result = []
    for area in Area.objects.prefetch_related("service_points"):
        open_points = [p for p in area.service_points.all() if p.status_on(today).serving]
        closing = [p for p in open_points if p.closes_on is not None and p.closes_on < horizon]
        result.append(
            AreaCoverage(
                area=area,
                open_points=open_points,
                closing_points=closing,
                published_visits=visits_by_area[area.pk],
            )
        )
    return result


def coverage_visits(
    *, start: datetime.date, end: datetime.date, languages: bool = False
) -> tuple[list[Visit], list[Visit]]:
    """The published visits whose time overlaps the local days `start`..`end` (inclusive), split
    into those that count as face-to-face service and those that do not because their venue is
    closed that day or the visit falls outside its hours (`Visit.closure`): the scheduler must see
    the latter. Cancelled visits and drafts are not read at all.

    Rule: only a published visit that its venue can host keeps an area covered. A fixed number of
    queries: the venues are read once, with their hours, and shared by their visits.
    """
    visits = list(
        Visit.objects.published()
        .overlapping(
            local_datetime(start, datetime.time()), local_datetime(end + datetime.timedelta(days=1), datetime.time())
        )
        .prefetch_related(*(["languages"] if languages else []))
        .order_by("starts_at", "pk")
    )
    venues = Venue.objects.select_related("area").prefetch_related("opening_hours", "exceptions")
    venues_by_pk = {venue.pk: venue for venue in venues.filter(pk__in={visit.venue_id for visit in visits})}
    counted, flagged = [], []
    for visit in visits:
        visit.venue = venues_by_pk[visit.venue_id]
        (flagged if visit.closure else counted).append(visit)
    return counted, flagged


@dataclass(frozen=True)
class CoverageWeek:
    """One area's face-to-face service in one ISO week (Monday first), clipped to the period.

    A visit belongs to the week of the local day it starts on. `hours` are the hours during
    which at least one counted visit is held in the area (the union of their times, within the
    period): two advisors at the same time in one area are one hour of service, not two.
    """

    start: datetime.date
    end: datetime.date
    visits: int
    hours: float
    languages: list[Offered]
    points: list[ServicePoint]
    closing_points: list[ServicePoint]
    not_counted: int

    @property
    def uncovered(self) -> bool:
        """Neither a serving point nor a counted visit all week: no face-to-face service."""
        return not self.points and not self.visits


@dataclass(frozen=True)
class AreaWeeks:
    area: Area
    weeks: list[CoverageWeek]

    @property
    def uncovered_weeks(self) -> list[CoverageWeek]:
        return [week for week in self.weeks if week.uncovered]


@dataclass(frozen=True)
class PeriodCoverage:
    """Each area's service week by week over `start`..`end`, and the published visits that do not
    count because their venue cannot host them (`flagged`, in time order)."""

    start: datetime.date
    end: datetime.date
    weeks: list[tuple[datetime.date, datetime.date]]
    areas: list[AreaWeeks]
    flagged: list[Visit]

    @property
    def uncovered_weeks(self) -> int:
        return sum(len(area.uncovered_weeks) for area in self.areas)


def _held_hours(visits: list[Visit], since: datetime.datetime, until: datetime.datetime) -> float:
    """Hours within [since, until) during which at least one of `visits` is held."""
    total = datetime.timedelta()
    run_start = run_end = None
    for starts_at, ends_at in sorted((max(v.starts_at, since), min(v.ends_at, until)) for v in visits):
        if run_end is None or starts_at > run_end:
            if run_end is not None:
                total += run_end - run_start
            run_start, run_end = starts_at, ends_at
        else:
            run_end = max(run_end, ends_at)
    if run_end is not None:
        total += run_end - run_start
    return total.total_seconds() / 3600


def period_coverage(*, start: datetime.date, end: datetime.date) -> PeriodCoverage:
    """Per area and per ISO week of `start`..`end` (inclusive; weeks clipped to the period): the
    hours of face-to-face service, the counted visits (`coverage_visits`), the languages they
    offer (`Visit.offered_languages`: Finnish when none was chosen), and the service points
    serving on at least one day of the week (`ServicePoint.status_on`). A fixed number of queries
    however long the period and however many visits it holds."""
    first_monday = start - datetime.timedelta(days=start.weekday())
    mondays = [first_monday + datetime.timedelta(weeks=n) for n in range((end - first_monday).days // 7 + 1)]
    weeks = [(max(monday, start), min(monday + datetime.timedelta(days=6), end)) for monday in mondays]
    counted, flagged = coverage_visits(start=start, end=end, languages=True)
    since = local_datetime(start, datetime.time())
    until = local_datetime(end + datetime.timedelta(days=1), datetime.time())

    def week_of(visit: Visit) -> datetime.date:
        day = max(timezone.localtime(visit.starts_at).date(), start)
        return day - datetime.timedelta(days=day.weekday())

    held: dict[tuple[int, datetime.date], list[Visit]] = {}
    for visit in counted:
        held.setdefault((visit.venue.area_id, week_of(visit)), []).append(visit)
    not_counted = Counter((visit.venue.area_id, week_of(visit)) for visit in flagged)
    language_order = {code: n for n, code in enumerate(Language.objects.values_list("code", flat=True))}

    areas = []
    for area in Area.objects.prefetch_related("service_points"):
        rows = []
        for monday, (first, last) in zip(mondays, weeks, strict=True):
            days = [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]
            points = [p for p in area.service_points.all() if any(p.status_on(day).serving for day in days)]
            visits = held.get((area.pk, monday), [])
            offered = {language.code: language for visit in visits for language in visit.offered_languages}
            rows.append(
                CoverageWeek(
                    start=first,
                    end=last,
                    visits=len(visits),
                    hours=_held_hours(visits, since, until),
                    languages=sorted(
                        offered.values(), key=lambda o: (language_order.get(o.code, len(language_order)), o.code)
                    ),
                    points=points,
                    closing_points=[p for p in points if p.closes_on is not None and first <= p.closes_on <= last],
                    not_counted=not_counted[(area.pk, monday)],
                )
            )
        areas.append(AreaWeeks(area=area, weeks=rows))
    return PeriodCoverage(start=start, end=end, weeks=weeks, areas=areas, flagged=flagged)


@dataclass(frozen=True)
class PublicFilters:
    """What a resident narrowed the upcoming visits to; every field already validated."""

    start: datetime.date
    end: datetime.date
    area: Area | None = None
    service: ServiceType | None = None
    language: Language | None = None
    venue: Venue | None = None


def public_visits(filters: PublicFilters) -> QuerySet[Visit]:
    """Published and cancelled visits overlapping the local days `start`..`end` inclusive.

    Cancelled visits stay in: residents must see that a visit they planned on is off. The
    query count does not grow with the number of visits (two prefetches).
    """
    return (
        _public_visits_matching(filters)
        .select_related("venue__area")
        .prefetch_related(
            Prefetch("services", queryset=ServiceType.objects.order_by("ordering", "slug")),
            Prefetch("languages", queryset=Language.objects.order_by("ordering", "code")),
        )
        .order_by("starts_at", "pk")
    )


def _public_visits_matching(filters: PublicFilters) -> QuerySet[Visit]:
    """The visits `public_visits` lists, in no order and with nothing related loaded."""
    queryset = Visit.objects.public().overlapping(
        local_datetime(filters.start, datetime.time()),
        local_datetime(filters.end + datetime.timedelta(days=1), datetime.time()),
    )
    if filters.area is not None:
        queryset = queryset.filter(venue__area=filters.area)
    if filters.venue is not None:
        queryset = queryset.filter(venue=filters.venue)
    if filters.service is not None:
        queryset = queryset.offering(filters.service)
    if filters.language is not None:
        queryset = queryset.in_language(filters.language)
    return queryset


@dataclass(frozen=True)
class VisitPage:
    """Visits in time order, cut at a whole day when there are more than a page holds."""

    visits: list[Visit]
    continues_on: datetime.date | None = None  # the first day left out, when the answer was cut


def visits_page(queryset: QuerySet[Visit], *, limit: int) -> VisitPage:
    """At most `limit` visits of `queryset` (in time order), ending with a whole day.

    Rule: no public answer grows with the data: a page lists whole days up to `limit` visits and
    says from which day to continue. A single day with more visits than that is cut at `limit`,
    and the page continues from the next day.
    """
    rows = list(queryset[: limit + 1])
    if len(rows) <= limit:
        return VisitPage(visits=rows)
    first_left_out = timezone.localtime(rows[limit].starts_at).date()
    whole_days = [v for v in rows[:limit] if timezone.localtime(v.starts_at).date() < first_left_out]
    if whole_days:
        return VisitPage(visits=whole_days, continues_on=first_left_out)
    return VisitPage(visits=rows[:limit], continues_on=first_left_out + datetime.timedelta(days=1))


def public_visit(pk: int) -> Visit | None:
    return (
        Visit.objects.public()
        .select_related("venue__area")
        .prefetch_related("services", "languages", "venue__opening_hours")
        .filter(pk=pk)
        .first()
    )


def upcoming_visits_by_area(
    *, area_ids: set[int], after: datetime.datetime, days: int = COVERAGE_WEEKS * 7, limit: int = 3
) -> dict[int, list[Visit]]:
    """The first `limit` scheduled visits in each area still to come after `after` (ongoing ones
    included) within `days`: where residents of a closed service point still find face-to-face help.

    One query however many areas and visits: the database numbers the visits of each area.
    """
    if not area_ids:
        return {}
    queryset = (
        Visit.objects.public()
        .published()
        .filter(venue__area_id__in=area_ids)
        .overlapping(after, after + datetime.timedelta(days=days))
        .annotate(
            place=Window(RowNumber(), partition_by=F("venue__area_id"), order_by=(F("starts_at").asc(), F("pk").asc()))
        )
        .filter(place__lte=limit)
        .select_related("venue__area")
        .order_by("starts_at", "pk")
    )
    found: dict[int, list[Visit]] = {area_id: [] for area_id in area_ids}
    for visit in queryset:
        found[visit.venue.area_id].append(visit)
    return found


@dataclass(frozen=True)
class VisitCursor:
    """A place in the public visit order (start time, then id): the last visit a page showed."""

    starts_at: datetime.datetime
    pk: int


@dataclass(frozen=True)
class VisitCollectionPage:
    collection: dict
    next_after: VisitCursor | None  # where the next page starts; None on the last page


def visit_collection_page(
    filters: PublicFilters, *, after: VisitCursor | None, limit: int, language: str
) -> VisitCollectionPage:
    """Up to `limit` visits of `public_visits(filters)` that come after `after`, as GeoJSON.

    Rule: no public answer grows with the data. The page is cut by position (keyset), not by
    offset: following the cursors lists every visit exactly once, in order, however deep, and a
    visit added or removed meanwhile does not shift the pages after it.
    """
    queryset = _public_visits_matching(filters).order_by("starts_at", "pk")
    if after is not None:
        queryset = queryset.filter(starts_at__gte=after.starts_at).exclude(starts_at=after.starts_at, pk__lte=after.pk)
    rows = list(queryset.values_list(*_VisitRow._fields)[: limit + 1])
    shown = [_VisitRow(*row) for row in rows[:limit]]
    next_after = VisitCursor(starts_at=shown[-1].starts_at, pk=shown[-1].pk) if len(rows) > limit else None
    with translation.override(language):
        collection = {"type": "FeatureCollection", "features": _visit_features(shown)}
    return VisitCollectionPage(collection=collection, next_after=next_after)


class _VisitRow(NamedTuple):
    """The columns of a visit that its Feature shows."""

    pk: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    venue_id: int
    # From here on, what `Visit.public_status` and `Visit.public_cancel_reason` read.
    state: str
    cancel_reason_code: str
    cancel_reason: str
    cancel_reason_sv: str
    cancel_reason_en: str


_STATE_COLUMNS = _VisitRow._fields[_VisitRow._fields.index("state") :]


def _visit_features(rows: list[_VisitRow]) -> list[dict]:
    """One GeoJSON Feature per visit, in the active language, in three more queries.

    A page is built from plain rows rather than model instances: instances with their venue,
    area and prefetched kinds of help and languages cost more than everything else the API does
    for a page. The model still decides what residents read: a visit's status and reason for
    cancellation (`Visit.public_status`, `Visit.public_cancel_reason`), its link (the
    `visits:detail` URL of `Visit.get_absolute_url`), and what a visit that names no kind of help
    or language offers: general guidance, in Finnish (`Visit.offered_services`, `offered_languages`).
    """
    pks = [row.pk for row in rows]
    services = _codes_by_visit(
        Visit.services.through.objects.filter(visit_id__in=pks)
        .order_by("servicetype__ordering", "servicetype__slug")
        .values_list("visit_id", "servicetype__slug")
    )
    languages = _codes_by_visit(
        Visit.languages.through.objects.filter(visit_id__in=pks)
        .order_by("language__ordering", "language__code")
        .values_list("visit_id", "language_id")
    )
    venues = {
        pk: (
            {"type": "Point", "coordinates": [longitude, latitude]},
            {"id": pk, "name": name, "address": f"{street_address}, {city}"},
            area,
        )
        # In the active language, with modeltranslation's fallbacks, as `Venue.name` reads.
        for pk, name, street_address, city, longitude, latitude, area in Venue.objects.filter(
            pk__in={row.venue_id for row in rows}
        ).values_list("pk", "name", "street_address", "city", "longitude", "latitude", "area__slug")
    }
    moment = _local_isoformat()
    url_head, url_tail = _pk_url("visits:detail")
    default_services, default_languages = [DEFAULT_SERVICE[0]], [DEFAULT_LANGUAGE[0]]
    public_state: dict[tuple, tuple[str, str | None]] = {}
    features = []
    for row in rows:
        # Visits with the same state and texts read the same: each combination is put to the model once.
        stated = row[-len(_STATE_COLUMNS) :]
        if stated not in public_state:
            visit = Visit(**dict(zip(_STATE_COLUMNS, stated, strict=True)))
            public_state[stated] = (visit.public_status, visit.public_cancel_reason if visit.is_cancelled else None)
        status, cancel_reason = public_state[stated]
        geometry, venue, area = venues[row.venue_id]
        features.append(
            {
                "type": "Feature",
                "geometry": geometry,
                "properties": {
                    "id": row.pk,
                    "starts_at": moment(row.starts_at),
                    "ends_at": moment(row.ends_at),
                    "status": status,
                    "cancel_reason": cancel_reason,
                    "venue": venue,
                    "area": area,
                    "services": services.get(row.pk, default_services),
                    "languages": languages.get(row.pk, default_languages),
                    "url": f"{url_head}{row.pk}{url_tail}",
                },
            }
        )
    return features


def _codes_by_visit(links: QuerySet) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for visit_id, code in links:
        found.setdefault(visit_id, []).append(code)
    return found


def _local_isoformat() -> Callable[[datetime.datetime], str]:
    """ISO 8601 in the current time zone with its offset, as `timezone.localtime(...).isoformat()`,
    the zone looked up once and each moment converted once (visits share their hours)."""
    zone = timezone.get_current_timezone()
    written: dict[datetime.datetime, str] = {}

    def moment(value: datetime.datetime) -> str:
        if value not in written:
            written[value] = value.astimezone(zone).isoformat()
        return written[value]

    return moment


def _pk_url(viewname: str) -> tuple[str, str]:
    """What comes before and after the pk in the path of `viewname`, in the active language: the
    URL is reversed once per page rather than once per visit."""
    marker = "987654321"  # not a language code nor a path segment of ours
    head, tail = reverse(viewname, kwargs={"pk": int(marker)}).split(marker)
    return head, tail


# Staff calendar ------------------------------------------------------------------------------


def staff_visit(*, pk: int) -> Visit | None:
    return visits_with_details(Visit.objects.filter(pk=pk)).select_related("series__venue").first()


@dataclass(frozen=True)
class HistoryChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime.datetime
    user: object
    kind: str
    changes: list[HistoryChange]


def _history_value(name: str, value: object, venues: dict[int, Venue]) -> str:
    if value is None or value == "":
        return "–"
    if name == "venue":
        return str(venues.get(value, value))
    if choices := Visit._meta.get_field(name).flatchoices:
        # State and reason for cancellation read as their labels, in the staff member's language.
        return str(dict(choices).get(value, value))
    if isinstance(value, datetime.datetime):
        return format_moment(value)
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return str(value)


def visit_history(*, visit: Visit) -> list[HistoryEntry]:
    """Who changed the visit, when and what, newest first (django-simple-history)."""
    records = list(visit.history.select_related("history_user").order_by("history_date", "history_id"))
    venues = Venue.objects.in_bulk({record.venue_id for record in records})
    order = {f.name: i for i, f in enumerate(Visit._meta.get_fields())}
    entries = []
    previous = None
    for record in records:
        changes = []
        if previous is not None:
            delta = record.diff_against(previous)
            for change in sorted(delta.changes, key=lambda c: order.get(c.field, len(order))):
                changes.append(
                    HistoryChange(
                        label=str(Visit._meta.get_field(change.field).verbose_name),
                        old=_history_value(change.field, change.old, venues),
                        new=_history_value(change.field, change.new, venues),
                    )
                )
        entries.append(
            HistoryEntry(at=record.history_date, user=record.history_user, kind=record.history_type, changes=changes)
        )
        previous = record
    label = str(Visit._meta.get_field("advisors").verbose_name)
    for record in VisitAdvisor.history.filter(visit_id=visit.pk).select_related("history_user", "advisor__user"):
        if record.history_type not in ("+", "-"):
            continue
        name = str(record.advisor)
        old, new = ("–", name) if record.history_type == "+" else (name, "–")
        entries.append(
            HistoryEntry(
                at=record.history_date,
                user=record.history_user,
                kind="~",
                changes=[HistoryChange(label=label, old=old, new=new)],
            )
        )
    entries.sort(key=lambda entry: entry.at)
    return entries[::-1]


def staff_series(*, pk: int) -> VisitSeries | None:
    return (
        VisitSeries.objects.filter(pk=pk)
        .select_related("venue__area")
        .prefetch_related(Prefetch("advisors", queryset=Advisor.objects.select_related("user")), "skips")
        .first()
    )


def series_visits(*, series: VisitSeries) -> list[Visit]:
    return list(visits_with_details(series.visits.all()).order_by("starts_at", "pk"))


def series_overview() -> QuerySet[VisitSeries]:
    """Every series with its venue and how many of its visits are still to come."""
    return (
        VisitSeries.objects.select_related("venue__area")
        .annotate(
            coming=Count("visits", filter=Q(visits__in=Visit.objects.upcoming().not_cancelled())),
            drafts=Count("visits", filter=Q(visits__in=Visit.objects.publishable())),
        )
        .order_by("-starts_on", "pk")
    )


# Planning aids ------------------------------------------------------------------------------


@dataclass(frozen=True)
class UsualOffer:
    services: list[ServiceType]
    languages: list[Language]


USUAL_FROM_VISITS = 20


def usual_offer(*, venue: Venue, advisors: list[Advisor]) -> UsualOffer:
    """The kinds of help usually given at `venue` (in its latest visits) and the languages the
    advisors speak (else those usual at the venue): what a new series starts from."""
    latest = list(
        Visit.objects.filter(venue=venue)
        .not_cancelled()
        .order_by("-starts_at")
        .values_list("pk", flat=True)[:USUAL_FROM_VISITS]
    )
    services = list(ServiceType.objects.filter(visits__in=latest).distinct().order_by("ordering", "slug"))
    languages = list(
        Language.objects.filter(advisors__in=advisors).distinct().order_by("ordering", "code")
        if advisors
        else Language.objects.none()
    ) or list(Language.objects.filter(visits__in=latest).distinct().order_by("ordering", "code"))
    return UsualOffer(services=services, languages=languages)


def series_rule_words(plan: "SeriesPlan") -> str:
    """The plan's rule as words in the active language, e.g. every other Wednesday 10.00–14.00."""
    return rule_in_words(rule=plan.rrule, starts_on=plan.starts_on, start_time=plan.start_time, end_time=plan.end_time)


def staff_copy(*, pk: int) -> VisitCopy | None:
    return VisitCopy.objects.select_related("created_by").filter(pk=pk).first()


def copy_visits(*, copy: VisitCopy) -> list[Visit]:
    return list(visits_with_details(copy.visits.all()).order_by("starts_at", "pk"))


def visits_meeting_closures(*, venue: Venue) -> list[Visit]:
    """The venue's coming visits, not cancelled, that fall on a day it is closed or outside its
    hours that day: what a scheduler must move or cancel after the venue's hours change."""
    coming = visits_with_details(Visit.objects.upcoming().not_cancelled().filter(venue=venue))
    return [visit for visit in coming.order_by("starts_at", "pk") if visit.closure]


def staff_venues() -> QuerySet[Venue]:
    return Venue.objects.select_related("area").order_by("area__ordering", "name")


def staff_venue(*, pk: int) -> Venue | None:
    return Venue.objects.select_related("area").prefetch_related("opening_hours").filter(pk=pk).first()


def venue_coming_exceptions(*, venue: Venue) -> list[VenueException]:
    return list(venue.exceptions.filter(end_date__gte=timezone.localdate()).order_by("start_date"))


# Advisors' own calendar feeds ------------------------------------------------------------------

ADVISOR_FEED_DAYS = 366  # the feed reaches a year back and a year ahead
FEED_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,64}")


def advisor_by_feed_token(*, token: str) -> Advisor | None:
    """The active advisor whose feed address carries `token`, else None (a forged or revoked one).

    The row is found through the unique index on the token, never by comparing secrets in Python.
    Anything that is not a token's shape (URL-safe base64, as `secrets.token_urlsafe` makes) is
    refused before the query: PostgreSQL would raise on a NUL character.
    """
    if not FEED_TOKEN_SHAPE.fullmatch(token):
        return None
    return Advisor.objects.select_related("user").filter(feed_token=token, active=True, user__is_active=True).first()


def advisor_feed_visits(*, advisor: Advisor) -> list[Visit]:
    """The advisor's visits from a year back to a year ahead, drafts and cancelled ones included."""
    now = timezone.now()
    span = datetime.timedelta(days=ADVISOR_FEED_DAYS)
    queryset = Visit.objects.filter(advisors=advisor, starts_at__gte=now - span, starts_at__lt=now + span)
    return list(visits_with_details(queryset.distinct()).order_by("starts_at", "pk"))


# A venue's page for residents -------------------------------------------------------------------


def public_venue(pk: int, *, since: datetime.date) -> Venue | None:
    """The active venue `pk` with its area, weekly hours and the exceptions that end on or after
    `since` (older ones are never shown), else None: an unknown or inactive venue has no page."""
    return (
        Venue.objects.filter(pk=pk, active=True)
        .select_related("area")
        .prefetch_related(
            "opening_hours",
            Prefetch("exceptions", queryset=VenueException.objects.filter(end_date__gte=since).order_by("start_date")),
        )
        .first()
    )


def venue_week(*, venue: Venue, start: datetime.date) -> list[DayHours]:
    """Seven days of the venue's hours from the Monday of the week that holds `start`; a dated
    exception wins over the weekly hours (`Venue.hours_on`)."""
    monday = start - datetime.timedelta(days=start.weekday())
    return [venue.hours_on(monday + datetime.timedelta(days=n)) for n in range(7)]


def venue_coming_closures(*, venue: Venue, today: datetime.date, limit: int = 5) -> list[VenueException]:
    """The next `limit` exceptions (closed days and other hours) not over by `today`, soonest first.
    Read from the exceptions `public_venue` fetched: no query."""
    coming = sorted((e for e in venue.exceptions.all() if e.end_date >= today), key=lambda e: (e.start_date, e.pk))
    return coming[:limit]


def venue_coming_visits(*, venue: Venue, start: datetime.date, end: datetime.date, limit: int) -> VisitPage:
    """The venue's published and cancelled visits not yet over, within the local days `start`..`end`,
    cut at a whole day after `limit` visits (`visits_page`)."""
    return visits_page(public_visits(PublicFilters(start=start, end=end, venue=venue)).upcoming(), limit=limit)


def venue_visit_patterns(*, venue: Venue) -> list[str]:
    """How the mobile service usually comes to the venue, as words in the active language ("every
    Tuesday 10.00–14.00"): one phrase per series with a published visit still to come, each once.

    Only what residents can rely on: a series whose coming visits are drafts or cancelled says
    nothing, and a rule that cannot be put in words is left out rather than shown raw.
    """
    coming = Visit.objects.public().published().upcoming().filter(series=OuterRef("pk"))
    series = VisitSeries.objects.filter(venue=venue).filter(Exists(coming)).order_by("start_time", "starts_on", "pk")
    phrases: list[str] = []
    for plan in series:
        try:
            words = rule_in_words(
                rule=plan.rrule,
                starts_on=plan.starts_on,
                start_time=plan.start_time,
                end_time=plan.end_time,
                with_end=False,
            )
        except ValidationError:
            continue
        if words not in phrases:
            phrases.append(words)
    return phrases


# Place search without a geocoder ----------------------------------------------------------------

PLACE_SEARCH_MAX_LENGTH = 200
PLACE_SEARCH_MIN_LENGTH = 2
_MARKUP = re.compile(r"<[^>]*>")
_NOT_A_WORD = re.compile(r"[\W_]+")
_SEARCH_LANGUAGES = ("fi", "sv", "en")


def place_search_text(text: str) -> str:
    """`text` as the place search compares it: markup dropped, case folded, diacritics removed
    ("Leppävaarankatu" and "leppavaarankatu" are one word), punctuation and spaces one space."""
    decomposed = unicodedata.normalize("NFKD", _MARKUP.sub(" ", text).casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NOT_A_WORD.sub(" ", bare).strip()


def _match_score(query: str, known: str) -> int:
    """How well the folded `query` matches the folded `known` text: 4 the whole text, 3 its
    beginning, 2 the beginning of a word in it, 1 every word typed begins a word in it, 0 none."""
    if not known:
        return 0
    if known == query:
        return 4
    if known.startswith(query):
        return 3
    if f" {query}" in f" {known}":
        return 2
    words = known.split()
    return 1 if all(any(word.startswith(term) for word in words) for term in query.split()) else 0


@dataclass(frozen=True)
class PlaceMatch:
    """A known place that a resident's text matched: where distances count from (labelled in the
    language asked), what kind of thing it matched and the text it matched, as written."""

    place: Place
    kind: str  # "name", "address", "postal_code" or "area"
    matched: str
    score: int


def _in_language(row: dict, name: str, language: str) -> str:
    return row.get(f"{name}_{language}") or row.get(f"{name}_fi") or ""


def _known_places(language: str) -> list[tuple[str, str, str, float, float]]:
    """Every text a place can be found by: (kind, text as written, label, latitude, longitude).

    Venues still in use and service points by name, street address (with and without postal code
    and city) in fi/sv/en; postal codes at the middle of the places known there; areas by name.
    """
    fields = ["postal_code", "latitude", "longitude"] + [
        f"{name}_{code}" for name in ("name", "street_address", "city") for code in _SEARCH_LANGUAGES
    ]
    places = [
        *Venue.objects.filter(active=True).order_by("pk").values(*fields),
        *ServicePoint.objects.order_by("pk").values(*fields),
    ]
    known: list[tuple[str, str, str, float, float]] = []
    postal: dict[str, list[tuple[float, float, str]]] = {}
    for row in places:
        position = (row["latitude"], row["longitude"])
        name = _in_language(row, "name", language)
        street = _in_language(row, "street_address", language)
        for code in _SEARCH_LANGUAGES:
            if row[f"name_{code}"]:
                known.append(("name", row[f"name_{code}"], name, *position))
            if row[f"street_address_{code}"]:
                label = f"{street} ({name})"
                written = row[f"street_address_{code}"]
                city = row[f"city_{code}"] or row["city_fi"]
                known.append(("address", written, label, *position))
                known.append(("address", f"{written}, {row['postal_code']} {city}".strip(), label, *position))
        if row["postal_code"]:
            postal.setdefault(row["postal_code"], []).append((*position, _in_language(row, "city", language)))
    for code, positions in sorted(postal.items()):
        latitude = sum(p[0] for p in positions) / len(positions)
        longitude = sum(p[1] for p in positions) / len(positions)
        known.append(("postal_code", code, f"{code} {positions[0][2]}".strip(), latitude, longitude))
    for row in Area.objects.order_by("pk").values(
        *(f"name_{code}" for code in _SEARCH_LANGUAGES), "latitude", "longitude"
    ):
        for code in _SEARCH_LANGUAGES:
            if row[f"name_{code}"]:
                known.append(
                    (
                        "area",
                        row[f"name_{code}"],
                        _in_language(row, "name", language),
                        row["latitude"],
                        row["longitude"],
                    )
                )
    return known


_KIND_ORDER = {"name": 0, "area": 1, "address": 2, "postal_code": 3}


def place_search(text: str, *, language: str, limit: int = 5) -> list[PlaceMatch]:
    """The known places `text` names, best first: venue and service point names, street
    addresses and postal codes of known places, and area names, in Finnish, Swedish and English,
    whatever the case and with or without diacritics ("lippulaiva", "Esbo centrum", "02230").

    Works without a geocoder: what the app knows is all it searches. Empty when the text is blank,
    longer than PLACE_SEARCH_MAX_LENGTH, has no letters or digits (only punctuation or markup),
    or matches nothing. A whole match wins over the beginning of a name, that over a word in it;
    then names over areas over addresses over postal codes, and the shorter text.
    """
    text = text.strip()
    if len(text) > PLACE_SEARCH_MAX_LENGTH:
        return []
    query = place_search_text(text)
    if len(query) < PLACE_SEARCH_MIN_LENGTH:
        return []
    found: dict[tuple[str, float, float], PlaceMatch] = {}
    ranked = []
    for kind, written, label, latitude, longitude in _known_places(language):
        score = _match_score(query, place_search_text(written))
        if score:
            ranked.append((-score, _KIND_ORDER[kind], len(written), label, kind, written, latitude, longitude))
    for minus_score, _order, _length, label, kind, written, latitude, longitude in sorted(ranked):
        key = (label, latitude, longitude)
        if key not in found:
            found[key] = PlaceMatch(
                place=Place(label=label, latitude=latitude, longitude=longitude),
                kind=kind,
                matched=written,
                score=-minus_score,
            )
        if len(found) == limit:
            break
    return list(found.values())


ALTERNATIVE_WEEKS = 4


@dataclass(frozen=True)
class VisitAlternatives:
    """Where a resident's filters would find coming visits when they find none: the same filters
    in the weeks after the range, without the area, without the language, without the kind of
    help. A count is None when it does not apply (that filter was not chosen)."""

    later: PublicFilters
    later_count: int
    other_areas: int | None = None
    other_languages: int | None = None
    other_services: int | None = None

    @property
    def any(self) -> bool:
        return any(count for count in (self.later_count, self.other_areas, self.other_languages, self.other_services))


def visit_alternatives(*, filters: PublicFilters, weeks: int = ALTERNATIVE_WEEKS) -> VisitAlternatives:
    """Counts of coming visits near the resident's empty filters, in at most four queries: the
    same filters in the `weeks` after the range, and the range with one filter (area, language,
    kind of help) left out. Only visits still to come count, as on the map page."""

    def count(changed: PublicFilters) -> int:
        return public_visits(changed).upcoming().count()

    later = replace(
        filters, start=filters.end + datetime.timedelta(days=1), end=filters.end + datetime.timedelta(weeks=weeks)
    )
    return VisitAlternatives(
        later=later,
        later_count=count(later),
        other_areas=count(replace(filters, area=None)) if filters.area else None,
        other_languages=count(replace(filters, language=None)) if filters.language else None,
        other_services=count(replace(filters, service=None)) if filters.service else None,
    )


# Whom advisors helped ----------------------------------------------------------------------------


def advisor_recording_visits(*, advisor: Advisor, today: datetime.date) -> list[Visit]:
    """The advisor's published and cancelled visits that started today or in the
    `RECORD_CORRECTION_DAYS` days before (those whose figures they may still record or correct),
    newest first, with their records and bookings, in a fixed number of queries."""
    since = local_datetime(today - datetime.timedelta(days=RECORD_CORRECTION_DAYS), datetime.time())
    until = local_datetime(today + datetime.timedelta(days=1), datetime.time())
    queryset = (
        Visit.objects.filter(assignments__advisor=advisor, starts_at__gte=since, starts_at__lt=until)
        .exclude(state=State.DRAFT)
        .select_related("venue", "record")
        .prefetch_related("assignments")
    )
    return list(queryset.order_by("-starts_at", "-pk"))


def visit_record(*, visit: Visit) -> VisitRecord | None:
    """The visit's record with its contacts, their kinds of help and languages; None if not recorded."""
    return (
        VisitRecord.objects.filter(visit=visit)
        .select_related("recorded_by")
        .prefetch_related(
            Prefetch("contacts", queryset=Contact.objects.select_related("language")), "contacts__services"
        )
        .first()
    )


@dataclass(frozen=True)
class ContactLine:
    """One contact as staff read it: kinds of help, language and the age group if noted."""

    services: list[str]
    language: str
    age_group: str


@dataclass(frozen=True)
class RecordVersion:
    """A visit's figures as one save left them: who saved, when, and what they were then."""

    at: datetime.datetime
    user: object
    people_helped: int
    contacts: list[ContactLine]

    @property
    def nobody_came(self) -> bool:
        return self.people_helped == 0


def record_history(*, record: VisitRecord) -> list[RecordVersion]:
    """Every version of the visit's figures, newest first, in a fixed number of queries.

    `visit_record_save` writes the record's row and all its contacts with one history date, so
    the contacts of a version are the contact history rows of that date (the last row of each
    contact: its services are set after it is created).
    """
    versions = list(record.history.select_related("history_user").order_by("history_date", "history_id"))
    rows = list(
        Contact.history.filter(record_id=record.pk).exclude(history_type="-").order_by("history_date", "history_id")
    )
    # The services each contact row had, from simple_history's table of the M2M's past rows.
    links: dict[int, list[int]] = {}
    for history_id, service_id in Contact.history.model.services.model.objects.filter(
        history_id__in=[row.history_id for row in rows]
    ).values_list("history_id", "servicetype_id"):
        links.setdefault(history_id, []).append(service_id)
    service_names = dict(ServiceType.objects.values_list("pk", "name"))
    language_names = {language.pk: language.name for language in Language.objects.all()}
    age_groups = dict(AgeGroup.choices)
    by_date: dict[datetime.datetime, dict[int, ContactLine]] = {}
    for row in rows:
        by_date.setdefault(row.history_date, {})[row.id] = ContactLine(
            services=sorted((service_names.get(pk, "–") for pk in links.get(row.history_id, [])), key=str.casefold),
            language=language_names.get(row.language_id, "–"),
            age_group=str(age_groups.get(row.age_group, "")),
        )
    return [
        RecordVersion(
            at=version.history_date,
            user=version.history_user,
            people_helped=version.people_helped,
            contacts=list(by_date.get(version.history_date, {}).values()),
        )
        for version in reversed(versions)
    ]
