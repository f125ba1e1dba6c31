"""Read-only JSON API for the service point network."""

import datetime
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from ninja import Field, Query, Router, Schema

from common.api import (
    ISO_DATE_PATTERN,
    Language,
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
from servicepoints.models import Announcement
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


class AnnouncementOut(Schema):
    id: int = Field(..., ge=1)
    title: str = Field(..., description="In the language asked, else in Finnish")
    text: str = Field(..., description="In the language asked, else in Finnish")
    starts_on: datetime.date = Field(..., description="First day the announcement is in force")
    ends_on: datetime.date = Field(..., description="Last day it is in force, inclusive")


class AnnouncementQuery(Schema):
    lang: Language = Field("fi", description="Language of the titles and texts")


@router.get(
    "/announcements",
    response=responses(list[AnnouncementOut]),
    summary="Announcements in force today",
    tags=["announcements"],
)
def announcements(request: HttpRequest, response: HttpResponse, filters: Query[AnnouncementQuery]) -> list[dict]:
    """Closures, holiday breaks and other notices in force today (Europe/Helsinki), newest first,
    as the banner of the public pages shows them."""
    reject_repeated_parameters(request)
    public_cache(response)
    with translation.override(filters.lang):
        return [
            {
                "id": announcement.pk,
                "title": announcement.local_title.text,
                "text": announcement.local_text.text,
                "starts_on": announcement.starts_on,
                "ends_on": announcement.ends_on,
            }
            for announcement in Announcement.objects.in_force(local_today())
        ]
