"""The visit pages residents read: the list by day, the printable schedule and one visit."""

import datetime
import json
import re
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.factories import AreaFactory, ServicePointFactory, ServiceTypeFactory
from tests.html import links, parse, raw_text
from tests.visits.factories import LanguageFactory, VenueFactory, VisitFactory, at, published, sello_library
from visits.models import CancelReason
from visits.services import visit_cancel, visits_publish

NOW = datetime.datetime(2026, 12, 1, 8, tzinfo=ZoneInfo("Europe/Helsinki"))
SCRIPT_NAME = "</script><script>alert(1)</script>"
IMG_REASON = "<img src=x onerror=alert(1)>"
LANGUAGES = ["fi", "sv", "en"]
DAY = re.compile(r"^day-")
VISITS = "[data-visit-id]"


@pytest.fixture(autouse=True)
def _now_is_tuesday_1_december_2026():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


class Page:
    """What a resident sees: visits by day with their text, alerts, links and the JSON-LD."""

    def __init__(self, content: str) -> None:
        soup = parse(content)
        self.days = {
            section["id"].removeprefix("day-"): [int(visit["data-visit-id"]) for visit in section.select(VISITS)]
            for section in soup.find_all("section", id=DAY)
        }
        self.visits = {
            int(item["data-visit-id"]): {
                "status": item["data-status"],
                "text": raw_text(item),
                "day": day["id"].removeprefix("day-") if (day := item.find_parent("section", id=DAY)) else None,
            }
            for item in soup.select(VISITS)
        }
        # With a starting point for distances: one list, nearest first, whatever the day.
        self.nearest = [int(visit["data-visit-id"]) for visit in soup.select(f"#visit-list-nearest {VISITS}")]
        self.alerts = [raw_text(alert) for alert in soup.select(".form-error")]
        self.links = links(soup)
        self.json_ld = [script.get_text() for script in soup.select('script[type="application/ld+json"]')]
        self.text = raw_text(soup)

    def visit_text(self, pk: int) -> str:
        return " ".join(self.visits[pk]["text"].split())

    def link(self, text: str) -> dict[str, str]:
        [link] = [link for link in self.links if text in " ".join(link["text"].split())]
        return link


def page(response) -> Page:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/html")
    return Page(response.content.decode())


@pytest.fixture
def sello():
    return sello_library()


@pytest.fixture
def help_kinds():
    return {
        "digital": ServiceTypeFactory(
            slug="digital-support", name_fi="Digituki", name_sv="Digistöd", name_en="Digital support"
        ),
        "kela": ServiceTypeFactory(slug="kela", name_fi="Kela-asiat", name_sv="FPA-ärenden", name_en="Kela matters"),
        "sv": LanguageFactory(code="sv", name_fi="ruotsi", name_sv="svenska", name_en="Swedish"),
        "fi": LanguageFactory(code="fi", name_fi="suomi", name_sv="finska", name_en="Finnish"),
    }


# The list


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "hours", "expected"),
    [
        ("fi", "10.00–12.00",
         ["Sellon kirjasto", "Suur-Leppävaara", "Digituki", "Kela-asiat", "ruotsi", "Esteetön sisäänkäynti"]),
        ("sv", "10.00–12.00",
         ["Sellobiblioteket", "Stor-Alberga", "Digistöd", "FPA-ärenden", "svenska", "Tillgänglig ingång"]),
        ("en", "10:00–12:00",
         ["Sello library", "Leppävaara", "Digital support", "Kela matters", "Swedish", "Step-free entrance"]),
    ],
)  # fmt: skip
def test_the_list_shows_time_place_area_help_languages_and_accessibility_in_the_language(
    client, sello, help_kinds, lang, hours, expected
):
    visit = published(venue=sello, services=[help_kinds["digital"], help_kinds["kela"]], languages=[help_kinds["sv"]])

    shown = page(client.get(f"/{lang}/visits/"))

    text = shown.visit_text(visit.pk)
    assert hours in text
    for part in expected:
        assert part in text
    assert shown.link(hours)["href"] == f"/{lang}/visits/{visit.pk}/"


