"""Reads of the service point network."""

import datetime
from dataclasses import dataclass
from urllib.parse import quote

from django.db.models import Prefetch, QuerySet
from django.utils import timezone, translation

from servicepoints.models import DayHours, OpeningHours, OpeningHoursException, ServicePoint, ServiceType, hours_on


@dataclass(frozen=True)
class Alternative:
    service_point: ServicePoint
    distance_m: float
    recommended: bool


def _service_points_in_order() -> QuerySet[ServicePoint]:
    """Every service point with its area and kinds of help, by area and then name (in the active language)."""
    return (
        ServicePoint.objects.select_related("area")
        .prefetch_related(Prefetch("services", queryset=ServiceType.objects.order_by("ordering", "slug")))
        .order_by("area__ordering", "name")
    )


def service_points_with_details() -> "list[ServicePoint]":
    """All service points with what their pages and map need, in a fixed number of queries."""
    return list(
        _service_points_in_order().prefetch_related(
            Prefetch("opening_hours", queryset=OpeningHours.objects.order_by("weekday", "opens")),
            Prefetch("exceptions", queryset=OpeningHoursException.objects.order_by("start_date", "opens")),
            "alternatives",
        )
    )


def service_point_hours_on(*, service_point: ServicePoint, day: datetime.date) -> DayHours:
    """The hours on `day`: none outside the point's service dates, else as `hours_on` reads them."""
    if not service_point.status_on(day).serving:
        return DayHours(day=day)
    return hours_on(day, weekly=service_point.opening_hours.all(), exceptions=service_point.exceptions.all())


def service_point_week(*, service_point: ServicePoint, start: datetime.date) -> list[DayHours]:
    """Seven days of hours from the Monday of the week that holds `start`."""
    monday = start - datetime.timedelta(days=start.weekday())
    return [
        service_point_hours_on(service_point=service_point, day=monday + datetime.timedelta(days=i)) for i in range(7)
    ]


def service_point_alternatives(
    *, service_point: ServicePoint, on: datetime.date, candidates: list[ServicePoint], limit: int = 3
) -> list[Alternative]:
    """The nearest points still serving on `on`, nearest first; listed alternatives are marked."""
    recommended = {p.pk for p in service_point.alternatives.all()}
    found = [
        Alternative(
            service_point=other,
            distance_m=service_point.distance_m(other.latitude, other.longitude),
            recommended=other.pk in recommended,
        )
        for other in candidates
        if other.pk != service_point.pk and other.status_on(on).serving
    ]
    found.sort(key=lambda a: a.distance_m)
    return found[:limit]


def nearest_serving_point(
    *, latitude: float, longitude: float, on: datetime.date, kind: str = ServicePoint.Kind.FIXED
) -> Alternative | None:
    """The point of `kind` serving residents on `on` nearest to the position, or None."""
    found = [
        Alternative(service_point=point, distance_m=point.distance_m(latitude, longitude), recommended=False)
        for point in ServicePoint.objects.filter(kind=kind).operating_on(on).select_related("area")
        if point.status_on(on).serving
    ]
    return min(found, key=lambda alternative: alternative.distance_m, default=None)


def service_point_feature(*, service_point: ServicePoint, on: datetime.date) -> dict:
    """One GeoJSON Feature in the active language, as the API and the map page share it."""
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [service_point.longitude, service_point.latitude]},
        "properties": {
            "id": service_point.pk,
            "slug": service_point.slug,
            "name": service_point.name,
            "kind": service_point.kind,
            "status": service_point.status_on(on),
            "opens_on": service_point.opens_on.isoformat() if service_point.opens_on else None,
            "closes_on": service_point.closes_on.isoformat() if service_point.closes_on else None,
            "address": service_point.street_address,
            "postal_code": service_point.postal_code,
            "city": service_point.city,
            "area": service_point.area.slug,
            "services": [s.slug for s in service_point.services.all()],
            "url": service_point.get_absolute_url(),
        },
    }


def service_point_collection(*, on: datetime.date, language: str) -> dict:
    """Every service point as a GeoJSON Feature in `language`, in two queries: a Feature needs
    neither the hours nor the alternatives that pages load with `service_points_with_details`."""
    with translation.override(language):
        return {
            "type": "FeatureCollection",
            "features": [service_point_feature(service_point=p, on=on) for p in _service_points_in_order()],
        }


def journey_planner_url(*, base_url: str, name: str, latitude: float, longitude: float, language: str) -> str:
    """A link to the HSL journey planner with this place as the destination, origin left to the user."""
    destination = quote(f"{name}::{latitude:.6f},{longitude:.6f}", safe="")
    return f"{base_url.rstrip('/')}/reitti/-/{destination}?locale={language}"


@dataclass(frozen=True)
class OpeningNow:
    """Whether a point is open at a moment: until when if it is, else when it next opens."""

    is_open: bool
    open_today: bool
    until: datetime.time | None = None
    opens_at: datetime.datetime | None = None


def service_point_now(*, service_point: ServicePoint, now: datetime.datetime, days_ahead: int = 14) -> OpeningNow:
    """The point's hours at `now` (dated exceptions winning), and its next opening within `days_ahead`."""
    local = timezone.localtime(now)
    today, moment = local.date(), local.time()
    periods = service_point_hours_on(service_point=service_point, day=today).periods
    for opens, closes in periods:
        if opens <= moment < closes:
            return OpeningNow(is_open=True, open_today=True, until=closes)
    for offset in range(days_ahead + 1):
        day = today + datetime.timedelta(days=offset)
        for opens, _closes in service_point_hours_on(service_point=service_point, day=day).periods:
            if offset or opens > moment:
                opens_at = datetime.datetime.combine(day, opens, tzinfo=local.tzinfo)
                return OpeningNow(is_open=False, open_today=bool(periods), opens_at=opens_at)
    return OpeningNow(is_open=False, open_today=bool(periods))
