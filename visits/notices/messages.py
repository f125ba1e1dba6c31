"""The mails residents receive: one per delivery, in the subscriber's language, as plain text with
an HTML alternative, each with the time, the place, the reason and a link, and the links to
change the choices and to unsubscribe (also as RFC 8058 one-click headers)."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import time_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from common.dates import format_day, local_today
from servicepoints.models import ServicePoint
from servicepoints.selectors import service_point_alternatives
from visits.models import UNCONFIRMED_DAYS, CancelReason, Delivery, Notice, Subscription, Venue, Visit
from visits.notices.selectors import digest_visits
from visits.selectors import visits_with_details

# Coming visits offered instead of a closed venue or service point.
ALTERNATIVE_VISITS = 5


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def _when(starts_at: datetime.datetime, ends_at: datetime.datetime) -> str:
    """ "ti 8.12. 10.00–14.00" / "Tue 8 Dec 10:00–14:00", in the active language."""
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    return f"{format_day(start, 'D')} {time_format(start)}–{time_format(end)}"


@dataclass(frozen=True)
class VisitLine:
    """A visit as a mail lists it: its place, its day and hours, and its page."""

    venue: Venue | None
    when: str
    url: str


def _lines(visits: list[Visit]) -> list[VisitLine]:
    return [VisitLine(v.venue, _when(v.starts_at, v.ends_at), _absolute(v.get_absolute_url())) for v in visits]


def _line_then(visit: Visit, details: dict, prefix: str = "") -> VisitLine:
    """The visit as it was when the notice was recorded (`visit_notice_record`)."""
    return VisitLine(
        Venue.objects.select_related("area").filter(pk=details[f"{prefix}venue"]).first(),
        _when(
            datetime.datetime.fromisoformat(details[f"{prefix}starts_at"]),
            datetime.datetime.fromisoformat(details[f"{prefix}ends_at"]),
        ),
        _absolute(visit.get_absolute_url()),
    )


def _visits(ids: list[int]) -> list[Visit]:
    return list(visits_with_details(Visit.objects.filter(pk__in=ids)).order_by("starts_at", "pk"))


def _area_visits(venue: Venue, *, after: datetime.datetime) -> list[VisitLine]:
    """Coming visits elsewhere in the venue's area: where to go instead."""
    visits = visits_with_details(
        Visit.objects.published().filter(venue__area_id=venue.area_id, starts_at__gt=after).exclude(venue=venue)
    ).order_by("starts_at", "pk")[:ALTERNATIVE_VISITS]
    return _lines(list(visits))


def _cancel_reason(details: dict) -> str:
    """The standard reason in the active language, then the scheduler's details in it (or in Finnish)."""
    label = str(CancelReason(details["reason"]).label) if details.get("reason") else ""
    texts = details.get("reason_details", {})
    return " ".join(part for part in (label, texts.get(get_language()) or texts.get("fi", "")) if part)


def _subscription_links(subscription: Subscription) -> dict[str, str]:
    token = {"token": subscription.token}
    return {
        "confirm_url": _absolute(reverse("subscriptions:confirm", kwargs=token)),
        "change_url": _absolute(reverse("subscriptions:change", kwargs=token)),
        "unsubscribe_url": _absolute(reverse("subscriptions:unsubscribe", kwargs=token)),
    }


def _visit_context(notice: Notice) -> tuple[str, dict]:
    line = _line_then(notice.visit, notice.details)
    context = {"visit": line}
    # Translators: the subject of a mail; the venue's name, then the visit's day and time.
    names = {"venue": line.venue.name if line.venue else "", "when": line.when}
    if notice.kind == Notice.Kind.CANCELLED:
        subject = _("Cancelled: %(venue)s %(when)s") % names
        context["reason"] = _cancel_reason(notice.details)
        context["alternatives"] = _area_visits(notice.visit.venue, after=timezone.now())
    elif notice.kind == Notice.Kind.RESTORED:
        # Translators: the subject of a mail; the venue's name, then the visit's day and time.
        subject = _("Takes place after all: %(venue)s %(when)s") % names
    else:
        context["former"] = _line_then(notice.visit, notice.details, "former_")
        # Translators: the subject of a mail; the venue's name, then the visit's new day and time.
        subject = _("New time or place: %(venue)s %(when)s") % names
    return subject, context


