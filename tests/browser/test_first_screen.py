"""The map page on a 390-pixel phone: the first screen answers where and when help is."""

import pytest
from playwright.sync_api import expect

from tests.browser.pages import PHONE, assert_no_violations


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_on_a_phone_the_first_screen_shows_the_nearest_open_help(new_page, espoo_data, language):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(f"/{language}/")

    first_help = page.locator("#open-help a").first
    box = first_help.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"], box
    expect(page.locator("#quick-search select[name=area]")).to_be_in_viewport()

    page.locator("#view-toggle [data-view=map]").tap()
    expect(page.locator("#service-map")).to_be_visible()
    expect(page.locator("#service-point-list")).to_be_hidden()
    page.locator("#view-toggle [data-view=list]").tap()
    expect(page.locator("#service-point-list")).to_be_visible()
    expect(page.locator("#service-map")).to_be_hidden()
    assert_no_violations(page)


def test_a_chip_removes_its_filter_with_one_tap(new_page, espoo_data):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto("/en/?area=suur-leppavaara&language=so")

    chips = page.locator("#active-filters a.chip")
    expect(chips).to_have_count(2)
    expect(page.locator("#no-visits a").first).to_be_visible()
    assert_no_violations(page)
    chips.filter(has_text="Somali").tap()
    page.wait_for_url("**/en/?area=suur-leppavaara")
    expect(page.locator("#active-filters a.chip")).to_have_count(1)
    expect(page.locator("#quick-search select[name=area]")).to_have_value("suur-leppavaara")
