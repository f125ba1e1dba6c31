"""Reads behind residents' e-mail notices: who is told of what, and how delivery stands."""

import datetime
import re
from dataclasses import dataclass

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from visits.models import Delivery, Notice, Subscription, Venue, Visit
from visits.selectors import visits_with_details

TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,64}")


def subscription_by_token(token: str) -> Subscription | None:
    """The subscription whose links carry `token`, else None (a forged or deleted one). Anything
    not shaped like a token is refused before the query."""
    if not TOKEN_SHAPE.fullmatch(token or ""):
        return None
    return Subscription.objects.prefetch_related("areas", "venues", "services").filter(token=token).first()


def _subscribers(*, venue_ids: set[int]) -> QuerySet[Subscription]:
    """Confirmed subscribers of these venues or of their areas."""
    area_ids = set(Venue.objects.filter(pk__in=venue_ids).values_list("area_id", flat=True))
    return (
        Subscription.objects.confirmed()
        .filter(Q(areas__in=area_ids) | Q(venues__in=venue_ids))
        .distinct()
        .prefetch_related("services")
    )


def visit_recipients(visit: Visit, *, former_venue_id: int | None = None) -> list[int]:
    """The confirmed subscribers told of a change to `visit`: those of its venue or area (and,
    for a move, of its former venue or area) whose kinds of help, if they chose any, include one
    the visit offers. A resident who chose both an area and a venue in it is counted once."""
    venue_ids = {visit.venue_id} | ({former_venue_id} if former_venue_id else set())
    offered = {service.code for service in visit.offered_services}
    return [
        subscription.pk
        for subscription in _subscribers(venue_ids=venue_ids)
        if not subscription.services.all() or offered & {s.slug for s in subscription.services.all()}
    ]


def digest_visits(subscription: Subscription, *, since: datetime.datetime, until: datetime.datetime) -> list[Visit]:
    """Coming published visits first published in [since, until) that match the subscription."""
    visits = (
        Visit.objects.published()
        .upcoming()
        .filter(published_at__gte=since, published_at__lt=until)
        .filter(Q(venue__area__in=subscription.areas.all()) | Q(venue__in=subscription.venues.all()))
        .offering_any(subscription.services.all())
    )
    return list(visits_with_details(visits).order_by("starts_at", "pk"))


def notice_recipients(notice: Notice) -> list[int]:
    """The subscriptions a notice goes to."""
    kind = Notice.Kind
    if notice.kind in (kind.CONFIRM, kind.CHOICES_LINK):
        return [notice.subscription_id] if notice.subscription_id else []
    if notice.kind in (kind.CANCELLED, kind.RESTORED, kind.MOVED):
        return visit_recipients(notice.visit, former_venue_id=notice.details.get("former_venue"))
    if notice.kind == kind.VENUE_CLOSED:
        return list(_subscribers(venue_ids={notice.details["venue"]}).values_list("pk", flat=True))
    if notice.kind == kind.POINT_CLOSING:
        return list(
            Subscription.objects.confirmed().filter(areas=notice.service_point.area_id).values_list("pk", flat=True)
        )
    if notice.kind == kind.DIGEST:
        since = datetime.datetime.fromisoformat(notice.details["since"])
        until = datetime.datetime.fromisoformat(notice.details["until"])
        subscriptions = Subscription.objects.confirmed().prefetch_related("areas", "venues", "services")
        return [s.pk for s in subscriptions if digest_visits(s, since=since, until=until)]
    raise ValueError(f"Unknown notice kind {notice.kind!r}")


def visit_subscriber_count(visit: Visit) -> int:
    """How many confirmed subscribers would be told if the visit were cancelled now."""
    return len(visit_recipients(visit))


@dataclass(frozen=True)
class DeliveryReport:
    """How residents were told of a visit's changes: mails sent, waiting, and failed for good."""

    sent: int
    waiting: int
    failed: int


def visit_delivery_report(visit: Visit) -> DeliveryReport:
    rows = Delivery.objects.filter(notice__visit=visit).values("state").annotate(n=Count("pk"))
    counts = {row["state"]: row["n"] for row in rows}
    return DeliveryReport(
        sent=counts.get(Delivery.State.SENT, 0),
        waiting=counts.get(Delivery.State.PENDING, 0) + counts.get(Delivery.State.SENDING, 0),
        failed=counts.get(Delivery.State.FAILED, 0),
    )


def oldest_undelivered_age() -> datetime.timedelta | None:
    """How long the oldest event not yet delivered has waited: not relayed, or with a mail still
    waiting to be sent. None when everything is delivered (or failed for good, which staff see)."""
    oldest = Notice.objects.filter(
        Q(relayed_at__isnull=True) | Q(deliveries__state__in=[Delivery.State.PENDING, Delivery.State.SENDING])
    ).aggregate(oldest=Min("created_at"))["oldest"]
    return None if oldest is None else max(timezone.now() - oldest, datetime.timedelta(0))