@pytest.mark.django_db
def test_the_list_groups_visits_by_day_in_time_order(client):
    monday_afternoon = published(day="2026-12-07", start="13:00", end="15:00")
    wednesday = published(day="2026-12-09")
    monday_morning = published(day="2026-12-07", start="09:00", end="11:00")

    shown = page(client.get("/en/visits/"))

    assert shown.days == {"2026-12-07": [monday_morning.pk, monday_afternoon.pk], "2026-12-09": [wednesday.pk]}
    assert "Monday 7 Dec" in shown.text
    assert "Wednesday 9 Dec" in shown.text


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_cancelled_visit_is_shown_as_cancelled_with_the_reason(client, lang):
    kept = published(day="2026-12-07")
    cancelled = published(day="2026-12-08")
    visit_cancel(visit=cancelled, reason=CancelReason.ILLNESS, details={"fi": "Neuvoja sairastui."})

    shown = page(client.get(f"/{lang}/visits/"))

    assert shown.visits[kept.pk]["status"] == "scheduled"
    assert shown.visits[cancelled.pk]["status"] == "cancelled"
    assert "Neuvoja sairastui." in shown.visit_text(cancelled.pk)
    assert "Neuvoja sairastui." not in shown.visit_text(kept.pk)


@pytest.mark.django_db
def test_the_word_cancelled_is_on_the_cancelled_visit(client):
    cancelled = published()
    visit_cancel(visit=cancelled, reason=CancelReason.ILLNESS, details={"fi": "Neuvoja sairastui."})

    shown = page(client.get("/en/visits/"))

    # The standard reason in the page's language, then the scheduler's details.
    assert "Cancelled: The advisor is ill. Neuvoja sairastui." in shown.visit_text(cancelled.pk)


@pytest.mark.django_db
def test_drafts_are_not_listed(client):
    shown_visit = published(day="2026-12-07")
    draft = VisitFactory(starts_at=at("2026-12-08"), ends_at=at("2026-12-08", "12:00"))

    assert set(page(client.get("/fi/visits/")).visits) == {shown_visit.pk}

    visits_publish(visits=[draft])

    assert set(page(client.get("/fi/visits/")).visits) == {shown_visit.pk, draft.pk}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "listed"),
    [("2026-12-01", True), ("2026-12-14", True), ("2026-12-15", False)],
    ids=["today", "13-days-ahead", "14-days-ahead"],
)
def test_without_dates_the_list_shows_the_next_two_weeks(client, day, listed):
    visit = published(day=day, start="12:00", end="14:00")

    shown = page(client.get("/fi/visits/"))

    assert set(shown.visits) == ({visit.pk} if listed else set())
    assert shown.alerts == []


@pytest.mark.django_db
def test_the_date_inputs_show_the_range_in_force(client):
    content = client.get("/fi/visits/").content.decode()

    assert re.search(r'name="start" value="2026-12-01"', content)
    assert re.search(r'name="end" value="2026-12-14"', content)


@pytest.mark.django_db
def test_a_start_date_alone_shows_two_weeks_from_that_date(client):
    march = published(day="2027-03-02")
    published(day="2026-12-07")

    response = client.get("/fi/visits/", {"start": "2027-03-01"})

    shown = page(response)
    assert shown.alerts == []
    assert set(shown.visits) == {march.pk}
    assert 'name="end" value="2027-03-14"' in response.content.decode()
    # A day in another year than this one is written with its year.
    assert "tiistai 2.3.2027" in shown.text


