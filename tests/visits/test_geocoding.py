"""Address search against a fake Pelias geocoder on 127.0.0.1: nothing leaves this machine."""

import datetime
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.factories import AreaFactory
from tests.visits.factories import VenueFactory, VisitFactory, at
from visits.geocoding import ESPOO_BOUNDS, Place, geocode, geocoding_enabled

NOW = datetime.datetime(2026, 12, 1, 8, tzinfo=ZoneInfo("Europe/Helsinki"))
SELLO = (60.21748, 24.80992)


def pelias(latitude: float, longitude: float, label: str) -> dict:
    return {
        "type": "FeatureCollection",
        "geocoding": {"version": "0.2", "query": {"size": 1}},
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [longitude, latitude]},
                "properties": {"id": "node:1", "layer": "address", "label": label, "confidence": 1},
            }
        ],
        "bbox": [longitude, latitude, longitude, latitude],
    }


class FakeGeocoder:
    """A Pelias-style /v1/search that answers as told and records what it was asked."""

    def __init__(self) -> None:
        self.answer: tuple[str, object] = ("json", pelias(*SELLO, "Leppävaarankatu 9, Espoo"))
        self.requests: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlsplit(self.path)
                headers = {name.lower(): value for name, value in self.headers.items()}
                fake.requests.append({"path": url.path, "query": parse_qs(url.query), "headers": headers})
                kind, value = fake.answer
                if kind == "slow":
                    time.sleep(value)
                    kind, value = "json", pelias(*SELLO, "Too late")
                if kind == "raw":
                    self.wfile.write(value)
                    return
                if kind == "truncated":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", "1000")
                    self.end_headers()
                    self.wfile.write(b'{"features": [')
                    return
                status, body = (value, b'{"error": "down"}') if kind == "status" else (200, value)
                if not isinstance(body, bytes):
                    body = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format, *args) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address) -> None:
                pass  # a slow answer finds the client gone: expected, not worth a traceback

        self.server = Server(("127.0.0.1", 0), Handler)
        host, port = self.server.server_address[:2]
        self.url = f"http://{host}:{port}/v1/search"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> "FakeGeocoder":
        self.thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def _now_is_tuesday_1_december_2026():
    with time_machine.travel(NOW, tick=False):
        yield


FAILURES = [
    ("status", 500),
    ("status", 404),
    ("status", 429),
    ("json", b"<html><body>Bad gateway</body></html>"),
    ("json", b""),
    ("json", {"features": []}),
    ("json", {"type": "FeatureCollection"}),
    ("json", []),
    ("json", "just a string"),
    ("json", {"features": ["not a feature"]}),
    ("json", {"features": [{"geometry": {"coordinates": [24.8]}, "properties": {}}]}),
    ("json", {"features": [{"geometry": {"coordinates": ["east", "north"]}, "properties": {}}]}),
    ("json", {"features": [{"geometry": None, "properties": {}}]}),
    ("json", {"features": [{"geometry": {"coordinates": [24.8, 60.2]}, "properties": None}]}),
    ("json", {"features": [{"geometry": {"coordinates": [24.8, 60.2]}, "properties": []}]}),
    ("json", b'{"features": [{"geometry": {"coordinates": [NaN, NaN]}, "properties": {}}]}'),
    ("json", b'{"features": [{"geometry": {"coordinates": [Infinity, 60.2]}, "properties": {}}]}'),
    ("slow", 2),
    ("raw", b"SSH-2.0-OpenSSH_9.6\r\n\r\n"),
    ("raw", b""),
    ("truncated", None),
]
FAILURE_IDS = [
    "500",
    "404",
    "429",
    "html",
    "empty-body",
    "no-features",
    "no-features-key",
    "list",
    "string",
    "feature-not-an-object",
    "one-coordinate",
    "words-for-coordinates",
    "no-geometry",
    "properties-null",
    "properties-a-list",
    "not-a-number",
    "infinite",
    "timeout",
    "not-http",
    "connection-closed",
    "truncated-body",
]


# The client


def test_it_is_off_without_a_url(settings):
    settings.GEOCODING_URL = None

    assert geocoding_enabled() is False
    assert geocode("Leppävaarankatu 9", language="fi") is None


def test_it_finds_an_address(geocoder):
    place = geocode("Leppävaarankatu 9", language="fi")

    assert place == Place(label="Leppävaarankatu 9, Espoo", latitude=60.21748, longitude=24.80992)


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_it_asks_for_one_result_in_the_espoo_region_in_the_pages_language(geocoder, language):
    geocode("  Leppävaarankatu 9  ", language=language)

    [request] = geocoder.requests
    assert request["path"] == "/v1/search"
    query = request["query"]
    assert query["text"] == ["Leppävaarankatu 9"]
    assert query["size"] == ["1"]
    assert query["lang"] == [language]
    for name, value in ESPOO_BOUNDS.items():
        assert query[name] == [str(value)]
    assert request["headers"]["accept"] == "application/json"


def test_it_sends_the_api_key_when_one_is_set(geocoder, settings):
    settings.GEOCODING_API_KEY = "test-subscription-key"

    geocode("Leppävaarankatu 9", language="fi")

    [request] = geocoder.requests
    assert request["headers"]["digitransit-subscription-key"] == "test-subscription-key"


