"""Read-only JSON API for the mobile service."""

import datetime
import re
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from common.api import (
    LanguageQuery,
    PointGeometry,
    form_query_schema,
    prepared_response,
    reject_repeated_parameters,
    responses,
)
from common.http import public_cache
from visits.public.forms import MAX_RANGE_DAYS, CoverageForm, VisitFilterForm
from visits.selectors import COVERAGE_WEEKS, VisitCursor, area_coverage, visit_collection_page

router = Router()


class AreaOut(Schema):
    slug: str
    name: str
    open_service_points: int = Field(..., description="Service points open on the first day")
    closing_service_points: int = Field(..., description="Of those, the ones whose last day falls in the period")
    published_visits: int = Field(
        ..., description="Published visits in the period, leaving out those whose venue is closed at the time"
    )
    uncovered: bool = Field(..., description="Neither an open service point nor a counted published visit")
    losing_last_point: bool = Field(..., description="Every open point in the area closes within the period")


# The period is checked by its own form; the schema is built from it.
AreaQuery = form_query_schema(
    "AreaQuery",
    CoverageForm,
    fields={
        "start": "First day of the period (Europe/Helsinki); default today",
        "end": f"Last day, inclusive; default {COVERAGE_WEEKS} weeks from start, at most {MAX_RANGE_DAYS} days",
    },
    base=LanguageQuery,
)


@router.get(
    "/areas", response=responses(list[AreaOut]), summary="Areas and their face-to-face coverage", tags=["areas"]
)
def areas(request: HttpRequest, response: HttpResponse, filters: Query[AreaQuery]) -> list[dict]:
    """Each area's coverage in the period: today and the four weeks after unless asked."""
    reject_repeated_parameters(request)
    form = CoverageForm(request.GET)
    with translation.override("en"):
        if not form.is_valid():
            raise HttpError(400, form.error_text())
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
            for c in area_coverage(today=form.cleaned_data["start"], until=form.cleaned_data["end"])
        ]


# A page of visits: big enough that a fortnight usually fits on one, small enough that a full
# page of a dense year is written in a few tens of milliseconds (when pages were built from model
# instances, 500 took about a quarter of a second and 1,000 over 2 s on a loaded machine).
DEFAULT_LIMIT = 500
MAX_LIMIT = 500
# The last visit of the previous page: its start as seconds (and microseconds) since the Unix
# epoch, and its id, e.g. 1796630400_123. Every value of this pattern is a place in the order,
# so whatever the description admits gets a page; and it is URL-safe, so `next` needs no escaping.
CURSOR_PATTERN = r"^\d{1,10}(\.\d{6})?_\d{1,18}$"
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


class VisitPageQuery(LanguageQuery):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Most visits on one page")
    # Checked by parse_cursor, so a bad cursor gets a message about cursors.
    after: str | None = Field(
        None,
        description="Where the page starts: copy it from the previous page's `next`; omit for the first page",
        json_schema_extra={"pattern": CURSOR_PATTERN, "examples": ["1796630400_123"]},
    )


def format_cursor(cursor: VisitCursor) -> str:
    since = cursor.starts_at - EPOCH
    seconds, microseconds = since.days * 86400 + since.seconds, since.microseconds
    return f"{seconds}{f'.{microseconds:06d}' if microseconds else ''}_{cursor.pk}"


def parse_cursor(value: str) -> VisitCursor:
    if not re.fullmatch(CURSOR_PATTERN, value):
        raise HttpError(400, "'after': not a cursor of this API; copy it from the `next` link of the previous page.")
    moment, pk = value.split("_")
    seconds, _, microseconds = moment.partition(".")
    starts_at = EPOCH + datetime.timedelta(seconds=int(seconds), microseconds=int(microseconds or 0))
    return VisitCursor(starts_at=starts_at, pk=int(pk))


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
    base=VisitPageQuery,
    examples={"start": ["2026-12-01"], "end": ["2026-12-14"]},
)


class VenueRef(Schema):
    id: int = Field(..., ge=1)
    name: str
    address: str


class VisitProperties(Schema):
    id: int = Field(..., ge=1)
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
    next: str | None = Field(
        None,
        description="Path and query of the next page (every parameter kept, `after` set); absent on the last page",
    )


@router.get(
    "/visits",
    response=responses(VisitCollection),
    summary="Published and cancelled visits as GeoJSON, a page at a time",
    tags=["visits"],
    # `next` only while there is a next page; every other field is always given, null or not.
    exclude_unset=True,
)
def visits(request: HttpRequest, response: HttpResponse, query: Query[VisitQuery]) -> HttpResponse:
    """Visits whose time overlaps the range, in order of start time (then id). Cancelled visits
    are included with their reason. At most `limit` visits come on one page; while more remain,
    `next` is the link to the following page."""
    form = VisitFilterForm(request.GET, require_range=True)
    with translation.override("en"):
        if not form.is_valid():
            raise HttpError(400, form.error_text())
    after = parse_cursor(query.after) if query.after is not None else None
    public_cache(response)
    page = visit_collection_page(form.filters(), after=after, limit=query.limit, language=query.lang)
    collection = page.collection
    if page.next_after is not None:
        parameters = request.GET.copy()
        parameters["after"] = format_cursor(page.next_after)
        collection = {**collection, "next": f"{request.path}?{parameters.urlencode()}"}
    return prepared_response(request, response, collection)
