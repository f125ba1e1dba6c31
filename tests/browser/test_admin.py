import re

import pytest
from playwright.sync_api import Page, expect

from servicepoints.models import ServicePoint

pytestmark = pytest.mark.browser

PASSWORD = "a long admin passphrase 4 tests"


def log_in(page: Page, django_user_model) -> None:
    django_user_model.objects.create_superuser("hallinto", "hallinto@espoo.invalid", PASSWORD)
    page.goto("/admin/login/?next=/admin/")
    page.locator("input[name=username]").fill("hallinto")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def coordinates(page: Page) -> tuple[float, float]:
    latitude = page.locator("input[data-location-picker=latitude]").input_value()
    longitude = page.locator("input[data-location-picker=longitude]").input_value()
    return float(latitude), float(longitude)


def test_the_location_picker_map_writes_the_coordinates_without_csp_violations(
    page, espoo_network, django_user_model, watch
):
    point = ServicePoint.objects.get(slug="leppavaara")
    log_in(page, django_user_model)
    page.goto(f"/admin/servicepoints/servicepoint/{point.pk}/change/")

    picker = page.locator(".location-picker.leaflet-container")
    expect(picker).to_be_visible()
    picker.scroll_into_view_if_needed()
    pin = picker.locator(".leaflet-marker-icon")
    expect(pin).to_be_visible()
    assert coordinates(page) == (point.latitude, point.longitude)

    # A click east of the marker moves it there: the longitude grows, the latitude stays.
    box = pin.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"]
    page.mouse.click(x + 120, y)
    expect(page.locator("input[data-location-picker=longitude]")).not_to_have_value(str(point.longitude))
    clicked = coordinates(page)
    assert clicked[1] > point.longitude
    assert clicked[0] == pytest.approx(point.latitude, abs=2e-4)

    # Dragging the marker north: the latitude grows, the longitude stays.
    box = pin.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2 - 100, steps=10)
    page.mouse.up()
    expect(page.locator("input[data-location-picker=latitude]")).not_to_have_value(f"{clicked[0]:.6f}")
    dragged = coordinates(page)
    assert dragged[0] > clicked[0]
    assert dragged[1] == pytest.approx(clicked[1], abs=2e-4)

    page.locator("input[name=_continue]").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    point.refresh_from_db()
    assert (point.latitude, point.longitude) == dragged

    watch.settle(page)
    assert watch.csp_violations == []
    assert watch.console_errors == []
    assert watch.tiles_served > 0