@pytest.fixture
def filtered_world(sello, help_kinds):
    other_area_venue = VenueFactory(area=AreaFactory(slug="suur-tapiola"))
    return {
        "sello_digital_sv": published(venue=sello, services=[help_kinds["digital"]], languages=[help_kinds["sv"]]),
        "sello_kela_fi": published(venue=sello, services=[help_kinds["kela"]], languages=[help_kinds["fi"]]),
        "tapiola_digital_fi": published(
            venue=other_area_venue, services=[help_kinds["digital"]], languages=[help_kinds["fi"]]
        ),
        "january": published(day="2027-01-05", venue=sello, services=[help_kinds["digital"]]),
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"sello_digital_sv", "sello_kela_fi", "tapiola_digital_fi"}),
        ("language=sv", {"sello_digital_sv"}),
        ("service=digital-support", {"sello_digital_sv", "tapiola_digital_fi"}),
        ("area=suur-leppavaara", {"sello_digital_sv", "sello_kela_fi"}),
        ("area=suur-leppavaara&service=digital-support&language=sv", {"sello_digital_sv"}),
        ("area=suur-tapiola&language=sv", set()),
        ("start=2027-01-01&end=2027-01-31", {"january"}),
        (
            "start=2026-12-01&end=2027-01-05&service=digital-support",
            {"sello_digital_sv", "tapiola_digital_fi", "january"},
        ),
        ("area=&service=&language=&near=&address=", {"sello_digital_sv", "sello_kela_fi", "tapiola_digital_fi"}),
    ],
)
def test_the_filters_work_as_a_plain_get_form(client, filtered_world, query, expected):
    shown = page(client.get(f"/fi/visits/?{query}"))

    assert shown.alerts == []
    assert set(shown.visits) == {filtered_world[name].pk for name in expected}


@pytest.mark.django_db
def test_a_venue_link_narrows_the_list_to_that_venue(client, filtered_world, sello):
    shown = page(client.get("/fi/visits/", {"venue": sello.pk}))

    assert set(shown.visits) == {filtered_world["sello_digital_sv"].pk, filtered_world["sello_kela_fi"].pk}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "start=2026-13-01",
        "start=2026-02-30",
        "end=1.1.2027",
        "start=2026-12-10&end=2026-12-01",
        "start=2026-01-01&end=2027-01-02",
        "venue=abc",
        "venue=-5",
        "venue=99999999999999999999",
        "venue=999999",
        "area=nowhere",
        "service=flying-lessons",
        "language=xx",
        "near=nowhere",
        "lat=abc&lon=24.7",
        "lat=nan&lon=inf",
        "lat=10&lon=10",
        "area=suur-leppavaara&area=suur-tapiola",
        "address=" + "x" * 201,
        "area=nul%00",
        "address=nul%00",
    ],
)
def test_bad_input_shows_a_form_message_and_the_next_two_weeks(client, filtered_world, query):
    shown = page(client.get(f"/fi/visits/?{query}"))

    assert shown.alerts, "the resident is told that something was wrong"
    assert set(shown.visits) == {
        filtered_world[name].pk for name in ("sello_digital_sv", "sello_kela_fi", "tapiola_digital_fi")
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("start=2026-13-01", "YYYY-MM-DD"),
        ("area=nowhere", "nowhere"),
        ("start=2026-12-10&end=2026-12-01", "before the start"),
        ("start=2026-01-01&end=2027-01-02", "366"),
    ],
)
def test_the_form_message_says_what_was_wrong(client, query, message):
    shown = page(client.get(f"/en/visits/?{query}"))

    assert any(message in alert for alert in shown.alerts), shown.alerts


@pytest.mark.django_db
def test_a_filtered_list_offers_the_same_filters_as_a_calendar_and_a_printable_schedule(client, filtered_world):
    shown = page(client.get("/en/visits/", {"area": "suur-leppavaara", "service": "digital-support"}))

    subscription = shown.link("Subscribe in your calendar app")["href"]
    assert subscription.startswith("webcal://testserver/calendar.ics?")
    calendar = client.get(subscription.removeprefix("webcal://testserver"))
    assert calendar.status_code == 200
    uids = set(re.findall(rb"UID:visit-(\d+)@", calendar.content))
    assert uids == {str(filtered_world[name].pk).encode() for name in ("sello_digital_sv", "january")}
    printable = page(client.get(shown.link("Printable")["href"]))
    assert "Mobile information service: Leppävaara" in printable.text
    assert "10:00–12:00 Sello library" in " ".join(printable.text.split())


