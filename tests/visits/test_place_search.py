"""Place search that works offline: without a geocoder the address box searches what the app
knows (venue and service point names, street addresses and postal codes of known places, area
names, in fi/sv/en) and says plainly when it cannot place the text; with a geocoder it asks that
first and falls back on what it knows. Bad input is a message beside the box, never an error."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine

from servicepoints.models import Area
from tests.html import parse, text
from tests.visits.factories import VenueFactory, published, sello_library
from tests.visits.test_geocoding import SELLO, pelias
from visits.selectors import place_search

NOW = datetime.datetime(2026, 12, 1, 8, tzinfo=ZoneInfo("Europe/Helsinki"))
VISITS = "[data-visit-id]"


@pytest.fixture(autouse=True)
def _now_is_tuesday_1_december_2026():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def offline(settings):
    settings.GEOCODING_URL = None


@pytest.fixture
def known_places(espoo_network) -> dict:
    """The service points of the plan, two libraries, and a visit at each library: Sello's today,
    Lippulaiva's on Thursday."""
    lippulaiva = VenueFactory(
        name_fi="Lippulaivan kirjasto",
        name_sv="Lippulaivabiblioteket",
        name_en="Lippulaiva library",
        street_address_fi="Espoonlahdenkatu 4",
        street_address_sv="Esbovikensgatan 4",
        postal_code="02320",
        latitude=60.1490,
        longitude=24.6552,
        area=Area.objects.get(slug="suur-espoonlahti"),
    )
    sello = sello_library(area=Area.objects.get(slug="suur-leppavaara"))
    assert (sello.latitude, sello.longitude) == SELLO
    return {
        "sello": published(day="2026-12-01", venue=sello),
        "lippulaiva": published(day="2026-12-03", venue=lippulaiva),
    }


def best(text: str, language: str = "en"):
    [first, *_rest] = place_search(text, language=language)
    return first


# The search


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["lippulaiva", "LIPPULAIVA", "Lippulaivan kirjasto", "lippulaivabiblioteket"])
def test_a_venue_is_found_by_its_name_in_any_language_and_case(known_places, typed):
    found = best(typed)

    assert found.place.label == "Lippulaiva library"
    assert (found.place.latitude, found.place.longitude) == (60.1490, 24.6552)
    assert found.kind == "name"


@pytest.mark.django_db
def test_the_label_is_in_the_language_asked(known_places):
    assert best("Sello", language="fi").place.label == "Sellon kirjasto"
    assert best("Sello", language="sv").place.label == "Sellobiblioteket"
    assert best("Sello", language="en").place.label == "Sello library"


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["Esbo centrum", "Servicepunkten i Esbo centrum", "Espoon keskus", "esbo CENTRUM"])
def test_a_service_point_is_found_by_its_swedish_or_finnish_name(known_places, typed):
    found = best(typed)

    assert found.place.label.startswith("Espoon keskus")
    assert abs(found.place.latitude - 60.205) < 0.01
    assert abs(found.place.longitude - 24.656) < 0.01


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed", ["Leppävaarankatu 9", "leppavaarankatu 9", "LEPPÄVAARANKATU 9, 02600 Espoo", "Albergagatan 9"]
)
def test_a_street_address_of_a_known_place_is_found_with_or_without_diacritics(known_places, typed):
    found = best(typed)

    assert found.kind == "address"
    assert (found.place.latitude, found.place.longitude) == SELLO
    assert "Leppävaarankatu 9" in found.place.label


@pytest.mark.django_db
def test_a_house_number_is_not_another_house_number(known_places):
    assert all(
        "Leppävaarankatu 9" not in match.place.label for match in place_search("Leppävaarankatu 90", language="en")
    )


@pytest.mark.django_db
def test_a_postal_code_is_placed_among_the_known_places_there(known_places):
    found = best("02230")

    assert found.kind == "postal_code"
    assert found.place.label == "02230 Espoo"
    # Iso Omena's Matinkylä service point is the one known place in 02230.
    assert (found.place.latitude, found.place.longitude) == (60.1618, 24.7377)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "language", "label"),
    [
        ("Suur-Kauklahti", "en", "Suur-Kauklahti"),
        ("stor-köklax", "en", "Suur-Kauklahti"),
        ("Gamla Esbo", "sv", "Gamla Esbo"),
        ("pohjois-espoo", "en", "Pohjois-Espoo"),
    ],
)
def test_an_area_is_found_by_its_name_in_fi_sv_or_en(known_places, typed, language, label):
    found = best(typed, language=language)

    assert found.kind == "area"
    assert found.place.label == label


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed",
    ["Atlantis", "", "   ", "x", "!!!", "?.,;:-", "<script>alert(1)</script>", "<b></b>", "a" * 201, "Sello" * 100],
)
def test_text_that_names_no_known_place_finds_nothing(known_places, typed):
    assert place_search(typed, language="en") == []


# The pages, without a geocoder


def nearest_ids(content: str) -> list[int]:
    return [int(item["data-visit-id"]) for item in parse(content).select(f"#visit-list-nearest {VISITS}")]


def address_message(content: str) -> str:
    """The message beside the address box, checking that the box names it for screen readers."""
    soup = parse(content)
    box = soup.select_one("input[name=address]")
    assert box["aria-invalid"] == "true"
    message = soup.find(id=box["aria-describedby"])
    assert message is not None
    return text(message)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/en/", "/en/visits/"])
