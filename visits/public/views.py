"""Public pages and feeds of the mobile service: what residents see."""

import datetime
import json
from collections import defaultdict
from dataclasses import replace
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import time_format
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from common.dates import format_day, local_today, weeks_covering
from common.http import public_cache
from common.qr import qr_svg
from servicepoints.models import ServicePoint, great_circle_m
from servicepoints.selectors import (
    journey_planner_url,
    nearest_serving_point,
    service_point_alternatives,
    service_point_hours_on,
    service_point_week,
    service_points_with_details,
)
from visits.feeds import visits_calendar
from visits.geocoding import Place
from visits.models import Venue, Visit
from visits.public.calendar_links import FeedLinks, feed_links, visit_calendar_links
from visits.public.forms import (
    DEFAULT_DAYS,
    MAX_ID,
    ORIGIN_FIELDS,
    CalendarFeedForm,
    MapDateForm,
    MapFilterForm,
    VisitFeedForm,
    VisitFilterForm,
)
from visits.recurrence import local_datetime
from visits.selectors import (
    PublicFilters,
    public_venue,
    public_visit,
    public_visits,
    upcoming_visits_by_area,
    venue_coming_closures,
    venue_coming_visits,
    venue_visit_patterns,
    venue_week,
    visit_alternatives,
    visits_page,
)

FEED_DAYS_BACK = 30
FEED_DAYS_AHEAD = 365
# Bounds on what one anonymous request renders, whatever the density of the plan.
PAGE_VISITS = 500
FEED_PAST_VISITS = 200
FEED_COMING_VISITS = 1000
PRINT_WEEKS = 4
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def _distance_sorted(visits: list[Visit], origin: Place | None) -> list[tuple[Visit, float | None]]:
    """Visits nearest first from `origin` (the earlier first at the same distance); without an
    origin, in the order given (time order)."""
    if origin is None:
        return [(v, None) for v in visits]
    rows = [(v, great_circle_m(origin.latitude, origin.longitude, v.venue.latitude, v.venue.longitude)) for v in visits]
    return sorted(rows, key=lambda row: (row[1], row[0].starts_at, row[0].pk))


def _by_day(rows: list[tuple[Visit, float | None]]) -> list[tuple[datetime.date, list]]:
    days: dict[datetime.date, list] = defaultdict(list)
    for visit, distance in rows:
        days[timezone.localtime(visit.starts_at).date()].append((visit, distance))
    return sorted(days.items())


def _month_grid(start: datetime.date, end: datetime.date, counts: dict[datetime.date, int]) -> list[list[dict]]:
    """Weeks (Monday first) covering start..end, each day with its number of visits."""
    return [
        [{"date": day, "in_range": start <= day <= end, "count": counts.get(day, 0)} for day in week]
        for week in weeks_covering(start, end)
    ]


def _resident_filters(
    request: HttpRequest, form_class: type[VisitFilterForm]
) -> tuple[VisitFilterForm, PublicFilters, Place | None]:
    """The resident's filters and where distances count from; today and the next two weeks,
    unordered, when a filter is not valid (the form says which)."""
    data = request.GET.copy()
    form = form_class(data)
    # A starting point that cannot be used (a place not found, a position far away) is a message
    # beside the box and the list in time order; the resident's other filters still apply.
    if form.is_valid() or not form.has_filter_errors:
        filters, origin = form.filters(), form.origin(language=get_language())
    else:
        today = local_today()
        filters, origin = PublicFilters(start=today, end=today + datetime.timedelta(days=DEFAULT_DAYS - 1)), None
    # The date inputs show the range in force: also when the resident left them empty, and in
    # place of a date that was refused (the message names what was typed; a date input cannot
    # hold it). Filled in only after validation: a start date alone gives two weeks from that
    # date, not an end date before it.
    for name in ("start", "end"):
        data[name] = getattr(filters, name).isoformat()
    return form, filters, origin


def _feed_links(request: HttpRequest, filters: PublicFilters) -> FeedLinks:
    """The calendar subscription with the filters the resident chose (the feed's days are its own)."""
    return feed_links(
        request, area=filters.area, venue=filters.venue, service=filters.service, language=filters.language
    )


