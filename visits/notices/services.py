"""Writes behind residents' e-mail notices: subscriptions, the outbox of events, and delivery.

Delivery is at least once by construction and exactly once in practice:
- an event (`Notice`) is written in the same transaction as the change behind it, so a change
  without its notice, or a notice without its change, cannot be committed;
- the relay makes one `Delivery` per subscriber, event and channel (a unique row), so a relay
  run twice, or two at once, adds nothing;
- a delivery is claimed with a conditional UPDATE before its mail is sent and marked sent after,
  so a task the broker hands out twice sends once; the mark is retried through a database
  restart rather than sending again;
- the sweep hands the broker again whatever is still not sent after `NOTICE_RESEND_AFTER_SECONDS`
  (a lost enqueue, a killed worker), instead of waiting for the broker's visibility timeout.
The one window left is a worker killed between the mail server's acceptance and the mark: that
mail goes again, with the same Message-ID.
"""

import datetime
import logging
import secrets
import smtplib
import time
from collections.abc import Iterable
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from common.dates import local_today
from servicepoints.models import Area, ServicePoint, ServiceType
from visits.models import (
    UNCONFIRMED_DAYS,
    Delivery,
    Notice,
    Subscription,
    Venue,
    VenueException,
    Visit,
    resident_text,
)
from visits.notices import selectors
from visits.recurrence import local_datetime

logger = logging.getLogger(__name__)

TOKEN_BYTES = 32
LINK_INTERVAL = datetime.timedelta(hours=1)
MAX_EMAIL_LENGTH = 254
# A service point closing within this many days is announced to its area's subscribers.
POINT_CLOSING_DAYS = 30
UNDELIVERED = (Delivery.State.PENDING, Delivery.State.SENDING)


# Subscriptions ---------------------------------------------------------------------------------


def _normalised_email(email: str) -> str:
    """The address as stored: trimmed and in lower case, so that one address is one subscription.
    Rule: a valid address of at most 254 characters, without line breaks (no header injection)."""
    email = (email or "").strip().lower()
    if len(email) > MAX_EMAIL_LENGTH:
        raise ValidationError(
            {"email": _("An e-mail address can be at most %(max)d characters long.") % {"max": MAX_EMAIL_LENGTH}},
            code="too_long",
        )
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": _("Enter a valid e-mail address.")}, code="invalid") from None
    return email


def subscription_choices_validate(*, language: str, areas: Iterable[Area], venues: Iterable[Venue]) -> None:
    """Rule: a subscription names at least one area or venue, and one of the three languages."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose Finnish, Swedish or English.")}, code="language")
    if not list(areas) and not list(venues):
        raise ValidationError(_("Choose at least one area or venue to hear about."), code="nothing_chosen")


def _set_choices(
    subscription: Subscription,
    *,
    language: str,
    areas: Iterable[Area],
    venues: Iterable[Venue],
    services: Iterable[ServiceType],
) -> None:
    subscription.language = language
    subscription.save()
    subscription.areas.set(areas)
    subscription.venues.set(venues)
    subscription.services.set(services)


def _ask_for_link(subscription: Subscription, now: datetime.datetime) -> bool:
    """Queue the subscription's own mail (a confirmation, or once confirmed the link to change
    it). Rule: at most one such mail an hour to an address, however often the form is sent."""
    asked = (
        Subscription.objects.filter(pk=subscription.pk)
        .filter(Q(link_requested_at__isnull=True) | Q(link_requested_at__lte=now - LINK_INTERVAL))
        .update(link_requested_at=now)
    )
    if not asked:
        return False
    kind = Notice.Kind.CHOICES_LINK if subscription.is_confirmed else Notice.Kind.CONFIRM
    _record(Notice(kind=kind, subscription=subscription))
    return True


def subscription_request(
    *,
    email: str,
    language: str,
    areas: Iterable[Area],
    venues: Iterable[Venue],
    services: Iterable[ServiceType] = (),
) -> Subscription:
    """A resident asks for notices. Rule: double opt-in. A new or still unconfirmed address gets
    the choices and a confirmation mail; a confirmed one keeps its choices and gets a mail with
    the link to change them (whoever typed the address cannot change them). At most one mail an
    hour; the answer is the same in every case, so the form reveals no one's subscription."""
    areas, venues, services = list(areas), list(venues), list(services)
    email = _normalised_email(email)
    subscription_choices_validate(language=language, areas=areas, venues=venues)
    now = timezone.now()
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().filter(email=email).first()
        if subscription is None:
            try:
                with transaction.atomic():
                    subscription = Subscription.objects.create(
                        email=email, language=language, token=secrets.token_urlsafe(TOKEN_BYTES)
                    )
            except IntegrityError:
                # The same address sent from two tabs at once: the other request made the row.
                subscription = Subscription.objects.select_for_update().get(email=email)
        if not subscription.is_confirmed:
            _set_choices(subscription, language=language, areas=areas, venues=venues, services=services)
        _ask_for_link(subscription, now)
    return subscription


