"""axe-core finds no WCAG or best-practice violation on the mobile service's pages for residents:
the visit list, a scheduled and a cancelled visit, and the printable schedule, in every language.

No rule is switched off: a violation is fixed in the templates or styles, not excluded here.
"""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.pages import PHONE, assert_no_violations, listed_visits, visit_item
from visits.models import CancelReason, State, Visit
from visits.services import visit_cancel

pytestmark = pytest.mark.browser

LANGUAGES = ("fi", "sv", "en")
REASON = "Neuvoja sairastui. Rådgivaren insjuknade. The advisor fell ill."


@pytest.fixture
def visits(espoo_data) -> tuple[Visit, Visit]:
    """Two upcoming demo visits a few days apart at different venues; the first one cancelled."""
    upcoming = list(
        Visit.objects.filter(state=State.PUBLISHED, starts_at__gt=timezone.now())
        .select_related("venue__area")
        .order_by("starts_at")
    )
    assert len(upcoming) > 1, "load_espoo_data made no upcoming visits"
    cancelled, scheduled = upcoming[0], next(v for v in upcoming if v.venue_id != upcoming[0].venue_id)
    return visit_cancel(visit=cancelled, reason=CancelReason.ILLNESS, details={"fi": REASON}), scheduled


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_visit_list_visit_pages_and_printable_schedule_have_no_violations(page, visits, language):
    cancelled, scheduled = visits

    page.goto(f"/{language}/visits/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    listed = listed_visits(page)
    assert listed[cancelled.pk]["status"] == "cancelled"
    assert listed[scheduled.pk]["status"] == "scheduled"
    assert_no_violations(page)

    page.goto(f"/{language}/visits/{scheduled.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(getattr(scheduled.venue, f"name_{language}"))
    expect(page.locator(".notice--closed")).to_have_count(0)
    assert_no_violations(page)

    page.goto(f"/{language}/visits/{cancelled.pk}/")
    expect(page.locator(".notice--closed")).to_contain_text(REASON)
    assert_no_violations(page)

    # The cancelled visit's area, so the sheet carries a cancellation too; on screen and as printed.
    area = cancelled.venue.area
    page.goto(f"/{language}/visits/print/?area={area.slug}")
    sheet = page.locator(".print-sheet")
    expect(sheet.get_by_role("heading", level=1)).to_contain_text(getattr(area, f"name_{language}"))
    expect(sheet.locator(".visit--cancelled")).to_contain_text(REASON)
    assert_no_violations(page)
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    assert_no_violations(page)


def test_the_visit_list_on_a_phone_has_no_violations_and_fits_the_screen(new_page, visits):
    cancelled, _scheduled = visits
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto("/fi/visits/")

    expect(visit_item(page, cancelled.pk).locator(".visit-status--cancelled")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert_no_violations(page)
