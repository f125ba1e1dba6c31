"""The map page's two scripts: service-map.js draws the map, visit-layer.js adds the mobile
service's venues to it. They meet in the window.espoo namespace, not on the map's DOM node."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from servicepoints.models import Area
from tests.browser.pages import open_map, venue_marker, wait_for_popup
from tests.visits.factories import VenueFactory, VisitFactory
from visits.recurrence import local_datetime

pytestmark = pytest.mark.browser

MARKUP = "<b>Kirjasto</b> & <img src=x onerror=alert(1)>"


def test_the_venues_join_the_service_points_on_one_map_and_all_are_in_view(page, espoo_data):
    open_map(page, "/fi/")

    assert page.locator("#service-map .leaflet-marker-icon[data-venue]").count() > 0
    layers = page.evaluate(
        """() => {
            const { map } = window.espoo.serviceMap;
            const markers = [];
            map.eachLayer(layer => { if (layer.getLatLng) markers.push(layer); });
            return {
                markers: markers.length,
                inView: markers.filter(marker => map.getBounds().contains(marker.getLatLng())).length,
            };
        }"""
    )
    on_page = page.locator("#service-map .leaflet-marker-icon").count()
    assert layers == {"markers": on_page, "inView": on_page}


def test_the_map_node_carries_no_script_state(page, espoo_data):
    open_map(page, "/fi/")

    # Leaflet keeps its own _leaflet_id and _leaflet_events there; our scripts keep nothing.
    ours = page.evaluate(
        "() => Object.keys(document.getElementById('service-map')).filter(key => !key.startsWith('_leaflet'))"
    )
    assert ours == []


def test_a_venue_popup_builds_its_text_as_text(page, espoo_network):
    tomorrow = local_datetime(timezone.localdate() + datetime.timedelta(days=1), datetime.time(10))
    venue = VenueFactory(name_fi=MARKUP, area=Area.objects.get(slug="suur-tapiola"))
    visit = VisitFactory(venue=venue, starts_at=tomorrow, published=True)
    open_map(page, "/fi/")

    venue_marker(page, venue.pk).click()
    shown = wait_for_popup(page)
    expect(shown.locator(".map-popup__name")).to_have_text(MARKUP)
    expect(shown.locator("b, img")).to_have_count(0)
    expect(shown.locator(".map-popup__visits a")).to_have_attribute("href", f"/fi/visits/{visit.pk}/")
