"""What staff see of residents' e-mail notices: who a cancellation will reach, how the mails of
a visit went, and the admin where failed ones are retried (never edited by hand)."""

import datetime
import itertools

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext

from tests.factories import AreaFactory
from tests.html import parse, text
from tests.visits.factories import UserFactory, VenueFactory, VisitFactory
from visits.models import CancelReason, Delivery, Notice, Subscription, Visit

pytestmark = pytest.mark.django_db

# Sunday 1 March 2026, noon in Helsinki; the factories' visits are on Monday 2 March.
NOW = datetime.datetime(2026, 3, 1, 10, tzinfo=datetime.UTC)
NUMBERS = itertools.count(1)


@pytest.fixture(autouse=True)
def _sunday_1_march_2026():
    with time_machine.travel(NOW, tick=False):
        yield


def subscribe(*, areas=(), venues=(), confirmed: bool = True) -> Subscription:
    number = next(NUMBERS)
    subscription = Subscription.objects.create(
        email=f"asukas{number}@example.invalid",
        language="fi",
        token=f"token{number}".ljust(43, "x"),
        confirmed_at=NOW if confirmed else None,
    )
    subscription.areas.set(areas)
    subscription.venues.set(venues)
    return subscription


def deliveries(visit: Visit, *states: str) -> list[Delivery]:
    """A cancellation notice of the visit, relayed to one new subscriber per state given."""
    notice = Notice.objects.create(kind=Notice.Kind.CANCELLED, visit=visit, relayed_at=NOW)
    return [
        Delivery.objects.create(
            notice=notice,
            subscription=subscribe(venues=[visit.venue]),
            state=state,
            attempts=8 if state == Delivery.State.FAILED else 1,
            last_error="SMTPRecipientsRefused: mailbox unavailable" if state == Delivery.State.FAILED else "",
        )
        for state in states
    ]


def staff_url(name: str, lang: str = "en", **kwargs) -> str:
    with translation.override(lang):
        return reverse(f"staff:{name}", kwargs=kwargs)


@pytest.fixture
def scheduler_client(client):
    user = UserFactory()
    user.groups.add(Group.objects.get(name="scheduler"))
    client.force_login(user)
    return client


@pytest.fixture
def english_admin(admin_client):
    """The admin has no language prefix: it speaks the browser's language."""
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return admin_client


@pytest.fixture
def venue():
    return VenueFactory(name_fi="Sellon kirjasto", name_sv="Sellobiblioteket", name_en="Sello library")


@pytest.fixture
def visit(venue):
    return VisitFactory(venue=venue, published=True)


@pytest.fixture
def three_subscribers(venue):
    """Three confirmed subscribers of the venue or its area, and two who are not told."""
    subscribe(areas=[venue.area])
    subscribe(venues=[venue])
    subscribe(areas=[venue.area], venues=[venue])  # one resident, told once
    subscribe(areas=[venue.area], confirmed=False)
    subscribe(areas=[AreaFactory()])


def told(count: int, lang: str) -> str:
    with translation.override(lang):
        return ngettext(
            "%(counter)s subscriber will be told by e-mail.", "%(counter)s subscribers will be told by e-mail.", count
        ) % {"counter": count}


def cancel_review(client, visit: Visit, lang: str = "en"):
    """The first submit of the cancel form: the step that shows what residents will be told."""
    data = {"cancel_reason_code": CancelReason.ILLNESS, "cancel_reason": "Neuvoja on sairaana.", "action": "review"}
    response = client.post(staff_url("visit_cancel", lang, pk=visit.pk), data)
    assert response.status_code == 200
    return parse(response.content)


# Cancelling: how many subscribers will be told ------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "fi"])
@pytest.mark.usefixtures("three_subscribers")
def test_the_cancel_confirmation_says_how_many_subscribers_will_be_told(scheduler_client, visit, lang):
    page = cancel_review(scheduler_client, visit, lang)

    assert page.html["lang"] == lang
    assert page.find(id="cancel-preview") is not None
    assert text(page.find(id="cancel-subscribers")) == told(3, lang)
    confirm = page.find("button", attrs={"name": "action", "value": "save"})
    assert confirm["aria-describedby"] == "cancel-subscribers"


