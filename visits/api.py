"""Read-only JSON API for the mobile service."""

from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from common.api import LanguageQuery, PointGeometry, form_query_schema, reject_repeated_parameters
from common.dates import local_today
from common.http import public_cache
from visits.public.forms import MAX_RANGE_DAYS, VisitFilterForm
from visits.selectors import COVERAGE_WEEKS, area_coverage, visit_collection

router = Router()


class AreaOut(Schema):
    slug: str
    name: str
    open_service_points: int = Field(..., description="Service points open today")
    closing_service_points: int = Field(..., description=f"Open points that close within {COVERAGE_WEEKS} weeks")
    published_visits: int = Field(..., description=f"Published visits in the next {COVERAGE_WEEKS} weeks")
    uncovered: bool = Field(..., description="Neither an open service point nor a published visit")
    losing_last_point: bool = Field(..., description="Every open point in the area closes within the weeks")


@router.get("/areas", response=list[AreaOut], summary="Areas and their face-to-face coverage", tags=["areas"])
def areas(request: HttpRequest, response: HttpResponse, filters: Query[LanguageQuery]) -> list[dict]:
    reject_repeated_parameters(request)
    public_cache(response)
    with translation.override(filters.lang):
        return [
            {
                "slug": c.area.slug,
                "name": c.area.name,
                "open_service_points": len(c.open_points),
                "closing_service_points": len(c.closing_points),
                "published_visits": c.published_visits,
                "uncovered": c.uncovered,
                "losing_last_point": c.losing_last_point,
            }
            for c in area_coverage(today=local_today())
        ]


# The visit list's own form validates these parameters; the schema is built from it.
VisitQuery = form_query_schema(
    "VisitQuery",
    VisitFilterForm,
    fields={
        "start": "First day (Europe/Helsinki)",
        "end": f"Last day, inclusive; at most {MAX_RANGE_DAYS} days from start",
        "area": "Area slug",
        "service": "Kind of help slug",
        "language": "Language code the advice is given in, e.g. sv",
        "venue": "Venue id",
    },
    required=("start", "end"),
    base=LanguageQuery,
)


class VenueRef(Schema):
    id: int
    name: str
    address: str


class VisitProperties(Schema):
    id: int
    starts_at: str = Field(..., description="ISO 8601 with offset")
    ends_at: str = Field(..., description="ISO 8601 with offset")
    status: Literal["scheduled", "cancelled"]
    cancel_reason: str | None
    venue: VenueRef
    area: str
    services: list[str]
    languages: list[str]
    url: str


class VisitFeature(Schema):
    type: Literal["Feature"]
    geometry: PointGeometry
    properties: VisitProperties


class VisitCollection(Schema):
    type: Literal["FeatureCollection"]
    features: list[VisitFeature]


@router.get("/visits", response=VisitCollection, summary="Published and cancelled visits as GeoJSON", tags=["visits"])
def visits(request: HttpRequest, response: HttpResponse, query: Query[VisitQuery]) -> dict:
    """Visits whose time overlaps the range. Cancelled visits are included with their reason."""
    form = VisitFilterForm(request.GET, require_range=True)
    with translation.override("en"):
        if not form.is_valid():
            raise HttpError(400, form.error_text())
    public_cache(response)
    return visit_collection(form.filters(), language=query.lang)
