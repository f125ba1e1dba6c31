"""Residents of a closing or closed service point are told where to go instead: the nearest
points still serving and the mobile service's next visits in the same area, on the point's page
and in its entry on the map page (which its map popup repeats)."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from servicepoints.models import Area
from tests.html import parse, text
from tests.visits.factories import VenueFactory, VisitFactory, at
from visits.selectors import upcoming_visits_by_area

# Saturday 28 November 2026, noon in Helsinki: Tapiola, Espoonlahti and Espoon keskus are closed.
NOW = datetime.datetime(2026, 11, 28, 12, tzinfo=ZoneInfo("Europe/Helsinki"))
MARKUP = "<img src=x onerror=alert(1)>"


@pytest.fixture(autouse=True)
def _now_is_saturday_28_november_2026():
    with time_machine.travel(NOW, tick=False):
        yield


def visit(venue, day: str, start: str = "10:00", end: str = "12:00", **kwargs):
    return VisitFactory(venue=venue, starts_at=at(day, start), ends_at=at(day, end), **kwargs)


def guidance(client, url: str) -> dict[str, dict]:
    """The closure guidance blocks of a page, by the slug of the place they belong to (the page's
    own point under ""): their headings, and their links with texts."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    blocks = {}
    for block in parse(response.content.decode()).select(".closure-guidance"):
        place = block.find_parent("li", attrs={"data-slug": True})
        blocks[place["data-slug"] if place else ""] = {
            "headings": [text(heading) for heading in block.find_all(re.compile(r"^h[1-6]$"))],
            "links": [{"href": link["href"], "text": link.get_text()} for link in block.find_all("a")],
            "text": text(block),
        }
    return blocks


@pytest.fixture
def tapiola(espoo_network) -> Area:
    return Area.objects.get(slug="suur-tapiola")


@pytest.mark.django_db
def test_a_closed_points_page_lists_the_next_visits_in_its_area_soonest_first(client, tapiola):
    library = VenueFactory(area=tapiola, name_en="Tapiola library")
    centre = VenueFactory(area=tapiola, name_en="Tapiola senior centre")
    elsewhere = VenueFactory(area=Area.objects.get(slug="suur-leppavaara"), name_en="Sello library")
    later = visit(library, "2026-12-08", published=True)
    soonest = visit(centre, "2026-12-01", "13:00", "15:00", published=True)
    second = visit(library, "2026-12-03", published=True)
    visit(library, "2026-12-10", published=True)  # a fourth: only the next three are listed
    visit(library, "2026-11-30", cancelled=True)
    visit(library, "2026-11-30", "13:00", "14:00")  # a draft
    visit(library, "2026-11-27", published=True)  # already over
    visit(elsewhere, "2026-11-30", published=True)

    block = guidance(client, "/en/service-points/tapiola/")[""]

    visits = [link for link in block["links"] if "/visits/" in link["href"]]
    assert [link["href"] for link in visits] == [
        f"/en/visits/{soonest.pk}/",
        f"/en/visits/{second.pk}/",
        f"/en/visits/{later.pk}/",
        "/en/visits/?area=suur-tapiola",
    ]
    assert " ".join(visits[0]["text"].split()) == "Tuesday 1 Dec 13:00–15:00, Tapiola senior centre"
    assert visits[-1]["text"] == "All visits in this area"
    assert block["headings"] == ["Where to go instead", "Mobile service in the same area (Suur-Tapiola)"]
    # The nearest points still serving come first, as before.
    points = [link["href"] for link in block["links"] if "/service-points/" in link["href"]]
    assert points[0] == "/en/service-points/matinkyla/"


@pytest.mark.django_db
def test_a_visit_under_way_is_still_worth_going_to(client, tapiola):
    library = VenueFactory(area=tapiola)
    under_way = visit(library, "2026-11-28", "11:00", "14:00", published=True)

    block = guidance(client, "/en/service-points/tapiola/")[""]

    assert f"/en/visits/{under_way.pk}/" in [link["href"] for link in block["links"]]


