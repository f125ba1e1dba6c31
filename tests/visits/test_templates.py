"""What the resident templates promise a screen reader: a field marked invalid names the element
that says why, and that element is on the page."""

import datetime
import json
import re
from html.parser import HTMLParser

import pytest
import time_machine
from django.utils import translation
from django.utils.translation import gettext

from tests.factories import ServicePointFactory
from tests.visits.factories import VenueFactory, published

# Elements with no closing tag; they never hold text.
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Described(HTMLParser):
    """The page's fields that point at a description, and the text of every element with an id."""

    def __init__(self, content: bytes) -> None:
        super().__init__()
        self.fields: list[dict[str, str]] = []
        self.text_by_id: dict[str, str] = {}
        self._open: list[str | None] = []
        self.feed(content.decode())
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if "aria-describedby" in attributes or attributes.get("aria-invalid") == "true":
            self.fields.append(attributes)
        element_id = attributes.get("id")
        if element_id is not None:
            self.text_by_id.setdefault(element_id, "")
        if tag not in VOID:
            self._open.append(element_id)

    def handle_endtag(self, tag):
        if tag not in VOID and self._open:
            self._open.pop()

    def handle_data(self, data):
        for element_id in self._open:
            if element_id is not None:
                self.text_by_id[element_id] += data


DATE = "“%(value)s” is not a date: enter it as YYYY-MM-DD, for example 2026-12-31."
NO_AREA = "There is no such choice: %(value)s."
INVALID_PAGES = [
    # path, the invalid field's name, its message (to translate), the value it names
    ("/fi/?start=x", "start", DATE, "x"),
    ("/en/?start=x&end=1.1.2027", "end", DATE, "1.1.2027"),
    ("/fi/visits/?area=nope&end=bad", "area", NO_AREA, "nope"),
    ("/fi/visits/?area=nope&end=bad", "end", DATE, "bad"),
    ("/sv/visits/?start=2026-12-10&end=2026-12-01", "end", "The end date cannot be before the start date.", ""),
    ("/fi/visits/print/?area=nope", "area", NO_AREA, "nope"),
    ("/en/visits/print/?area=nope", "area", NO_AREA, "nope"),
    ("/fi/service-points/tapiola/?on=bad", "on", DATE, "bad"),
    ("/en/service-points/tapiola/?on=1.1.2026", "on", DATE, "1.1.2026"),
]


@pytest.mark.parametrize(("path", "name", "message", "value"), INVALID_PAGES)
def test_an_invalid_filter_is_described_by_its_message_on_the_page(client, espoo_network, path, name, message, value):
    page = Described(client.get(path).content)
    with translation.override(path.split("/")[1]):
        message = gettext(message) % {"value": value}

    invalid = [field for field in page.fields if field.get("name") == name]
    assert invalid, f"no field {name} marked invalid or described"
    for field in invalid:
        assert field.get("aria-invalid") == "true"
        targets = field.get("aria-describedby", "").split()
        assert targets, f"{name} is invalid but names no description"
        described = " ".join(page.text_by_id.get(target, "") for target in targets)
        assert message in described


@pytest.mark.parametrize("path", sorted({page[0] for page in INVALID_PAGES} | {"/fi/", "/fi/visits/print/"}))
def test_every_description_a_page_names_is_on_the_page(client, espoo_network, path):
    page = Described(client.get(path).content)

    for field in page.fields:
        for target in field.get("aria-describedby", "").split():
            assert target in page.text_by_id, f"{field.get('name')} points at #{target}, which is not on {path}"


class Sections(HTMLParser):
    """Each section's text and links, by the id of the heading that labels it."""

    def __init__(self, content: bytes) -> None:
        super().__init__()
        self.text: dict[str, str] = {}
        self.links: dict[str, list[str]] = {}
        self._open: list[str | None] = []
        self.feed(content.decode())
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        self.handle_data(" ")  # a line break or a new block reads as a space
        if tag == "a":
            for label in filter(None, self._open):
                self.links[label].append(attributes.get("href", ""))
        if tag in VOID:
            return
        label = attributes.get("aria-labelledby") if tag == "section" else None
        if label:
            self.text[label], self.links[label] = "", []
        self._open.append(label)

    def handle_endtag(self, tag):
        self.handle_data(" ")
        if tag not in VOID and self._open:
            self._open.pop()

    def handle_data(self, data):
        for label in filter(None, self._open):
            self.text[label] += data


