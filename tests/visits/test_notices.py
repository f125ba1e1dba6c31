"""Residents' e-mail notices: the outbox, the relay, delivery once, and what each mail says."""

import datetime
import smtplib

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone

from tests.factories import AreaFactory, ServicePointFactory, ServiceTypeFactory
from tests.visits.factories import VenueFactory, VisitPlanFactory, at, published, sello_library
from visits.models import CancelReason, Delivery, Notice, Subscription, VenueException
from visits.notices import services
from visits.notices.selectors import oldest_undelivered_age, visit_recipients
from visits.services import venue_exception_add, visit_cancel, visit_restore, visit_update

NOW = at("2026-12-01", "10:00")
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tuesday_1_december_2026():
    with time_machine.travel(NOW, tick=False):
        yield


def subscriber(email: str = "aino@example.fi", *, language: str = "fi", areas=(), venues=(), services=()):
    subscription = Subscription.objects.create(
        email=email, language=language, token=f"token-{email}".ljust(43, "x"), confirmed_at=timezone.now()
    )
    subscription.areas.set(areas)
    subscription.venues.set(venues)
    subscription.services.set(services)
    return subscription


def relay_and_send() -> list[str]:
    """What a worker does with the outbox: relay, then send every delivery; the outcomes."""
    return [services.delivery_send(delivery_id=pk) for pk in services.notices_relay().deliveries]


@pytest.fixture
def sello():
    return sello_library()


# The outbox --------------------------------------------------------------------------------------


def test_cancelling_a_published_visit_records_a_notice_in_the_same_transaction(sello):
    visit = published(venue=sello)

    visit_cancel(visit=visit, reason=CancelReason.ILLNESS)

    notice = Notice.objects.get()
    assert (notice.kind, notice.visit, notice.relayed_at) == (Notice.Kind.CANCELLED, visit, None)


def test_a_cancellation_rolled_back_leaves_no_notice(sello):
    visit = published(venue=sello)

    with pytest.raises(RuntimeError), transaction.atomic():
        visit_cancel(visit=visit, reason=CancelReason.ILLNESS)
        raise RuntimeError("the request failed after the cancellation")

    assert not Notice.objects.exists()


def test_cancelling_a_draft_nobody_saw_tells_nobody(sello):
    from tests.visits.factories import VisitFactory

    visit_cancel(visit=VisitFactory(venue=sello), reason=CancelReason.ILLNESS)

    assert not Notice.objects.exists()


def test_restoring_a_published_visit_records_a_notice(sello):
    visit = published(venue=sello)
    visit_cancel(visit=visit, reason=CancelReason.ILLNESS)

    visit_restore(visit=visit)

    assert list(Notice.objects.order_by("pk").values_list("kind", flat=True)) == ["cancelled", "restored"]


def test_moving_a_published_visit_records_where_and_when_it_was(sello):
    visit = published(venue=sello)
    elsewhere = VenueFactory(area=sello.area)

    visit_update(visit=visit, plan=VisitPlanFactory(venue=elsewhere, starts_at=at("2026-12-08", "12:00")))

    notice = Notice.objects.get()
    assert notice.kind == Notice.Kind.MOVED
    assert (notice.details["venue"], notice.details["former_venue"]) == (elsewhere.pk, sello.pk)
    assert datetime.datetime.fromisoformat(notice.details["former_starts_at"]) == at("2026-12-07", "10:00")
    assert datetime.datetime.fromisoformat(notice.details["former_ends_at"]) == at("2026-12-07", "12:00")
    assert datetime.datetime.fromisoformat(notice.details["starts_at"]) == at("2026-12-08", "12:00")


def test_editing_a_published_visit_without_moving_it_records_nothing(sello):
    visit = published(venue=sello)

    visit_update(visit=visit, plan=VisitPlanFactory(venue=sello, starts_at=visit.starts_at, ends_at=visit.ends_at))

    assert not Notice.objects.exists()


# Who is told -------------------------------------------------------------------------------------


def test_subscribers_of_the_area_and_of_the_venue_are_told_once_each(sello):
    visit = published(venue=sello)
    both = subscriber("both@example.fi", areas=[sello.area], venues=[sello])
    area_only = subscriber("area@example.fi", areas=[sello.area])
    venue_only = subscriber("venue@example.fi", venues=[sello])
    subscriber("elsewhere@example.fi", areas=[AreaFactory()])
    Subscription.objects.create(email="unconfirmed@example.fi", language="fi", token="u" * 43).areas.add(sello.area)

    assert sorted(visit_recipients(visit)) == sorted([both.pk, area_only.pk, venue_only.pk])


