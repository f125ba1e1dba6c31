"""Real Chromium, driven by Playwright, against pytest-django's live server.

Every page a test opens is watched. Map tiles are answered with a blank tile; a request to any
other origin than the live server is refused and fails the test, and so does a CSP violation, a
console error, an uncaught exception or an unexpected dialog.
"""

import os
import re
import struct
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from playwright.sync_api import Browser, BrowserContext, Dialog, Page, Route, sync_playwright

from tests.browser.pages import DESKTOP

# Playwright's sync API runs an event loop in the test thread, and Django refuses database calls
# from a thread with a running loop. Nothing here is asynchronous, so the refusal does not apply.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def solid_png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A PNG of one colour. Full tile size: Chromium blurs the edges of a stretched 1×1 image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = (b"\x00" + bytes(rgb) * width) * height
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


# Every map tile is this, in the colour of OpenStreetMap's land.
BLANK_TILE = solid_png(256, 256, (0xF2, 0xEF, 0xE9))

# Reports each violation to the test, across navigations, as soon as the browser raises it.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation({
    directive: event.effectiveDirective,
    blocked: event.blockedURI,
    source: event.sourceFile,
    line: event.lineNumber,
    sample: event.sample,
  });
});
"""


def tile_url_pattern(template: str) -> re.Pattern[str]:
    """The URLs Leaflet makes from a tile template such as https://tile.example/{z}/{x}/{y}.png."""
    placeholders = {"{s}": r"[a-z0-9-]+", "{r}": r"(?:@2x)?", "{z}": r"\d+", "{x}": r"\d+", "{y}": r"-?\d+"}
    parts = re.split(r"(\{[a-z]+\})", template)
    return re.compile(
        "".join(placeholders.get(part, r"[^/?#]*") if part.startswith("{") else re.escape(part) for part in parts)
    )


@dataclass
class PageWatch:
    """What a page did that a test must know about."""

    outside_requests: list[str] = field(default_factory=list)
    csp_violations: list[dict] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    tiles_served: int = 0

    def problems(self) -> list[str]:
        found = [f"request to an outside origin: {url}" for url in self.outside_requests]
        found += [f"CSP violation: {violation}" for violation in self.csp_violations]
        found += [f"console error: {text}" for text in self.console_errors]
        found += [f"uncaught exception: {text}" for text in self.page_errors]
        found += [f"dialog opened: {text}" for text in self.dialogs]
        return found

    def record_csp_violation(self, violation: dict) -> None:
        self.csp_violations.append(violation)

    def settle(self, page: Page) -> None:
        """Let events the page has queued (CSP reports come as tasks) reach the test."""
        page.evaluate("() => new Promise((resolve) => setTimeout(() => setTimeout(resolve, 0), 0))")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"The browser tests need Debian's Chromium at {CHROMIUM}, and it is missing. "
            "Install it with `make browser` (apt-get install chromium).",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# The live server reads the database from its own thread, and on PostgreSQL through its own
# connection, so the data of a browser test is committed: a transactional test, which empties
# every table when it ends, rows made by data migrations (the staff groups) included. The
# serialized rollback puts those back for the next test.


@pytest.fixture
def espoo_network(transactional_db, django_db_serialized_rollback, espoo_network) -> None:
    """The service point network and its public holidays (tests/conftest.py), committed.

    Enough for a test that reads only the service points: a tenth of the time of `espoo_data`.
    """


@pytest.fixture
def espoo_data(transactional_db, django_db_serialized_rollback, espoo_data) -> None:
    """Everything `load_espoo_data` loads, venues, advisors and this week's demo plan included,
    committed: for the tests that look at the mobile service or the staff calendar."""


@pytest.fixture
def watch() -> PageWatch:
    return PageWatch()


def _is_outside(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https", "ws", "wss") and parts.hostname not in LOCAL_HOSTS


@pytest.fixture
def new_page(browser: Browser, live_server, watch: PageWatch) -> Iterator[Callable[..., Page]]:
    """Opens browser tabs on the live server (relative URLs work), each watched as described above.

    Keyword arguments go to Playwright's `new_context`, e.g. `java_script_enabled=False`.
    """
    tiles = tile_url_pattern(settings.MAP_TILE_URL)
    contexts: list[BrowserContext] = []
    scripted_tabs: list[Page] = []

    def answer_outside(route: Route) -> None:
        url = route.request.url
        if tiles.fullmatch(url):
            watch.tiles_served += 1
            route.fulfill(status=200, content_type="image/png", body=BLANK_TILE)
        else:
            watch.outside_requests.append(url)
            route.abort("blockedbyclient")

    def refuse_dialog(dialog: Dialog) -> None:
        watch.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def open_tab(**options) -> Page:
        context = browser.new_context(
            **{"base_url": live_server.url, "viewport": DESKTOP, "locale": "fi-FI", **options}
        )
        contexts.append(context)
        context.route(_is_outside, answer_outside)
        tab = context.new_page()
        if options.get("java_script_enabled", True):
            scripted_tabs.append(tab)
        tab.expose_function("reportCspViolation", watch.record_csp_violation)
        tab.add_init_script(CSP_LISTENER)
        tab.on("console", lambda message: message.type == "error" and watch.console_errors.append(message.text))
        tab.on("pageerror", lambda error: watch.page_errors.append(str(error)))
        tab.on("dialog", refuse_dialog)
        return tab

    yield open_tab
    # A tab without JavaScript runs no timers, so there is nothing to settle (and it never would).
    for tab in scripted_tabs:
        if not tab.is_closed():
            watch.settle(tab)
    for context in contexts:
        context.close()
    if problems := watch.problems():
        pytest.fail("The page misbehaved:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """A watched desktop-sized tab on the live server."""
    return new_page()
