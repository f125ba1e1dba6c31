"""/calendar.ics and /visits/<id>.ics, read back the way a calendar app reads them."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation
from icalendar import Calendar

from tests.factories import AreaFactory, ServiceTypeFactory
from tests.visits.factories import LanguageFactory, VenueFactory, VisitFactory, at, published, sello_library
from visits.models import CancelReason
from visits.services import VisitPlan, visit_cancel, visit_update

HELSINKI = ZoneInfo("Europe/Helsinki")
NOW = datetime.datetime(2026, 12, 1, 8, tzinfo=HELSINKI)
SCRIPT_NAME = "</script><script>alert(1)</script>"
IMG_REASON = "<img src=x onerror=alert(1)>"


@pytest.fixture(autouse=True)
def _now_is_tuesday_1_december_2026():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def parse(response) -> Calendar:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def events(response) -> dict[str, object]:
    """The calendar's events by UID, as a calendar app would store them."""
    return {str(event["UID"]): event for event in parse(response).walk("VEVENT")}


def calendar_name(calendar: Calendar) -> str:
    """X-WR-CALNAME as calendar apps show it: an X- property the parser leaves escaped, so the
    RFC 5545 TEXT escapes are undone here."""
    raw = calendar["X-WR-CALNAME"].to_ical().decode()
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], raw)


def uid(visit) -> str:
    return f"visit-{visit.pk}@palvelut.espoo.fi"


def assert_error(response, status: int = 400) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"].strip()


# One visit as a calendar entry


@pytest.mark.django_db
def test_a_visit_is_an_event_in_helsinki_time_with_place_and_position(client, settings):
    settings.ICAL_UID_DOMAIN = "palvelut.espoo.fi"
    venue = VenueFactory(
        name_fi="Sellon kirjasto",
        street_address_fi="Leppävaarankatu 9",
        postal_code="02600",
        latitude=60.21748,
        longitude=24.80992,
    )
    visit = published(venue=venue, services=[ServiceTypeFactory(name_fi="Digituki")])

    response = client.get(f"/visits/{visit.pk}.ics")

    assert response["Content-Disposition"] == f'attachment; filename="visit-{visit.pk}.ics"'
    calendar = parse(response)
    assert str(calendar["VERSION"]) == "2.0"
    [timezone] = calendar.walk("VTIMEZONE")
    assert str(timezone["TZID"]) == "Europe/Helsinki"
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == uid(visit)
    assert event["DTSTART"].params["TZID"] == "Europe/Helsinki"
    assert event["DTEND"].params["TZID"] == "Europe/Helsinki"
    assert event.decoded("DTSTART") == at("2026-12-07", "10:00")
    assert event.decoded("DTEND") == at("2026-12-07", "12:00")
    assert event.decoded("DTSTART").utcoffset() == datetime.timedelta(hours=2)
    assert str(event["LOCATION"]) == "Sellon kirjasto, Leppävaarankatu 9, 02600 Espoo"
    assert (event["GEO"].latitude, event["GEO"].longitude) == (60.21748, 24.80992)
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "Sellon kirjasto" in str(event["SUMMARY"])
    assert "Digituki" in str(event["DESCRIPTION"])
    assert str(event["URL"]) == f"http://testserver/fi/visits/{visit.pk}/"


@pytest.mark.django_db
def test_a_summer_visit_keeps_its_wall_clock_time_and_the_summer_offset(client):
    visit = published(day="2027-06-07")

    [event] = parse(client.get(f"/visits/{visit.pk}.ics")).walk("VEVENT")

    assert event["DTSTART"].params["TZID"] == "Europe/Helsinki"
    start = event.decoded("DTSTART")
    assert (start.hour, start.minute) == (10, 0)
    assert start.utcoffset() == datetime.timedelta(hours=3)
    assert start == datetime.datetime(2027, 6, 7, 7, tzinfo=datetime.UTC)


@pytest.mark.django_db
def test_every_line_is_folded_to_75_octets(client):
    venue = VenueFactory(name_fi="Äänekosken ja Öljymäen yhteinen palvelukeskus " * 3, accessibility="")
    published(venue=venue, audience_note="Ota mukaan puhelin, tabletti tai läppäri; ja pankkitunnukset. " * 5)

    response = client.get("/calendar.ics")

    assert response.status_code == 200
    assert response.content.endswith(b"\r\n")
    for line in response.content.split(b"\r\n"):
        assert len(line) <= 75, line
        assert b"\n" not in line and b"\r" not in line
        line.decode()  # each physical line is whole UTF-8: no character is split by the fold


