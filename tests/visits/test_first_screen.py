"""The map page's first screen: a short search, the filters in force as chips, the nearest open
help, a way to the map, and where to look when no visit matches."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.factories import AreaFactory, OpeningHoursFactory, ServicePointFactory
from tests.html import parse
from tests.visits.factories import LanguageFactory, VenueFactory, published

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Europe/Helsinki"))


@pytest.fixture(autouse=True)
def _now_is_tuesday_1_december_2026():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def places():
    north, south = AreaFactory(slug="north", name_en="North"), AreaFactory(slug="south", name_en="South")
    point = ServicePointFactory(area=north, name_en="North library point")
    for weekday in range(5):
        OpeningHoursFactory(service_point=point, weekday=weekday, opens=datetime.time(8), closes=datetime.time(16))
    finnish, arabic = LanguageFactory(code="fi", name_en="Finnish"), LanguageFactory(code="ar", name_en="Arabic")
    north_venue = VenueFactory(area=north, name_en="North library")
    south_venue = VenueFactory(area=south, name_en="South mall")
    published("2026-12-02", venue=north_venue, languages=[finnish])
    published("2026-12-03", venue=south_venue, languages=[finnish, arabic])
    # After the default two weeks (1.–14.12.).
    published("2026-12-21", venue=north_venue, languages=[arabic])
    published("2026-12-22", venue=north_venue, languages=[arabic])
    return {"north": north, "south": south}


def test_the_short_search_and_the_nearest_open_help_come_before_the_full_filters(client, places):
    html = client.get("/en/").content.decode()

    assert html.index('id="quick-search"') < html.index('id="open-help"') < html.index('id="map-filters"')
    page = parse(html)
    quick = page.select_one("#quick-search")
    assert quick.select_one("select[name=area]") is not None
    assert quick.select_one("#near-me") is not None
    help_links = [a.get_text(strip=True) for a in page.select("#open-help a")]
    assert help_links == ["North library point", "North library"]
    assert "Open today: 08:00–16:00" in page.select_one("#open-help [data-kind=point]").get_text(" ", strip=True)


def test_the_short_search_keeps_the_other_filters_in_force(client, places):
    page = parse(client.get("/en/?language=ar&area=north").content)

    kept = {i["name"]: i.get("value") for i in page.select("#quick-search input[type=hidden]")}
    assert kept == {"language": "ar", "lat": None, "lon": None}


def test_each_active_filter_is_a_chip_linking_to_the_page_without_it(client, places):
    page = parse(client.get("/en/?area=north&language=fi&start=2026-12-01&end=2026-12-10").content)

    chips = {a.get_text(" ", strip=True).split(": ", 1)[1]: a["href"] for a in page.select("#active-filters a.chip")}
    assert chips == {
        "Dates: 1 Dec–10 Dec ×": "/en/?area=north&language=fi",
        "Area: North ×": "/en/?language=fi&start=2026-12-01&end=2026-12-10",
        "Language: Finnish ×": "/en/?area=north&start=2026-12-01&end=2026-12-10",
    }


def test_without_filters_there_are_no_chips(client, places):
    assert parse(client.get("/en/").content).select_one("#active-filters") is None


def test_the_origin_is_a_chip_that_removes_every_part_of_it(client, places):
    page = parse(client.get("/en/?near=north&area=south").content)

    hrefs = [a["href"] for a in page.select("#active-filters a.chip")]
    assert "/en/?area=south" in hrefs


def test_no_result_says_why_and_offers_alternatives_with_their_counts(client, places):
    page = parse(client.get("/en/?area=north&language=ar").content)

    no_visits = page.select_one("#visit-section #no-visits")
    assert "No visits from" in no_visits.get_text()
    offers = {a["data-alternative"]: (a.get_text(strip=True), a["href"]) for a in no_visits.select("a")}
    assert offers == {
        "later": ("2 visits in the next four weeks", "?area=north&language=ar&start=2026-12-15&end=2027-01-11"),
        "areas": ("1 visit in all areas", "?language=ar"),
        "languages": ("1 visit in any language", "?area=north"),
    }


def test_no_result_without_alternatives_says_so(client, places):
    page = parse(client.get("/en/?area=south&start=2027-03-01&end=2027-03-02").content)

    no_visits = page.select_one("#no-visits")
    assert no_visits.select("a") == []
    assert "No visits in the following four weeks either" in no_visits.get_text()
    # Days in another year than this one are written with their year.
    chips = [a.get_text(" ", strip=True) for a in page.select("#active-filters a.chip")]
    assert "Dates: 1 Mar 2027–2 Mar 2027 ×" in [chip.split(": ", 1)[1] for chip in chips]


def test_the_skip_link_and_the_toggle_lead_to_the_map_and_the_list(client, places):
    page = parse(client.get("/en/").content)

    skip = page.select_one("main a.skip-link")
    assert skip.get_text(strip=True) == "Skip to the map"
    assert page.select_one(skip["href"]) is page.select_one("#service-map")
    targets = [a["href"] for a in page.select("#view-toggle a")]
    assert targets == ["#place-lists", "#service-map"]
    assert all(page.select_one(target) is not None for target in targets)
