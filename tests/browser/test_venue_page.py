"""A venue's page in real Chromium: axe finds no violation in any language, on a desktop or a
phone; the small map draws one marker and takes no keyboard stop of its own; and without
JavaScript the page still says everything, the map simply absent."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from servicepoints.models import Area
from tests.browser.pages import PHONE, assert_no_violations
from tests.visits.factories import VenueFactory, VenueOpeningHoursFactory, VisitFactory, VisitSeriesFactory
from visits.models import CancelReason, Venue, VenueException, Visit
from visits.recurrence import local_datetime
from visits.services import visit_cancel

pytestmark = pytest.mark.browser

LANGUAGES = ("fi", "sv", "en")
REASON = "Neuvoja sairastui. Rådgivaren insjuknade. The advisor fell ill."


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return local_datetime(day, datetime.time(hour))


@pytest.fixture
def sello(espoo_network) -> tuple[Venue, Visit, Visit]:
    """Sello library with weekday hours, a closed day in two days' time, and two coming visits of
    a weekly series: the first scheduled, the second cancelled."""
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    venue = VenueFactory(
        name_fi="Sellon kirjasto",
        name_sv="Sellobiblioteket",
        name_en="Sello library",
        street_address_fi="Leppävaarankatu 9",
        postal_code="02600",
        latitude=60.21748,
        longitude=24.80992,
        area=Area.objects.get(slug="suur-leppavaara"),
        accessibility_fi="Esteetön sisäänkäynti",
        public_transport_fi="Leppävaaran asema, 200 m",
    )
    for weekday in range(5):
        VenueOpeningHoursFactory(venue=venue, weekday=weekday, opens=datetime.time(9), closes=datetime.time(20))
    VenueException.objects.create(
        venue=venue,
        start_date=tomorrow + datetime.timedelta(days=1),
        end_date=tomorrow + datetime.timedelta(days=1),
        closed=True,
        reason_fi="Inventaario",
        reason_sv="Inventering",
        reason_en="Inventory",
    )
    series = VisitSeriesFactory(
        venue=venue,
        rrule="FREQ=WEEKLY;COUNT=8",
        starts_on=tomorrow,
        start_time=datetime.time(10),
        end_time=datetime.time(14),
    )
    scheduled = VisitFactory(
        venue=venue, series=series, starts_at=_at(tomorrow, 10), ends_at=_at(tomorrow, 14), published=True
    )
    next_week = tomorrow + datetime.timedelta(weeks=1)
    cancelled = visit_cancel(
        visit=VisitFactory(
            venue=venue, series=series, starts_at=_at(next_week, 10), ends_at=_at(next_week, 14), published=True
        ),
        reason=CancelReason.ILLNESS,
        details={"fi": REASON},
    )
    return venue, scheduled, cancelled


def visit(page: Page, pk: int):
    return page.locator(f'[data-visit-id="{pk}"]')


def assert_the_map_is_drawn_and_takes_no_keyboard_stop(page: Page) -> None:
    figure = page.locator(".place-map")
    expect(figure).to_be_visible()
    expect(figure.locator(".leaflet-marker-icon")).to_have_count(1)
    expect(figure.locator(".leaflet-tile-loaded").first).to_be_attached()
    # Only the tile attribution's links may take focus; the canvas and the marker do not.
    stops = figure.locator("[tabindex]:not([tabindex='-1']), a[href], button")
    for n in range(stops.count()):
        assert stops.nth(n).evaluate("node => !!node.closest('.leaflet-control-attribution')")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= page.viewport_size["width"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_venue_page_has_no_violations_in_any_language(page, sello, language):
    venue, scheduled, cancelled = sello

    page.goto(f"/{language}/venues/{venue.pk}/")

    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_role("heading", level=1)).to_have_text(getattr(venue, f"name_{language}"))
    expect(visit(page, scheduled.pk)).to_have_attribute("data-status", "scheduled")
    expect(visit(page, cancelled.pk).locator(".visit-status--cancelled")).to_contain_text(REASON)
    expect(page.locator(".venue-patterns li")).to_have_count(1)
    expect(page.locator(f'a[href^="webcal://"][href$="venue={venue.pk}&lang={language}"]')).to_have_count(1)
    assert_the_map_is_drawn_and_takes_no_keyboard_stop(page)
    assert_no_violations(page)


def test_the_venue_page_fits_a_phone_and_has_no_violations_there(new_page, sello):
    venue, _scheduled, cancelled = sello
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)

    page.goto(f"/fi/venues/{venue.pk}/")

    expect(visit(page, cancelled.pk).locator(".visit-status--cancelled")).to_be_visible()
    assert_the_map_is_drawn_and_takes_no_keyboard_stop(page)
    assert_no_violations(page)


def test_the_visit_page_shows_the_small_map_and_leads_to_the_venue(page, sello):
    venue, scheduled, _cancelled = sello

    page.goto(f"/en/visits/{scheduled.pk}/")
    assert_the_map_is_drawn_and_takes_no_keyboard_stop(page)
    assert_no_violations(page)

    page.get_by_role("link", name="About this venue").click()
    expect(page).to_have_url(f"{page.url.split('/en/')[0]}/en/venues/{venue.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sello library")


def test_the_service_point_page_shows_the_small_map(page, espoo_network):
    page.goto("/sv/service-points/matinkyla/")

    assert_the_map_is_drawn_and_takes_no_keyboard_stop(page)
    assert_no_violations(page)


@pytest.mark.parametrize("viewport", [PHONE, None])
def test_without_javascript_the_venue_page_says_everything_and_shows_no_empty_map(new_page, sello, viewport):
    venue, scheduled, cancelled = sello
    page = new_page(java_script_enabled=False, **({"viewport": viewport} if viewport else {}))

    page.goto(f"/en/venues/{venue.pk}/")

    expect(page.locator(".place-map")).to_be_hidden()
    expect(page.locator("#place-heading + p")).to_contain_text("Leppävaarankatu 9")
    expect(page.get_by_role("link", name="Directions in the HSL Journey Planner")).to_be_visible()
    expect(page.locator(".venue-closures")).to_contain_text("Closed (Inventory)")
    expect(visit(page, scheduled.pk)).to_be_visible()
    expect(visit(page, cancelled.pk).locator(".visit-status--cancelled")).to_contain_text(REASON)
    expect(page.locator(".venue-patterns li")).to_have_text(re.compile(r"^Every \w+ 10:00–14:00$"))
    expect(page.locator(f'a[download][href$="/calendar.ics?venue={venue.pk}&lang=en"]')).to_have_count(1)