def subscription_confirm(*, subscription: Subscription) -> Subscription:
    """Rule: only an unexpired link confirms (`Subscription.is_expired`); confirming twice is harmless."""
    if subscription.is_expired:
        raise ValidationError(
            _("This link has expired. Subscribe again and follow the link in the new mail."), code="expired"
        )
    with transaction.atomic():
        Subscription.objects.filter(pk=subscription.pk, confirmed_at__isnull=True).update(confirmed_at=timezone.now())
        subscription.refresh_from_db()
    return subscription


def subscription_change(
    *,
    subscription: Subscription,
    language: str,
    areas: Iterable[Area],
    venues: Iterable[Venue],
    services: Iterable[ServiceType] = (),
) -> Subscription:
    """The subscriber changes what they hear about. Following a mail's link proves the address,
    so an unconfirmed subscription changed this way is confirmed too."""
    areas, venues, services = list(areas), list(venues), list(services)
    subscription_choices_validate(language=language, areas=areas, venues=venues)
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
        if not subscription.is_confirmed:
            if subscription.is_expired:
                raise ValidationError(
                    _("This link has expired. Subscribe again and follow the link in the new mail."), code="expired"
                )
            subscription.confirmed_at = timezone.now()
        _set_choices(subscription, language=language, areas=areas, venues=venues, services=services)
    return subscription


def subscription_delete(*, subscription: Subscription) -> None:
    """Unsubscribe: the address and the choices are deleted at once, with any mail not yet sent."""
    with transaction.atomic():
        Subscription.objects.filter(pk=subscription.pk).delete()


def subscriptions_purge_unconfirmed() -> int:
    """Rule: a subscription not confirmed within `UNCONFIRMED_DAYS` days is deleted."""
    limit = timezone.now() - datetime.timedelta(days=UNCONFIRMED_DAYS)
    with transaction.atomic():
        deleted, _counts = Subscription.objects.unconfirmed().filter(created_at__lt=limit).delete()
    return deleted


# The outbox ------------------------------------------------------------------------------------


def _kick_relay() -> None:
    """Ask a worker to relay now. Best effort: if the broker is away, the sweep relays later,
    so a scheduler's save never waits on Redis or fails because of it."""
    from visits.tasks import relay_notices

    try:
        relay_notices.apply_async()
    except Exception:
        logger.warning("The broker did not take the relay task; the sweep will relay.", exc_info=True)


def venue_closure_notices_kick() -> None:
    """After the transaction that closes a venue, ask a worker to announce it now rather than at
    the next quarter-hour run (`venue_closure_notices_create`, which also catches the admin's
    edits). Best effort, like `_kick_relay`."""

    def kick() -> None:
        from visits.tasks import create_closure_notices

        try:
            create_closure_notices.apply_async()
        except Exception:
            logger.warning("The broker did not take the closure task; its next run will do it.", exc_info=True)

    transaction.on_commit(kick)


def _record(notice: Notice) -> Notice:
    """Write an event into the outbox, in the caller's transaction."""
    notice.save()
    transaction.on_commit(_kick_relay)
    return notice


def _visit_facts(visit: Visit, prefix: str = "") -> dict:
    return {
        f"{prefix}venue": visit.venue_id,
        f"{prefix}starts_at": visit.starts_at.isoformat(),
        f"{prefix}ends_at": visit.ends_at.isoformat(),
    }


def visit_notice_record(*, visit: Visit, kind: Notice.Kind, before: Visit | None = None) -> Notice:
    """Record what happened to a public visit, in the transaction that changes it. The place,
    time and reason are kept as they are now, so a mail sent later tells what happened then, even
    if the visit has changed again meanwhile (its own later notice tells that)."""
    details = _visit_facts(visit)
    if kind == Notice.Kind.MOVED:
        details.update(_visit_facts(before, "former_"))
    if kind == Notice.Kind.CANCELLED:
        details["reason"] = visit.cancel_reason_code
        details["reason_details"] = {
            language: resident_text(visit, "cancel_reason", language).text for language, _name in settings.LANGUAGES
        }
    return _record(Notice(kind=kind, visit=visit, details=details))


