"""Nearest means nearest: from a starting point, the places serving and the visits are listed by
distance, whatever their day; closed service points leave that list for a folded section of their
own, with where to go instead; a closed point's page drops what no longer holds."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from servicepoints.models import Area, ServicePoint, great_circle_m
from tests.html import parse, text
from tests.visits.factories import VenueFactory, published

# Tuesday 1 December 2026, 8.00 in Helsinki: the Espoonlahti point closed on 31 March 2022.
NOW = datetime.datetime(2026, 12, 1, 8, tzinfo=ZoneInfo("Europe/Helsinki"))
# Standing at the closed Espoonlahti point, beside the Lippulaiva shopping centre.
AT_ESPOONLAHTI = {"lat": "60.1487", "lon": "24.6557"}
VISITS = "[data-visit-id]"


@pytest.fixture(autouse=True)
def _now_is_tuesday_1_december_2026():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def espoonlahti_and_beyond(espoo_network) -> dict:
    """Visits at Lippulaiva (tens of metres from the closed point) on Thursday, at Soukka (about
    1.4 km) on Wednesday and at Sello (about 9 km) today: the farthest is the soonest."""
    espoonlahti = Area.objects.get(slug="suur-espoonlahti")
    lippulaiva = VenueFactory(name_en="Lippulaiva library", area=espoonlahti, latitude=60.1490, longitude=24.6552)
    soukka = VenueFactory(name_en="Soukka library", area=espoonlahti, latitude=60.1383, longitude=24.6700)
    sello = VenueFactory(
        name_en="Sello library", area=Area.objects.get(slug="suur-leppavaara"), latitude=60.21748, longitude=24.80992
    )
    return {
        "sello": published(day="2026-12-01", start="10:00", end="12:00", venue=sello),
        "soukka": published(day="2026-12-02", start="10:00", end="12:00", venue=soukka),
        "lippulaiva": published(day="2026-12-03", start="10:00", end="12:00", venue=lippulaiva),
    }


class MapPage:
    def __init__(self, response) -> None:
        assert response.status_code == 200, response.status_code
        soup = parse(response.content.decode())
        self.soup = soup
        self.serving = [item["data-slug"] for item in soup.select("#service-point-list > li[data-slug]")]
        self.closed = [item["data-slug"] for item in soup.select("#closed-service-point-list > li[data-slug]")]
        self.closed_section = soup.select_one("details#closed-points")
        self.nearest = [int(item["data-visit-id"]) for item in soup.select(f"#visit-list-nearest {VISITS}")]
        by_day = soup.select(f"ul[id^=visit-list-] {VISITS}, section[id^=day-] {VISITS}")
        self.by_day = [int(item["data-visit-id"]) for item in by_day]
        self.text = text(soup)

    def visit_text(self, pk: int) -> str:
        return text(self.soup.select_one(f'[data-visit-id="{pk}"]'))


@pytest.mark.django_db
@pytest.mark.parametrize("origin", [AT_ESPOONLAHTI, {"near": "suur-espoonlahti"}], ids=["position", "area"])
def test_near_espoonlahti_the_lippulaiva_visit_comes_first_though_the_farther_ones_are_sooner(
    client, espoonlahti_and_beyond, origin
):
    shown = MapPage(client.get("/en/", origin))

    visits = espoonlahti_and_beyond
    assert shown.nearest == [visits[name].pk for name in ("lippulaiva", "soukka", "sello")]
    assert shown.by_day == []
    lippulaiva = shown.visit_text(visits["lippulaiva"].pk)
    assert "Thursday" in lippulaiva
    assert " m away" in lippulaiva
    assert "Tuesday" in shown.visit_text(visits["sello"].pk)
    assert "km away" in shown.visit_text(visits["sello"].pk)


@pytest.mark.django_db
def test_the_visit_list_page_orders_by_distance_across_days_too(client, espoonlahti_and_beyond):
    response = client.get("/en/visits/", AT_ESPOONLAHTI)

    shown = MapPage(response)
    visits = espoonlahti_and_beyond
    assert shown.nearest == [visits[name].pk for name in ("lippulaiva", "soukka", "sello")]
    assert "Nearest first from your location." in shown.text


@pytest.mark.django_db
def test_at_the_same_distance_the_sooner_visit_comes_first(client, espoonlahti_and_beyond):
    lippulaiva = espoonlahti_and_beyond["lippulaiva"].venue
    earlier = published(day="2026-12-02", start="13:00", end="14:00", venue=lippulaiva)

    shown = MapPage(client.get("/en/", AT_ESPOONLAHTI))

    assert shown.nearest[:2] == [earlier.pk, espoonlahti_and_beyond["lippulaiva"].pk]


@pytest.mark.django_db
def test_near_espoonlahti_the_closed_point_leaves_the_nearest_list_for_the_closed_section(
    client, espoonlahti_and_beyond
):
    shown = MapPage(client.get("/en/", AT_ESPOONLAHTI))

    assert "espoonlahti" not in shown.serving
    assert "espoonlahti" in shown.closed
    assert set(shown.closed) == {"espoonlahti", "espoon-keskus", "tapiola"}
    # Folded until the resident opens it, and it says where to go instead.
    assert shown.closed_section is not None
    assert not shown.closed_section.has_attr("open")
    assert "Closed service points (3)" in text(shown.closed_section.find("summary"))
    item = shown.closed_section.select_one('li[data-slug="espoonlahti"]')
    assert "Where to go instead" in text(item.select_one(".closure-guidance"))
    assert " away" not in text(item.select_one(".place-list__address"))


@pytest.mark.django_db
def test_the_serving_points_are_listed_nearest_first(client, espoonlahti_and_beyond):
    shown = MapPage(client.get("/en/", AT_ESPOONLAHTI))

    points = {point.slug: point for point in ServicePoint.objects.all()}
    expected = sorted(
        shown.serving,
        key=lambda slug: great_circle_m(60.1487, 24.6557, points[slug].latitude, points[slug].longitude),
    )
    assert shown.serving == expected
    assert shown.serving[0] == "matinkyla"
    assert set(shown.serving) == {"matinkyla", "leppavaara", "kalajarvi", "espoon-keskus-pieni"}


@pytest.mark.django_db
def test_without_a_starting_point_visits_are_in_time_order_by_day_and_closed_points_still_apart(
    client, espoonlahti_and_beyond
):
    shown = MapPage(client.get("/en/"))

    visits = espoonlahti_and_beyond
    assert shown.nearest == []
    assert shown.by_day == [visits[name].pk for name in ("sello", "soukka", "lippulaiva")]
    assert not [pk for pk in shown.by_day if " away" in shown.visit_text(pk)]
    assert " away" not in text(shown.soup.select_one("#service-point-list"))
    assert "espoonlahti" in shown.closed
    assert "espoonlahti" not in shown.serving


@pytest.mark.django_db
def test_the_map_still_shows_the_closed_points(client, espoonlahti_and_beyond):
    response = client.get("/en/", AT_ESPOONLAHTI)

    data = response.context["geojson"]
    assert {feature["properties"]["slug"] for feature in data["features"]} >= {"espoonlahti", "matinkyla"}


@pytest.mark.django_db
def test_a_starting_point_that_cannot_be_used_keeps_the_other_filters(client, espoonlahti_and_beyond):
    response = client.get("/en/visits/", {"area": "suur-espoonlahti", "address": "!!!"})

    shown = MapPage(response)
    visits = espoonlahti_and_beyond
    assert shown.nearest == []
    assert shown.by_day == [visits["soukka"].pk, visits["lippulaiva"].pk]
    assert "“!!!” could not be placed." in shown.text
    assert "Some filters were not valid" not in shown.text


@pytest.mark.django_db
def test_a_closed_points_page_drops_its_services_weekly_hours_and_directions(client, espoonlahti_and_beyond):
    response = client.get("/en/service-points/espoonlahti/")

    assert response.status_code == 200
    soup = parse(response.content.decode())
    page_text = text(soup)
    assert "This service point is closed." in page_text
    assert "Help available" not in page_text
    assert soup.select(".week-hours") == []
    assert "Opening hours" not in page_text
    assert not [a for a in soup.find_all("a") if "reittiopas" in a.get("href", "")]
    assert "Directions in the HSL Journey Planner" not in page_text
    # What still holds: where it was, where to go instead, and another date to look at.
    assert "Espoonlahdenkatu 8" in page_text
    guidance = soup.select_one(".closure-guidance")
    assert "/en/service-points/matinkyla/" in [a["href"] for a in guidance.find_all("a")]
    assert soup.select_one("form.date-form input[name=on]") is not None


@pytest.mark.django_db
def test_the_same_page_before_the_closure_has_them_all(client, espoonlahti_and_beyond):
    response = client.get("/en/service-points/espoonlahti/", {"on": "2022-01-10"})

    soup = parse(response.content.decode())
    page_text = text(soup)
    assert "Help available" in page_text
    assert soup.select(".week-hours")
    assert [a for a in soup.find_all("a") if "reittiopas" in a.get("href", "")]


@pytest.mark.django_db
def test_an_open_points_page_keeps_its_services_hours_and_directions(client, espoonlahti_and_beyond):
    soup = parse(client.get("/en/service-points/matinkyla/").content.decode())

    assert "Help available" in text(soup)
    assert soup.select(".week-hours")
    assert [a for a in soup.find_all("a") if "reittiopas" in a.get("href", "")]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["fi", "sv"])
def test_the_nearest_list_and_the_closed_section_speak_the_residents_language(client, espoonlahti_and_beyond, language):
    shown = MapPage(client.get(f"/{language}/", AT_ESPOONLAHTI))

    assert shown.nearest[0] == espoonlahti_and_beyond["lippulaiva"].pk
    assert shown.soup.find("html")["lang"] == language
    assert "espoonlahti" in shown.closed
    day = text(shown.soup.select_one(f'[data-visit-id="{shown.nearest[0]}"] .visit__day'))
    assert day.startswith({"fi": "torstai", "sv": "torsdag"}[language])
