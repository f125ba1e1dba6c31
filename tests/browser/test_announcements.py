"""The announcement banner in real Chromium on a phone: a resident reads it, axe finds nothing to
fault, a hidden announcement stays hidden from page to page until the city changes it, and
without JavaScript the banner shows with no button that does nothing."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from servicepoints.models import Announcement
from tests.browser.pages import PHONE, assert_no_violations

pytestmark = pytest.mark.browser

BANNER = "section.announcements"


@pytest.fixture
def announcements(transactional_db, django_db_serialized_rollback) -> tuple[Announcement, Announcement]:
    """Two announcements in force today, committed for the live server: a closure translated in
    full, and a note written in Finnish only."""
    today = timezone.localdate()
    closure = Announcement.objects.create(
        title_fi="Asiointipisteet suljettu juhlapyhinä",
        title_sv="Servicepunkterna stängda under helgerna",
        title_en="Service points closed over the holidays",
        text_fi="Liikkuva neuvonta palvelee tavalliseen tapaan.",
        text_sv="Den mobila rådgivningen betjänar som vanligt.",
        text_en="The mobile information service serves as usual.",
        starts_on=today - datetime.timedelta(days=1),
        ends_on=today + datetime.timedelta(days=7),
    )
    note = Announcement.objects.create(
        title_fi="Huoltokatko",
        text_fi="Sivusto on huollossa sunnuntaina.",
        starts_on=today,
        ends_on=today,
    )
    return closure, note


def item(page: Page, announcement: Announcement):
    return page.locator(f'{BANNER} [data-announcement^="{announcement.pk}@"]')


def hide_button(page: Page, announcement: Announcement):
    return item(page, announcement).get_by_role("button")


def test_a_resident_on_a_phone_reads_the_banner_and_axe_finds_nothing(new_page, announcements):
    closure, note = announcements
    page = new_page(viewport=PHONE, locale="sv-FI")

    page.goto("/sv/visits/")

    label = page.locator(BANNER).get_attribute("aria-label")
    expect(page.get_by_role("main").get_by_role("region", name=label, exact=True)).to_be_visible()
    expect(item(page, closure)).to_contain_text("Servicepunkterna stängda under helgerna")
    expect(item(page, note).locator('[lang="fi"]').first).to_have_text("Huoltokatko")
    expect(hide_button(page, closure)).to_be_visible()
    assert page.locator(BANNER).bounding_box()["width"] <= PHONE["width"]
    assert_no_violations(page)


def test_a_hidden_announcement_stays_hidden_on_the_next_page_until_it_changes(new_page, announcements):
    closure, note = announcements
    page = new_page(viewport=PHONE)
    page.goto("/fi/visits/")

    hide_button(page, closure).click()

    expect(item(page, closure)).to_be_hidden()
    expect(item(page, note)).to_be_visible()
    expect(hide_button(page, note)).to_be_focused()  # focus goes on, not back to the top

    page.goto("/fi/subscribe/")
    expect(item(page, note)).to_be_visible()
    expect(item(page, closure)).to_be_hidden()

    hide_button(page, note).click()
    expect(page.locator(BANNER)).to_be_hidden()  # no empty region left behind
    expect(page.locator("#main")).to_be_focused()
    assert_no_violations(page)

    closure.title_fi = "Asiointipisteet suljettu 24.–26.12."
    closure.save()
    page.goto("/fi/")

    expect(item(page, closure)).to_be_visible()
    expect(item(page, closure)).to_contain_text("Asiointipisteet suljettu 24.–26.12.")
    expect(item(page, note)).to_be_hidden()


def test_without_javascript_the_banner_shows_and_offers_no_button(new_page, announcements):
    closure, _note = announcements
    page = new_page(viewport=PHONE, java_script_enabled=False)

    page.goto("/en/visits/")

    expect(item(page, closure)).to_be_visible()
    expect(item(page, closure)).to_contain_text("Service points closed over the holidays")
    expect(page.locator(f"{BANNER} button")).to_have_count(2)
    for button in page.locator(f"{BANNER} button").all():
        expect(button).to_be_hidden()