@require_safe
def visit_list(request: HttpRequest) -> HttpResponse:
    form, filters, origin = _resident_filters(request, VisitFilterForm)
    page = visits_page(public_visits(filters), limit=PAGE_VISITS)
    visits = page.visits
    # With a starting point, one list nearest first (each visit naming its day); else by day.
    nearest = _distance_sorted(visits, origin) if origin else []
    days = _by_day(_distance_sorted(visits, None))
    context = {
        "form": form,
        "filters": filters,
        "origin": origin,
        "days": [] if origin else days,
        "nearest": nearest,
        "count": len(visits),
        "continues_on": page.continues_on,
        "calendar": _month_grid(filters.start, filters.end, {day: len(items) for day, items in days}),
        "feed": _feed_links(request, filters),
    }
    return public_cache(render(request, "visits/public/list.html", context))


@require_safe
def visit_print(request: HttpRequest) -> HttpResponse:
    """One area's schedule for the next four weeks, laid out for an A4 notice board."""
    form = VisitFilterForm(request.GET or None)
    area = form.cleaned_data.get("area") if form.is_bound and form.is_valid() else None
    context = {"form": form, "area": area}
    if area is not None:
        start = local_today()
        filters = PublicFilters(start=start, end=start + datetime.timedelta(weeks=PRINT_WEEKS, days=-1), area=area)
        schedule_url = f"{request.build_absolute_uri(reverse('visits:list'))}?{urlencode({'area': area.slug})}"
        context.update(
            filters=filters,
            days=_by_day(_distance_sorted(list(public_visits(filters)), None)),
            schedule_url=schedule_url,
            # Translators: the label of a QR code that opens the page of up-to-date times.
            qr_code=qr_svg(schedule_url, title=_("QR code of the up-to-date times")),
            nearest=nearest_serving_point(latitude=area.latitude, longitude=area.longitude, on=start),
        )
    return public_cache(render(request, "visits/public/print.html", context))


def _journey_url(place: Venue | ServicePoint) -> str:
    """Directions to a venue or service point in the HSL journey planner, in the page's language."""
    return journey_planner_url(
        base_url=settings.HSL_JOURNEY_PLANNER_URL,
        name=f"{place.name}, {place.street_address}, {place.city}",
        latitude=place.latitude,
        longitude=place.longitude,
        language=get_language(),
    )


def _json_ld(visit: Visit, request: HttpRequest) -> str:
    """schema.org Event, escaped so that text from the database cannot close the script element."""
    venue = visit.venue
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        # Translators: the venue's name; the visit's title for search engines.
        "name": _("Mobile information service: %(venue)s") % {"venue": venue.name},
        "startDate": timezone.localtime(visit.starts_at).isoformat(),
        "endDate": timezone.localtime(visit.ends_at).isoformat(),
        "eventStatus": "https://schema.org/EventCancelled"
        if visit.is_cancelled
        else "https://schema.org/EventScheduled",
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "isAccessibleForFree": True,
        "inLanguage": [language.code for language in visit.offered_languages],
        "description": ", ".join(service.name for service in visit.offered_services),
        "url": request.build_absolute_uri(visit.get_absolute_url()),
        "location": {
            "@type": "Place",
            "name": venue.name,
            "address": {
                "@type": "PostalAddress",
                "streetAddress": venue.street_address,
                "postalCode": venue.postal_code,
                "addressLocality": venue.city,
                "addressCountry": "FI",
            },
            "geo": {"@type": "GeoCoordinates", "latitude": venue.latitude, "longitude": venue.longitude},
        },
        "organizer": {"@type": "GovernmentOrganization", "name": _("City of Espoo"), "url": "https://www.espoo.fi"},
    }
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_JSON_SCRIPT_ESCAPES))  # noqa: S308 - escaped


@require_safe
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = public_visit(pk)
    if visit is None:
        raise Http404("No such visit")
    venue = visit.venue
    context = {
        "visit": visit,
        "venue": venue,
        "journey_url": _journey_url(venue),
        "json_ld": _json_ld(visit, request),
        "venue_hours": venue.opening_hours.all(),
        "calendar_links": visit_calendar_links(request, visit),
        "venue_feed": feed_links(request, venue=venue),
        "area_feed": feed_links(request, area=venue.area),
    }
    return public_cache(render(request, "visits/public/detail.html", context))


