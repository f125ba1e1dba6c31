import datetime
import re

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from servicepoints.models import Area
from tests.browser.pages import listed_places, marker, open_map, popup, wait_for_popup
from tests.factories import ServicePointFactory
from tests.visits.factories import VenueFactory, VisitFactory
from visits.recurrence import local_datetime

pytestmark = pytest.mark.browser

XSS_NAME = "<img src=x onerror=alert(1)>"


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_public_pages_break_no_content_security_policy_rule(page, espoo_data, watch, language):
    open_map(page, f"/{language}/?on=2026-11-28")
    marker(page, "tapiola").click()
    wait_for_popup(page).locator(".map-popup__link").click()
    expect(page).to_have_url(re.compile(rf"/{language}/service-points/tapiola/\?on=2026-11-28$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.goto(f"/{language}/service-points/matinkyla/?on=2026-11-28")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    watch.settle(page)

    assert watch.csp_violations == []
    assert watch.console_errors == []
    assert watch.page_errors == []
    assert watch.tiles_served > 0, "the map drew no tiles, so the tile check proved nothing"


def test_the_watch_sees_the_policy_block_an_inline_script(page, espoo_network, watch):
    """Without this, a listener that never fires would let every CSP test above pass."""
    open_map(page, "/fi/")
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.inlineScriptRan = true";
            document.body.append(script);
        }"""
    )
    watch.settle(page)

    assert page.evaluate("() => window.inlineScriptRan") is None
    assert [violation["directive"] for violation in watch.csp_violations] == ["script-src-elem"]
    watch.csp_violations.clear()
    watch.console_errors.clear()


def test_the_watch_refuses_a_request_to_another_address_on_the_tile_server(page, espoo_network, watch):
    """Without this, a route that let everything through would let every test above pass."""
    open_map(page, "/fi/")
    assert watch.tiles_served > 0
    not_a_tile = f"{settings.MAP_TILE_ORIGIN}/not-a-tile.png"
    page.evaluate(
        """url => new Promise(resolve => {
            const image = new Image();
            image.onload = image.onerror = resolve;
            image.src = url;
        })""",
        not_a_tile,
    )
    watch.settle(page)

    assert watch.outside_requests == [not_a_tile]
    assert watch.csp_violations == []
    watch.outside_requests.clear()
    watch.console_errors.clear()


def test_a_name_with_markup_is_shown_as_text_and_never_runs(page, espoo_network, watch):
    tapiola = Area.objects.get(slug="suur-tapiola")
    ServicePointFactory(slug="markup", name_fi=XSS_NAME, area=tapiola)
    # Tomorrow's visit at a venue so named comes first in the closed Tapiola point's guidance.
    starts_at = local_datetime(timezone.localdate() + datetime.timedelta(days=1), datetime.time(10))
    VisitFactory(venue=VenueFactory(name_fi=XSS_NAME, area=tapiola), starts_at=starts_at, published=True)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    open_map(page, "/fi/?on=2026-11-28")
    item = page.locator("#service-point-list > li[data-slug=markup]")
    expect(item.get_by_role("link", name=XSS_NAME, exact=True)).to_be_visible()
    expect(item.locator("img")).to_have_count(0)

    marker(page, "markup").click()
    expect(popup(page).locator(".map-popup__name")).to_have_text(XSS_NAME)
    expect(popup(page).locator("img")).to_have_count(0)
    status_text = listed_places(page)["markup"]["statusText"]
    expect(marker(page, "markup")).to_have_attribute("title", f"{XSS_NAME} – {status_text}")

    page.keyboard.press("Escape")
    expect(popup(page)).to_have_count(0)
    guidance = page.locator("#closed-service-point-list > li[data-slug=tapiola] .closure-guidance")
    expect(guidance.locator(".closure-visits a").first).to_contain_text(XSS_NAME)
    marker(page, "tapiola").click()
    copied = wait_for_popup(page).locator(".map-popup__guidance")
    # The markup-named point is open nearby, so it is also one of the places to go instead.
    expect(copied.locator("a[href*='/visits/']").first).to_contain_text(XSS_NAME)
    expect(copied.locator("a[href^='/fi/service-points/markup/']")).to_have_text(XSS_NAME)
    expect(copied.locator("img")).to_have_count(0)

    item.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(XSS_NAME)
    expect(page).to_have_title(re.compile("^" + re.escape(f"{XSS_NAME} – ")))
    page.wait_for_load_state("networkidle")

    assert watch.dialogs == []
    assert not [url for url in requested if url.rstrip("/").endswith("/x")]
