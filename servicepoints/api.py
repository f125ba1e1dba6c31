"""Read-only JSON API for the service point network."""

import datetime
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from servicepoints.http import public_cache
from servicepoints.selectors import local_today, service_point_collection

Language = Literal["fi", "sv", "en"]

router = Router(tags=["service points"])


def repeated_parameter_error(request: HttpRequest) -> str | None:
    """A parameter given twice is ambiguous; refuse it rather than guess which one counts."""
    for name, values in request.GET.lists():
        if len(values) > 1:
            return f"The parameter '{name}' was given {len(values)} times; give it once."
    return None


def reject_repeated_parameters(request: HttpRequest) -> None:
    if message := repeated_parameter_error(request):
        raise HttpError(400, message)


class PointGeometry(Schema):
    type: Literal["Point"]
    coordinates: list[float] = Field(..., description="[longitude, latitude] in WGS84")


class ServicePointProperties(Schema):
    id: int
    slug: str
    name: str
    kind: Literal["fixed", "small"]
    status: Literal["planned", "open", "closing", "closed"]
    opens_on: datetime.date | None
    closes_on: datetime.date | None = Field(..., description="Last day of service")
    address: str
    postal_code: str
    city: str
    area: str = Field(..., description="Slug of the area")
    services: list[str] = Field(..., description="Slugs of the kinds of help")
    url: str


class ServicePointFeature(Schema):
    type: Literal["Feature"]
    geometry: PointGeometry
    properties: ServicePointProperties


class ServicePointCollection(Schema):
    type: Literal["FeatureCollection"]
    features: list[ServicePointFeature]


ISO_DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"


def parse_iso_date(name: str, value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise HttpError(400, f"'{name}' is not a real date: {value!r} (use YYYY-MM-DD).") from None


class ServicePointFilters(Schema):
    on: str | None = Field(
        None, pattern=ISO_DATE_PATTERN, description="Date the status is given for (YYYY-MM-DD); default today"
    )
    lang: Language = Field("fi", description="Language of names and addresses")


@router.get("/service-points", response=ServicePointCollection, summary="Service points as GeoJSON")
def service_points(request: HttpRequest, response: HttpResponse, filters: Query[ServicePointFilters]) -> dict:
    reject_repeated_parameters(request)
    public_cache(response)
    on = parse_iso_date("on", filters.on) if filters.on else local_today()
    return service_point_collection(on=on, language=filters.lang)
