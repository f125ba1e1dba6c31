import datetime
import re
from itertools import combinations

import pytest
from django.db.models import Count
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.pages import (
    LISTED_POINTS,
    MARKERS_AT_REST,
    PHONE,
    STATUSES,
    listed_places,
    mapped_places,
    marker,
    open_map,
    popup,
    tab_to,
    venue_marker,
    wait_for_popup,
)
from visits.models import CancelReason, State, Visit
from visits.services import visit_cancel

pytestmark = pytest.mark.browser


def assert_map_mirrors_list(page: Page) -> dict[str, str]:
    """Same places on the map as in the list, each with the same status; returns slug → status."""
    listed = listed_places(page)
    mapped = mapped_places(page)
    assert set(mapped) == set(listed)
    for slug, place in listed.items():
        assert mapped[slug]["status"] == place["status"], slug
        assert mapped[slug]["title"] == f"{place['name']} – {place['statusText']}"
    return {slug: place["status"] for slug, place in listed.items()}


def test_on_new_year_2022_all_six_service_points_are_open_and_the_small_one_is_planned(page, espoo_network):
    open_map(page, "/fi/?on=2022-01-01")

    assert page.locator("#service-map .leaflet-marker-icon .marker--open").count() == 6
    assert page.locator("#service-map .leaflet-marker-icon .marker--planned").count() == 1
    assert page.locator("#service-point-list > li[data-status=open]").count() == 6
    assert assert_map_mirrors_list(page) == {
        "matinkyla": "open",
        "leppavaara": "open",
        "kalajarvi": "open",
        "espoonlahti": "open",
        "espoon-keskus": "open",
        "tapiola": "open",
        "espoon-keskus-pieni": "planned",
    }


def test_on_28_november_2026_three_closed_points_read_closed_on_map_and_list(page, espoo_network):
    open_map(page, "/fi/?on=2026-11-28")

    assert page.locator("#service-map .leaflet-marker-icon .marker--open").count() == 4
    assert page.locator("#service-map .leaflet-marker-icon .marker--closed").count() == 3
    assert assert_map_mirrors_list(page) == {
        "matinkyla": "open",
        "leppavaara": "open",
        "kalajarvi": "open",
        "espoon-keskus-pieni": "open",
        "espoonlahti": "closed",
        "espoon-keskus": "closed",
        "tapiola": "closed",
    }


MARKER_LOOK = """marker => {
    const shape = getComputedStyle(marker, "::before");
    return {
        colour: shape.backgroundColor,
        shape: [shape.borderRadius, shape.transform, (marker.offsetWidth / marker.offsetHeight).toFixed(1)].join(" "),
        label: marker.textContent.trim(),
    };
}"""


def test_each_status_has_its_own_colour_and_shape_or_symbol_explained_by_a_legend(page, espoo_network):
    # On 15 June 2022 the network shows every status: Espoon keskus is closing, the small point
    # opens in July, Espoonlahti has closed and the rest are open.
    open_map(page, "/fi/?on=2022-06-15")

    looks = {
        status: page.locator(f"#service-map .leaflet-marker-icon .marker--{status}").first.evaluate(MARKER_LOOK)
        for status in STATUSES
    }
    for one, other in combinations(STATUSES, 2):
        assert looks[one]["colour"] != looks[other]["colour"], (one, other)
        assert (looks[one]["shape"], looks[one]["label"]) != (looks[other]["shape"], looks[other]["label"]), (
            one,
            other,
        )

    legend = page.locator(".legend")
    expect(legend.get_by_role("heading")).to_be_visible()
    for status in STATUSES:
        entry = legend.locator(f"li[data-status={status}]")
        expect(entry).to_be_visible()
        expect(entry).not_to_have_text("")
        assert entry.locator(".marker").evaluate(MARKER_LOOK) == looks[status], status


def test_mobile_service_visits_differ_from_every_service_point_in_colour_and_shape(page, espoo_data):
    open_map(page, "/fi/")
    legend = page.locator(".legend")
    points = {status: legend.locator(f"li[data-status={status}] .marker").evaluate(MARKER_LOOK) for status in STATUSES}

    for kind in ("visit", "visit-cancelled"):
        entry = legend.locator(f"li[data-status={kind}]")
        expect(entry).to_be_visible()
        look = entry.locator(".marker").evaluate(MARKER_LOOK)
        for status, point in points.items():
            assert look["colour"] != point["colour"], (kind, status)
            assert look["shape"] != point["shape"], (kind, status)
    on_the_map = page.locator("#service-map .leaflet-marker-icon .marker--visit").first.evaluate(MARKER_LOOK)
    assert on_the_map == legend.locator("li[data-status=visit] .marker").evaluate(MARKER_LOOK)