def test_it_sends_no_api_key_header_when_none_is_set(geocoder):
    geocode("Leppävaarankatu 9", language="fi")

    [request] = geocoder.requests
    assert "digitransit-subscription-key" not in request["headers"]


@pytest.mark.parametrize("text", ["", "   "])
def test_a_blank_address_is_not_looked_up(geocoder, text):
    assert geocode(text, language="fi") is None
    assert geocoder.requests == []


@pytest.mark.parametrize("answer", FAILURES, ids=FAILURE_IDS)
def test_a_failing_service_means_not_found(geocoder, answer):
    geocoder.answer = answer

    assert geocode("Leppävaarankatu 9", language="fi") is None
    assert len(geocoder.requests) == 1


def test_a_closed_port_means_not_found(settings):
    with FakeGeocoder() as stopped:
        url = stopped.url
    settings.GEOCODING_URL = url

    assert geocode("Leppävaarankatu 9", language="fi") is None


def test_the_timeout_is_kept(geocoder):
    geocoder.answer = ("slow", 3)

    started = time.monotonic()
    geocode("Leppävaarankatu 9", language="fi")

    assert time.monotonic() - started < 2


# The visit list


@pytest.fixture
def three_venues(_now_is_tuesday_1_december_2026):
    """Visits on one day at Sello (the geocoded address), 2 km away and 10 km away; the
    furthest starts first."""
    area = AreaFactory(slug="suur-leppavaara")
    far = VisitFactory(
        published=True,
        starts_at=at("2026-12-07", "09:00"),
        ends_at=at("2026-12-07", "10:00"),
        venue=VenueFactory(area=area, latitude=60.16, longitude=24.66),
    )
    middle = VisitFactory(
        published=True,
        starts_at=at("2026-12-07", "11:00"),
        ends_at=at("2026-12-07", "12:00"),
        venue=VenueFactory(area=area, latitude=60.2355, longitude=24.80992),
    )
    sello = VisitFactory(
        published=True,
        starts_at=at("2026-12-07", "13:00"),
        ends_at=at("2026-12-07", "14:00"),
        venue=VenueFactory(area=area, latitude=SELLO[0], longitude=SELLO[1]),
    )
    return [far, middle, sello]


def listed_ids(response) -> list[int]:
    assert response.status_code == 200
    content = response.content.decode()
    return [int(pk) for pk in re.findall(r'data-visit-id="(\d+)"', content)]


@pytest.mark.django_db
def test_an_address_orders_the_list_by_distance_from_it(client, geocoder, three_venues):
    far, middle, sello = three_venues

    response = client.get("/en/visits/", {"address": "Leppävaarankatu 9"})

    assert listed_ids(response) == [sello.pk, middle.pk, far.pk]
    content = response.content.decode()
    assert "Nearest first from Leppävaarankatu 9, Espoo." in content
    assert "0 m away" in content
    assert "2.0 km away" in content
    assert "Address search is not in use" not in content
    [request] = geocoder.requests
    assert request["query"]["lang"] == ["en"]


@pytest.mark.django_db
def test_the_label_from_the_geocoder_is_shown_as_text(client, geocoder, three_venues):
    geocoder.answer = ("json", pelias(*SELLO, "<script>alert(1)</script>"))

    content = client.get("/en/visits/", {"address": "Leppävaarankatu 9"}).content.decode()

    assert "<script>alert(1)" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


@pytest.mark.django_db
def test_a_position_from_the_browser_wins_over_the_address(client, geocoder, three_venues):
    far, middle, sello = three_venues

    response = client.get("/en/visits/", {"address": "Leppävaarankatu 9", "lat": "60.16", "lon": "24.66"})

    assert listed_ids(response) == [far.pk, sello.pk, middle.pk]
    assert geocoder.requests == []


@pytest.mark.django_db
@pytest.mark.parametrize("answer", FAILURES, ids=FAILURE_IDS)
def test_when_the_geocoder_fails_the_page_is_the_normal_list(client, geocoder, three_venues, answer):
    geocoder.answer = answer
    far, middle, sello = three_venues

    response = client.get("/en/visits/", {"address": "Leppävaarankatu 9"})

    assert listed_ids(response) == [far.pk, middle.pk, sello.pk]
    content = response.content.decode()
    # The form's own label reads "Nearest first from"; the summary names a place after it.
    assert not re.search(r"Nearest first from \S", content)
    assert " away" not in content


@pytest.mark.django_db
def test_when_geocoding_is_off_an_address_no_known_place_has_is_said_so_and_the_list_is_in_time_order(
    client, settings, three_venues
):
    settings.GEOCODING_URL = None
    far, middle, sello = three_venues

    response = client.get("/en/visits/", {"address": "Leppävaarankatu 9"})

    assert listed_ids(response) == [far.pk, middle.pk, sello.pk]
    content = response.content.decode()
    assert "“Leppävaarankatu 9” could not be placed." in content
    # The form's own label reads "Nearest first from"; the summary names a place after it.
    assert not re.search(r"Nearest first from \S", content)
