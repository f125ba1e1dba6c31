"""Writes docs/screenshots/map-phone.png and map-desktop.png of today's map, and venue-phone.png
of a venue's page: `make screenshots`.

Not part of `make test`, which never changes tracked files: the name matches no `test_*.py`, so
pytest collects this module only when it is named on the command line. The tiles are blank, as
the browser stays offline.
"""

import os
import struct
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.browser.pages import DESKTOP, PHONE, open_map

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"


def png_size(image: bytes) -> tuple[int, int]:
    assert image[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", image[16:24])


@pytest.mark.parametrize(
    ("name", "viewport", "mobile"),
    [pytest.param("map-phone", PHONE, True, id="phone"), pytest.param("map-desktop", DESKTOP, False, id="desktop")],
)
def test_screenshot_of_the_map_page(new_page, espoo_data, name, viewport, mobile):
    page = new_page(viewport=viewport, is_mobile=mobile, has_touch=mobile)
    open_map(page, "/fi/")
    page.wait_for_load_state("networkidle")
    # Leaflet fades each tile in over a few frames and then drops the zoom level it came from.
    expect(page.locator("#service-map .leaflet-tile-container")).to_have_count(1)
    page.wait_for_function(
        """() => [...document.querySelectorAll("#service-map .leaflet-tile")]
            .every(tile => tile.classList.contains("leaflet-tile-loaded") && getComputedStyle(tile).opacity === "1")"""
    )

    save(page.screenshot(animations="disabled"), name, viewport)


def test_screenshot_of_a_venue_page_on_a_phone(new_page, espoo_data):
    from visits.models import Venue

    venue = Venue.objects.filter(active=True, visits__isnull=False).order_by("pk").first()
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(venue.get_absolute_url())
    page.wait_for_load_state("networkidle")

    save(page.screenshot(animations="disabled"), "venue-phone", PHONE)


def save(image: bytes, name: str, viewport: dict) -> None:
    assert png_size(image) == (viewport["width"], viewport["height"])

    # Replaced whole, never half-written, should two runs overlap.
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=SCREENSHOTS, suffix=".part", delete=False) as part:
        part.write(image)
    os.chmod(part.name, 0o644)
    os.replace(part.name, SCREENSHOTS / f"{name}.png")