def _calendar_response(body: bytes, *, filename: str, attachment: bool) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return public_cache(response)


@require_safe
def calendar_ics(request: HttpRequest) -> HttpResponse:
    """A subscribable calendar: the past month and the coming year, optionally one area, venue or
    kind of help, with a reminder the day before each visit if asked. Cancelled visits stay in it
    with STATUS:CANCELLED; a filter it does not know is a 400 that names it."""
    form = CalendarFeedForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"error": form.error_text()}, status=400)
    language, reminder = form.cleaned_data["lang"], form.cleaned_data["reminder"]
    today = local_today()
    past = form.filters(start=today - datetime.timedelta(days=FEED_DAYS_BACK), end=today - datetime.timedelta(days=1))
    coming = replace(past, start=today, end=today + datetime.timedelta(days=FEED_DAYS_AHEAD))
    # The most recent of the past month and the nearest coming visits: a calendar app refreshes
    # the feed, so later visits arrive as their time comes nearer.
    visits = [
        *reversed(list(public_visits(past).reverse()[:FEED_PAST_VISITS])),
        *public_visits(coming).exclude(starts_at__lt=local_datetime(today, datetime.time()))[:FEED_COMING_VISITS],
    ]
    with translation.override(language):
        name = _("Espoo mobile information service")
    body = visits_calendar(
        visits, name=name, language=language, base_url=request.build_absolute_uri("/")[:-1], reminder=reminder
    )
    return _calendar_response(body, filename="espoo-visits.ics", attachment=False)


@require_safe
def visit_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """One visit as it is now, to download: it does not follow later changes (the pages say so)."""
    form = VisitFeedForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"error": form.error_text()}, status=400)
    language, reminder = form.cleaned_data["lang"], form.cleaned_data["reminder"]
    visit = public_visit(pk)
    if visit is None:
        return JsonResponse({"error": "No such visit."}, status=404)
    with translation.override(language):
        name = str(visit.venue)
    body = visits_calendar(
        [visit], name=name, language=language, base_url=request.build_absolute_uri("/")[:-1], reminder=reminder
    )
    return _calendar_response(body, filename=f"visit-{visit.pk}.ics", attachment=True)


def _point_markers(rows: list[dict]) -> dict:
    """The service points' map markers as GeoJSON: where each stands and how it looks (its kind,
    its status on the day shown). Its name, address, link and status text are in its list item on
    the same page, where service-map.js reads them, so the page carries them once."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [row["point"].longitude, row["point"].latitude]},
                "properties": {"slug": row["point"].slug, "kind": row["point"].kind, "status": row["status"]},
            }
            for row in rows
        ],
    }


def _venue_markers(visits: list[Visit]) -> list[dict]:
    """One map marker per venue: where it stands and its visits, each with its day and time in the
    active language. The rest of its popup (the venue's name and address, each visit's link and
    cancellation) is in the visit list on the same page, where visit-layer.js reads it."""
    venues: dict[int, dict] = {}
    for visit in visits:
        venue = visit.venue
        marker = venues.setdefault(
            venue.pk, {"id": venue.pk, "coordinates": [venue.longitude, venue.latitude], "visits": []}
        )
        start, end = timezone.localtime(visit.starts_at), timezone.localtime(visit.ends_at)
        marker["visits"].append(
            {"id": visit.pk, "when": f"{format_day(start, 'D')} {time_format(start)}–{time_format(end)}"}
        )
    return list(venues.values())


def _closure_guidance(
    closing: list[ServicePoint], *, on: datetime.date, candidates: list[ServicePoint]
) -> dict[int, dict]:
    """For each closing or closed point: the nearest points serving on `on` and the mobile
    service's next visits in its area, from `on` or from now, whichever is later."""
    after = max(timezone.now(), local_datetime(on, datetime.time()))
    area_visits = upcoming_visits_by_area(area_ids={point.area_id for point in closing}, after=after)
    return {
        point.pk: {
            "alternatives": service_point_alternatives(service_point=point, on=on, candidates=candidates),
            "area": point.area,
            "visits": area_visits[point.area_id],
        }
        for point in closing
    }


