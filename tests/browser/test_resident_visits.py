"""A resident finds the mobile service's visits in real Chromium: filters them on a phone, opens
one, saves it to a calendar, and sees a cancelled visit as cancelled on the map, in the list, on
its page and in both calendar feeds.

The demo plan of `load_espoo_data` is the data: it is what a resident of Espoo would see.
"""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone, translation
from icalendar import Calendar, Event
from playwright.sync_api import Page, expect

from tests.browser.pages import PHONE, listed_visits, open_map, venue_marker, visit_item, wait_for_popup
from visits.models import CancelReason, State, Visit
from visits.public.forms import DEFAULT_DAYS
from visits.recurrence import local_datetime
from visits.services import visit_cancel

pytestmark = pytest.mark.browser

DIGITAL_SUPPORT = "digital-support"
SWEDISH = "sv"
REASON = "Neuvoja sairastui. Rådgivaren insjuknade. The advisor fell ill."

# What a resident reads, in each language (locale/*/LC_MESSAGES/django.po).
WORDS = {
    "fi": {
        "cancelled": "Peruttu",
        "legend": "Käynti peruttu",
        "page": "Tämä käynti on peruttu.",
        "reason": "Syy:",
        "summary": "PERUTTU: Liikkuva neuvonta: {venue}",
    },
    "sv": {
        "cancelled": "Inställt",
        "legend": "Besöket inställt",
        "page": "Det här besöket är inställt.",
        "reason": "Orsak:",
        "summary": "INSTÄLLT: Mobil rådgivning: {venue}",
    },
    "en": {
        "cancelled": "Cancelled",
        "legend": "Visit cancelled",
        "page": "This visit is cancelled.",
        "reason": "Reason:",
        "summary": "CANCELLED: Mobile information service: {venue}",
    },
}
SWEDISH_WEEKDAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")


def upcoming_visits() -> QuerySet[Visit]:
    """Published visits not yet over that the map and the list show by default (today and the next
    13 days), read straight from the database."""
    window_end = local_datetime(timezone.localdate() + datetime.timedelta(days=DEFAULT_DAYS), datetime.time())
    return Visit.objects.filter(state=State.PUBLISHED, ends_at__gt=timezone.now(), starts_at__lt=window_end)


def local_day(visit: Visit) -> datetime.date:
    return timezone.localtime(visit.starts_at).date()


def uid(visit: Visit) -> str:
    return f"visit-{visit.pk}@{settings.ICAL_UID_DOMAIN}"


def calendar_events(body: bytes) -> dict[str, Event]:
    """The events of an iCalendar file by UID, each UID once."""
    events = Calendar.from_ical(body).walk("VEVENT")
    by_uid = {str(event["UID"]): event for event in events}
    assert len(by_uid) == len(events), "a UID is repeated in the calendar"
    return by_uid


def fetch_calendar(page: Page, href: str) -> dict[str, Event]:
    """A feed as a calendar app subscribed to it would get it, through the tab's own context."""
    response = page.request.get(href)
    assert response.ok, f"{href}: {response.status}"
    assert response.headers["content-type"].startswith("text/calendar"), response.headers["content-type"]
    return calendar_events(response.body())


@pytest.fixture
def cancelled_visit(espoo_data) -> Visit:
    """An upcoming demo visit cancelled the way a scheduler does it, on a day when another venue's
    visit is still on (so a test can tell a cancelled marker from a scheduled one)."""
    for visit in upcoming_visits().filter(starts_at__gt=timezone.now()).select_related("venue").order_by("starts_at"):
        day = local_day(visit)
        same_day = upcoming_visits().filter(
            starts_at__gte=local_datetime(day, datetime.time()),
            starts_at__lt=local_datetime(day + datetime.timedelta(days=1), datetime.time()),
        )
        if same_day.exclude(venue=visit.venue).exists():
            return visit_cancel(visit=visit, reason=CancelReason.ILLNESS, details={"fi": REASON})
    pytest.fail("load_espoo_data made no day with two upcoming visits")


