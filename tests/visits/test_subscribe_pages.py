"""Residents' e-mail notices, as residents meet them: the form, the "check your e-mail" answer,
and the pages the mails' links open (confirm, change, unsubscribe), in fi, sv and en."""

import datetime
import re
import secrets
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from espoo_service.celery import app
from tests.factories import AreaFactory, ServiceTypeFactory
from tests.html import parse, text
from tests.visits.factories import VenueFactory, sello_library
from visits.models import UNCONFIRMED_DAYS, Notice, Subscription, Venue

LANGUAGES = ["fi", "sv", "en"]
EMAIL = "maija.meikalainen@example.com"
UNKNOWN_TOKEN = "x" * 43


@pytest.fixture
def sello(db) -> Venue:
    return sello_library()


@pytest.fixture
def leppavaara(sello):
    return sello.area


@pytest.fixture
def matinkyla(db):
    return AreaFactory(slug="suur-matinkyla", name_fi="Suur-Matinkylä", name_sv="Stor-Mattby", name_en="Matinkylä")


@pytest.fixture
def digital_support(db):
    return ServiceTypeFactory(slug="digital-support", name_fi="Digituki", name_sv="Digistöd", name_en="Digital support")


@pytest.fixture
def mails_go_now(monkeypatch):
    """Tasks run in this process, as in the embedded mode, also where a broker is configured."""
    monkeypatch.setitem(app.conf, "task_always_eager", True)


def post_form(client, django_capture_on_commit_callbacks, *, page: str = "en", **data):
    """The form sent from the `page` language's form as a browser sends it (the language of the
    messages is the page's unless chosen), the mails it queues handed over as after a commit."""
    fields = {"email": EMAIL, "language": page, **data}
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(f"/{page}/subscribe/", fields)


def subscription(*, confirmed: bool = False, days_old: int = 0, areas=(), venues=(), services=(), language="fi"):
    """A subscription as the services leave it, made directly: no mail is queued."""
    row = Subscription.objects.create(email=EMAIL, language=language, token=secrets.token_urlsafe(32))
    row.areas.set(areas)
    row.venues.set(venues)
    row.services.set(services)
    created_at = timezone.now() - datetime.timedelta(days=days_old)
    Subscription.objects.filter(pk=row.pk).update(created_at=created_at, confirmed_at=created_at if confirmed else None)
    row.refresh_from_db()
    return row


def checked(page, name: str) -> set[str]:
    return {box["value"] for box in page.find_all("input", attrs={"name": name}) if box.has_attr("checked")}


def translated(language: str, message: str) -> str:
    with translation.override(language):
        return gettext(message)


# The form -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_offers_the_form_in_each_language(client, sello, matinkyla, digital_support, language):
    response = client.get(f"/{language}/subscribe/")

    page = parse(response.content)
    assert response.status_code == 200
    assert page.html["lang"] == language
    assert text(page.find("label", attrs={"for": "id_email"})) == translated(language, "Your e-mail address")
    email = page.find("input", attrs={"name": "email"})
    assert (email["type"], email["autocomplete"], email["inputmode"], email["maxlength"]) == (
        "email",
        "email",
        "email",
        "254",
    )
    legends = [text(legend) for legend in page.find_all("legend")]
    for label in ("Language of the messages", "Areas", "Venues", "Only these kinds of help"):
        assert translated(language, label) in legends
    areas = {text(label) for label in page.select("label[for^=id_areas_]")}
    assert areas == {getattr(sello.area, f"name_{language}"), getattr(matinkyla, f"name_{language}")}
    assert getattr(digital_support, f"name_{language}") in text(page)
    assert checked(page, "language") == {language}


def test_it_names_each_language_in_that_language(client, db):
    page = parse(client.get("/en/subscribe/").content)

    labels = [(label["lang"], text(label)) for label in page.select("label[for^=id_language_]")]
    assert labels == [("fi", "suomi"), ("sv", "svenska"), ("en", "English")]


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_says_what_is_kept_and_that_an_unconfirmed_subscription_is_deleted_after_seven_days(client, db, language):
    page = text(parse(client.get(f"/{language}/subscribe/").content))

    with translation.override(language):
        deleted = ngettext(
            "If you do not confirm within %(days)s day, your address and your choices are deleted.",
            "If you do not confirm within %(days)s days, your address and your choices are deleted.",
            UNCONFIRMED_DAYS,
        ) % {"days": UNCONFIRMED_DAYS}
    assert UNCONFIRMED_DAYS == 7
    assert deleted in page
    assert (
        translated(language, "We keep your e-mail address and your choices, nothing else. You need no account.") in page
    )
    assert (
        translated(
            language,
            "Nothing is sent before you confirm: first you get a message with a link, "
            "and your subscription starts when you follow it.",
        )
        in page
    )
    assert translated(language, "Every message has a link to change your choices or to unsubscribe at once.") in page