@require_safe
def service_point_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """One service point: its status, hours and, once it closes, where to go instead."""
    form = MapDateForm(request.GET or None)
    on = form.cleaned_data["on"] if form.is_valid() and form.cleaned_data["on"] else local_today()
    points = service_points_with_details()
    point = next((p for p in points if p.slug == slug), None)
    if point is None:
        raise Http404("No such service point")
    status = point.status_on(on)
    # A closed point's page keeps where it was and where to go instead, and drops what no longer
    # holds: the help it gave, its weekly hours and directions to it.
    closed = status.winding_down and not status.serving
    context = {
        "form": form,
        "on": on,
        "is_today": on == local_today(),
        "point": point,
        "status": status,
        "closed": closed,
        "hours_today": service_point_hours_on(service_point=point, day=on),
        "week": service_point_week(service_point=point, start=on),
        "guidance": _closure_guidance([point], on=on, candidates=points)[point.pk] if status.winding_down else None,
        "journey_url": None if closed else _journey_url(point),
        "area_feed": feed_links(request, area=point.area),
    }
    return public_cache(render(request, "visits/public/service_point.html", context))


# What the map page's first screen replaces when the resident picks an area or "near me" there:
# the area and every way of giving a starting point (the others are kept as they are).
_QUICK_SEARCH_REPLACES = ("area", *ORIGIN_FIELDS)


