"""A resident on a phone subscribes to notices from a venue page and follows the mailed links;
axe-core finds no violation on any of the pages on the way, errors shown included."""

import pytest
from django.utils import translation
from django.utils.translation import gettext as _
from playwright.sync_api import expect

from tests.browser.pages import PHONE, assert_no_violations
from tests.visits.factories import sello_library
from visits.models import Subscription

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_a_resident_on_a_phone_subscribes_from_a_venue_page_confirms_and_unsubscribes(
    new_page, transactional_db, language
):
    venue = sello_library()
    with translation.override(language):
        words = {
            name: _(name)
            for name in (
                "Get notices by e-mail",
                "Subscribe",
                "Your e-mail address",
                "Check your e-mail",
                "Confirm my subscription",
                "Your subscription is confirmed",
                "Save my choices",
                "Unsubscribe",
                "You have unsubscribed",
            )
        }
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)

    page.goto(f"/{language}/venues/{venue.pk}/")
    page.get_by_role("link", name=words["Get notices by e-mail"]).click()
    expect(page.locator(f"input[name=venues][value='{venue.pk}']")).to_be_checked()
    expect(page.locator(f"input[name=language][value='{language}']")).to_be_checked()
    assert_no_violations(page)

    page.get_by_label(words["Your e-mail address"]).fill("aino@example")
    page.get_by_role("button", name=words["Subscribe"], exact=True).click()
    expect(page.get_by_label(words["Your e-mail address"])).to_have_attribute("aria-invalid", "true")
    assert_no_violations(page)
    assert not Subscription.objects.exists()

    page.get_by_label(words["Your e-mail address"]).fill("aino@example.fi")
    page.get_by_role("button", name=words["Subscribe"], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["Check your e-mail"])
    assert_no_violations(page)
    subscription = Subscription.objects.get()
    assert (subscription.language, subscription.confirmed_at) == (language, None)
    assert list(subscription.venues.all()) == [venue]

    page.goto(f"/{language}/subscribe/confirm/{subscription.token}/")
    assert_no_violations(page)
    page.get_by_role("button", name=words["Confirm my subscription"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["Your subscription is confirmed"])
    assert_no_violations(page)
    subscription.refresh_from_db()
    assert subscription.is_confirmed

    page.goto(f"/{language}/subscribe/{subscription.token}/")
    page.get_by_role("button", name=words["Save my choices"]).click()
    assert_no_violations(page)

    page.goto(f"/{language}/subscribe/{subscription.token}/unsubscribe/")
    assert_no_violations(page)
    page.get_by_role("button", name=words["Unsubscribe"], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["You have unsubscribed"])
    assert_no_violations(page)
    assert not Subscription.objects.exists()