@pytest.mark.usefixtures("three_subscribers")
def test_the_count_stands_beside_the_cancel_form_before_the_first_submit(scheduler_client, visit):
    page = parse(scheduler_client.get(staff_url("visit_detail", pk=visit.pk)).content)

    form = page.find("form", class_="cancel-form")
    assert text(form.find(id="cancel-subscribers")) == "3 subscribers will be told by e-mail."
    assert form.find("button", attrs={"value": "review"})["aria-describedby"] == "cancel-subscribers"


def test_one_subscriber_is_named_in_the_singular(scheduler_client, visit):
    subscribe(venues=[visit.venue])

    page = cancel_review(scheduler_client, visit)

    assert text(page.find(id="cancel-subscribers")) == "1 subscriber will be told by e-mail."


def test_with_no_subscribers_the_page_says_no_one_has_subscribed(scheduler_client, visit):
    subscribe(areas=[AreaFactory()])

    page = cancel_review(scheduler_client, visit)

    assert text(page.find(id="cancel-subscribers")) == (
        "No one has subscribed to notices for this visit's venue or area."
    )


@pytest.mark.usefixtures("three_subscribers")
def test_cancelling_a_draft_tells_no_one_and_the_page_says_so(scheduler_client, venue):
    draft = VisitFactory(venue=venue)

    page = cancel_review(scheduler_client, draft)

    assert text(page.find(id="cancel-subscribers")) == (
        "The visit has not been published: no one is told of its cancellation by e-mail."
    )
    assert "will be told by e-mail" not in text(page)


@pytest.mark.usefixtures("three_subscribers")
def test_an_advisor_who_cannot_cancel_sees_no_count(client, visit):
    advisor = UserFactory()
    advisor.groups.add(Group.objects.get(name="advisor"))
    client.force_login(advisor)

    page = parse(client.get(staff_url("visit_detail", pk=visit.pk)).content)

    assert page.find(id="cancel-subscribers") is None


# A visit's notices: sent, waiting, failed for good ------------------------------------------------


def notices_section(page):
    return page.find("section", attrs={"aria-labelledby": "notices-heading"})


def test_the_visit_page_counts_the_mails_and_links_an_administrator_to_the_failed_ones(english_admin, visit):
    S = Delivery.State
    [*_, failed] = deliveries(visit, S.SENT, S.SENT, S.PENDING, S.SENDING, S.FAILED)
    deliveries(VisitFactory(published=True), S.SENT, S.FAILED)  # another visit's mails

    page = parse(english_admin.get(staff_url("visit_detail", pk=visit.pk)).content)

    section = notices_section(page)
    assert text(section.find("h2")) == "Notices to residents"
    assert text(section.find("dl"), separator=" ") == "Sent 2 Waiting to be sent 2 Failed for good 1"
    warning = section.find(id="failed-deliveries")
    assert "notice--warning" in warning["class"]
    assert text(warning).startswith(
        "Warning: 1 e-mail could not be delivered even after repeated attempts: its subscriber has not been told."
    )
    link = warning.find("a")
    assert link["href"] == (
        reverse("admin:visits_delivery_changelist") + f"?notice__visit__id__exact={visit.pk}&state__exact=failed"
    )

    listed = english_admin.get(link["href"])

    assert listed.status_code == 200
    assert list(listed.context["cl"].result_list) == [failed]


def test_a_scheduler_sees_the_failures_and_is_told_who_can_retry_them(scheduler_client, visit):
    S = Delivery.State
    deliveries(visit, S.SENT, S.FAILED, S.FAILED)

    section = notices_section(parse(scheduler_client.get(staff_url("visit_detail", pk=visit.pk)).content))

    warning = section.find(id="failed-deliveries")
    assert "2 e-mails could not be delivered" in text(warning)
    assert "An administrator can retry them in the admin." in text(warning)
    assert warning.find("a") is None


def test_mails_all_sent_show_the_counts_without_a_warning(scheduler_client, visit):
    deliveries(visit, Delivery.State.SENT, Delivery.State.SENT)

    section = notices_section(parse(scheduler_client.get(staff_url("visit_detail", pk=visit.pk)).content))

    assert text(section.find("dl"), separator=" ") == "Sent 2 Waiting to be sent 0 Failed for good 0"
    assert section.find(id="failed-deliveries") is None


