"""What staff write for residents (the note, a cancellation's reason and details) in the page's
language, else in Finnish marked lang="fi": on the pages, in the API and in the calendar feeds.

Standard reasons are compared with their label in the language asked, so the tests hold before
and after the translations are compiled.
"""

import datetime
import json

import pytest
import time_machine
from django.utils import translation
from icalendar import Calendar

from tests.html import parse
from tests.visits.factories import at, published
from visits.models import CancelReason, Visit
from visits.services import visit_cancel

NOW = at("2026-12-01", "10:00")
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tuesday_1_december_2026():
    with time_machine.travel(NOW, tick=False):
        yield


def label(reason: CancelReason, language: str) -> str:
    with translation.override(language):
        return str(reason.label)


def with_note(**notes: str) -> Visit:
    return published(day="2026-12-07", **notes)


def cancelled(**details: str) -> Visit:
    visit = published(day="2026-12-07")
    return visit_cancel(visit=visit, reason=CancelReason.ILLNESS, details=details)


def html(client, path: str):
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return parse(response.content.decode())


def element_with(soup, words: str):
    """The innermost element whose own text holds `words`."""
    [found] = [node.parent for node in soup.find_all(string=lambda s: s and words in s)]
    return found


def ics_description(client, visit: Visit, language: str) -> str:
    response = client.get(f"/visits/{visit.pk}.ics", {"lang": language})
    assert response.status_code == 200, response.content
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    return str(event["DESCRIPTION"])


# The note to residents -----------------------------------------------------------------------


def test_a_swedish_page_shows_the_swedish_note_without_a_finnish_mark(client):
    visit = with_note(audience_note="Ota puhelin mukaan.", audience_note_sv="Ta med telefonen.")

    for path in (f"/sv/visits/{visit.pk}/", "/sv/visits/"):
        soup = html(client, path)
        assert "Ota puhelin mukaan." not in soup.get_text(), path
        assert element_with(soup, "Ta med telefonen.").get("lang") is None, path


@pytest.mark.parametrize("language", ["sv", "en"])
def test_without_a_note_in_the_page_language_the_finnish_note_is_shown_marked_finnish(client, language):
    visit = with_note(audience_note="Ota puhelin mukaan.", audience_note_en="", audience_note_sv="")

    for path in (f"/{language}/visits/{visit.pk}/", f"/{language}/visits/"):
        assert element_with(html(client, path), "Ota puhelin mukaan.")["lang"] == "fi", path


def test_a_finnish_page_needs_no_language_mark_on_the_finnish_note(client):
    visit = with_note(audience_note="Ota puhelin mukaan.", audience_note_sv="Ta med telefonen.")

    assert element_with(html(client, f"/fi/visits/{visit.pk}/"), "Ota puhelin mukaan.").get("lang") is None


def test_the_feed_carries_the_note_in_the_language_asked_else_the_finnish_one(client):
    visit = with_note(audience_note="Ota puhelin mukaan.", audience_note_sv="Ta med telefonen.")

    assert "Ta med telefonen." in ics_description(client, visit, "sv")
    assert "Ota puhelin mukaan." not in ics_description(client, visit, "sv")
    assert "Ota puhelin mukaan." in ics_description(client, visit, "en")


# A cancellation's reason and details ---------------------------------------------------------


@pytest.mark.parametrize("path", ["/sv/visits/{pk}/", "/sv/visits/", "/sv/visits/print/?area={area}"])
def test_a_swedish_page_gives_the_standard_reason_in_swedish_and_finnish_details_marked_finnish(client, path):
    visit = cancelled(fi="Uusi aika tulossa.")

    soup = html(client, path.format(pk=visit.pk, area=visit.venue.area.slug))

    assert label(CancelReason.ILLNESS, "sv") in soup.get_text()
    details = element_with(soup, "Uusi aika tulossa.")
    assert details["lang"] == "fi"
    assert label(CancelReason.ILLNESS, "sv") not in details.get_text()


def test_a_swedish_page_gives_the_swedish_details_when_there_are_some(client):
    visit = cancelled(fi="Uusi aika tulossa.", sv="Ny tid kommer.")

    soup = html(client, f"/sv/visits/{visit.pk}/")

    assert element_with(soup, "Ny tid kommer.").get("lang") is None
    assert "Uusi aika tulossa." not in soup.get_text()


def test_the_api_gives_the_standard_reason_in_the_language_asked(client):
    visit = cancelled(fi="Uusi aika tulossa.", en="A new time will be announced.")

    def reason(language: str) -> str:
        response = client.get("/api/v1/visits", {"start": "2026-12-07", "end": "2026-12-07", "lang": language})
        assert response.status_code == 200, response.content
        [feature] = response.json()["features"]
        assert feature["properties"]["id"] == visit.pk
        return feature["properties"]["cancel_reason"]

    assert reason("en") == "The advisor is ill. A new time will be announced."
    assert reason("sv") == f"{label(CancelReason.ILLNESS, 'sv')} Uusi aika tulossa."
    assert reason("fi") == f"{label(CancelReason.ILLNESS, 'fi')} Uusi aika tulossa."


def test_the_feed_gives_the_standard_reason_in_the_language_asked(client):
    visit = cancelled(fi="Uusi aika tulossa.", sv="Ny tid kommer.")

    assert f"{label(CancelReason.ILLNESS, 'sv')} Ny tid kommer." in ics_description(client, visit, "sv")
    assert "The advisor is ill. Uusi aika tulossa." in ics_description(client, visit, "en")


def test_the_map_popup_data_gives_the_reason_in_the_page_language(client):
    visit = cancelled(fi="Uusi aika tulossa.")

    with time_machine.travel(NOW + datetime.timedelta(days=5), tick=False):
        soup = html(client, "/en/")

    # The popup takes the visit's text from its item in the list beside the map (visit-layer.js).
    item = soup.select_one(f'.visit-list a[href="/en/visits/{visit.pk}/"]').find_parent("li")
    status = item.select_one(".visit-status--cancelled")
    assert " ".join(status.get_text(" ", strip=True).split()) == "× Cancelled: The advisor is ill. Uusi aika tulossa."
    assert element_with(status, "Uusi aika tulossa.")["lang"] == "fi"
    markers = json.loads(soup.select_one("#visit-venues-data").string)
    assert [v["id"] for marker in markers for v in marker["visits"]] == [visit.pk]