def test_a_subscriber_who_chose_kinds_of_help_hears_only_of_visits_offering_one(sello):
    kela, hsl = ServiceTypeFactory(slug="kela"), ServiceTypeFactory(slug="hsl-card")
    guidance = ServiceTypeFactory(slug="general-guidance")
    kela_visit = published(venue=sello, services=[kela])
    plain_visit = published(day="2026-12-08", venue=sello)  # no kinds chosen: general guidance
    wants_kela = subscriber("kela@example.fi", areas=[sello.area], services=[kela])
    wants_hsl = subscriber("hsl@example.fi", areas=[sello.area], services=[hsl])
    wants_guidance = subscriber("guidance@example.fi", areas=[sello.area], services=[guidance])

    assert visit_recipients(kela_visit) == [wants_kela.pk]
    assert visit_recipients(plain_visit) == [wants_guidance.pk]
    assert wants_hsl.pk not in visit_recipients(kela_visit) + visit_recipients(plain_visit)


def test_a_moved_visit_is_told_to_the_subscribers_of_its_former_venue_too(sello):
    visit = published(venue=sello)
    former = subscriber("former@example.fi", venues=[sello])
    elsewhere = VenueFactory()
    new = subscriber("new@example.fi", venues=[elsewhere])

    visit_update(visit=visit, plan=VisitPlanFactory(venue=elsewhere, starts_at=visit.starts_at))
    services.notices_relay()

    assert set(Delivery.objects.values_list("subscription_id", flat=True)) == {former.pk, new.pk}


# Delivery once -----------------------------------------------------------------------------------


def test_each_subscriber_gets_one_mail_and_a_second_relay_or_send_adds_none(sello):
    visit = published(venue=sello)
    subscriber("aino@example.fi", areas=[sello.area], venues=[sello])
    subscriber("bertil@example.fi", language="sv", venues=[sello])
    visit_cancel(visit=visit, reason=CancelReason.ILLNESS)

    assert relay_and_send() == ["sent", "sent"]
    assert services.notices_relay() == (0, [])
    assert [services.delivery_send(delivery_id=d.pk) for d in Delivery.objects.all()] == ["skipped", "skipped"]
    assert sorted(m.to[0] for m in mail.outbox) == ["aino@example.fi", "bertil@example.fi"]
    assert set(Delivery.objects.values_list("state", flat=True)) == {"sent"}


def test_a_delivery_claimed_by_a_worker_that_died_is_taken_over_after_the_resend_interval(sello, settings):
    visit = published(venue=sello)
    subscriber(areas=[sello.area])
    visit_cancel(visit=visit, reason=CancelReason.ILLNESS)
    [pk] = services.notices_relay().deliveries
    Delivery.objects.filter(pk=pk).update(state=Delivery.State.SENDING, touched_at=timezone.now())

    assert services.delivery_send(delivery_id=pk) == "skipped"  # another worker is sending it
    assert services.deliveries_due() == []

    with time_machine.travel(NOW + datetime.timedelta(seconds=settings.NOTICE_RESEND_AFTER_SECONDS + 1), tick=False):
        assert services.deliveries_due() == [pk]
        assert services.delivery_send(delivery_id=pk) == "sent"
    assert len(mail.outbox) == 1


def test_a_mail_server_error_leaves_the_delivery_to_retry_and_at_last_failed(sello, settings, monkeypatch):
    settings.NOTICE_MAX_ATTEMPTS = 2
    visit = published(venue=sello)
    subscriber(areas=[sello.area])
    visit_cancel(visit=visit, reason=CancelReason.ILLNESS)
    [pk] = services.notices_relay().deliveries

    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("the mail server went away")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        services.delivery_send(delivery_id=pk)
    delivery = Delivery.objects.get(pk=pk)
    assert (delivery.state, delivery.attempts) == ("pending", 1)
    assert "went away" in delivery.last_error

    assert services.delivery_send(delivery_id=pk) == "failed"
    assert Delivery.objects.get(pk=pk).state == "failed"

    monkeypatch.undo()
    assert services.deliveries_retry(deliveries=Delivery.objects.all()) == [pk]
    assert services.delivery_send(delivery_id=pk) == "sent"
    assert len(mail.outbox) == 1