def test_a_visit_without_notices_says_none_were_sent(scheduler_client, visit):
    section = notices_section(parse(scheduler_client.get(staff_url("visit_detail", pk=visit.pk)).content))

    assert text(section) == "Notices to residents No notices have been sent for this visit."


# The admin ------------------------------------------------------------------------------------


@pytest.fixture
def rows(visit):
    sent, failed = deliveries(visit, Delivery.State.SENT, Delivery.State.FAILED)
    return {"subscription": failed.subscription, "notice": failed.notice, "delivery": failed, "sent": sent}


@pytest.mark.parametrize("model", ["subscription", "notice", "delivery"])
def test_the_changelist_and_change_page_load_for_an_administrator(english_admin, rows, model):
    changelist = english_admin.get(reverse(f"admin:visits_{model}_changelist"))
    change = english_admin.get(reverse(f"admin:visits_{model}_change", args=[rows[model].pk]))

    assert changelist.status_code == 200
    assert rows[model] in changelist.context["cl"].result_list
    assert change.status_code == 200


def test_a_subscription_token_is_never_shown(english_admin, rows):
    subscription = rows["subscription"]

    changelist = english_admin.get(reverse("admin:visits_subscription_changelist")).content.decode()
    change = english_admin.get(reverse("admin:visits_subscription_change", args=[subscription.pk])).content.decode()

    assert subscription.token not in changelist
    assert subscription.token not in change


@pytest.mark.parametrize(("confirmed", "expected"), [("yes", ["confirmed"]), ("no", ["unconfirmed"])])
def test_subscriptions_are_filtered_by_whether_they_are_confirmed(english_admin, venue, confirmed, expected):
    made = {"confirmed": subscribe(venues=[venue]), "unconfirmed": subscribe(venues=[venue], confirmed=False)}

    response = english_admin.get(reverse("admin:visits_subscription_changelist"), {"confirmed": confirmed})

    assert list(response.context["cl"].result_list) == [made[name] for name in expected]


def test_subscriptions_are_made_by_residents_not_added_in_the_admin(english_admin):
    assert english_admin.get(reverse("admin:visits_subscription_add")).status_code == 403


def test_an_administrator_changes_what_a_subscriber_hears_of_but_not_to_nothing(english_admin, venue):
    subscription = subscribe(venues=[venue])
    other = AreaFactory()
    change = reverse("admin:visits_subscription_change", args=[subscription.pk])

    refused = english_admin.post(change, {"language": "sv"})
    saved = english_admin.post(change, {"language": "sv", "areas": [other.pk]})

    assert "Choose at least one area or venue to hear about." in refused.content.decode()
    assert saved.status_code == 302
    subscription.refresh_from_db()
    assert (subscription.language, list(subscription.areas.all()), list(subscription.venues.all())) == (
        "sv",
        [other],
        [],
    )


def test_the_notice_list_counts_each_notices_deliveries_and_filters_by_kind(english_admin, rows, visit):
    confirmation = Notice.objects.create(kind=Notice.Kind.CONFIRM, subscription=rows["subscription"])

    everything = english_admin.get(reverse("admin:visits_notice_changelist"))
    cancellations = english_admin.get(reverse("admin:visits_notice_changelist"), {"kind__exact": "cancelled"})

    assert [(n, n.delivery_count) for n in everything.context["cl"].result_list] == [
        (confirmation, 0),
        (rows["notice"], 2),
    ]
    assert list(cancellations.context["cl"].result_list) == [rows["notice"]]


def test_notices_are_read_only_in_the_admin(english_admin, rows):
    notice = rows["notice"]

    page = english_admin.get(reverse("admin:visits_notice_change", args=[notice.pk])).content.decode()
    changed = english_admin.post(reverse("admin:visits_notice_change", args=[notice.pk]), {"kind": "digest"})

    assert 'name="_save"' not in page
    assert changed.status_code == 403
    assert english_admin.get(reverse("admin:visits_notice_add")).status_code == 403
    notice.refresh_from_db()
    assert notice.kind == Notice.Kind.CANCELLED


