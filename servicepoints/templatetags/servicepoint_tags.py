import datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from common.dates import format_day
from servicepoints.models import ServicePoint
from servicepoints.selectors import OpeningNow, service_point_now

register = template.Library()


@register.simple_tag
def status_label(status: str, point: ServicePoint) -> str:
    """The status in words, with the date that makes it true."""
    if status == ServicePoint.Status.PLANNED and point.opens_on:
        # Translators: the date a service point opens.
        return _("Opens %(date)s") % {"date": format_day(point.opens_on)}
    if status == ServicePoint.Status.CLOSING:
        # Translators: the last day a closing service point serves residents.
        return _("Closing: last day %(date)s") % {"date": format_day(point.closes_on)}
    if status == ServicePoint.Status.CLOSED and point.closes_on:
        # Translators: the last day a closed service point served residents.
        return _("Closed; the last day was %(date)s") % {"date": format_day(point.closes_on)}
    return str(ServicePoint.Status(status).label).capitalize()


def _next_opening(opening: OpeningNow, today: datetime.date) -> str:
    opens_at = opening.opens_at
    when = {"time": time_format(opens_at.time())}
    if opens_at.date() == today:
        # Translators: a clock time, e.g. 9.00.
        return _("opens today at %(time)s") % when
    if opens_at.date() == today + datetime.timedelta(days=1):
        # Translators: a clock time, e.g. 9.00.
        return _("opens tomorrow at %(time)s") % when
    if opens_at.date() - today < datetime.timedelta(days=7):
        # Translators: a weekday (abbreviated, e.g. Tue) and a clock time, e.g. 9.00.
        return _("opens %(day)s at %(time)s") % {**when, "day": date_format(opens_at, "D")}
    # Translators: a date and a clock time, e.g. 9.00.
    return _("opens %(day)s at %(time)s") % {**when, "day": format_day(opens_at)}


@register.simple_tag(takes_context=True)
def status_badge(context: template.Context, status: str, point: ServicePoint) -> dict[str, str]:
    """What holds for the point: on today's page, open now or not (a point open in general but
    closed today never reads "Open"); on another date, its status on that date."""
    if status != ServicePoint.Status.OPEN or not context.get("is_today"):
        return {"kind": str(status), "label": status_label(status, point)}
    now = timezone.now()
    opening = service_point_now(service_point=point, now=now)
    if opening.is_open:
        # Translators: the closing time, e.g. 16.00.
        return {"kind": "open", "label": _("Open now · until %(time)s") % {"time": time_format(opening.until)}}
    state = _("Closed now") if opening.open_today else _("Closed today")
    if opening.opens_at is None:
        return {"kind": "closed-now", "label": state}
    return {"kind": "closed-now", "label": f"{state} · {_next_opening(opening, timezone.localdate(now))}"}
