import datetime

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from servicepoints.forms import MapDateForm
from servicepoints.http import public_cache
from servicepoints.selectors import (
    journey_planner_url,
    local_today,
    service_point_alternatives,
    service_point_hours_on,
    service_point_week,
    service_points_with_details,
)


def _chosen_date(request: HttpRequest) -> tuple[MapDateForm, datetime.date]:
    form = MapDateForm(request.GET or None)
    if form.is_valid() and form.cleaned_data["on"]:
        return form, form.cleaned_data["on"]
    return form, local_today()


def service_point_detail(request: HttpRequest, slug: str) -> HttpResponse:
    form, on = _chosen_date(request)
    points = service_points_with_details()
    point = next((p for p in points if p.slug == slug), None)
    if point is None:
        raise Http404("No such service point")
    status = point.status_on(on)
    context = {
        "form": form,
        "on": on,
        "is_today": on == local_today(),
        "point": point,
        "status": status,
        "hours_today": service_point_hours_on(service_point=point, day=on),
        "week": service_point_week(service_point=point, start=on),
        "alternatives": service_point_alternatives(service_point=point, on=on, candidates=points)
        if status in ("closing", "closed")
        else [],
        "journey_url": journey_planner_url(
            base_url=settings.HSL_JOURNEY_PLANNER_URL,
            name=f"{point.name}, {point.street_address}, {point.city}",
            latitude=point.latitude,
            longitude=point.longitude,
            language=get_language(),
        ),
    }
    return public_cache(render(request, "servicepoints/detail.html", context))