# Stable ids


@pytest.mark.django_db
def test_uids_are_the_same_in_every_download_and_differ_between_visits(client):
    first, second = published(day="2026-12-07"), published(day="2026-12-08")

    one = set(events(client.get("/calendar.ics")))
    two = set(events(client.get("/calendar.ics")))
    single = set(events(client.get(f"/visits/{first.pk}.ics")))

    assert one == two == {uid(first), uid(second)}
    assert single == {uid(first)}


@pytest.mark.django_db
def test_a_moved_visit_keeps_its_uid_so_calendars_update_the_same_entry(client, _now_is_tuesday_1_december_2026):
    visit = published(day="2026-12-07")
    before = events(client.get("/calendar.ics"))[uid(visit)]

    _now_is_tuesday_1_december_2026.shift(datetime.timedelta(hours=1))
    visit_update(
        visit=visit,
        plan=VisitPlan(venue=visit.venue, starts_at=at("2026-12-08", "13:00"), ends_at=at("2026-12-08", "15:00")),
    )
    after = events(client.get("/calendar.ics"))

    assert list(after) == [uid(visit)]
    moved = after[uid(visit)]
    assert moved.decoded("DTSTART") == at("2026-12-08", "13:00")
    assert moved.decoded("DTSTART") != before.decoded("DTSTART")
    assert moved.decoded("LAST-MODIFIED") > before.decoded("LAST-MODIFIED")


# What is in the feed


@pytest.mark.django_db
def test_a_cancelled_visit_stays_in_the_feed_marked_cancelled_with_the_reason(client):
    kept = published(day="2026-12-07")
    cancelled = published(day="2026-12-08")
    visit_cancel(visit=cancelled, reason=CancelReason.ILLNESS, details={"fi": "Neuvoja sairastui."})

    found = events(client.get("/calendar.ics"))

    assert str(found[uid(kept)]["STATUS"]) == "CONFIRMED"
    assert str(found[uid(cancelled)]["STATUS"]) == "CANCELLED"
    assert "Neuvoja sairastui." in str(found[uid(cancelled)]["DESCRIPTION"])


@pytest.mark.django_db
def test_drafts_are_left_out(client):
    shown = published(day="2026-12-07")
    draft = VisitFactory(starts_at=at("2026-12-08"), ends_at=at("2026-12-08", "12:00"))

    assert set(events(client.get("/calendar.ics"))) == {uid(shown)}
    assert_error(client.get(f"/visits/{draft.pk}.ics"), status=404)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "listed"),
    [
        ("2026-10-31", False),
        ("2026-11-01", True),
        ("2027-12-01", True),
        ("2027-12-02", False),
    ],
    ids=["31-days-ago", "30-days-ago", "365-days-ahead", "366-days-ahead"],
)
def test_the_feed_covers_the_past_month_and_the_coming_year(client, day, listed):
    visit = published(day=day)

    found = set(events(client.get("/calendar.ics")))

    assert found == ({uid(visit)} if listed else set())


@pytest.fixture
def world():
    tapiola, leppavaara = AreaFactory(slug="suur-tapiola"), AreaFactory(slug="suur-leppavaara")
    digital, kela = ServiceTypeFactory(slug="digital-support"), ServiceTypeFactory(slug="kela")
    venue = VenueFactory(area=tapiola)
    return {
        "venue": venue,
        "tapiola_digital": published(venue=venue, services=[digital]),
        "tapiola_kela_elsewhere": published(venue=VenueFactory(area=tapiola), services=[kela]),
        "leppavaara_digital": published(venue=VenueFactory(area=leppavaara), services=[digital]),
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"tapiola_digital", "tapiola_kela_elsewhere", "leppavaara_digital"}),
        ("?area=suur-tapiola", {"tapiola_digital", "tapiola_kela_elsewhere"}),
        ("?service=digital-support", {"tapiola_digital", "leppavaara_digital"}),
        ("?venue={venue}", {"tapiola_digital"}),
        ("?area=suur-tapiola&service=digital-support", {"tapiola_digital"}),
        ("?area=suur-leppavaara&service=kela", set()),
        ("?area=suur-leppavaara&venue={venue}", set()),
    ],
)
def test_filters_narrow_the_feed(client, world, query, expected):
    response = client.get("/calendar.ics" + query.format(venue=world["venue"].pk))

    assert set(events(response)) == {uid(world[name]) for name in expected}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "area=nowhere",
        "service=flying-lessons",
        "language=xx",
        "venue=abc",
        "venue=-1",
        "venue=99999999999999999999",
        "venue=999999",
        "lang=de",
        "area=suur-tapiola&area=suur-leppavaara",
        "area=nul%00",
    ],
)
def test_bad_filters_are_a_json_400(client, world, query):
    assert_error(client.get(f"/calendar.ics?{query}"))