# Nearest first


@pytest.fixture
def three_distances():
    """Venues about 0 m, 500 m and 3 km north of an area's centre; the furthest visit starts first."""
    area = AreaFactory(slug="suur-matinkyla", latitude=60.16, longitude=24.74)
    far = published(start="09:00", venue=VenueFactory(area=area, latitude=60.187, longitude=24.74))
    near = published(start="11:00", venue=VenueFactory(area=area, latitude=60.1645, longitude=24.74))
    here = published(start="13:00", end="14:00", venue=VenueFactory(area=area, latitude=60.16, longitude=24.74))
    other_day = published(day="2026-12-08", venue=VenueFactory(area=area, latitude=60.187, longitude=24.74))
    return {"far": far, "near": near, "here": here, "other_day": other_day}


@pytest.mark.django_db
def test_nearest_first_lists_visits_by_distance_whatever_their_day_and_shows_each_ones_day(client, three_distances):
    shown = page(client.get("/en/visits/", {"near": "suur-matinkyla"}))

    # Far and other_day are as far: the earlier comes first.
    assert shown.nearest == [three_distances[name].pk for name in ("here", "near", "far", "other_day")]
    assert shown.days == {}
    assert "Monday" in shown.visit_text(three_distances["here"].pk)
    assert "Tuesday" in shown.visit_text(three_distances["other_day"].pk)
    assert "0 m away" in shown.visit_text(three_distances["here"].pk)
    assert "500 m away" in shown.visit_text(three_distances["near"].pk)
    assert "3.0 km away" in shown.visit_text(three_distances["far"].pk)


@pytest.mark.django_db
def test_distances_use_the_decimal_comma_in_finnish(client, three_distances):
    shown = page(client.get("/fi/visits/", {"near": "suur-matinkyla"}))

    assert "3,0 km" in shown.visit_text(three_distances["far"].pk)


@pytest.mark.django_db
def test_without_a_starting_point_a_day_is_in_time_order_without_distances(client, three_distances):
    shown = page(client.get("/en/visits/"))

    assert shown.days["2026-12-07"] == [three_distances[name].pk for name in ("far", "near", "here")]
    assert " away" not in shown.visit_text(three_distances["here"].pk)


@pytest.mark.django_db
def test_the_browser_position_is_a_starting_point(client, three_distances):
    shown = page(client.get("/en/visits/", {"lat": "60.187", "lon": "24.74"}))

    assert shown.nearest == [three_distances[name].pk for name in ("far", "other_day", "near", "here")]
    assert "0 m away" in shown.visit_text(three_distances["far"].pk)


