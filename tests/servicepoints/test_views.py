import datetime
import html
import json
import re
from urllib.parse import unquote

import pytest
import time_machine
from django.utils import translation
from django.utils.translation import gettext

from tests.factories import OpeningHoursFactory, ServicePointFactory
from tests.html import links, parse, text

TODAY = datetime.datetime(2026, 11, 28, 12, tzinfo=datetime.UTC)
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(autouse=True)
def _today_is_28_november_2026(settings):
    settings.SERVICEPOINT_CLOSING_NOTICE_DAYS = 60
    with time_machine.travel(TODAY, tick=False):
        yield


class Page:
    """What a resident can see and follow: texts, links, the list of places and the data scripts."""

    def __init__(self, content: str) -> None:
        soup = parse(content)
        self.links = links(soup)
        self.places = {tag["data-slug"]: tag["data-status"] for tag in soup.select("[data-slug][data-status]")}
        self.scripts = {script.get("id", ""): script.get_text() for script in soup.find_all("script")}
        self.text = text(soup)


def get_page(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, response.status_code
    return response, Page(response.content.decode())


def other_points(page: Page, slug: str) -> list[dict[str, str]]:
    """Links from a point's page to the pages of other points, in page order."""
    return [
        link
        for link in page.links
        if "/service-points/" in link.get("href", "")
        and f"/service-points/{slug}/" not in link["href"]
        and "hreflang" not in link
    ]


def in_language(language: str, message: str, **params) -> str:
    with translation.override(language):
        return gettext(message) % params if params else gettext(message)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        ("sv-FI,sv;q=0.9,en;q=0.5", "/sv/"),
        ("en-GB,en;q=0.8", "/en/"),
        ("fi", "/fi/"),
        ("de-DE,de;q=0.9", "/fi/"),
        (None, "/fi/"),
    ],
)
def test_the_front_door_sends_a_resident_to_their_language(client, accept_language, expected):
    headers = {"HTTP_ACCEPT_LANGUAGE": accept_language} if accept_language else {}

    response = client.get("/", **headers)

    assert response.status_code == 302
    assert response["Location"] == expected


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (
            "2022-01-01",
            {
                "matinkyla": "open",
                "leppavaara": "open",
                "kalajarvi": "open",
                "espoonlahti": "open",
                "espoon-keskus": "open",
                "tapiola": "open",
                "espoon-keskus-pieni": "planned",
            },
        ),
        (
            "2022-03-15",
            {
                "matinkyla": "open",
                "leppavaara": "open",
                "kalajarvi": "open",
                "espoonlahti": "closing",
                "espoon-keskus": "open",
                "tapiola": "open",
                "espoon-keskus-pieni": "planned",
            },
        ),
        (
            "2026-11-28",
            {
                "matinkyla": "open",
                "leppavaara": "open",
                "kalajarvi": "open",
                "espoonlahti": "closed",
                "espoon-keskus": "closed",
                "tapiola": "closed",
                "espoon-keskus-pieni": "open",
            },
        ),
    ],
)
def test_the_map_page_lists_every_point_with_its_status_on_the_chosen_date(client, espoo_network, on, expected):
    _, page = get_page(client, f"/en/?on={on}")

    assert page.places == expected


def test_the_map_page_shows_today_without_a_date(client, espoo_network):
    _, page = get_page(client, "/fi/")

    assert page.places["tapiola"] == "closed"
    assert page.places["espoon-keskus-pieni"] == "open"


@pytest.mark.parametrize(
    ("language", "last_day"),
    [("fi", "30.6.2023"), ("sv", "30.6.2023"), ("en", "30 Jun 2023")],
)
def test_a_closed_point_reads_closed_with_its_last_day_in_the_page_language(client, espoo_network, language, last_day):
    _, page = get_page(client, f"/{language}/")

    assert in_language(language, "Closed; the last day was %(date)s", date=last_day) in page.text