def test_no_one_edits_a_delivery_by_hand(english_admin, rows):
    failed = rows["delivery"]
    change = reverse("admin:visits_delivery_change", args=[failed.pk])

    page = english_admin.get(change).content.decode()
    edited = english_admin.post(change, {"state": "sent", "attempts": "0"})
    deleted = english_admin.post(reverse("admin:visits_delivery_delete", args=[failed.pk]), {"post": "yes"})

    assert 'name="state"' not in page
    assert 'name="_save"' not in page
    assert (edited.status_code, deleted.status_code) == (403, 403)
    assert english_admin.get(reverse("admin:visits_delivery_add")).status_code == 403
    failed.refresh_from_db()
    assert (failed.state, failed.attempts) == (Delivery.State.FAILED, 8)


def test_deliveries_are_filtered_by_state_channel_and_kind_of_notice(english_admin, rows):
    changelist = reverse("admin:visits_delivery_changelist")

    by_state = english_admin.get(changelist, {"state__exact": "failed"})
    by_channel = english_admin.get(changelist, {"channel__exact": "email"})
    by_kind = english_admin.get(changelist, {"notice__kind__exact": "digest"})

    assert list(by_state.context["cl"].result_list) == [rows["delivery"]]
    assert len(by_channel.context["cl"].result_list) == 2
    assert list(by_kind.context["cl"].result_list) == []


def test_the_delivery_list_names_the_visit_it_is_narrowed_to(english_admin, rows, visit):
    changelist = reverse("admin:visits_delivery_changelist")

    narrowed = english_admin.get(changelist, {"notice__visit__id__exact": visit.pk})
    unknown = english_admin.get(changelist, {"notice__visit__id__exact": "nine"})

    sidebar = text(parse(narrowed.content).find(id="changelist-filter"), separator=" ")
    assert f"By visit All {visit}" in sidebar
    assert len(narrowed.context["cl"].result_list) == 2
    assert (unknown.status_code, list(unknown.context["cl"].result_list)) == (200, [])


def test_the_retry_action_gives_failed_deliveries_another_round_and_leaves_the_others(english_admin, visit):
    S = Delivery.State
    sent, pending, first, second = deliveries(visit, S.SENT, S.PENDING, S.FAILED, S.FAILED)
    changelist = reverse("admin:visits_delivery_changelist")

    offered = english_admin.get(changelist).content.decode()
    response = english_admin.post(
        changelist,
        {"action": "retry", "_selected_action": [d.pk for d in (sent, pending, first, second)]},
        follow=True,
    )

    assert "Retry the chosen failed deliveries" in offered
    assert [str(m) for m in response.context["messages"]] == [
        "2 deliveries will be sent again. Only deliveries that failed for good are retried."
    ]
    states = {d.pk: (d.state, d.attempts) for d in Delivery.objects.all()}
    assert states == {
        sent.pk: (S.SENT, 1),
        pending.pk: (S.PENDING, 1),
        first.pk: (S.PENDING, 0),
        second.pk: (S.PENDING, 0),
    }


def test_retrying_nothing_that_failed_says_so(english_admin, visit):
    [sent] = deliveries(visit, Delivery.State.SENT)

    response = english_admin.post(
        reverse("admin:visits_delivery_changelist"), {"action": "retry", "_selected_action": [sent.pk]}, follow=True
    )

    [message] = response.context["messages"]
    assert (message.level_tag, str(message)) == (
        "warning",
        "0 deliveries will be sent again. Only deliveries that failed for good are retried.",
    )
    sent.refresh_from_db()
    assert sent.state == Delivery.State.SENT


def test_staff_without_the_delivery_permission_cannot_retry(client, rows):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(content_type__app_label="visits", codename="view_delivery"))
    client.force_login(viewer)
    failed = rows["delivery"]

    offered = client.get(reverse("admin:visits_delivery_changelist"), HTTP_ACCEPT_LANGUAGE="en")
    client.post(reverse("admin:visits_delivery_changelist"), {"action": "retry", "_selected_action": [failed.pk]})

    assert offered.status_code == 200
    assert "Retry the chosen failed deliveries" not in offered.content.decode()
    failed.refresh_from_db()
    assert failed.state == Delivery.State.FAILED