@pytest.mark.django_db
def test_without_visits_in_the_coming_four_weeks_the_page_says_so(client, tapiola):
    visit(VenueFactory(area=tapiola), "2026-12-28", published=True)  # 30 days ahead: too far

    block = guidance(client, "/en/service-points/tapiola/")[""]

    assert "No mobile service visits in this area in the next four weeks." in block["text"]
    assert not [link for link in block["links"] if "/visits/" in link["href"]]


@pytest.mark.django_db
def test_looking_at_a_later_date_lists_the_visits_from_that_date(client, tapiola):
    library = VenueFactory(area=tapiola)
    visit(library, "2026-12-01", published=True)
    after = visit(library, "2027-01-12", published=True)

    block = guidance(client, "/en/service-points/tapiola/?on=2027-01-11")[""]

    assert [link["href"] for link in block["links"] if re.match(r"/en/visits/\d+/", link["href"])] == [
        f"/en/visits/{after.pk}/"
    ]


@pytest.mark.django_db
def test_an_open_point_has_no_guidance(client, espoo_network):
    assert guidance(client, "/en/service-points/matinkyla/") == {}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "headings"),
    [
        ("fi", ["Minne voit mennä sen sijaan", "Liikkuva neuvonta samalla alueella (Suur-Tapiola)"]),
        ("sv", ["Vart du kan gå i stället", "Mobil rådgivning i samma område (Stor-Hagalund)"]),
    ],
)
def test_the_guidance_speaks_the_residents_language(client, tapiola, language, headings):
    visit(VenueFactory(area=tapiola), "2026-12-01", published=True)

    block = guidance(client, f"/{language}/service-points/tapiola/")[""]

    assert block["headings"] == headings


@pytest.mark.django_db
def test_the_map_page_gives_each_closed_point_its_guidance_and_open_points_none(client, tapiola):
    library = VenueFactory(area=tapiola, name_en="Tapiola library")
    next_visit = visit(library, "2026-12-02", published=True)

    blocks = guidance(client, "/en/")

    assert set(blocks) == {"tapiola", "espoonlahti", "espoon-keskus"}
    tapiola_links = [link["href"] for link in blocks["tapiola"]["links"]]
    assert f"/en/visits/{next_visit.pk}/" in tapiola_links
    assert "/en/service-points/matinkyla/" in tapiola_links
    assert "No mobile service visits in this area" in blocks["espoonlahti"]["text"]


@pytest.mark.django_db
def test_a_venue_name_with_markup_is_shown_as_text(client, tapiola):
    visit(VenueFactory(area=tapiola, name_en=MARKUP), "2026-12-01", published=True)

    response = client.get("/en/service-points/tapiola/")

    assert MARKUP.encode() not in response.content
    assert b"&lt;img src=x onerror=alert(1)&gt;" in response.content


@pytest.mark.django_db
def test_the_next_visits_of_every_area_come_in_one_query(tapiola):
    leppavaara = Area.objects.get(slug="suur-leppavaara")
    for area in (tapiola, leppavaara):
        venue = VenueFactory(area=area)
        for day in range(1, 8):
            visit(venue, f"2026-12-0{day}", published=True)

    with CaptureQueriesContext(connection) as queries:
        found = upcoming_visits_by_area(area_ids={tapiola.pk, leppavaara.pk}, after=NOW, limit=2)
        starts = {area: [v.starts_at.date().isoformat() for v in visits] for area, visits in found.items()}
        venues = {v.venue.area.slug for visits in found.values() for v in visits}

    assert len(queries) == 1
    assert starts == {tapiola.pk: ["2026-12-01", "2026-12-02"], leppavaara.pk: ["2026-12-01", "2026-12-02"]}
    assert venues == {"suur-tapiola", "suur-leppavaara"}


@pytest.mark.django_db
def test_an_area_without_visits_has_an_empty_list(tapiola):
    assert upcoming_visits_by_area(area_ids={tapiola.pk}, after=NOW) == {tapiola.pk: []}
    assert upcoming_visits_by_area(area_ids=set(), after=NOW) == {}