def test_an_address_the_mail_server_refuses_fails_at_once(sello, monkeypatch):
    visit = published(venue=sello)
    subscriber(areas=[sello.area])
    visit_cancel(visit=visit, reason=CancelReason.ILLNESS)
    [pk] = services.notices_relay().deliveries

    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({"aino@example.fi": (550, b"no such user")})

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)

    assert services.delivery_send(delivery_id=pk) == "failed"
    assert Delivery.objects.get(pk=pk).attempts == 1


def test_an_unsubscribed_resident_gets_nothing_still_waiting(sello):
    visit = published(venue=sello)
    subscription = subscriber(areas=[sello.area])
    visit_cancel(visit=visit, reason=CancelReason.ILLNESS)
    [pk] = services.notices_relay().deliveries

    services.subscription_delete(subscription=subscription)

    assert services.delivery_send(delivery_id=pk) == "skipped"
    assert mail.outbox == []


def test_the_oldest_undelivered_event_is_reported_until_its_mails_are_sent(sello):
    visit = published(venue=sello)
    subscriber(areas=[sello.area])
    visit_cancel(visit=visit, reason=CancelReason.ILLNESS)

    with time_machine.travel(NOW + datetime.timedelta(seconds=90), tick=False):
        assert oldest_undelivered_age() == datetime.timedelta(seconds=90)
        services.notices_relay()
        assert oldest_undelivered_age() == datetime.timedelta(seconds=90)
        relay_and_send()
        for delivery in Delivery.objects.all():
            services.delivery_send(delivery_id=delivery.pk)
        assert oldest_undelivered_age() is None


# Subscriptions -----------------------------------------------------------------------------------


def test_subscribing_again_and_again_sends_at_most_one_confirmation_an_hour(sello):
    for _attempt in range(3):
        services.subscription_request(email=" Aino@Example.FI ", language="sv", areas=[sello.area], venues=[])

    subscription = Subscription.objects.get()
    assert (subscription.email, subscription.language, subscription.confirmed_at) == ("aino@example.fi", "sv", None)
    assert list(Notice.objects.values_list("kind", flat=True)) == ["confirm"]

    with time_machine.travel(NOW + datetime.timedelta(hours=1, seconds=1), tick=False):
        services.subscription_request(email="aino@example.fi", language="sv", areas=[sello.area], venues=[])
    assert Notice.objects.filter(kind="confirm").count() == 2


def test_a_confirmed_address_subscribing_again_keeps_its_choices_and_gets_the_link_to_change_them(sello):
    subscription = subscriber(areas=[sello.area])

    services.subscription_request(email="aino@example.fi", language="en", areas=[], venues=[VenueFactory()])

    subscription.refresh_from_db()
    assert (subscription.language, list(subscription.areas.all()), list(subscription.venues.all())) == (
        "fi",
        [sello.area],
        [],
    )
    assert list(Notice.objects.values_list("kind", flat=True)) == ["choices_link"]


@pytest.mark.parametrize(
    "email", ["not-an-address", "a" * 250 + "@example.fi", "aino@example.fi\nBcc: all@example.fi", ""]
)
def test_a_bad_address_is_refused_and_nothing_is_kept_or_sent(sello, email):
    with pytest.raises(services.ValidationError) as refused:
        services.subscription_request(email=email, language="fi", areas=[sello.area], venues=[])

    assert "email" in refused.value.message_dict
    assert not Subscription.objects.exists() and not Notice.objects.exists()


def test_a_subscription_needs_an_area_or_a_venue():
    with pytest.raises(services.ValidationError):
        services.subscription_request(email="aino@example.fi", language="fi", areas=[], venues=[])

    assert not Subscription.objects.exists()


def test_only_the_confirmation_goes_to_an_unconfirmed_address(sello):
    services.subscription_request(email="aino@example.fi", language="fi", areas=[sello.area], venues=[])
    visit_cancel(visit=published(venue=sello), reason=CancelReason.ILLNESS)

    relay_and_send()

    assert [m.subject for m in mail.outbox] == ["Vahvista tiedotteiden tilaus"]