# The printable schedule


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "heading", "listed"),
    [("2026-12-01", "Tuesday 1 Dec", True), ("2026-12-28", "Monday 28 Dec", True),
     ("2026-12-29", "Tuesday 29 Dec", False)],
    ids=["today", "27-days-ahead", "28-days-ahead"],
)  # fmt: skip
def test_the_printable_schedule_lists_the_areas_next_four_weeks(client, sello, day, heading, listed):
    published(day=day, start="12:00", end="14:00", venue=sello)
    published(venue=VenueFactory(area=AreaFactory(slug="suur-tapiola")))

    shown = page(client.get("/en/visits/print/", {"area": "suur-leppavaara"}))

    assert ("12:00–14:00" in shown.text) is listed
    assert (heading in shown.text) is listed
    assert "10:00–12:00" not in shown.text, "another area's visit is not printed"
    assert "Leppävaara" in shown.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "name", "address", "hours"),
    [
        ("fi", "Sellon kirjasto", "Leppävaarankatu 9", ["10.00–12.00", "13.00–15.00", "16.00–18.00", "17.00–19.00"]),
        ("sv", "Sellobiblioteket", "Albergagatan 9", ["10.00–12.00", "13.00–15.00", "16.00–18.00", "17.00–19.00"]),
        ("en", "Sello library", "Leppävaarankatu 9", ["10:00–12:00", "13:00–15:00", "16:00–18:00", "17:00–19:00"]),
    ],
)
def test_the_printable_schedule_shows_times_places_and_cancellations(
    client, sello, help_kinds, lang, name, address, hours
):
    ten_to_twelve, one_to_three, four_to_six, five_to_seven = hours
    published(day="2026-12-07", venue=sello, services=[help_kinds["digital"]], languages=[help_kinds["sv"]])
    cancelled = published(day="2026-12-09", start="13:00", end="15:00", venue=sello)
    visit_cancel(visit=cancelled, reason=CancelReason.ILLNESS, details={"fi": "Neuvoja sairastui."})
    VisitFactory(venue=sello, starts_at=at("2026-12-10", "16:00"), ends_at=at("2026-12-10", "18:00"))
    published(day="2026-12-08", start="17:00", end="19:00", venue=VenueFactory(area=AreaFactory()))

    response = client.get(f"/{lang}/visits/print/", {"area": "suur-leppavaara"})

    content = response.content.decode()
    shown = page(response)

    assert f"{ten_to_twelve} {name}, {address}" in " ".join(shown.text.split())
    assert one_to_three in shown.text
    assert "Neuvoja sairastui." in shown.text
    assert 'class="visit--cancelled"' in content
    assert four_to_six not in shown.text, "a draft is not printed"
    assert five_to_seven not in shown.text, "another area's visit is not printed"


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", "?area=nowhere", "?area=a&area=b", "?area=nul%00"])
def test_the_printable_schedule_without_a_valid_area_asks_for_one(client, sello, query):
    published(venue=sello)

    response = client.get(f"/en/visits/print/{query}")

    shown = page(response)
    assert "Choose an area" in shown.text
    assert "10:00–12:00" not in shown.text


@pytest.mark.django_db
def test_an_unknown_area_on_the_printable_schedule_is_named(client):
    shown = page(client.get("/en/visits/print/", {"area": "nowhere"}))

    assert any("nowhere" in alert for alert in shown.alerts)


# One visit


def json_ld(shown: Page) -> dict:
    [data] = shown.json_ld
    return json.loads(data)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "name", "address", "city", "area", "help", "language", "accessibility", "transport", "day", "hours"),
    [
        ("fi", "Sellon kirjasto", "Leppävaarankatu 9", "Espoo", "Suur-Leppävaara", "Digituki", "ruotsi",
         "Esteetön sisäänkäynti", "Leppävaaran asema", "maanantai 7.12.", "10.00–12.00"),
        ("sv", "Sellobiblioteket", "Albergagatan 9", "Esbo", "Stor-Alberga", "Digistöd", "svenska",
         "Tillgänglig ingång", "Alberga station", "måndag 7.12.", "10.00–12.00"),
        ("en", "Sello library", "Leppävaarankatu 9", "Espoo", "Leppävaara", "Digital support", "Swedish",
         "Step-free entrance", "Leppävaara station", "Monday 7 Dec", "10:00–12:00"),
    ],
)  # fmt: skip
def test_a_visit_page_shows_the_details_in_the_language(
    client, sello, help_kinds, lang, name, address, city, area, help, language, accessibility, transport, day, hours
):
    visit = published(venue=sello, services=[help_kinds["digital"]], languages=[help_kinds["sv"]])

    shown = page(client.get(f"/{lang}/visits/{visit.pk}/"))

    text = " ".join(shown.text.split())
    for part in (name, address, f"02600 {city}", area, help, language, accessibility, transport, day):
        assert part in text
    assert f"{day} {hours}" in text


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_visit_page_links_to_the_journey_planner_and_the_calendar_file(client, sello, lang):
    visit = published(venue=sello)

    shown = page(client.get(f"/{lang}/visits/{visit.pk}/"))

    journey = [link["href"] for link in shown.links if link["href"].startswith("https://reittiopas.hsl.fi/")]
    assert len(journey) == 1
    assert journey[0].startswith("https://reittiopas.hsl.fi/reitti/-/")
    assert "::60.217480,24.809920" in unquote(journey[0])
    assert journey[0].endswith(f"?locale={lang}")
    ics = [link for link in shown.links if link["href"].startswith(f"/visits/{visit.pk}.ics")]
    assert [link["href"] for link in ics] == [
        f"/visits/{visit.pk}.ics?lang={lang}",
        f"/visits/{visit.pk}.ics?lang={lang}&reminder=1",
    ]
    calendar = client.get(ics[0]["href"])
    assert calendar.status_code == 200
    assert calendar["Content-Type"].startswith("text/calendar")