def _digest_context(notice: Notice, subscription: Subscription) -> tuple[str, dict]:
    since = datetime.datetime.fromisoformat(notice.details["since"])
    until = datetime.datetime.fromisoformat(notice.details["until"])
    visits = digest_visits(subscription, since=since, until=until)
    return _("New visits of the mobile service advisors"), {"visits": _lines(visits)}


def _venue_closed_context(notice: Notice) -> tuple[str, dict]:
    venue = Venue.objects.select_related("area").get(pk=notice.details["venue"])
    start = datetime.date.fromisoformat(notice.details["start_date"])
    end = datetime.date.fromisoformat(notice.details["end_date"])
    dates = format_day(start) if start == end else f"{format_day(start)}–{format_day(end)}"
    reason = notice.venue_exception.reason if notice.venue_exception else ""
    context = {
        "venue": venue,
        "venue_url": _absolute(venue.get_absolute_url()),
        "dates": dates,
        "reason": reason,
        "visits": _lines(_visits(notice.details["visits"])),
        "alternatives": _area_visits(venue, after=timezone.now()),
    }
    # Translators: the subject of a mail; a venue's name and the dates it is closed.
    return _("Closed: %(venue)s %(dates)s") % {"venue": venue.name, "dates": dates}, context


def _point_closing_context(notice: Notice) -> tuple[str, dict]:
    point = ServicePoint.objects.select_related("area").get(pk=notice.service_point_id)
    closes_on = datetime.date.fromisoformat(notice.details["closes_on"])
    alternatives = service_point_alternatives(
        service_point=point,
        on=closes_on + datetime.timedelta(days=1),
        candidates=list(ServicePoint.objects.select_related("area")),
    )
    visits = visits_with_details(Visit.objects.published().upcoming().filter(venue__area_id=point.area_id)).order_by(
        "starts_at", "pk"
    )[:ALTERNATIVE_VISITS]
    context = {
        "point": point,
        "point_url": _absolute(point.get_absolute_url()),
        "closes_on": format_day(closes_on),
        "alternatives": [(a.service_point, _absolute(a.service_point.get_absolute_url())) for a in alternatives],
        "visits": _lines(list(visits)),
    }
    # Translators: the subject of a mail; a service point's name and its last day.
    return _("%(point)s closes on %(date)s") % {"point": point.name, "date": format_day(closes_on)}, context


def _content(notice: Notice, subscription: Subscription) -> tuple[str, dict]:
    kind = Notice.Kind
    if notice.kind in (kind.CANCELLED, kind.RESTORED, kind.MOVED):
        return _visit_context(notice)
    if notice.kind == kind.DIGEST:
        return _digest_context(notice, subscription)
    if notice.kind == kind.VENUE_CLOSED:
        return _venue_closed_context(notice)
    if notice.kind == kind.POINT_CLOSING:
        return _point_closing_context(notice)
    if notice.kind == kind.CONFIRM:
        return _("Confirm your subscription to notices"), {"days": UNCONFIRMED_DAYS}
    return _("Your subscription to notices"), {}


def delivery_message(delivery: Delivery) -> EmailMultiAlternatives:
    """The mail of one delivery. Its Message-ID is the delivery's, the same on every attempt."""
    notice, subscription = delivery.notice, delivery.subscription
    with translation.override(subscription.language):
        subject, context = _content(notice, subscription)
        context.update(
            _subscription_links(subscription),
            subscription=subscription,
            kind=notice.kind,
            today=format_day(local_today()),
            list_url=_absolute(reverse("visits:list")),
        )
        text = render_to_string(f"visits/notices/{notice.kind}.txt", context)
        html = render_to_string(f"visits/notices/{notice.kind}.html", context)
    message = EmailMultiAlternatives(
        # Names come from the database: a line break in one must not start a header of its own.
        subject=" ".join(subject.split()),
        body=text,
        to=[subscription.email],
        headers={
            "Message-ID": delivery.message_id,
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message