def test_unconfirmed_subscriptions_are_deleted_after_seven_days_and_their_link_expires(sello):
    services.subscription_request(email="aino@example.fi", language="fi", areas=[sello.area], venues=[])
    subscriber("confirmed@example.fi", areas=[sello.area])

    with time_machine.travel(NOW + datetime.timedelta(days=7, seconds=1), tick=False):
        with pytest.raises(services.ValidationError):
            services.subscription_confirm(subscription=Subscription.objects.get(email="aino@example.fi"))
        assert services.subscriptions_purge_unconfirmed() >= 1

    assert list(Subscription.objects.values_list("email", flat=True)) == ["confirmed@example.fi"]


# Periodic notices --------------------------------------------------------------------------------


def test_a_venue_closure_over_published_visits_is_announced_once_to_the_area(sello):
    visit = published(venue=sello)
    subscription = subscriber(areas=[sello.area])
    closure = VenueException(venue=sello, start_date=datetime.date(2026, 12, 7), end_date=datetime.date(2026, 12, 7))
    closure.closed = True
    closure.reason_fi = "Remontti"

    venue_exception_add(exception=closure)
    assert services.venue_closure_notices_create() == 1
    assert services.venue_closure_notices_create() == 0

    notice = Notice.objects.get()
    assert (notice.kind, notice.details["visits"]) == ("venue_closed", [visit.pk])
    assert relay_and_send() == ["sent"]
    assert mail.outbox[0].to == [subscription.email]
    assert "Remontti" in mail.outbox[0].body


def test_a_service_point_closing_within_30_days_is_announced_once_with_the_alternatives():
    area = AreaFactory()
    instead = ServicePointFactory(area=area, name_fi="Iso Omena")
    closing = ServicePointFactory(area=area, name_fi="Tapiola", closes_on=datetime.date(2026, 12, 31))
    closing.alternatives.add(instead)
    ServicePointFactory(area=area, closes_on=datetime.date(2027, 1, 31))  # more than 30 days away
    subscriber(areas=[area])

    assert services.point_closing_notices_create() == 1
    assert services.point_closing_notices_create() == 0
    assert relay_and_send() == ["sent"]
    message = mail.outbox[0]
    assert message.subject == "Tapiola sulkeutuu 31.12."
    assert "Iso Omena" in message.body


def test_the_weekly_digest_lists_each_newly_published_visit_once_in_one_mail(sello):
    subscriber(areas=[sello.area])
    first, second = published(venue=sello), published(day="2026-12-08", venue=sello)

    with time_machine.travel(NOW + datetime.timedelta(days=6), tick=False):
        assert services.digest_notice_create() is not None
        assert services.digest_notice_create() is None  # the same week again
        assert relay_and_send() == ["sent"]
    body = mail.outbox[0].body
    assert first.get_absolute_url() in body and second.get_absolute_url() in body

    with time_machine.travel(NOW + datetime.timedelta(days=13), tick=False):
        services.digest_notice_create()
        assert relay_and_send() == []  # nothing new was published: no mail at all
    assert len(mail.outbox) == 1


# What each mail says, in each language -----------------------------------------------------------

# A phrase of each kind's mail, and how the visit's day and hours read, in each language.
HEADLINES = {
    "fi": {
        "cancelled": "on peruttu",
        "restored": "pidetään sittenkin",
        "moved": "uusi aika tai paikka",
        "day": "ma 7.12. 10.00–12.00",
        "unsubscribe": "Peru tilaus",
    },
    "sv": {
        "cancelled": "har ställts in",
        "restored": "hålls ändå",
        "moved": "ny tid eller plats",
        "day": "mån 7.12. 10.00–12.00",
        "unsubscribe": "Avsluta prenumerationen",
    },
    "en": {
        "cancelled": "has been cancelled",
        "restored": "takes place after all",
        "moved": "a new time or place",
        "day": "Mon 7 Dec 10:00–12:00",
        "unsubscribe": "Unsubscribe",
    },
}


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
@pytest.mark.parametrize("kind", ["cancelled", "restored", "moved"])
def test_a_visit_notice_tells_the_time_place_and_link_in_the_subscribers_language(sello, language, kind):
    visit = published(venue=sello)
    subscription = subscriber(language=language, venues=[sello])
    if kind == "moved":
        visit_update(visit=visit, plan=VisitPlanFactory(venue=sello, starts_at=at("2026-12-08", "12:00")))
    else:
        visit_cancel(visit=visit, reason=CancelReason.ILLNESS, details={"fi": "Neuvoja sairastui."})
        if kind == "restored":
            Notice.objects.all().delete()
            visit_restore(visit=visit)

    relay_and_send()

    [message] = mail.outbox
    html = message.alternatives[0][0]
    words = HEADLINES[language]
    assert words[kind] in message.body
    assert words["day"] in message.body and words["day"] in html
    assert "Sello" in message.subject
    assert f"/{language}/visits/{visit.pk}/" in message.body
    assert f'<html lang="{language}">' in html
    assert words["unsubscribe"] in html
    unsubscribe = f"/{language}/subscribe/{subscription.token}/unsubscribe/"
    assert message.extra_headers["List-Unsubscribe"] == f"<http://127.0.0.1:8000{unsubscribe}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["Message-ID"] == Delivery.objects.get().message_id


