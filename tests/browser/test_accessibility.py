"""axe-core finds no WCAG or best-practice violation on the resident pages, in any language.

No rule is switched off: a violation is fixed in the templates or styles, not excluded here.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.pages import assert_no_violations, marker, open_map, wait_for_popup

pytestmark = pytest.mark.browser

LANGUAGES = ("fi", "sv", "en")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_map_page_has_no_violations_with_and_without_a_popup(page, espoo_network, language):
    # 15 June 2022 shows every status: open, closing, closed and opening later.
    open_map(page, f"/{language}/?on=2022-06-15")
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert_no_violations(page)

    marker(page, "espoon-keskus").focus()
    page.keyboard.press("Enter")
    wait_for_popup(page)
    assert_no_violations(page)


@pytest.mark.parametrize("language", LANGUAGES)
def test_todays_map_has_no_violations_with_a_visit_or_closure_popup_open(page, espoo_data, language):
    open_map(page, f"/{language}/")
    venue = page.locator("#service-map .leaflet-marker-icon[data-venue]").first
    expect(venue).to_be_visible()
    venue.focus()
    page.keyboard.press("Enter")
    wait_for_popup(page)
    assert_no_violations(page)

    page.keyboard.press("Escape")
    expect(page.locator("#service-map .leaflet-popup")).to_have_count(0)
    marker(page, "tapiola").focus()
    page.keyboard.press("Enter")
    expect(wait_for_popup(page).locator(".map-popup__guidance a[href*='/visits/']")).to_have_count(4)
    assert_no_violations(page)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("slug", ["matinkyla", "tapiola"], ids=["open", "closed"])
def test_a_service_point_page_has_no_violations(page, espoo_data, language, slug):
    # The closed point's page also lists the mobile service's next visits in its area.
    page.goto(f"/{language}/service-points/{slug}/?on=2026-11-28")
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator(".notice--closed")).to_have_count(1 if slug == "tapiola" else 0)
    assert_no_violations(page)