@pytest.mark.parametrize("language", ["fi", "sv"])
@pytest.mark.parametrize(
    ("slug", "english_phrases"),
    [
        # A closed point's page has no hours or directions any more: an open one's has them.
        ("tapiola", ["Where to go instead", "Closed;"]),
        ("matinkyla", ["Opening hours", "Directions in the HSL Journey Planner"]),
    ],
)
def test_finnish_and_swedish_pages_do_not_fall_back_to_english(client, espoo_network, language, slug, english_phrases):
    _, english = get_page(client, f"/en/service-points/{slug}/")
    _, page = get_page(client, f"/{language}/service-points/{slug}/")

    assert all(phrase in english.text for phrase in english_phrases)
    assert [phrase for phrase in english_phrases if phrase in page.text] == []


@pytest.mark.parametrize(
    ("language", "name", "area"),
    [
        ("fi", "Leppävaaran asiointipiste", "Suur-Leppävaara"),
        ("sv", "Servicepunkten i Alberga", "Stor-Alberga"),
        ("en", "Leppävaara service point", "Suur-Leppävaara"),
    ],
)
def test_names_are_shown_in_the_page_language(client, espoo_network, language, name, area):
    _, page = get_page(client, f"/{language}/service-points/leppavaara/")

    assert name in page.text
    assert area in page.text
    assert ("Esbo" in page.text) is (language == "sv")


@pytest.mark.parametrize("on", ["abc", "2022-13-01", "2026-02-30", "9999-12-31", "0001-01-01"])
@pytest.mark.parametrize("path", ["/en/", "/en/service-points/tapiola/"])
def test_a_bad_date_gets_a_message_and_the_page_shows_today(client, espoo_network, path, on):
    response, page = get_page(client, f"{path}?on={on}")

    assert response.context["form"].errors["on"]
    assert "showing today" in page.text.lower()
    assert response.context["on"] == datetime.date(2026, 11, 28)
    assert 'role="alert"' in response.content.decode()


@pytest.mark.parametrize("path", ["/en/", "/en/service-points/tapiola/"])
def test_a_date_given_twice_gets_a_message_and_the_page_shows_today(client, espoo_network, path):
    response, page = get_page(client, f"{path}?on=2022-01-03&on=2022-06-15")

    assert "The parameter 'on' was given more than once." in page.text
    assert response.context["on"] == datetime.date(2026, 11, 28)
    assert 'role="alert"' in response.content.decode()


def test_a_good_date_leaves_no_message(client, espoo_network):
    response, page = get_page(client, "/en/?on=2022-01-01")

    assert "Showing today instead." not in page.text
    assert 'role="alert"' not in response.content.decode()


def test_a_closed_point_says_when_it_closed_and_where_to_go_nearest_first(client, espoo_network):
    _, page = get_page(client, "/en/service-points/tapiola/")

    assert "This service point is closed. Its last day was 30 Jun 2023." in page.text
    assert "Per the plan of 16 December 2021, the service point closes at the end of June 2023" in page.text
    assert "lease" not in page.text
    alternatives = [link["text"] for link in other_points(page, "tapiola")]
    assert alternatives == [
        "Matinkylä service point",
        "Leppävaara service point",
        "Espoon keskus small-scale service point",
    ]
    assert re.search(r"Matinkylä service point, Piispansilta 11 – 4\.0 km away \(recommended by the city\)", page.text)


def test_alternatives_are_the_points_open_on_the_chosen_date(client, espoo_network):
    _, page = get_page(client, "/en/service-points/espoonlahti/?on=2022-05-01")

    alternatives = [link["href"] for link in other_points(page, "espoonlahti")]
    assert alternatives[0] == "/en/service-points/matinkyla/"
    assert "/en/service-points/espoon-keskus/" in alternatives
    assert "/en/service-points/espoon-keskus-pieni/" not in alternatives


