"""What a resident sees on the map page, read from the browser."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect

STATUSES = ("open", "closing", "closed", "planned")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


# The map also carries the mobile service's venues; service point markers name their place.
POINT_MARKERS = "#service-map .leaflet-marker-icon[data-slug]"


# Resolves once no marker has moved for 300 ms: the visit layer zooms the map to fit its venues
# and markers are laid out apart after each zoom, so a click sent earlier can miss its marker.
MARKERS_AT_REST = """() => new Promise(resolve => {
    let last = null;
    let since = performance.now();
    function look() {
        const now = [...document.querySelectorAll("#service-map .leaflet-marker-icon")]
            .map(marker => { const box = marker.getBoundingClientRect(); return box.x + "," + box.y; })
            .join(";");
        if (now !== last) {
            last = now;
            since = performance.now();
        }
        if (performance.now() - since > 300) {
            resolve();
        } else {
            requestAnimationFrame(look);
        }
    }
    requestAnimationFrame(look);
})"""


# Points serving on the date shown are listed first; closed and planned ones in a folded section
# of their own. Every one of them has its marker on the map.
LISTED_POINTS = "#service-point-list > li[data-slug], #closed-service-point-list > li[data-slug]"


def open_map(page: Page, path: str) -> None:
    """Go to a map page and wait until every listed service point has its marker, at rest."""
    page.goto(path)
    listed = page.locator(LISTED_POINTS).count()
    assert listed, f"{path} lists no service points"
    expect(page.locator(POINT_MARKERS)).to_have_count(listed)
    page.evaluate(MARKERS_AT_REST)


def marker(page: Page, slug: str) -> Locator:
    return page.locator(f'{POINT_MARKERS}[data-slug="{slug}"]')


def popup(page: Page) -> Locator:
    return page.locator("#service-map .leaflet-popup")


def wait_for_popup(page: Page) -> Locator:
    """The open popup once Leaflet's fade-in is over (colours read half-faded until then) and the
    map has panned to show it whole: a click sent while it pans can miss a link in the popup."""
    shown = popup(page)
    expect(shown).to_be_visible()
    expect(shown).to_have_css("opacity", "1")
    page.evaluate(MARKERS_AT_REST)
    return shown


def listed_places(page: Page, selector: str = LISTED_POINTS) -> dict[str, dict[str, str]]:
    """Each place in the lists by slug: its name, status and the status as a resident reads it."""
    return page.eval_on_selector_all(
        selector,
        """items => Object.fromEntries(items.map(item => [item.dataset.slug, {
            name: item.querySelector(".place-list__name").textContent.trim(),
            status: item.dataset.status,
            statusText: item.querySelector(".status").textContent.replace(/\\s+/g, " ").trim(),
            href: item.querySelector(".place-list__name a").getAttribute("href"),
        }]))""",
    )


def mapped_places(page: Page) -> dict[str, dict[str, str]]:
    """Each marker on the map by slug: its accessible name and the status its look stands for."""
    return page.eval_on_selector_all(
        POINT_MARKERS,
        """(markers, statuses) => Object.fromEntries(markers.map(marker => [marker.dataset.slug, {
            title: marker.getAttribute("title"),
            status: statuses.filter(s => marker.querySelector(".marker--" + s)).join(" "),
        }]))""",
        list(STATUSES),
    )


def tab_to(page: Page, selector: str, *, limit: int = 250) -> list[str]:
    """Press Tab until `selector` has focus; returns what got focus on the way, the target last."""
    seen: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """selector => {
                const el = document.activeElement;
                return {match: el.matches(selector), label: el.dataset.slug ? "marker:" + el.dataset.slug
                    : el.closest("#service-point-list") ? "list:" + el.closest("li[data-slug]").dataset.slug
                    : el.tagName.toLowerCase() + ":" + (el.getAttribute("href") || el.id || el.className)};
            }""",
            selector,
        )
        seen.append(focused["label"])
        if focused["match"]:
            return seen
    raise AssertionError(f"Tab never reached {selector}; focus went through {seen}")


# The mobile service's visits as the map page and the visit list show them (visits/_visit_item.html).
VISIT_ITEMS = "li.visit[data-visit-id]"


def listed_visits(page: Page, within: str = "main") -> dict[int, dict]:
    """Each visit listed inside `within`, by id and in page order: its status, title and link, its
    facts (term → text, as the resident reads them) and the cancellation notice, if any."""
    rows = page.eval_on_selector_all(
        f"{within} {VISIT_ITEMS}",
        """items => items.map(item => {
            const text = node => node ? node.textContent.replace(/\\s+/g, " ").trim() : "";
            return [item.dataset.visitId, {
                status: item.dataset.status,
                title: text(item.querySelector(".visit__title")),
                href: item.querySelector(".visit__title a").getAttribute("href"),
                facts: Object.fromEntries([...item.querySelectorAll(".visit__facts > div")]
                    .map(row => [text(row.querySelector("dt")), text(row.querySelector("dd"))])),
                cancelled: text(item.querySelector(".visit-status--cancelled")),
            }];
        })""",
    )
    return {int(pk): visit for pk, visit in rows}


def visit_item(page: Page, pk: int, within: str = "main") -> Locator:
    return page.locator(f'{within} {VISIT_ITEMS}[data-visit-id="{pk}"]')


def venue_marker(page: Page, venue_id: int) -> Locator:
    return page.locator(f'#service-map .leaflet-marker-icon[data-venue="{venue_id}"]')


axe = Axe()


def assert_no_violations(page: Page) -> None:
    """axe-core finds no violation on the page as it is now; no rule is switched off."""
    results = axe.run(page)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"