def _without(request: HttpRequest, *names: str) -> str:
    """This page's address without the parameters `names`."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return f"{request.path}?{query.urlencode()}" if query else request.path


def _filter_chips(
    request: HttpRequest, form: MapFilterForm, filters: PublicFilters, origin: Place | None, show: str
) -> list[dict]:
    """The filters in force, each with the address of this page without it (one tap removes it)."""
    chips = []
    if not form.has_filter_errors:
        if any(request.GET.get(name) for name in ("start", "end", "on")):
            start, end = (format_day(day) for day in (filters.start, filters.end))
            # Translators: a filter the resident chose: the first and last day of the range.
            chips.append(
                {"label": _("Dates: %(start)s–%(end)s") % {"start": start, "end": end}, "names": ("start", "end", "on")}
            )
        for name, value in (
            ("area", filters.area),
            ("service", filters.service),
            ("language", filters.language),
            ("venue", filters.venue),
        ):
            if value is not None:
                label = form.fields[name].label if name != "venue" else _("Venue")
                # Translators: a filter the resident chose: its name (Area) and value (Leppävaara).
                chips.append(
                    {"label": _("%(filter)s: %(value)s") % {"filter": label, "value": value}, "names": (name,)}
                )
        if show != "all":
            chips.append({"label": dict(form.fields["show"].choices)[show], "names": ("show",)})
    if origin is not None:
        # Translators: the place distances count from: an address, an area or the resident's location.
        chips.append({"label": _("Nearest first from %(place)s") % {"place": origin.label}, "names": ORIGIN_FIELDS})
    return [{"label": chip["label"], "url": _without(request, *chip["names"])} for chip in chips]


def _open_help(rows: list[dict], visits: list[Visit], *, origin: Place | None, is_today: bool) -> dict:
    """The first screen's answer: the service point to go to (nearest from the origin, else one
    open now, else one open that day) and the next visit not cancelled (nearest, else soonest)."""
    open_rows = [row for row in rows if not row["hours"].closed]
    if is_today and origin is None:
        now = timezone.localtime().time()
        open_rows.sort(key=lambda row: not any(opens <= now < closes for opens, closes in row["hours"].periods))
    coming = [(visit, distance) for visit, distance in _distance_sorted(visits, origin) if not visit.is_cancelled]
    visit, distance = coming[0] if coming else (None, None)
    return {"point": (open_rows or rows or [None])[0], "visit": visit, "visit_distance": distance}


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The map of service points and upcoming visits, with the same places as lists first."""
    form, filters, origin = _resident_filters(request, MapFilterForm)
    show = (form.cleaned_data.get("show") if not form.has_filter_errors else None) or "all"
    on = filters.start
    rows = []
    if show in ("all", "points"):
        points = service_points_with_details()
        for point in points:
            if filters.area and point.area_id != filters.area.pk:
                continue
            if filters.service and filters.service not in point.services.all():
                continue
            distance = point.distance_m(origin.latitude, origin.longitude) if origin else None
            rows.append(
                {
                    "point": point,
                    "status": point.status_on(on),
                    "hours": service_point_hours_on(service_point=point, day=on),
                    "distance": distance,
                }
            )
        if origin:
            rows.sort(key=lambda row: row["distance"])
        closing = [row for row in rows if row["status"].winding_down]
        guidance = _closure_guidance([row["point"] for row in closing], on=on, candidates=points)
        for row in closing:
            row["guidance"] = guidance[row["point"].pk]
    # Only points serving that day are listed (nearest first from a starting point); closed and
    # planned ones have their own folded section with the closure guidance, and stay on the map.
    serving_rows = [row for row in rows if row["status"].serving]
    closed_rows = [row for row in rows if not row["status"].serving]
    visits, continues_on = [], None
    if show in ("all", "visits"):
        # Upcoming only: a visit (cancelled or not) leaves the map once its time has passed.
        page = visits_page(public_visits(filters).upcoming(), limit=PAGE_VISITS)
        visits, continues_on = page.visits, page.continues_on
    # With a starting point, one list nearest first (each visit naming its day); else by day.
    nearest = _distance_sorted(visits, origin) if origin else []
    days = [] if origin else _by_day(_distance_sorted(visits, None))
    context = {
        "form": form,
        "filters": filters,
        "show": show,
        "origin": origin,
        "on": on,
        "is_today": on == local_today(),
        "rows": serving_rows,
        "closed_rows": closed_rows,
        "days": days,
        "nearest": nearest,
        "visit_count": len(visits),
        "continues_on": continues_on,
        "geojson": _point_markers(rows),
        "venues": _venue_markers(visits),
        "feed": _feed_links(request, filters),
        "quick_form": MapFilterForm(auto_id="quick_%s", initial={"area": filters.area}),
        "quick_keep": [
            (name, value) for name, value in request.GET.items() if value and name not in _QUICK_SEARCH_REPLACES
        ],
        "chips": _filter_chips(request, form, filters, origin, show),
        "open_help": _open_help(serving_rows, visits, origin=origin, is_today=on == local_today()),
        "alternatives": visit_alternatives(filters=filters) if show != "points" and not visits else None,
    }
    return public_cache(render(request, "visits/public/map.html", context))


# A venue's page lists its coming eight weeks, whole days up to 60 visits; the list page goes on.
VENUE_DAYS = 8 * 7
VENUE_VISITS = 60


@require_safe
def venue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One venue: where it is and how to get in, its hours and coming closures, and the mobile
    service's coming visits there (cancelled ones shown as cancelled) with their usual pattern."""
    today = local_today()
    venue = public_venue(pk, since=today - datetime.timedelta(days=today.weekday())) if pk <= MAX_ID else None
    if venue is None:
        raise Http404("No such venue")
    end = today + datetime.timedelta(days=VENUE_DAYS - 1)
    page = venue_coming_visits(venue=venue, start=today, end=end, limit=VENUE_VISITS)
    context = {
        "venue": venue,
        "today": today,
        "end": end,
        "week": venue_week(venue=venue, start=today),
        "hours_recorded": bool(venue.opening_hours.all()),
        "closures": venue_coming_closures(venue=venue, today=today),
        "patterns": venue_visit_patterns(venue=venue),
        "days": _by_day(_distance_sorted(page.visits, None)),
        "continues_on": page.continues_on,
        "later": (end + datetime.timedelta(days=1), end + datetime.timedelta(days=VENUE_DAYS)),
        "journey_url": _journey_url(venue),
        "feed": feed_links(request, venue=venue),
    }
    return public_cache(render(request, "visits/public/venue.html", context))
