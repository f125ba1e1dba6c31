"""On a 390-pixel phone the visit list's month calendar keeps every date inside its own cell."""

import pytest

from tests.browser.pages import PHONE, assert_no_violations

pytestmark = pytest.mark.browser

# Where each date's text is drawn, and its cell: a date wider than its cell runs into the next
# day's. The text's own box counts, not its element's, which a cell squeezes.
OVERFLOWING_DATES = """() => [...document.querySelectorAll(".mini-calendar td")].flatMap(cell => {
    const date = cell.querySelector(".mini-calendar__date");
    if (!date) return [];
    const text = document.createRange();
    text.selectNodeContents(date.firstChild);
    const inner = text.getBoundingClientRect();
    const outer = cell.getBoundingClientRect();
    return inner.right > outer.right + 0.5 || inner.left < outer.left - 0.5 ? [date.textContent] : [];
})"""


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_phone_month_calendar_never_overlaps_its_dates(new_page, espoo_data, language):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(f"/{language}/visits/")

    assert page.locator(".mini-calendar__date").count() >= 7
    assert page.evaluate(OVERFLOWING_DATES) == []
    assert_no_violations(page)
