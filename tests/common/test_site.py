"""What every page shares: the favicon, and the map tiles of the page's language."""

import pytest
from django.contrib.staticfiles import finders
from django.test import RequestFactory

from common.context_processors import map_settings

pytestmark = pytest.mark.django_db


def test_pages_name_a_favicon_and_the_old_address_leads_to_it(client):
    page = client.get("/en/visits/").content.decode()

    assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in page
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/img/favicon.svg"
    assert finders.find("img/favicon.svg")


@pytest.mark.parametrize(("language", "layer"), [("sv", "sv"), ("fi", "default"), ("en", "default")])
def test_swedish_pages_use_the_swedish_tile_layer_when_one_is_set(settings, language, layer):
    settings.MAP_TILE_URL = "https://tiles.example.fi/{z}/{x}/{y}.png"
    settings.MAP_TILE_URL_SV = "https://tiles.example.fi/sv/{z}/{x}/{y}.png"
    request = RequestFactory().get("/")
    request.LANGUAGE_CODE = language

    expected = settings.MAP_TILE_URL_SV if layer == "sv" else settings.MAP_TILE_URL
    assert map_settings(request)["MAP_TILE_URL"] == expected