def test_a_closing_point_warns_before_its_last_day(client, espoo_network):
    _, page = get_page(client, "/en/service-points/tapiola/?on=2023-06-01")

    assert "This service point is closing. Its last day is 30 Jun 2023." in page.text
    assert "Where to go instead" in page.text


def test_an_open_point_has_no_closure_notice(client, espoo_network):
    _, page = get_page(client, "/en/service-points/matinkyla/")

    assert "This service point is" not in page.text
    assert "Where to go instead" not in page.text


def test_the_same_point_read_on_a_date_before_its_closure_is_open(client, espoo_network):
    response, page = get_page(client, "/en/service-points/tapiola/?on=2022-01-03")

    assert response.context["status"] == "open"
    assert "This service point is" not in page.text
    assert "Monday 3 Jan 2022: 09:00–16:00" in page.text


@pytest.mark.parametrize(("language", "holiday"), [("fi", "Joulupäivä"), ("sv", "Juldagen"), ("en", "Christmas Day")])
def test_a_public_holiday_shows_closed_with_its_name_though_the_week_says_open(
    client, espoo_network, language, holiday
):
    response, page = get_page(client, f"/{language}/service-points/matinkyla/?on=2026-12-25")

    week = {day.day: day for day in response.context["week"]}
    assert week[datetime.date(2026, 12, 23)].periods == [(datetime.time(9), datetime.time(18))]
    assert week[datetime.date(2026, 12, 25)].closed
    assert f"{in_language(language, 'Closed')} ({holiday})" in page.text


def test_the_page_shows_the_hours_of_the_day_and_its_week(client, espoo_network):
    response, page = get_page(client, "/en/service-points/espoon-keskus-pieni/?on=2026-11-24")

    ten_to_two = [(datetime.time(10), datetime.time(14))]
    assert [day.periods for day in response.context["week"]] == [[], ten_to_two, [], ten_to_two, [], [], []]
    assert "Tuesday 24 Nov: 10:00–14:00" in page.text
    assert "Thursday 26 Nov 10:00–14:00" in page.text
    assert "Friday 27 Nov Closed" in page.text


def test_without_a_date_the_page_shows_todays_hours(client, espoo_network):
    _, page = get_page(client, "/en/service-points/matinkyla/")

    assert "Today: Closed" in page.text
    assert "Friday 27 Nov 09:00–18:00" in page.text


def test_a_planned_point_says_when_it_opens_and_has_no_hours(client, espoo_network):
    response, page = get_page(client, "/en/service-points/espoon-keskus-pieni/?on=2022-01-04")

    assert "Opens 1 Jul 2022" in page.text
    assert all(day.closed for day in response.context["week"])


def test_the_hsl_journey_planner_link_leads_to_the_point(client, espoo_network):
    _, page = get_page(client, "/sv/service-points/leppavaara/")

    journey = [link["href"] for link in page.links if link.get("href", "").startswith("https://reittiopas.hsl.fi/")]
    assert len(journey) == 1
    assert journey[0].endswith("?locale=sv")
    assert "Servicepunkten i Alberga, Albergagatan 9, Esbo::60.217480,24.809920" in unquote(journey[0])


def test_the_language_switcher_links_to_the_same_page_and_date_in_the_other_languages(client, espoo_network):
    _, page = get_page(client, "/fi/service-points/tapiola/?on=2022-01-01")

    switcher = {link["hreflang"]: link for link in page.links if "hreflang" in link}
    assert {code: link["href"] for code, link in switcher.items()} == {
        "fi": "/fi/service-points/tapiola/?on=2022-01-01",
        "sv": "/sv/service-points/tapiola/?on=2022-01-01",
        "en": "/en/service-points/tapiola/?on=2022-01-01",
    }
    assert switcher["fi"].get("aria-current") == "true"
    assert "aria-current" not in switcher["sv"]
    assert "aria-current" not in switcher["en"]