def venue_closure_notices_create() -> int:
    """One notice for each venue closure that falls on published coming visits (whoever entered
    it: the staff page or the admin). Rule: a closure is announced once; the key makes a
    repeated run add nothing. A closure changed later is a new closure."""
    today = local_today()
    created = 0
    closures = VenueException.objects.filter(closed=True, end_date__gte=today).select_related("venue")
    for closure in closures:
        affected = list(
            Visit.objects.published()
            .filter(
                venue=closure.venue,
                starts_at__lt=local_datetime(closure.end_date + datetime.timedelta(days=1), datetime.time()),
                ends_at__gt=max(timezone.now(), local_datetime(closure.start_date, datetime.time())),
            )
            .values_list("pk", flat=True)
        )
        if not affected:
            continue
        key = f"venue-closed:{closure.pk}:{closure.start_date}:{closure.end_date}"
        with transaction.atomic():
            _notice, made = Notice.objects.get_or_create(
                key=key,
                defaults={
                    "kind": Notice.Kind.VENUE_CLOSED,
                    "venue_exception": closure,
                    "details": {
                        "venue": closure.venue_id,
                        "start_date": closure.start_date.isoformat(),
                        "end_date": closure.end_date.isoformat(),
                        "visits": affected,
                    },
                },
            )
            if made:
                transaction.on_commit(_kick_relay)
                created += 1
    return created


def point_closing_notices_create() -> int:
    """One notice for each service point that closes within `POINT_CLOSING_DAYS` days, to the
    subscribers of its area. Rule: announced once per closing date."""
    today = local_today()
    created = 0
    closing = ServicePoint.objects.filter(
        closes_on__gte=today, closes_on__lte=today + datetime.timedelta(days=POINT_CLOSING_DAYS)
    )
    for point in closing:
        with transaction.atomic():
            _notice, made = Notice.objects.get_or_create(
                key=f"point-closing:{point.pk}:{point.closes_on}",
                defaults={
                    "kind": Notice.Kind.POINT_CLOSING,
                    "service_point": point,
                    "details": {"closes_on": point.closes_on.isoformat()},
                },
            )
            if made:
                transaction.on_commit(_kick_relay)
                created += 1
    return created


def digest_notice_create() -> Notice | None:
    """The weekly digest of newly published visits: one event a week, covering the time since
    the last one, so that every newly published visit is in exactly one digest. Rule: never one
    mail per published visit."""
    now = timezone.now()
    year, week, _day = timezone.localtime(now).isocalendar()
    last = Notice.objects.filter(kind=Notice.Kind.DIGEST).order_by("-created_at").first()
    since = last.details["until"] if last else (now - datetime.timedelta(days=7)).isoformat()
    with transaction.atomic():
        notice, made = Notice.objects.get_or_create(
            key=f"digest:{year}-W{week:02d}",
            defaults={"kind": Notice.Kind.DIGEST, "details": {"since": since, "until": now.isoformat()}},
        )
        if made:
            transaction.on_commit(_kick_relay)
    return notice if made else None


# The relay -------------------------------------------------------------------------------------

RELAY_BATCH = 50


class Relayed(NamedTuple):
    """What one relay run did: how many events it took, and the deliveries they need sent."""

    notices: int
    deliveries: list[int]


def notices_relay(*, limit: int = RELAY_BATCH) -> Relayed:
    """Turn up to `limit` pending events into deliveries; those still to send are returned.

    Rule: one delivery per subscriber, event and channel. Events are claimed with SKIP LOCKED, so
    two relays at once take different events (on SQLite, one writer at a time does the same)."""
    now = timezone.now()
    with transaction.atomic():
        notices = list(
            Notice.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(relayed_at__isnull=True)
            .select_related("visit__venue", "service_point")
            .order_by("created_at", "pk")[:limit]
        )
        for notice in notices:
            recipients = selectors.notice_recipients(notice)
            Delivery.objects.bulk_create(
                [Delivery(notice=notice, subscription_id=pk, created_at=now, touched_at=now) for pk in recipients],
                ignore_conflicts=True,
            )
        Notice.objects.filter(pk__in=[n.pk for n in notices]).update(relayed_at=now)
        pending = Delivery.objects.filter(notice__in=notices, state=Delivery.State.PENDING)
        return Relayed(len(notices), list(pending.values_list("pk", flat=True)))