@pytest.mark.django_db
@pytest.mark.parametrize("pk", ["999999", "99999999999999999999"])
def test_an_unknown_visit_is_a_404(client, pk):
    published()

    assert_error(client.get(f"/visits/{pk}.ics"), status=404)


@pytest.mark.django_db
def test_a_bad_language_for_one_visit_is_a_json_400(client):
    visit = published()

    assert_error(client.get(f"/visits/{visit.pk}.ics?lang=de"))


# Languages


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "name", "address", "city"),
    [
        ("fi", "Sellon kirjasto", "Leppävaarankatu 9", "Espoo"),
        ("sv", "Sellobiblioteket", "Albergagatan 9", "Esbo"),
        ("en", "Sello library", "Leppävaarankatu 9", "Espoo"),
    ],
)
def test_places_and_links_come_in_the_language_asked(client, lang, name, address, city):
    visit = published(venue=sello_library(), languages=[LanguageFactory(code="sv")])

    for url in (f"/calendar.ics?lang={lang}", f"/visits/{visit.pk}.ics?lang={lang}"):
        [event] = parse(client.get(url)).walk("VEVENT")
        assert str(event["LOCATION"]) == f"{name}, {address}, 02600 {city}"
        assert name in str(event["SUMMARY"])
        assert str(event["URL"]) == f"http://testserver/{lang}/visits/{visit.pk}/"
    calendar = parse(client.get(f"/visits/{visit.pk}.ics?lang={lang}"))
    assert calendar_name(calendar) == name


# Text from the database


@pytest.mark.django_db
def test_markup_newlines_semicolons_and_commas_round_trip_through_a_parser(client):
    name = f"Kirjasto; aula, 2. krs\nsisäänkäynti B {SCRIPT_NAME}"
    venue = VenueFactory(name_fi=name, street_address_fi="Katu 1, B-rappu; 2. krs", postal_code="02100")
    visit = published(venue=venue, audience_note="Tuo mukaan:\n- puhelin; laturi,\n- tunnukset\\salasana")
    visit_cancel(
        visit=visit, reason=CancelReason.OTHER, details={"fi": f"Sairastuminen; {IMG_REASON},\nuusi aika tulossa"}
    )

    with translation.override("fi"):
        reason = f"{CancelReason.OTHER.label} Sairastuminen; "
        cancelled = translation.gettext("Cancelled: %(reason)s") % {"reason": reason}
    for url in ("/calendar.ics", f"/visits/{visit.pk}.ics"):
        response = client.get(url)
        [event] = parse(response).walk("VEVENT")
        assert str(event["LOCATION"]) == f"{name}, Katu 1, B-rappu; 2. krs, 02100 Espoo"
        assert str(event["DESCRIPTION"]).splitlines() == [
            f"{cancelled}<img src=x onerror=alert(1)>,",
            "uusi aika tulossa",
            # No kinds of help were chosen: residents read general guidance, as on every page.
            "Yleisneuvonta",
            "Tuo mukaan:",
            "- puhelin; laturi,",
            "- tunnukset\\salasana",
        ]
        assert name in str(event["SUMMARY"])
        assert str(event["STATUS"]) == "CANCELLED"
    calendar = parse(client.get(f"/visits/{visit.pk}.ics"))
    assert calendar_name(calendar) == name


# Caching


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/calendar.ics?area=suur-tapiola", "/visits/{pk}.ics"])
def test_feeds_are_public_must_revalidate_and_change_when_a_visit_is_cancelled(
    client, url, _now_is_tuesday_1_december_2026
):
    visit = published(venue=VenueFactory(area=AreaFactory(slug="suur-tapiola")))
    url = url.format(pk=visit.pk)

    first = client.get(url)
    assert first.status_code == 200
    assert {"public", "must-revalidate"} <= {part.strip() for part in first["Cache-Control"].split(",")}
    etag = first["ETag"]
    assert etag
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304

    _now_is_tuesday_1_december_2026.shift(datetime.timedelta(minutes=5))
    visit_cancel(visit=visit, reason=CancelReason.ILLNESS, details={"fi": "Neuvoja sairastui."})

    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    [event] = parse(changed).walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"