@pytest.mark.django_db
def test_a_visit_page_describes_a_schema_org_event(client, sello, help_kinds):
    visit = published(venue=sello, languages=[help_kinds["sv"], help_kinds["fi"]])

    data = json_ld(page(client.get(f"/sv/visits/{visit.pk}/")))

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Event"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["startDate"] == "2026-12-07T10:00:00+02:00"
    assert data["endDate"] == "2026-12-07T12:00:00+02:00"
    assert data["url"] == f"http://testserver/sv/visits/{visit.pk}/"
    assert data["location"]["name"] == "Sellobiblioteket"
    assert data["location"]["address"]["streetAddress"] == "Albergagatan 9"
    assert data["location"]["geo"] == {"@type": "GeoCoordinates", "latitude": 60.21748, "longitude": 24.80992}
    assert sorted(data["inLanguage"]) == ["fi", "sv"]


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_cancelled_visit_page_says_so_with_the_reason_and_in_the_json_ld(client, sello, lang):
    visit = published(venue=sello)
    visit_cancel(visit=visit, reason=CancelReason.ILLNESS, details={"fi": "Neuvoja sairastui."})

    shown = page(client.get(f"/{lang}/visits/{visit.pk}/"))

    assert "Neuvoja sairastui." in shown.text
    assert json_ld(shown)["eventStatus"] == "https://schema.org/EventCancelled"
    other_visits = [link["href"] for link in shown.links if link["href"].endswith("/visits/?area=suur-leppavaara")]
    assert other_visits == [f"/{lang}/visits/?area=suur-leppavaara"]


@pytest.mark.django_db
def test_a_cancelled_visit_page_says_cancelled(client):
    visit = published()
    visit_cancel(visit=visit, reason=CancelReason.ILLNESS, details={"fi": "Neuvoja sairastui."})

    assert "This visit is cancelled." in page(client.get(f"/en/visits/{visit.pk}/")).text


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_draft_visit_page_is_not_found(client, lang):
    draft = VisitFactory(starts_at=at("2026-12-07"), ends_at=at("2026-12-07", "12:00"))

    assert client.get(f"/{lang}/visits/{draft.pk}/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("pk", ["999999", "99999999999999999999"])
def test_an_unknown_visit_page_is_not_found(client, pk):
    published()

    assert client.get(f"/fi/visits/{pk}/").status_code == 404


@pytest.mark.django_db
def test_a_past_visit_page_says_it_has_taken_place(client, _now_is_tuesday_1_december_2026):
    visit = published(day="2026-12-01", start="09:00", end="11:00")

    before = page(client.get(f"/en/visits/{visit.pk}/"))
    _now_is_tuesday_1_december_2026.move_to(at("2026-12-01", "11:00"))
    after = page(client.get(f"/en/visits/{visit.pk}/"))

    assert "already taken place" not in before.text
    assert "already taken place" in after.text


# Text from the database


@pytest.fixture
def hostile_visit():
    venue = VenueFactory(
        name_fi=SCRIPT_NAME,
        name_sv=SCRIPT_NAME,
        name_en=SCRIPT_NAME,
        street_address_fi="Katu & <b>1</b>",
        area=AreaFactory(slug="suur-tapiola"),
        accessibility_fi=IMG_REASON,
    )
    visit = published(venue=venue, audience_note=f"Huom! {IMG_REASON}")
    visit_cancel(visit=visit, reason=CancelReason.OTHER, details={"fi": IMG_REASON})
    return visit


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/fi/visits/", "/fi/visits/{pk}/", "/fi/visits/print/?area=suur-tapiola", "/sv/visits/{pk}/"]
)
def test_markup_from_the_database_is_shown_as_text(client, hostile_visit, url):
    response = client.get(url.format(pk=hostile_visit.pk))

    content = response.content.decode()
    shown = page(response)
    assert "<script>alert(1)" not in content
    assert "<img src=x" not in content
    assert "&lt;img src=x onerror=alert(1)&gt;" in content
    assert SCRIPT_NAME in shown.text
    assert IMG_REASON in shown.text