@pytest.fixture
def places(db) -> dict[str, tuple[str, object]]:
    """A service point and a visit's venue at the same address, each with the page that shows it."""
    details = {
        "street_address_en": "Leppävaarankatu 9",
        "postal_code": "02600",
        "public_transport_en": "Bus 550 to Sello",
        "accessibility_en": "Step-free entrance",
    }
    point, venue = ServicePointFactory(slug="sello", **details), VenueFactory(**details)
    return {
        "point": (f"/en/service-points/{point.slug}/", point),
        "visit": (f"/en/visits/{published(venue=venue).pk}/", venue),
    }


@pytest.mark.parametrize("page", ["point", "visit"])
def test_both_detail_pages_say_where_the_place_is_and_how_to_get_in(client, places, page):
    path, _ = places[page]
    sections = Sections(client.get(path).content)

    place = " ".join(sections.text["place-heading"].split())
    assert "Leppävaarankatu 9 02600 Espoo" in place
    assert "Directions in the HSL Journey Planner" in place
    assert "Getting there by public transport Bus 550 to Sello" in place
    assert "Accessibility Step-free entrance" in place
    assert any(link.startswith("https://reittiopas.hsl.fi/") for link in sections.links["place-heading"])


def test_a_visit_names_its_venue_and_kind_where_a_service_point_shows_an_approximate_position(client, places):
    for _, place in places.values():
        place.location_is_approximate = True
        place.save()
    (point_path, _), (visit_path, venue) = places["point"], places["visit"]

    point = " ".join(Sections(client.get(point_path).content).text["place-heading"].split())
    visit = " ".join(Sections(client.get(visit_path).content).text["place-heading"].split())

    assert point.startswith("Address Leppävaarankatu 9")
    assert "The position on the map is approximate." in point
    assert visit.startswith(f"Place {venue.name_en} Leppävaarankatu 9")
    assert "· Library" in visit
    # Said once, by the small map's caption.
    assert visit.count("The position on the map is approximate.") == 1


MARKERS = r'<script id="visit-venues-data" type="application/json">(.*?)</script>'


@pytest.mark.parametrize(
    ("language", "hours", "when"),
    [
        # A dot in Finnish and Swedish, a colon in English; two digits in every language.
        ("fi", "09.05–11.30", "ma 7.12. 09.05–11.30"),
        ("sv", "09.05–11.30", "mån 7.12. 09.05–11.30"),
        ("en", "09:05–11:30", "Mon 7 Dec 09:05–11:30"),
    ],
)
def test_clock_times_are_written_with_two_digits_in_every_language(client, db, language, hours, when):
    visit = published(day="2026-12-07", start="09:05", end="11:30")

    with time_machine.travel(datetime.datetime(2026, 12, 1, 8, tzinfo=datetime.UTC), tick=False):
        page = client.get(f"/{language}/visits/{visit.pk}/")
        map_page = client.get(f"/{language}/", {"start": "2026-12-07", "end": "2026-12-07"})

    assert hours in page.content.decode()
    [marker] = json.loads(re.search(MARKERS, map_page.content.decode()).group(1))
    assert marker["visits"][0]["when"] == when


@pytest.mark.parametrize(
    ("path", "typed"),
    [
        ("/fi/?start=not-a-date", "not-a-date"),
        ("/en/visits/?start=2026-13-45&end=2026-12-20", "2026-13-45"),
        ("/sv/visits/?end=%3Cb%3E", "<b>"),
        ("/en/?start=1999-12-31", "1999-12-31"),
    ],
)
def test_a_refused_date_is_named_in_the_message_and_the_input_shows_a_real_date(client, espoo_network, path, typed):
    from tests.html import parse, text

    page = parse(client.get(path).content)

    for field in page.select('input[type="date"]'):
        datetime.date.fromisoformat(field["value"])
    assert typed in " ".join(text(error) for error in page.select(".form-error"))