def test_it_lists_the_active_venues_under_their_areas(client, sello, matinkyla):
    iso_omena = VenueFactory(area=matinkyla, name_en="Iso Omena library")
    VenueFactory(area=matinkyla, name_en="Closed youth centre", active=False)

    page = parse(client.get("/en/subscribe/").content)

    groups = {
        text(group.legend): [text(label) for label in group.find_all("label")]
        for group in page.select("fieldset.choice-group__area")
    }
    assert groups == {"Leppävaara": ["Sello library"], "Matinkylä": [iso_omena.name_en]}


def test_it_prefills_the_areas_and_venues_a_link_names(client, sello, matinkyla):
    query = f"?area={matinkyla.slug}&venue={sello.pk}"

    page = parse(client.get(f"/sv/subscribe/{query}").content)

    assert checked(page, "areas") == {matinkyla.slug}
    assert checked(page, "venues") == {str(sello.pk)}
    assert page.find("details", class_="venue-choices").has_attr("open")


@pytest.mark.parametrize(
    "query",
    [
        "?area=nope",
        "?area=%00",
        "?area=" + "a" * 300,
        "?venue=abc",
        "?venue=-1",
        "?venue=%C2%B2",
        "?venue=99999999999999999999",
        "?venue=2147483648",
        "?venue=inactive",
    ],
)
def test_it_ignores_what_a_link_names_that_does_not_exist(client, sello, query):
    inactive = VenueFactory(area=sello.area, active=False)

    response = client.get("/fi/subscribe/" + query.replace("inactive", str(inactive.pk)))

    page = parse(response.content)
    assert response.status_code == 200
    assert checked(page, "areas") == set()
    assert checked(page, "venues") == set()
    assert page.find(class_="form-errors") is None


def test_its_pages_are_never_stored_by_a_cache(client, sello):
    row = subscription(areas=[sello.area])
    paths = [
        "/fi/subscribe/",
        "/fi/subscribe/sent/",
        f"/fi/subscribe/confirm/{row.token}/",
        f"/fi/subscribe/{row.token}/",
        f"/fi/subscribe/{row.token}/unsubscribe/",
        f"/fi/subscribe/{UNKNOWN_TOKEN}/",
    ]

    for path in paths:
        assert "no-store" in client.get(path)["Cache-Control"], path


# Subscribing --------------------------------------------------------------------------------------


def test_a_request_makes_an_unconfirmed_subscription_and_sends_one_confirmation_mail(
    client, sello, matinkyla, digital_support, mails_go_now, mailoutbox, django_capture_on_commit_callbacks
):
    response = post_form(
        client,
        django_capture_on_commit_callbacks,
        email="  Maija.Meikalainen@Example.com ",
        language="sv",
        areas=[matinkyla.slug],
        venues=[sello.pk],
        services=[digital_support.slug],
    )

    assert response.status_code == 302
    assert response["Location"] == "/en/subscribe/sent/"
    row = Subscription.objects.get()
    assert (row.email, row.language, row.is_confirmed) == (EMAIL, "sv", False)
    assert list(row.areas.all()) == [matinkyla]
    assert list(row.venues.all()) == [sello]
    assert list(row.services.all()) == [digital_support]
    [mail] = mailoutbox
    assert mail.to == [EMAIL]
    # In the subscriber's language: the link opens the Swedish page.
    assert f"/sv/subscribe/confirm/{row.token}/" in mail.body