@pytest.mark.django_db
def test_markup_cannot_close_the_json_ld_script_element(client, hostile_visit):
    response = client.get(f"/fi/visits/{hostile_visit.pk}/")

    content = response.content.decode()
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', content, re.DOTALL)
    assert block is not None
    data = json.loads(block.group(1))
    assert data["location"]["name"] == SCRIPT_NAME
    assert data["location"]["address"]["streetAddress"] == "Katu & <b>1</b>"
    assert "<" not in block.group(1) and ">" not in block.group(1)
    assert content.count("<script") == content.count("</script>") == len(re.findall(r"<script\b", content))


# The map page


MAP_DATA = r'<script id="{}" type="application/json">(.*?)</script>'


@pytest.mark.django_db
def test_the_map_page_carries_each_places_and_visits_text_once(client):
    # ASCII texts: the map's JSON writes other letters as \u escapes, which a count would miss.
    point = ServicePointFactory(street_address_fi="Pistekatu 3")
    venue = VenueFactory(street_address_fi="Kirjastotie 5", latitude=60.21, longitude=24.81)
    kept = published(day="2026-12-07", venue=venue)
    cancelled = published(day="2026-12-08", venue=venue)
    visit_cancel(visit=cancelled, reason=CancelReason.ILLNESS, details={"fi": "Neuvoja sairastui."})

    content = client.get("/fi/").content.decode()

    # Every place still has its marker, placed from the map's data.
    points = json.loads(re.search(MAP_DATA.format("service-points-data"), content, re.DOTALL).group(1))
    venues = json.loads(re.search(MAP_DATA.format("visit-venues-data"), content, re.DOTALL).group(1))
    assert [(feature["properties"]["slug"], feature["geometry"]["coordinates"]) for feature in points["features"]] == [
        (point.slug, [24.7, 60.2])
    ]
    assert [(marker["id"], marker["coordinates"], [v["id"] for v in marker["visits"]]) for marker in venues] == [
        (venue.pk, [24.81, 60.21], [kept.pk, cancelled.pk])
    ]
    # The texts of their popups are in the lists, and only there: the point's address, the venue's
    # address under each of its two visits, the cancelled visit's link and reason.
    assert content.count("Pistekatu 3") == 1
    assert content.count("Kirjastotie 5") == 2
    assert content.count(f'"/fi/visits/{cancelled.pk}/"') == 1
    assert content.count("Neuvoja sairastui.") == 1


# Caching


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/fi/visits/", "/sv/visits/{pk}/", "/en/visits/print/?area=suur-tapiola"])
def test_pages_are_public_must_revalidate_and_change_when_a_visit_is_cancelled(
    client, url, _now_is_tuesday_1_december_2026
):
    visit = published(venue=VenueFactory(area=AreaFactory(slug="suur-tapiola")))
    url = url.format(pk=visit.pk)

    first = client.get(url)
    assert first.status_code == 200
    assert {"public", "must-revalidate"} <= {part.strip() for part in first["Cache-Control"].split(",")}
    etag = first["ETag"]
    assert etag
    assert "Set-Cookie" not in first.headers
    repeat = client.get(url, headers={"If-None-Match": etag})
    assert repeat.status_code == 304
    assert repeat.content == b""

    _now_is_tuesday_1_december_2026.shift(datetime.timedelta(minutes=5))
    visit_cancel(visit=visit, reason=CancelReason.ILLNESS, details={"fi": "Neuvoja sairastui."})

    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert "Neuvoja sairastui." in page(changed).text
