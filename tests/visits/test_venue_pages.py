"""A venue's page for residents: where it is, its hours and closures, the mobile service's coming
visits there and their usual pattern, a calendar feed; and the small map it shares with the visit
and service point pages."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ServicePointFactory
from tests.html import links, parse, text
from tests.visits.factories import (
    VenueFactory,
    VenueOpeningHoursFactory,
    VisitFactory,
    VisitSeriesFactory,
    at,
    published,
    sello_library,
)
from visits.models import CancelReason, Venue, VenueException
from visits.services import visit_cancel

# Tuesday 1 December 2026, 8.00 in Helsinki: the week shown runs Monday 30 November to Sunday 6 December.
NOW = datetime.datetime(2026, 12, 1, 8, tzinfo=ZoneInfo("Europe/Helsinki"))
LANGUAGES = ["fi", "sv", "en"]


@pytest.fixture(autouse=True)
def _now_is_tuesday_1_december_2026():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def sello() -> Venue:
    """Sello library, open 9–18 on weekdays, closed on Thursday 3 December for staff training and
    open only 12–16 on Tuesday 8 December."""
    venue = sello_library()
    for weekday in range(5):
        VenueOpeningHoursFactory(venue=venue, weekday=weekday, opens=datetime.time(9), closes=datetime.time(18))
    VenueException.objects.create(
        venue=venue,
        start_date=datetime.date(2026, 12, 3),
        end_date=datetime.date(2026, 12, 3),
        closed=True,
        reason_fi="Henkilökunnan koulutus",
        reason_sv="Personalutbildning",
        reason_en="Staff training",
    )
    VenueException.objects.create(
        venue=venue,
        start_date=datetime.date(2026, 12, 8),
        end_date=datetime.date(2026, 12, 8),
        opens=datetime.time(12),
        closes=datetime.time(16),
        reason_en="Inventory",
    )
    return venue


def get_page(client, path: str):
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return parse(response.content.decode())


def week_row(page, day: str) -> str:
    return text(page.select_one(f'.week-hours tr[data-date="{day}"] td'))


def visit_items(page) -> dict[int, dict[str, str]]:
    return {
        int(item["data-visit-id"]): {"status": item["data-status"], "text": text(item)}
        for item in page.select("[data-visit-id]")
    }


# What the page shows


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("fi", ["Sellon kirjasto", "Leppävaarankatu 9", "02600", "Suur-Leppävaara", "Esteetön", "Leppävaaran asema"]),
        (
            "sv",
            ["Sellobiblioteket", "Albergagatan 9", "02600", "Stor-Alberga", "Tillgänglig ingång", "Alberga station"],
        ),
        (
            "en",
            ["Sello library", "Leppävaarankatu 9", "02600", "Leppävaara", "Step-free entrance", "Leppävaara station"],
        ),
    ],
)
def test_the_venue_page_shows_its_name_address_area_and_how_to_get_in_in_each_language(client, sello, lang, expected):
    page = get_page(client, f"/{lang}/venues/{sello.pk}/")

    assert page.html["lang"] == lang
    assert text(page.h1) == expected[0]
    place = text(page.select_one("#place-heading").parent)
    for part in expected[1:]:
        assert part in place
    [directions] = [link for link in links(page) if link["href"].startswith("https://reittiopas.hsl.fi/")]
    assert f"locale={lang}" in directions["href"]


@pytest.mark.django_db
def test_the_venue_page_names_its_kind(client, sello):
    page = get_page(client, f"/en/venues/{sello.pk}/")

    assert text(page.select_one(".lead")) == "Library"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "nine", "hours"),
    [("fi", "09.00", "09.00–18.00"), ("sv", "09.00", "09.00–18.00"), ("en", "09:00", "09:00–18:00")],
)
def test_this_weeks_hours_let_a_closed_day_win_over_the_weekly_hours(client, sello, lang, nine, hours):
    page = get_page(client, f"/{lang}/venues/{sello.pk}/")

    assert week_row(page, "2026-12-02") == hours
    closed = week_row(page, "2026-12-03")
    assert nine not in closed
    assert {"fi": "Henkilökunnan koulutus", "sv": "Personalutbildning", "en": "Staff training"}[lang] in closed
    today = page.select_one('.week-hours tr[aria-current="date"]')
    assert today["data-date"] == "2026-12-01"


@pytest.mark.django_db
def test_a_closed_day_reads_closed_with_its_reason_and_the_next_closures_are_listed(client, sello):
    page = get_page(client, f"/en/venues/{sello.pk}/")

    assert week_row(page, "2026-12-03") == "Closed (Staff training)"
    closures = [text(item) for item in page.select(".venue-closures li")]
    assert closures == ["3 Dec: Closed (Staff training)", "8 Dec: 12:00–16:00 (Inventory)"]


@pytest.mark.django_db
def test_past_closures_are_not_listed_and_a_venue_without_any_says_so(client, sello):
    sello.exceptions.all().delete()
    VenueException.objects.create(
        venue=sello, start_date=datetime.date(2026, 11, 2), end_date=datetime.date(2026, 11, 2), closed=True
    )

    page = get_page(client, f"/en/venues/{sello.pk}/")

    assert [text(item) for item in page.select(".venue-closures li")] == ["None recorded."]


@pytest.mark.django_db
def test_a_venue_without_weekly_hours_does_not_read_closed_every_day(client):
    venue = VenueFactory()

    page = get_page(client, f"/en/venues/{venue.pk}/")

    assert week_row(page, "2026-12-02") == "Not recorded"
    assert "weekly opening hours are not recorded" in text(page.select_one("#hours-heading").parent)


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_coming_visits_are_listed_by_day_with_the_cancelled_one_marked_cancelled(client, sello, lang):
    scheduled = published(venue=sello, day="2026-12-01")
    cancelled = visit_cancel(
        visit=published(venue=sello, day="2026-12-02"),
        reason=CancelReason.ILLNESS,
        details={"fi": "Neuvoja sairastui."},
    )

    page = get_page(client, f"/{lang}/venues/{sello.pk}/")

    shown = visit_items(page)
    assert shown[scheduled.pk]["status"] == "scheduled"
    assert shown[cancelled.pk]["status"] == "cancelled"
    assert "Neuvoja sairastui." in shown[cancelled.pk]["text"]
    assert page.select_one(f'[data-visit-id="{cancelled.pk}"] .visit-status--cancelled') is not None
    assert [section["id"] for section in page.select("section.day")] == ["day-2026-12-01", "day-2026-12-02"]
    assert page.select_one(f'a[href="/{lang}/visits/{scheduled.pk}/"]') is not None


@pytest.mark.django_db
def test_only_coming_public_visits_of_this_venue_are_listed(client, sello):
    coming = published(venue=sello, day="2026-12-07")
    published(venue=sello, day="2026-11-30")  # already over
    VisitFactory(venue=sello, starts_at=at("2026-12-09"))  # a draft
    published(day="2026-12-07")  # another venue
    published(venue=sello, day="2027-03-01")  # beyond the eight weeks the page lists

    page = get_page(client, f"/en/venues/{sello.pk}/")

    assert list(visit_items(page)) == [coming.pk]
    [later] = [link for link in links(page) if "Later visits here" in link["text"]]
    assert later["href"] == f"/en/visits/?venue={sello.pk}&start=2027-01-26&end=2027-03-22"


@pytest.mark.django_db
def test_a_venue_without_coming_visits_says_none_are_planned(client, sello):
    page = get_page(client, f"/en/venues/{sello.pk}/")

    assert visit_items(page) == {}
    assert "No visits are planned here until 25 Jan 2027." in text(page.select_one("#visits-heading").parent)


@pytest.mark.django_db
def test_the_usual_pattern_of_a_published_series_is_written_in_words(client, sello):
    series = VisitSeriesFactory(
        venue=sello,
        rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=10",
        starts_on=datetime.date(2026, 12, 1),
        start_time=datetime.time(10),
        end_time=datetime.time(14),
    )
    published(venue=sello, day="2026-12-01", start="10:00", end="14:00", series=series)
    drafted = VisitSeriesFactory(
        venue=sello,
        rrule="FREQ=WEEKLY;BYDAY=FR;COUNT=4",
        starts_on=datetime.date(2026, 12, 4),
        start_time=datetime.time(9),
    )
    VisitFactory(venue=sello, series=drafted, starts_at=at("2026-12-04", "09:00"))

    page = get_page(client, f"/en/venues/{sello.pk}/")

    assert [text(item) for item in page.select(".venue-patterns li")] == ["Every Tuesday 10:00–14:00"]


@pytest.mark.django_db
def test_a_rule_that_cannot_be_put_in_words_is_left_out_rather_than_shown_raw(client, sello):
    # Stored before the rules were checked: no end, so no longer accepted.
    series = VisitSeriesFactory(venue=sello, rrule="FREQ=WEEKLY", starts_on=datetime.date(2026, 12, 2))
    published(venue=sello, day="2026-12-02", series=series)

    page = get_page(client, f"/en/venues/{sello.pk}/")

    assert page.select(".venue-patterns li") == []
    assert "FREQ" not in text(page.body)


@pytest.mark.django_db
def test_a_series_whose_coming_visits_are_all_cancelled_shows_no_pattern(client, sello):
    series = VisitSeriesFactory(venue=sello, rrule="FREQ=WEEKLY;BYDAY=WE;COUNT=4", starts_on=datetime.date(2026, 12, 2))
    VisitFactory(venue=sello, series=series, starts_at=at("2026-12-02"), cancelled=True)

    page = get_page(client, f"/en/venues/{sello.pk}/")

    assert page.select(".venue-patterns li") == []


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_calendar_feed_of_the_venue_is_offered_to_subscribe_and_to_download_in_the_page_language(
    client, sello, lang
):
    page = get_page(client, f"/{lang}/venues/{sello.pk}/")

    hrefs = {link["href"] for link in links(page)}
    assert f"webcal://testserver/calendar.ics?venue={sello.pk}&lang={lang}" in hrefs
    [download] = page.select(f'a[download][href="http://testserver/calendar.ics?venue={sello.pk}&lang={lang}"]')
    assert download.get_text(strip=True)

    feed = client.get(f"/calendar.ics?venue={sello.pk}&lang={lang}")
    assert feed.status_code == 200


@pytest.mark.django_db
def test_the_venue_page_may_be_kept_by_shared_caches_that_revalidate(client, sello):
    response = client.get(f"/fi/venues/{sello.pk}/")

    assert "public" in response["Cache-Control"]
    assert "must-revalidate" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_venue_links_to_its_page_in_the_active_language(sello):
    from django.utils import translation

    with translation.override("sv"):
        assert sello.get_absolute_url() == f"/sv/venues/{sello.pk}/"


# Not found


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/fi/venues/999999/", "/en/venues/0/", "/sv/venues/99999999999999999999/"])
def test_an_unknown_venue_is_not_found(client, sello, path):
    assert client.get(path).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/fi/venues/abc/", "/fi/venues/-1/", "/fi/venues/1.5/"])
def test_a_venue_address_that_is_not_a_number_is_not_found(client, sello, path):
    assert client.get(path).status_code == 404


@pytest.mark.django_db
def test_an_inactive_venue_has_no_page(client, sello):
    published(venue=sello, day="2026-12-07")
    sello.active = False
    sello.save()

    assert client.get(f"/en/venues/{sello.pk}/").status_code == 404


# Bounded


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.django_db
def test_the_query_count_does_not_grow_with_the_number_of_visits_or_series(client, sello):
    def add(count: int, first: int) -> None:
        for n in range(first, first + count):
            day = (datetime.date(2026, 12, 2) + datetime.timedelta(days=n)).isoformat()
            series = VisitSeriesFactory(
                venue=sello, rrule="FREQ=WEEKLY;COUNT=4", starts_on=datetime.date.fromisoformat(day)
            )
            published(venue=sello, day=day, series=series)
            VisitFactory(venue=sello, starts_at=at(day, "14:00"), cancelled=True)

    add(2, 0)
    few = _queries(client, f"/fi/venues/{sello.pk}/")
    add(20, 2)
    many = _queries(client, f"/fi/venues/{sello.pk}/")

    assert many == few
    page = get_page(client, f"/en/venues/{sello.pk}/")
    assert len(visit_items(page)) == 44
    assert len(page.select(".venue-patterns li")) == 7  # one per weekday: the same words are said once


@pytest.mark.django_db
def test_a_crowded_venue_lists_whole_days_up_to_the_bound_and_links_on(client, sello):
    for n in range(31):
        day = (datetime.date(2026, 12, 2) + datetime.timedelta(days=n)).isoformat()
        published(venue=sello, day=day, start="09:00", end="10:00")
        published(venue=sello, day=day, start="11:00", end="12:00")

    page = get_page(client, f"/en/venues/{sello.pk}/")

    assert len(visit_items(page)) == 60
    [more] = [link for link in links(page) if "Show the visits from" in link["text"]]
    assert more["href"] == f"/en/visits/?venue={sello.pk}&start=2027-01-01&end=2027-01-25"


# The small map, and the visit page's way to the venue


@pytest.mark.django_db
def test_the_visit_page_links_to_its_venue(client, sello):
    visit = published(venue=sello, day="2026-12-07")

    page = get_page(client, f"/en/visits/{visit.pk}/")

    [link] = [link for link in links(page) if link["href"] == f"/en/venues/{sello.pk}/"]
    assert "About this venue" in link["text"]


def _pages(sello) -> dict[str, str]:
    """Each page with a small map, and the address its caption writes out."""
    visit = published(venue=sello, day="2026-12-07")
    point = ServicePointFactory(slug="sello", latitude=60.21748, longitude=24.80992, street_address_fi="Sellonkatu 1")
    return {
        f"/fi/venues/{sello.pk}/": "Leppävaarankatu 9",
        f"/sv/visits/{visit.pk}/": "Albergagatan 9",
        f"/fi/service-points/{point.slug}/": "Sellonkatu 1",
    }


@pytest.mark.django_db
def test_each_place_page_has_one_small_map_with_the_position_in_data_attributes_and_the_address_beside_it(
    client, sello
):
    for path, address in _pages(sello).items():
        page = get_page(client, path)

        [figure] = page.select("[data-place-map]")
        # A dot, not the Finnish decimal comma, whatever the page's language.
        assert (figure["data-latitude"], figure["data-longitude"]) == ("60.21748", "24.80992"), path
        assert figure["data-tile-url"].startswith("https://"), path
        assert figure.has_attr("hidden"), "without JavaScript the map is not there to show"
        assert address in text(figure.figcaption), path
        assert page.select_one('script[src$="js/place-map.js"]') is not None, path


@pytest.mark.django_db
def test_the_place_pages_carry_no_inline_script_or_style(client, sello):
    for path in _pages(sello):
        page = get_page(client, path)

        inline = [s for s in page.find_all("script") if not s.get("src") and s.get("type") != "application/ld+json"]
        assert inline == [], path
        assert page.find_all("style") == [], path
        assert page.select("[style]") == [], path