@pytest.mark.parametrize(
    ("on", "status", "closing_date"),
    [
        pytest.param("2022-01-01", "open", "30.6.2023", id="open-with-a-closing-date"),
        pytest.param("2026-11-28", "closed", "30.6.2023", id="closed"),
    ],
)
def test_tab_reaches_a_marker_and_enter_opens_its_popup(page, espoo_network, on, status, closing_date):
    open_map(page, f"/fi/?on={on}")
    tapiola = listed_places(page)["tapiola"]
    assert tapiola["status"] == status

    tab_to(page, '[data-slug="tapiola"].leaflet-marker-icon')
    expect(popup(page)).to_have_count(0)
    page.keyboard.press("Enter")

    shown = popup(page)
    expect(shown).to_be_visible()
    expect(shown.locator(".map-popup__name")).to_have_text("Tapiolan asiointipiste")
    expect(shown.locator(f".map-popup__status.status--{status}")).to_have_text(tapiola["statusText"])
    expect(shown).to_contain_text(closing_date)
    link = shown.get_by_role("link", name=page.locator("#service-map").get_attribute("data-label-link"))
    expect(link).to_have_attribute("href", f"/fi/service-points/tapiola/?on={on}")
    expect(link).to_be_focused()

    page.keyboard.press("Escape")
    expect(shown).to_have_count(0)
    expect(marker(page, "tapiola")).to_be_focused()


def test_a_mobile_service_marker_opens_its_visits_from_the_keyboard(page, espoo_data):
    open_map(page, "/fi/")

    tab_to(page, "#service-map .leaflet-marker-icon[data-venue]")
    venue = page.evaluate("() => document.activeElement.dataset.venue")
    page.keyboard.press("Enter")

    shown = popup(page)
    expect(shown).to_be_visible()
    first_visit = shown.locator(".map-popup__visits a").first
    expect(first_visit).to_be_focused()
    expect(first_visit).to_have_attribute("href", re.compile(r"^/fi/visits/\d+/"))

    page.keyboard.press("Escape")
    expect(shown).to_have_count(0)
    expect(page.locator(f'#service-map .leaflet-marker-icon[data-venue="{venue}"]')).to_be_focused()


LINKS = """links => links.map(link => [link.textContent.replace(/\\s+/g, " ").trim(), link.getAttribute("href")])"""


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_a_closed_points_popup_tells_where_to_go_instead_and_leads_there(page, live_server, espoo_data, language):
    open_map(page, f"/{language}/")
    listed = page.locator('#closed-service-point-list > li[data-slug="tapiola"] .closure-guidance a').evaluate_all(
        LINKS
    )
    points = [href for _text, href in listed if "/service-points/" in href]
    visits = [href for _text, href in listed if re.fullmatch(rf"/{language}/visits/\d+/", href)]
    assert points[0] == f"/{language}/service-points/matinkyla/"
    assert len(visits) == 3

    marker(page, "tapiola").focus()
    page.keyboard.press("Enter")
    shown = wait_for_popup(page)

    # The popup repeats the list's guidance, line for line, and focus lands on the point's own page link.
    assert shown.locator(".map-popup__guidance a").evaluate_all(LINKS) == listed
    expect(shown.locator(".map-popup__link")).to_be_focused()
    expect(shown.locator(".map-popup__heading")).to_have_count(2)

    text, href = next((text, href) for text, href in listed if href == visits[0])
    shown.get_by_role("link", name=text, exact=True).click()
    expect(page).to_have_url(f"{live_server.url}{href}")
    venue = text.split(", ", 1)[1]
    expect(page.get_by_role("heading", level=1)).to_contain_text(venue)


def test_a_popup_link_leads_to_the_service_point_page_for_the_same_date_and_back(page, live_server, espoo_network):
    open_map(page, "/fi/?on=2022-01-01")
    marker(page, "tapiola").click()
    wait_for_popup(page).get_by_role("link").click()

    expect(page).to_have_url(f"{live_server.url}/fi/service-points/tapiola/?on=2022-01-01")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tapiolan asiointipiste")
    expect(page.locator(".closes-on")).to_contain_text("30.6.2023")

    page.locator(".breadcrumb a").click()
    expect(page).to_have_url(f"{live_server.url}/fi/?on=2022-01-01")


BADGE = """marker => {
    const badge = getComputedStyle(marker, "::after");
    return badge.content === "none" ? null : badge.content + " " + badge.backgroundColor;
}"""