@pytest.mark.parametrize(
    ("language", "reason"),
    [
        ("fi", "Palveluneuvoja on sairastunut. Neuvoja sairastui."),
        ("sv", "Servicerådgivaren är sjuk. Neuvoja sairastui."),
        ("en", "The advisor is ill. Neuvoja sairastui."),
    ],
)
def test_a_cancellation_mail_gives_the_reason_in_the_subscribers_language(sello, language, reason):
    visit = published(venue=sello)
    subscriber(language=language, venues=[sello])
    visit_cancel(visit=visit, reason=CancelReason.ILLNESS, details={"fi": "Neuvoja sairastui."})

    relay_and_send()

    assert reason in mail.outbox[0].body


SUBJECTS = {
    "digest": {
        "fi": "Palveluneuvojien uudet käynnit",
        "sv": "Servicerådgivarnas nya besök",
        "en": "New visits of the mobile service advisors",
    },
    "venue_closed": {
        "fi": "Suljettu: Sellon kirjasto 7.12.",
        "sv": "Stängt: Sellobiblioteket 7.12.",
        "en": "Closed: Sello library 7 Dec",
    },
    "point_closing": {
        "fi": "Tapiola sulkeutuu 31.12.",
        "sv": "Hagalund stänger 31.12.",
        "en": "Tapiola closes on 31 Dec",
    },
    "confirm": {
        "fi": "Vahvista tiedotteiden tilaus",
        "sv": "Bekräfta prenumerationen på meddelanden",
        "en": "Confirm your subscription to notices",
    },
    "choices_link": {
        "fi": "Tiedotteiden tilauksesi",
        "sv": "Din prenumeration på meddelanden",
        "en": "Your subscription to notices",
    },
}


def _make_event(kind: str, sello, subscription: Subscription) -> None:
    """The event behind each kind of mail, made the way the product makes it."""
    if kind == "digest":
        published(venue=sello)
        with time_machine.travel(NOW + datetime.timedelta(hours=1), tick=False):
            services.digest_notice_create()
    elif kind == "venue_closed":
        published(venue=sello)
        closure = VenueException(
            venue=sello, start_date=datetime.date(2026, 12, 7), end_date=datetime.date(2026, 12, 7)
        )
        closure.closed = True
        venue_exception_add(exception=closure)
        services.venue_closure_notices_create()
    elif kind == "point_closing":
        point = ServicePointFactory(
            area=sello.area,
            name_fi="Tapiola",
            name_sv="Hagalund",
            name_en="Tapiola",
            closes_on=datetime.date(2026, 12, 31),
        )
        point.alternatives.add(ServicePointFactory(area=sello.area))
        services.point_closing_notices_create()
    elif kind == "confirm":
        Subscription.objects.filter(pk=subscription.pk).update(confirmed_at=None)
        services.subscription_request(
            email=subscription.email, language=subscription.language, areas=[sello.area], venues=[]
        )
    else:
        services.subscription_request(email=subscription.email, language="fi", areas=[sello.area], venues=[])


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
@pytest.mark.parametrize("kind", list(SUBJECTS))
def test_every_other_kind_of_mail_comes_in_the_subscribers_language_with_its_own_links(sello, kind, language):
    subscription = subscriber(language=language, areas=[sello.area])
    _make_event(kind, sello, subscription)

    assert relay_and_send() == ["sent"]

    [message] = mail.outbox
    html = message.alternatives[0][0]
    assert message.subject == SUBJECTS[kind][language]
    assert message.to == [subscription.email]
    assert f"/{language}/subscribe/{subscription.token}/" in message.body
    assert f'<html lang="{language}">' in html
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