def test_on_a_phone_a_swedish_speaker_finds_digital_support_in_swedish_and_saves_a_visit(new_page, espoo_data):
    window = upcoming_visits()
    matching = set(window.filter(services__slug=DIGITAL_SUPPORT, languages__code=SWEDISH).values_list("pk", flat=True))
    other = window.exclude(pk__in=matching).select_related("venue").order_by("starts_at").first()
    assert matching, "load_espoo_data made no upcoming visit with digital support in Swedish"
    assert other is not None, "every upcoming demo visit matches, so the filter cannot be seen to work"

    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True, locale="sv-SE")
    open_map(page, "/sv/")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    assert other.pk in listed_visits(page, "#visit-section"), "the visit to be filtered out is not listed at all"

    # On a phone the filters start folded under their summary.
    filters = page.locator("#map-filters")
    filters.locator("summary").tap()
    filters.get_by_label("Typ av hjälp").select_option(label="Digistöd")
    filters.get_by_label("Språk").select_option(label="svenska")
    filters.get_by_role("button", name="Visa", exact=True).tap()

    expect(page).to_have_url(re.compile(r"^[^#]*/sv/\?.*\bservice=digital-support\b"))
    expect(page).to_have_url(re.compile(r"^[^#]*/sv/\?.*\blanguage=sv\b"))
    expect(filters.get_by_label("Typ av hjälp")).to_have_value(DIGITAL_SUPPORT)
    expect(filters.get_by_label("Språk")).to_have_value(SWEDISH)
    listed = listed_visits(page, "#visit-section")
    assert listed, "no visit is listed"
    assert set(listed) == matching
    assert other.pk not in listed
    for pk, shown in listed.items():
        assert "Digistöd" in shown["facts"]["Hjälp med"], (pk, shown)
        assert "svenska" in shown["facts"]["Språk"], (pk, shown)
        assert shown["status"] == "scheduled", (pk, shown)

    pk = next(iter(listed))
    visit = Visit.objects.select_related("venue").get(pk=pk)
    visit_item(page, pk, "#visit-section").locator(".visit__title a").tap()

    expect(page).to_have_url(re.compile(rf"/sv/visits/{pk}/$"))
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Mobil rådgivning: {visit.venue.name_sv}")
    start, end = timezone.localtime(visit.starts_at), timezone.localtime(visit.ends_at)
    # The demo plan follows today, so the visit may fall in this year (3.12., no year) or the next (3.1.2027).
    year = "" if start.year == timezone.localdate().year else start.year
    expect(page.locator(".visit-when")).to_have_text(
        f"{SWEDISH_WEEKDAYS[start.weekday()]} {start.day}.{start.month}.{year} {start:%H.%M}–{end:%H.%M}"
    )
    expect(page.get_by_role("main")).to_contain_text(f"{visit.venue.postal_code} Esbo")
    expect(page.get_by_role("main")).to_contain_text("Digistöd")
    expect(page.get_by_role("main")).to_contain_text("svenska")
    expect(page.locator(".notice--closed")).to_have_count(0)

    add_to_calendar = page.get_by_role("link", name="Lägg till i min kalender (.ics)")
    expect(add_to_calendar).to_have_attribute("href", f"/visits/{pk}.ics?lang=sv")
    with page.expect_download() as download_info:
        add_to_calendar.tap()
    download = download_info.value
    assert download.suggested_filename == f"visit-{pk}.ics"
    calendar = Calendar.from_ical(Path(download.path()).read_bytes())

    events = calendar.walk("VEVENT")
    assert len(events) == 1
    event = events[0]
    assert str(event["UID"]) == uid(visit)
    assert str(event["SUMMARY"]) == f"Mobil rådgivning: {visit.venue.name_sv}"
    assert str(event["STATUS"]) == "CONFIRMED"
    for name, moment in (("DTSTART", visit.starts_at), ("DTEND", visit.ends_at)):
        assert event[name].params["TZID"] == "Europe/Helsinki", name
        value = event.decoded(name)
        assert value == moment, name
        assert value.utcoffset() == timezone.localtime(moment).utcoffset(), name
        assert value.replace(tzinfo=None) == timezone.localtime(moment).replace(tzinfo=None), name
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Europe/Helsinki"]


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_a_cancelled_visit_reads_cancelled_with_its_reason_on_map_list_page_and_feeds(page, cancelled_visit, language):
    words = WORDS[language]
    visit = cancelled_visit
    venue = visit.venue
    day = local_day(visit)
    still_on = list(upcoming_visits().exclude(pk=visit.pk).order_by("starts_at"))
    same_day_venue = next(v.venue_id for v in still_on if local_day(v) == day and v.venue_id != venue.pk)
    with translation.override(language):
        # The standard reason in the page's language, then the scheduler's details (here Finnish).
        reason = f"{CancelReason.ILLNESS.label} {REASON}"
    notice = f"{words['cancelled']}: {reason}"

    # The map of that day: the venue's marker and popup say cancelled, another venue's does not.
    open_map(page, f"/{language}/?start={day}&end={day}")
    cancelled_marker = venue_marker(page, venue.pk)
    expect(cancelled_marker.locator(".marker--visit-cancelled")).to_have_count(1)
    expect(cancelled_marker).to_have_attribute("title", re.compile(rf"\({re.escape(words['cancelled'])}\)$"))
    expect(venue_marker(page, same_day_venue).locator(".marker--visit")).to_have_count(1)
    expect(venue_marker(page, same_day_venue)).not_to_have_attribute("title", re.compile(words["cancelled"]))
    legend = page.locator('.legend li[data-status="visit-cancelled"]')
    expect(legend).to_have_text(re.compile(rf"^\W*{re.escape(words['legend'])}$"))
    colour = "node => getComputedStyle(node, '::before').backgroundColor"
    assert cancelled_marker.locator(".marker").evaluate(colour) == legend.locator(".marker").evaluate(colour)

    cancelled_marker.focus()
    page.keyboard.press("Enter")
    shown = wait_for_popup(page)
    expect(shown.locator(".map-popup__visit")).to_have_count(1)
    popup_visit = shown.locator(".map-popup__visit--cancelled")
    expect(popup_visit).to_contain_text(notice)
    expect(popup_visit.get_by_role("link")).to_have_attribute("href", f"/{language}/visits/{visit.pk}/")
    expect(visit_item(page, visit.pk, "#visit-section")).to_have_attribute("data-status", "cancelled")
    expect(visit_item(page, visit.pk, "#visit-section").locator(".visit-status--cancelled")).to_contain_text(notice)

    # The list of visits: still there, marked cancelled with the reason, and struck through.
    page.goto(f"/{language}/visits/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    listed = listed_visits(page)
    assert listed[visit.pk]["status"] == "cancelled"
    assert notice in listed[visit.pk]["cancelled"]
    scheduled = [pk for pk, shown in listed.items() if pk != visit.pk]
    assert scheduled, "no other visit is listed"
    assert all(listed[pk]["status"] == "scheduled" and not listed[pk]["cancelled"] for pk in scheduled)
    item = visit_item(page, visit.pk)
    expect(item.locator(".visit-status--cancelled")).to_be_visible()
    expect(item.locator(".visit__title a")).to_have_css("text-decoration-line", "line-through")
    subscription = page.locator(".subscribe a").first.get_attribute("href")
    feed_href = page.locator(".subscribe code").first.inner_text()
    assert feed_href.endswith(f"/calendar.ics?lang={language}")
    assert subscription == "webcal://" + feed_href.split("://", 1)[1]

    # The visit's own page.
    item.locator(".visit__title a").click()
    expect(page).to_have_url(re.compile(rf"/{language}/visits/{visit.pk}/$"))
    cancelled_notice = page.locator(".notice--closed")
    expect(cancelled_notice).to_be_visible()
    expect(cancelled_notice.get_by_role("heading")).to_have_text(re.compile(rf"{re.escape(words['page'])}$"))
    expect(cancelled_notice).to_contain_text(f"{words['reason']} {reason}")
    visit_href = page.locator("main a[download]").first.get_attribute("href")
    assert visit_href == f"/visits/{visit.pk}.ics?lang={language}"

    # Both calendar feeds keep the visit, with STATUS:CANCELLED, the reason and a marked summary.
    venue_name = getattr(venue, f"name_{language}")
    for href in (feed_href, visit_href):
        events = fetch_calendar(page, href)
        event = events[uid(visit)]
        assert str(event["STATUS"]) == "CANCELLED", href
        assert str(event["SUMMARY"]) == words["summary"].format(venue=venue_name), href
        assert REASON in str(event["DESCRIPTION"]), href
        assert event.decoded("DTSTART") == visit.starts_at, href
    feed = fetch_calendar(page, feed_href)
    for other in still_on:
        assert str(feed[uid(other)]["STATUS"]) == "CONFIRMED", other
