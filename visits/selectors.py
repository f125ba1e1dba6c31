"""Reads of the mobile service's plan."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from servicepoints.models import Area, ServicePoint
from servicepoints.selectors import OPERATING_STATUSES
from visits.models import Advisor, State, Venue, Visit
from visits.recurrence import local_datetime

COVERAGE_WEEKS = 4


def visits_with_details(queryset: QuerySet[Visit] | None = None) -> QuerySet[Visit]:
    """Visits with everything a calendar, page or feed shows, in a fixed number of queries."""
    return (
        (queryset if queryset is not None else Visit.objects.all())
        .select_related("venue__area", "series")
        .prefetch_related(
            Prefetch("advisors", queryset=Advisor.objects.select_related("user")), "services", "languages"
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


def area_coverage(*, today: datetime.date, weeks: int = COVERAGE_WEEKS) -> list[AreaCoverage]:
    """For each area: service points open today, those that close within `weeks`, and the
    published visits in the same weeks."""
    horizon = today + datetime.timedelta(weeks=weeks)
    window_start = local_datetime(today, datetime.time())
    window_end = local_datetime(horizon, datetime.time())
    areas = Area.objects.annotate(
        published_visits=Count(
            "venues__visits",
            filter=Q(
                venues__visits__state=State.PUBLISHED,
                venues__visits__starts_at__lt=window_end,
                venues__visits__ends_at__gt=window_start,
            ),
        )
    ).prefetch_related("service_points")
    result = []
    for area in areas:
        open_points = [p for p in area.service_points.all() if p.status_on(today) in OPERATING_STATUSES]
        closing = [p for p in open_points if p.closes_on is not None and p.closes_on < horizon]
        result.append(
            AreaCoverage(
                area=area, open_points=open_points, closing_points=closing, published_visits=area.published_visits
            )
        )
    return result