def test_a_venue_with_one_of_its_visits_cancelled_shows_a_cancelled_badge(page, espoo_data):
    window_end = timezone.now() + datetime.timedelta(days=12)
    upcoming = Visit.objects.filter(state=State.PUBLISHED, starts_at__gt=timezone.now(), starts_at__lt=window_end)
    venue_id = next(
        row["venue"]
        for row in upcoming.values("venue").annotate(count=Count("pk")).order_by("venue")
        if row["count"] > 1
    )
    visit_cancel(visit=upcoming.filter(venue=venue_id).order_by("starts_at").first(), reason=CancelReason.ILLNESS)

    open_map(page, "/en/")
    venue = venue_marker(page, venue_id)
    expect(venue).to_have_attribute("title", re.compile(r" – Mobile service visits \(some visits cancelled\)$"))
    expect(venue.locator(".marker--visit")).to_have_count(1)
    legend = page.locator('.legend li[data-status="visit-some-cancelled"]')
    expect(legend).to_have_text(re.compile(r"Visits, some cancelled$"))
    badge = venue.locator(".marker").evaluate(BADGE)
    assert badge is not None
    assert badge == legend.locator(".marker").evaluate(BADGE)
    # Venues whose visits all stand carry no badge.
    others = page.locator("#service-map .leaflet-marker-icon[data-venue] .marker").evaluate_all(
        f"markers => markers.map({BADGE}).filter(look => look !== null).length"
    )
    assert others == 1


def assert_no_marker_covers_another(page: Page) -> None:
    page.evaluate(MARKERS_AT_REST)
    markers = page.locator("#service-map .leaflet-marker-icon")
    boxes = {element.get_attribute("title"): element.bounding_box() for element in markers.all()}
    assert len(boxes) == markers.count()
    for (one, a), (other, b) in combinations(boxes.items(), 2):
        apart = (
            a["x"] + a["width"] <= b["x"]
            or b["x"] + b["width"] <= a["x"]
            or a["y"] + a["height"] <= b["y"]
            or b["y"] + b["height"] <= a["y"]
        )
        assert apart, f"the markers of {one} and {other} overlap"


def test_markers_of_places_close_together_do_not_cover_each_other(page, espoo_data):
    # The old Espoon keskus point and the small-scale one are 250 m apart, and the mobile
    # service visits libraries in the same buildings as service points.
    open_map(page, "/fi/")
    venues = len(page.locator("#visit-venues-data").evaluate("node => JSON.parse(node.textContent)"))
    assert venues, "load_espoo_data made no visits to show"
    expect(page.locator("#service-map .leaflet-marker-icon")).to_have_count(len(mapped_places(page)) + venues)
    assert_no_marker_covers_another(page)

    page.locator("#service-map .leaflet-control-zoom-in").click()
    assert_no_marker_covers_another(page)


@pytest.mark.parametrize(("motion", "animated"), [("no-preference", True), ("reduce", False)])
def test_the_map_animates_only_for_those_who_have_not_asked_for_less_motion(new_page, espoo_network, motion, animated):
    page = new_page(reduced_motion=motion)
    open_map(page, "/fi/?on=2026-11-28")

    assert page.locator("#service-map").evaluate("map => map.classList.contains('leaflet-fade-anim')") is animated


def test_without_javascript_the_list_still_tells_what_is_open(new_page, espoo_network):
    page = new_page(java_script_enabled=False)
    page.goto("/fi/?on=2026-11-28")

    statuses = {
        item.get_attribute("data-slug"): item.get_attribute("data-status") for item in page.locator(LISTED_POINTS).all()
    }
    assert statuses["tapiola"] == "closed"
    assert statuses["matinkyla"] == "open"
    # Closed points are in their own folded section, which opens without JavaScript too.
    expect(page.locator("#closed-service-point-list > li[data-slug=tapiola] .status")).to_be_hidden()
    page.locator("#closed-points summary").click()
    expect(page.locator("#closed-service-point-list > li[data-slug=tapiola] .status")).to_be_visible()
    expect(page.locator("#service-map .leaflet-marker-icon")).to_have_count(0)
    expect(page.locator("#map-filters input[type=date]").first).to_be_visible()


def test_on_a_phone_the_list_comes_before_the_map(new_page, espoo_network):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    open_map(page, "/fi/?on=2026-11-28")

    service_list = page.locator("#service-point-list")
    service_map = page.locator("#service-map")
    # Reading order (what a screen reader follows) and layout order agree: the list first.
    assert service_list.evaluate(
        "(list, map) => Boolean(list.compareDocumentPosition(map) & Node.DOCUMENT_POSITION_FOLLOWING)",
        service_map.element_handle(),
    )
    assert service_list.bounding_box()["y"] + service_list.bounding_box()["height"] <= service_map.bounding_box()["y"]
    # The first screen answers where help is: the nearest open help, before the full lists.
    expect(page.locator("#open-help a").first).to_be_in_viewport()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]

    on_the_way = tab_to(page, "#service-map .leaflet-marker-icon")
    # A closed place's entry has several links (where to go instead): each place comes once, in order.
    listed = list(dict.fromkeys(label for label in on_the_way if label.startswith("list:")))
    # The folded section of closed points is passed over: its summary takes focus, not its places.
    assert listed == [f"list:{slug}" for slug in listed_places(page, "#service-point-list > li[data-slug]")], on_the_way

    # The filters, folded to make room for the list, open with a tap.
    dates = page.locator("#map-filters input[type=date]").first
    expect(dates).to_be_hidden()
    page.locator("#map-filters summary").tap()
    expect(dates).to_be_visible()