def test_the_links_in_the_confirmation_mail_confirm_and_unsubscribe(
    client, sello, mails_go_now, mailoutbox, django_capture_on_commit_callbacks
):
    post_form(client, django_capture_on_commit_callbacks, language="fi", areas=[sello.area.slug])
    [mail] = mailoutbox
    confirm = urlsplit(re.search(r"https?://\S+/subscribe/confirm/\S+/", mail.body).group()).path
    unsubscribe = urlsplit(mail.extra_headers["List-Unsubscribe"].strip("<>")).path

    opened = client.get(confirm)
    confirmed = client.post(confirm)
    row = Subscription.objects.get()
    one_click = Client(enforce_csrf_checks=True).post(
        unsubscribe, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert (opened.status_code, confirmed.status_code, one_click.status_code) == (200, 200, 200)
    assert row.is_confirmed
    assert not Subscription.objects.exists()


def test_the_form_and_its_answer_follow_the_language_of_the_page(client, sello, django_capture_on_commit_callbacks):
    response = post_form(client, django_capture_on_commit_callbacks, page="fi", areas=[sello.area.slug])

    page = parse(client.get(response["Location"]).content)
    assert response["Location"] == "/fi/subscribe/sent/"
    assert page.html["lang"] == "fi"
    assert text(page.h1) == translated("fi", "Check your e-mail")


def test_the_same_address_again_within_the_hour_sends_no_second_mail_and_gets_the_same_answer(
    client, sello, mails_go_now, mailoutbox, django_capture_on_commit_callbacks
):
    first = post_form(client, django_capture_on_commit_callbacks, areas=[sello.area.slug])
    second = post_form(client, django_capture_on_commit_callbacks, areas=[sello.area.slug])

    assert len(mailoutbox) == 1
    assert first["Location"] == second["Location"]
    assert Subscription.objects.count() == 1


def test_the_answer_is_the_same_for_a_new_an_unconfirmed_and_a_confirmed_address(
    client, sello, django_capture_on_commit_callbacks
):
    def answer() -> tuple[int, str, bytes]:
        response = post_form(client, django_capture_on_commit_callbacks, areas=[sello.area.slug])
        return response.status_code, response["Location"], client.get(response["Location"]).content

    new = answer()
    unconfirmed = answer()
    Subscription.objects.update(confirmed_at=timezone.now())
    confirmed = answer()

    assert new == unconfirmed == confirmed
    assert translated(
        "en", "If the address is right, a message is on its way. Follow its link to confirm your subscription."
    ) in text(parse(new[2]))


@pytest.mark.parametrize(
    ("email", "choices", "field"),
    [
        ("not-an-address", {"areas": ["suur-leppavaara"]}, "email"),
        ("a" * 243 + "@example.com", {"areas": ["suur-leppavaara"]}, "email"),
        ("a@b.fi\nBcc: x@y.fi", {"areas": ["suur-leppavaara"]}, "email"),
        ("a@b.fi\r\nBcc: x@y.fi", {"areas": ["suur-leppavaara"]}, "email"),
        ("", {"areas": ["suur-leppavaara"]}, "email"),
        (EMAIL, {}, None),
        (EMAIL, {"services": ["digital-support"]}, None),
        (EMAIL, {"areas": ["no-such-area"]}, "areas"),
        (EMAIL, {"areas": ["bad\x00slug"]}, "areas"),
        (EMAIL, {"venues": ["999999"]}, "venues"),
        (EMAIL, {"venues": ["99999999999999999999"]}, "venues"),
        (EMAIL, {"venues": ["abc"]}, "venues"),
        (EMAIL, {"venues": ["inactive"]}, "venues"),
        (EMAIL, {"areas": ["suur-leppavaara"], "services": ["no-such-help"]}, "services"),
        (EMAIL, {"areas": ["suur-leppavaara"], "language": "de"}, "language"),
    ],
)
def test_it_refuses_bad_input_with_a_message_and_saves_and_sends_nothing(
    client, sello, digital_support, mails_go_now, mailoutbox, django_capture_on_commit_callbacks, email, choices, field
):
    inactive = VenueFactory(area=sello.area, active=False)
    if choices.get("venues") == ["inactive"]:
        choices = {"venues": [inactive.pk]}

    response = post_form(client, django_capture_on_commit_callbacks, **{"email": email, **choices})

    page = parse(response.content)
    assert response.status_code == 200
    assert page.find(class_="form-errors")["role"] == "alert"
    if field is not None:
        message = page.find(id=f"id_{field}_error")
        assert message is not None and text(message)
        described = page.find(attrs={"aria-describedby": True, "name": field}) or page.find(
            "fieldset", attrs={"aria-describedby": lambda ids: ids and f"id_{field}_error" in ids}
        )
        assert f"id_{field}_error" in described["aria-describedby"]
    else:
        assert translated("en", "Choose at least one area or venue to hear about.") in text(
            page.find(class_="form-errors")
        )
    assert not Subscription.objects.exists()
    assert not Notice.objects.exists()
    assert mailoutbox == []


def test_a_refused_form_keeps_what_the_resident_chose(client, sello, matinkyla, django_capture_on_commit_callbacks):
    response = post_form(
        client, django_capture_on_commit_callbacks, email="not-an-address", language="sv", areas=[matinkyla.slug]
    )

    page = parse(response.content)
    assert checked(page, "areas") == {matinkyla.slug}
    assert checked(page, "language") == {"sv"}
    assert page.find("input", attrs={"name": "email"})["value"] == "not-an-address"


# Confirming ---------------------------------------------------------------------------------------


def test_opening_the_confirmation_link_changes_nothing(client, sello):
    row = subscription(areas=[sello.area])

    response = client.get(f"/en/subscribe/confirm/{row.token}/")

    page = parse(response.content)
    button = page.find("form", method="post").find("button")
    assert response.status_code == 200
    assert text(button) == "Confirm my subscription"
    assert "Leppävaara" in text(page)
    row.refresh_from_db()
    assert not row.is_confirmed


def test_the_button_confirms_and_says_what_the_subscriber_will_hear_about(client, sello, digital_support):
    row = subscription(venues=[sello], services=[digital_support], language="sv")

    response = client.post(f"/en/subscribe/confirm/{row.token}/")

    page = parse(response.content)
    summary = text(page.find("dl", class_="subscription-summary"))
    assert response.status_code == 200
    assert text(page.h1) == "Your subscription is confirmed"
    assert "Visits that are cancelled, moved or restored" in text(page)
    assert "Sello library" in summary and "Digital support" in summary and "svenska" in summary
    assert page.find("a", href=f"/en/subscribe/{row.token}/")
    row.refresh_from_db()
    assert row.is_confirmed


def test_a_confirmed_page_is_not_answered_from_the_cache_before_confirmation(client, sello):
    row = subscription(areas=[sello.area])
    path = f"/en/subscribe/confirm/{row.token}/"

    before = parse(client.get(path).content)
    client.post(path)
    after = parse(client.get(path).content)

    assert text(before.h1) == "Confirm your subscription"
    assert text(after.h1) == "Your subscription is confirmed"


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_expired_link_says_so_and_leads_to_the_form(client, sello, method):
    row = subscription(areas=[sello.area], days_old=UNCONFIRMED_DAYS + 1)

    response = getattr(client, method)(f"/en/subscribe/confirm/{row.token}/")

    page = parse(response.content)
    assert response.status_code == 410
    assert text(page.h1) == "This link has expired"
    assert page.find("a", href="/en/subscribe/")
    row.refresh_from_db()
    assert not row.is_confirmed


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("path", ["confirm/{token}/", "{token}/", "{token}/unsubscribe/"])
def test_a_forged_link_gets_a_clear_404_in_the_language_of_the_page(client, db, language, method, path):
    for token in (UNKNOWN_TOKEN, "short", "a" * 200, "%E2%80%A6" * 30):
        response = getattr(client, method)(f"/{language}/subscribe/" + path.format(token=token))

        page = parse(response.content)
        assert response.status_code == 404
        assert page.html["lang"] == language
        assert text(page.h1) == translated(language, "This link does not work")
        assert page.find("a", href=f"/{language}/subscribe/")


# Changing -----------------------------------------------------------------------------------------


def test_the_change_page_shows_the_choices_and_the_address_which_cannot_be_edited(client, sello, digital_support):
    row = subscription(confirmed=True, venues=[sello], services=[digital_support], language="sv")

    page = parse(client.get(f"/en/subscribe/{row.token}/").content)

    assert EMAIL in text(page.find(class_="lead"))
    assert page.find("input", attrs={"name": "email"}) is None
    assert checked(page, "language") == {"sv"}
    assert checked(page, "venues") == {str(sello.pk)}
    assert checked(page, "services") == {digital_support.slug}
    assert page.find("a", href=f"/en/subscribe/{row.token}/unsubscribe/")


def test_saving_the_change_page_saves_the_choices(client, sello, matinkyla):
    row = subscription(confirmed=True, venues=[sello])

    response = client.post(f"/en/subscribe/{row.token}/", {"language": "en", "areas": [matinkyla.slug]}, follow=True)

    page = parse(response.content)
    assert response.redirect_chain == [(f"/en/subscribe/{row.token}/", 302)]
    assert text(page.find(role="status")) == "Your choices were saved."
    assert checked(page, "areas") == {matinkyla.slug}
    row.refresh_from_db()
    assert row.language == "en"
    assert list(row.areas.all()) == [matinkyla]
    assert list(row.venues.all()) == []


def test_saving_the_change_page_confirms_an_unconfirmed_subscription(client, sello):
    row = subscription(areas=[sello.area])

    client.post(f"/en/subscribe/{row.token}/", {"language": "fi", "areas": [sello.area.slug]})

    row.refresh_from_db()
    assert row.is_confirmed


def test_a_venue_no_longer_active_stays_chosen_until_the_subscriber_drops_it(client, sello):
    sello.active = False
    sello.save()
    row = subscription(confirmed=True, venues=[sello])

    page = parse(client.get(f"/en/subscribe/{row.token}/").content)
    client.post(f"/en/subscribe/{row.token}/", {"language": "fi", "venues": [sello.pk]})

    assert checked(page, "venues") == {str(sello.pk)}
    assert list(row.venues.all()) == [sello]


def test_the_change_page_refuses_choices_that_name_nothing_and_keeps_the_old_ones(client, sello):
    row = subscription(confirmed=True, areas=[sello.area])

    response = client.post(f"/en/subscribe/{row.token}/", {"language": "fi"})

    assert response.status_code == 200
    assert "Choose at least one area or venue to hear about." in text(
        parse(response.content).find(class_="form-errors")
    )
    row.refresh_from_db()
    assert (row.language, list(row.areas.all())) == ("fi", [sello.area])


# Unsubscribing ------------------------------------------------------------------------------------


def test_opening_the_unsubscribe_link_deletes_nothing(client, sello):
    row = subscription(confirmed=True, areas=[sello.area])

    response = client.get(f"/en/subscribe/{row.token}/unsubscribe/")

    page = parse(response.content)
    assert response.status_code == 200
    assert text(page.find("form", method="post").find("button")) == "Unsubscribe"
    assert Subscription.objects.filter(pk=row.pk).exists()


def test_one_click_unsubscribe_from_a_mail_program_deletes_the_address(sello):
    row = subscription(confirmed=True, areas=[sello.area])
    mail_program = Client(enforce_csrf_checks=True)

    response = mail_program.post(
        f"/fi/subscribe/{row.token}/unsubscribe/",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert not Subscription.objects.exists()
    again = mail_program.post(
        f"/fi/subscribe/{row.token}/unsubscribe/",
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert again.status_code == 404


def test_the_unsubscribe_button_says_the_address_was_deleted(sello):
    row = subscription(confirmed=True, areas=[sello.area])
    browser = Client(enforce_csrf_checks=True)

    page = parse(browser.post(f"/en/subscribe/{row.token}/unsubscribe/").content)

    assert "You will receive no more messages; your address was deleted." in text(page)
    assert not Subscription.objects.exists()


# Links into the form ------------------------------------------------------------------------------


def subscribe_links(page) -> list[str]:
    return [link["href"] for link in page.find_all("a") if link["href"].startswith("/en/subscribe/")]


def test_the_map_links_to_the_form(client, sello):
    assert subscribe_links(parse(client.get("/en/").content)) == ["/en/subscribe/"]


def test_the_visit_list_links_to_the_form_with_its_area(client, sello):
    page = parse(client.get(f"/en/visits/?area={sello.area.slug}").content)

    assert subscribe_links(page) == [f"/en/subscribe/?area={sello.area.slug}"]


def test_a_venue_page_links_to_the_form_with_the_venue(client, sello):
    page = parse(client.get(f"/en/venues/{sello.pk}/").content)

    [link] = subscribe_links(page)
    assert link == f"/en/subscribe/?venue={sello.pk}"
    assert checked(parse(client.get(link).content), "venues") == {str(sello.pk)}


def test_the_confirmation_link_is_the_one_the_mails_reverse(db):
    with translation.override("sv"):
        assert reverse("subscriptions:confirm", kwargs={"token": "t" * 43}) == f"/sv/subscribe/confirm/{'t' * 43}/"
        assert reverse("subscriptions:change", kwargs={"token": "t" * 43}) == f"/sv/subscribe/{'t' * 43}/"
        assert (
            reverse("subscriptions:unsubscribe", kwargs={"token": "t" * 43}) == f"/sv/subscribe/{'t' * 43}/unsubscribe/"
        )
        assert reverse("subscriptions:subscribe") == "/sv/subscribe/"