def test_the_language_switcher_on_the_map_page_keeps_to_the_map(client, espoo_network):
    _, page = get_page(client, "/en/")

    assert sorted(link["href"] for link in page.links if "hreflang" in link) == ["/en/", "/fi/", "/sv/"]


@pytest.mark.django_db
def test_an_unknown_point_is_not_found(client):
    assert client.get("/en/service-points/no-such-place/").status_code == 404


def test_the_map_data_carries_the_same_statuses_as_the_list(client, espoo_network):
    _, page = get_page(client, "/sv/?on=2022-01-01")

    features = json.loads(page.scripts["service-points-data"])["features"]
    assert {f["properties"]["slug"]: f["properties"]["status"] for f in features} == page.places
    # Names, addresses and links the map's popups read from the list item of the same slug.
    assert {name for f in features for name in f["properties"]} == {"slug", "kind", "status"}


@pytest.fixture
def hostile_point(db):
    """A point whose every resident-facing text is an attempt to inject markup."""
    point = ServicePointFactory(
        slug="hostile",
        name_fi=XSS,
        name_sv=XSS,
        name_en=XSS,
        street_address_fi=XSS,
        closure_note_fi=XSS,
        closure_note_en=XSS,
        accessibility_fi=XSS,
        public_transport_fi=XSS,
        closes_on=datetime.date(2022, 9, 30),
    )
    neighbour = ServicePointFactory(slug="neighbour", latitude=60.21, longitude=24.71)
    neighbour.alternatives.add(point)
    OpeningHoursFactory(service_point=point)
    return point


@pytest.mark.parametrize(
    "url",
    ["/fi/", "/en/", "/fi/service-points/hostile/", "/en/service-points/hostile/?on=2022-01-01"],
)
def test_a_name_with_markup_is_shown_as_text_on_the_pages(client, hostile_point, url):
    response, page = get_page(client, url)

    body = response.content.decode()
    assert "<img src=x" not in body
    assert html.escape(XSS, quote=False) in body or html.escape(XSS) in body
    assert XSS in page.text


def test_a_name_with_markup_reaches_the_map_only_as_the_lists_text(client, hostile_point):
    _, page = get_page(client, "/fi/")

    raw = page.scripts["service-points-data"]
    assert "<" not in raw
    assert "img" not in raw
    assert "hostile" in {f["properties"]["slug"] for f in json.loads(raw)["features"]}
    assert XSS in page.text


def test_a_name_with_markup_is_escaped_in_the_alternatives_of_another_point(client, hostile_point):
    ServicePointFactory(slug="closed-neighbour", latitude=60.21, longitude=24.70, closes_on=datetime.date(2020, 1, 1))
    hostile_point.closes_on = None
    hostile_point.save()

    response, page = get_page(client, "/fi/service-points/closed-neighbour/")

    assert "<img src=x" not in response.content.decode()
    assert any(link["text"] == XSS for link in page.links)


@pytest.fixture
def redis_is_down(settings):
    """The cache is Redis, and Redis does not answer."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
            },
        }
    }


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/fi/", "Matinkylän asiointipiste"),
        ("/sv/service-points/tapiola/", "Servicepunkten i Hagalund"),
        ("/en/?on=2022-01-01", "Tapiola service point"),
    ],
)
def test_the_public_pages_survive_a_redis_outage(client, espoo_network, redis_is_down, url, expected):
    from django.core.cache import cache

    cache.set("probe", "value")
    assert cache.get("probe") is None, "the cache must really be the unreachable Redis"

    _, page = get_page(client, url)

    assert expected in page.text


def test_the_pages_ask_for_no_script_from_another_origin(client, espoo_network):
    response, _ = get_page(client, "/fi/")

    sources = re.findall(r'<script[^>]+src="([^"]+)"', response.content.decode())
    assert sources
    assert all(src.startswith("/static/") for src in sources)
    assert "script-src 'self'" in response["Content-Security-Policy"]