def deliveries_due(*, limit: int = 500) -> list[int]:
    """Deliveries still not sent `NOTICE_RESEND_AFTER_SECONDS` after they were handed to the
    broker or claimed by a worker (a lost enqueue, a killed worker, a lost retry): given back to
    be claimed again and returned to be handed over again. A send never takes that long (each
    wait on the mail server ends after `EMAIL_TIMEOUT`), so a claim that old is a dead worker's."""
    now = timezone.now()
    stale = now - datetime.timedelta(seconds=settings.NOTICE_RESEND_AFTER_SECONDS)
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(state__in=UNDELIVERED, touched_at__lt=stale)
            .order_by("touched_at")
            .values_list("pk", flat=True)[:limit]
        )
        Delivery.objects.filter(pk__in=ids, state__in=UNDELIVERED).update(state=Delivery.State.PENDING, touched_at=now)
    return ids


# Delivery --------------------------------------------------------------------------------------

# Errors after which the mail will never go: the address itself is refused.
PERMANENT_ERRORS = (smtplib.SMTPRecipientsRefused,)
MARK_SENT_SECONDS = 120


def _claim(pk: int) -> bool:
    """Take the delivery for this worker: a conditional UPDATE, so only one worker sends it.
    (A dead worker's claim is given back by the sweep, `deliveries_due`.)"""
    return bool(
        Delivery.objects.filter(pk=pk, state=Delivery.State.PENDING).update(
            state=Delivery.State.SENDING, touched_at=timezone.now(), attempts=F("attempts") + 1
        )
    )


def _mark_sent(pk: int) -> None:
    """Record the sending. The mail has gone, so a database that is away (restarting) is waited
    for rather than letting a retry send the mail again."""
    deadline = time.monotonic() + MARK_SENT_SECONDS
    pause = 0.5
    while True:
        try:
            Delivery.objects.filter(pk=pk).update(state=Delivery.State.SENT, sent_at=timezone.now(), last_error="")
            return
        except DatabaseError:
            if time.monotonic() > deadline:
                raise
            logger.warning("Delivery %s was sent but not yet marked so; retrying.", pk, exc_info=True)
            connection.close()
            time.sleep(pause)
            pause = min(pause * 2, 5)


def _release(pk: int, error: Exception, *, permanent: bool) -> bool:
    """Give a delivery back after a failed attempt; returns True if it will be tried again.
    Rule: after `NOTICE_MAX_ATTEMPTS` attempts, or a refused address, it has failed for good
    and waits for staff to retry it from the admin."""
    delivery = Delivery.objects.get(pk=pk)
    failed = permanent or delivery.attempts >= settings.NOTICE_MAX_ATTEMPTS
    Delivery.objects.filter(pk=pk, state=Delivery.State.SENDING).update(
        state=Delivery.State.FAILED if failed else Delivery.State.PENDING,
        touched_at=timezone.now(),
        last_error=f"{type(error).__name__}: {error}"[:500],
    )
    return not failed


def delivery_send(*, delivery_id: int) -> str:
    """Send one delivery if nobody has: "sent", "skipped" (already sent, being sent, or the
    subscriber is gone) or, after a failure, "retry" or "failed" (raising for a retry)."""
    from visits.notices.messages import delivery_message

    if not _claim(delivery_id):
        return "skipped"
    delivery = Delivery.objects.select_related("notice", "subscription").filter(pk=delivery_id).first()
    if delivery is None:
        return "skipped"  # unsubscribed meanwhile: the delivery went with the subscription
    try:
        delivery_message(delivery).send()
    except Exception as error:
        retry = _release(delivery_id, error, permanent=isinstance(error, PERMANENT_ERRORS))
        if retry:
            raise
        logger.error("Delivery %s failed for good: %s", delivery_id, error)
        return "failed"
    _mark_sent(delivery_id)
    return "sent"


def deliveries_retry(*, deliveries: Iterable[Delivery]) -> list[int]:
    """Staff give deliveries that failed for good another round of attempts."""
    ids = [d.pk for d in deliveries]
    with transaction.atomic():
        retried = list(Delivery.objects.filter(pk__in=ids, state=Delivery.State.FAILED).values_list("pk", flat=True))
        Delivery.objects.filter(pk__in=retried).update(
            state=Delivery.State.PENDING, attempts=0, touched_at=timezone.now()
        )
        transaction.on_commit(lambda: deliveries_hand_over(retried))
    return retried


def deliveries_hand_over(ids: Iterable[int]) -> None:
    """Give deliveries to the broker for a worker to send. Best effort: one the broker does not
    take is handed over again by the sweep (`deliveries_due`)."""
    from visits.tasks import deliver_notice

    for pk in ids:
        try:
            deliver_notice.apply_async((pk,))
        except Exception:
            logger.warning("The broker did not take delivery %s; the sweep will hand it over again.", pk, exc_info=True)
            return