def test_offline_a_venue_name_orders_the_page_by_distance_from_it_and_says_so(client, offline, known_places, path):
    response = client.get(path, {"address": "lippulaiva"})

    assert response.status_code == 200
    content = response.content.decode()
    assert nearest_ids(content) == [known_places["lippulaiva"].pk, known_places["sello"].pk]
    assert "Nearest first from Lippulaiva library." in text(parse(content))


@pytest.mark.django_db
def test_offline_an_unknown_place_is_said_so_beside_the_box_and_the_list_is_in_time_order(
    client, offline, known_places
):
    response = client.get("/en/visits/", {"address": "Atlantis"})

    assert response.status_code == 200
    content = response.content.decode()
    assert "“Atlantis” could not be placed." in address_message(content)
    assert nearest_ids(content) == []
    listed = [int(item["data-visit-id"]) for item in parse(content).select(VISITS)]
    assert listed == [known_places["sello"].pk, known_places["lippulaiva"].pk]
    assert "Some filters were not valid" not in content


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/en/", "/en/visits/"])
@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("x" * 500, "A place search can be at most 200 characters"),
        ("!!! ??? ...", "could not be placed"),
        ("<script>alert(1)</script>", "could not be placed"),
    ],
    ids=["500-characters", "punctuation", "markup"],
)
def test_bad_place_searches_get_a_message_and_the_normal_list(client, offline, known_places, path, typed, message):
    response = client.get(path, {"address": typed})

    assert response.status_code == 200
    content = response.content.decode()
    assert message in address_message(content)
    assert "<script>alert(1)" not in content
    assert "x" * 500 not in address_message(content)
    assert nearest_ids(content) == []
    assert {int(item["data-visit-id"]) for item in parse(content).select(VISITS)} == {
        known_places["sello"].pk,
        known_places["lippulaiva"].pk,
    }


@pytest.mark.django_db
def test_markup_typed_in_the_box_comes_back_escaped(client, offline, known_places):
    content = client.get("/en/visits/", {"address": "<script>alert(1)</script>"}).content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "“&lt;script&gt;alert(1)&lt;/script&gt;” could not be placed." in content


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/en/", "/en/visits/"])
@pytest.mark.parametrize(
    ("position", "message"),
    [
        ({"lat": "48.8566", "lon": "2.3522"}, "far outside the Espoo region"),
        ({"lat": "-33.9", "lon": "151.2"}, "far outside the Espoo region"),
        ({"lat": "60.2", "lon": "151.2"}, "The longitude 151.2 is far outside the Espoo region"),
        ({"lat": "60.2"}, "needs both a latitude and a longitude"),
        ({"lat": "north", "lon": "east"}, "not a number"),
    ],
    ids=["paris", "sydney", "latitude-only-right", "no-longitude", "words"],
)
def test_a_position_far_outside_finland_is_not_used_and_is_said_so(client, known_places, path, position, message):
    response = client.get(path, position)

    assert response.status_code == 200
    soup = parse(response.content.decode())
    statuses = [text(node) for node in soup.select('.form-error[role="status"]')]
    assert any(message in status for status in statuses), statuses
    assert nearest_ids(response.content.decode()) == []
    # The form's own label reads "Nearest first from"; the sentence names a place after it.
    assert not re.search(r"Nearest first from \S", response.content.decode())
    assert "Some filters were not valid" not in text(soup)


# With a geocoder


@pytest.mark.django_db
def test_with_a_geocoder_configured_the_geocoder_places_the_text(client, geocoder, known_places):
    geocoder.answer = ("json", pelias(60.1490, 24.6552, "Espoonlahdenkatu 4, Espoo"))

    response = client.get("/en/visits/", {"address": "Espoonlahdenkatu 4"})

    content = response.content.decode()
    assert "Nearest first from Espoonlahdenkatu 4, Espoo." in text(parse(content))
    assert nearest_ids(content) == [known_places["lippulaiva"].pk, known_places["sello"].pk]
    [request] = geocoder.requests
    assert request["query"]["text"] == ["Espoonlahdenkatu 4"]


@pytest.mark.django_db
@pytest.mark.parametrize("answer", [("json", {"features": []}), ("status", 500)], ids=["nothing-found", "failing"])
def test_when_the_geocoder_finds_nothing_the_known_places_are_searched(client, geocoder, known_places, answer):
    geocoder.answer = answer

    response = client.get("/en/visits/", {"address": "Lippulaiva"})

    content = response.content.decode()
    assert len(geocoder.requests) == 1
    assert "Nearest first from Lippulaiva library." in text(parse(content))
    assert nearest_ids(content) == [known_places["lippulaiva"].pk, known_places["sello"].pk]


@pytest.mark.django_db
def test_when_neither_finds_the_place_the_page_says_so(client, geocoder, known_places):
    geocoder.answer = ("json", {"features": []})

    content = client.get("/en/visits/", {"address": "Atlantis"}).content.decode()

    assert "“Atlantis” could not be placed." in address_message(content)
    assert nearest_ids(content) == []


@pytest.mark.django_db
def test_punctuation_is_not_sent_to_the_geocoder(client, geocoder, known_places):
    content = client.get("/en/visits/", {"address": "?!?!"}).content.decode()

    assert geocoder.requests == []
    assert "could not be placed" in address_message(content)
