"""Read-only JSON API for the mobile service."""

from django.http import HttpRequest
from django.utils import translation
from ninja import Field, Query, Router, Schema

from servicepoints.api import Language, reject_repeated_parameters
from servicepoints.selectors import local_today
from visits.selectors import COVERAGE_WEEKS, area_coverage

router = Router(tags=["areas"])


class AreaFilters(Schema):
    lang: Language = Field("fi", description="Language of names")


class AreaOut(Schema):
    slug: str
    name: str
    open_service_points: int = Field(..., description="Service points open today")
    closing_service_points: int = Field(..., description=f"Open points that close within {COVERAGE_WEEKS} weeks")
    published_visits: int = Field(..., description=f"Published visits in the next {COVERAGE_WEEKS} weeks")
    uncovered: bool = Field(..., description="Neither an open service point nor a published visit")
    losing_last_point: bool = Field(..., description="Every open point in the area closes within the weeks")


@router.get("/areas", response=list[AreaOut], summary="Areas and their face-to-face coverage")
def areas(request: HttpRequest, filters: Query[AreaFilters]) -> list[dict]:
    reject_repeated_parameters(request)
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
