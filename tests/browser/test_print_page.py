"""The printable schedule of an area, in real Chromium on a phone: no accessibility violation in
fi, sv or en, the print button works, and the QR code is drawn without breaking the CSP."""

import pytest
from playwright.sync_api import expect

from tests.browser.pages import PHONE, assert_no_violations

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_print_page_has_no_violations_and_a_working_print_button(new_page, espoo_data, watch, language):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.add_init_script("window.print = () => { window.printed = (window.printed || 0) + 1; };")
    page.goto(f"/{language}/visits/print/?area=suur-leppavaara")

    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("svg.qr-code")).to_be_visible()
    assert_no_violations(page)
    page.locator("#print-button").click()
    assert page.evaluate("window.printed") == 1
    watch.settle(page)
    assert watch.csp_violations == []
