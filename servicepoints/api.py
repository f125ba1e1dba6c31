"""Read-only JSON API for the service point network."""

import datetime
from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from common.api import (
    ISO_DATE_PATTERN,
    LanguageQuery,
    PointGeometry,
    date_description,
    date_schema,
    parse_iso_date,
    prepared_response,
    reject_repeated_parameters,
    responses,
)
from common.dates import local_today
from common.http import public_cache
from servicepoints.selectors import service_point_collection

router = Router(tags=["service points"])


class ServicePointProperties(Schema):
    id: int = Field(..., ge=1)
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


class ServicePointFilters(LanguageQuery):
    # The range is checked by parse_iso_date (IsoDateField's rules), whose message names the limit.
    on: str | None = Field(
        None,
        pattern=ISO_DATE_PATTERN,
        description=date_description("Date the status is given for; default today"),
        json_schema_extra=date_schema(examples=["2026-12-01"]),
    )


@router.get("/service-points", response=responses(ServicePointCollection), summary="Service points as GeoJSON")
def service_points(request: HttpRequest, response: HttpResponse, filters: Query[ServicePointFilters]) -> HttpResponse:
    reject_repeated_parameters(request)
    public_cache(response)
    on = parse_iso_date("on", filters.on) if filters.on is not None else local_today()
    return prepared_response(request, response, service_point_collection(on=on, language=filters.lang))
