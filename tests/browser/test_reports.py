"""A manager reads the pilot's figures and a scheduler enters a service point's daily visitors, in
real Chromium on a desktop and on a 390-pixel phone: axe-core finds no violation on either page,
with figures shown and with a form error, and no page scrolls sideways on the phone."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import Page, expect

from servicepoints.models import ServicePointDailyCount
from tests.browser.pages import DESKTOP, PHONE, assert_no_violations
from tests.factories import AreaFactory, ServicePointFactory, ServiceTypeFactory
from tests.visits.factories import LanguageFactory, UserFactory, VenueFactory, VisitFactory
from visits.models import Contact, VisitRecord
from visits.recurrence import local_datetime
from visits.seed import staff_role_groups_ensure

pytestmark = pytest.mark.browser

PASSWORD = "raportti-salasana-2026"
SIDEWAYS = "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
VIEWPORTS = [
    pytest.param({"viewport": DESKTOP}, id="desktop"),
    pytest.param({"viewport": PHONE, "is_mobile": True, "has_touch": True}, id="phone"),
]


@pytest.fixture
def figures(transactional_db, django_db_serialized_rollback):
    """Last week's visits at Sello library, one recorded with two people helped, and a week of a
    service point's daily counts; a manager and a scheduler to read and enter them."""
    staff_role_groups_ensure()
    for role, username in (("manager", "maija.manager"), ("scheduler", "sami.scheduler")):
        UserFactory(username=username, password=PASSWORD).groups.add(Group.objects.get(name=role))
    digital = ServiceTypeFactory(slug="digital-support", name_en="Digital support")
    finnish = LanguageFactory(code="fi", name_en="Finnish")
    area = AreaFactory(slug="leppavaara", name_en="Leppävaara")
    sello = VenueFactory(name_en="Sello library with a long name that the chart shortens", area=area)
    point = ServicePointFactory(name_en="Leppävaara service point", area=area)
    today = timezone.localdate()
    last_monday = today - datetime.timedelta(days=today.weekday() + 7)
    for n in range(3):
        day = last_monday + datetime.timedelta(days=n)
        visit = VisitFactory(
            venue=sello,
            published=True,
            starts_at=local_datetime(day, datetime.time(10)),
            ends_at=local_datetime(day, datetime.time(12)),
        )
        if n == 0:
            record = VisitRecord.objects.create(visit=visit, people_helped=2)
            Contact.objects.create(record=record, language=finnish).services.set([digital])
    for n in range(7):
        ServicePointDailyCount.objects.create(
            service_point=point, day=last_monday + datetime.timedelta(days=n), visitors=10 + n
        )
    return point


def log_in(page: Page, path: str, username: str) -> None:
    page.goto(path)
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form.staff-form button[type=submit]").click()


def assert_fits(page: Page) -> None:
    assert not page.evaluate(SIDEWAYS), f"{page.url} scrolls sideways"


@pytest.mark.parametrize("options", VIEWPORTS)
def test_a_manager_reads_the_figures_and_a_bad_period_is_explained(new_page, figures, options):
    page = new_page(**options)
    log_in(page, "/en/staff/reports/", "maija.manager")

    expect(page.get_by_role("heading", level=1)).to_have_text("The pilot's figures")
    expect(page.get_by_role("table", name="Visits")).to_contain_text("Held")
    expect(page.get_by_role("img", name=re.compile("^Busiest venues"))).to_be_visible()
    expect(page.get_by_role("table", name="Service points: visitors", exact=True)).to_contain_text(
        "Leppävaara service point"
    )
    assert_fits(page)
    assert_no_violations(page)

    page.get_by_label("First day").fill("2026-03-08")
    page.get_by_label("Last day").fill("2026-02-16")
    page.get_by_role("button", name="Show the figures").click()

    expect(page.locator("#form-errors")).to_contain_text("The last day cannot be before the first day.")
    expect(page.get_by_label("Last day")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("table")).to_have_count(0)
    assert_fits(page)
    assert_no_violations(page)


@pytest.mark.parametrize("options", VIEWPORTS)
def test_a_scheduler_enters_a_days_visitors_and_reads_why_a_number_is_refused(new_page, figures, options):
    page = new_page(**options)
    log_in(page, "/en/staff/service-points/counts/", "sami.scheduler")

    expect(page.get_by_role("heading", level=1)).to_have_text("Service points' daily visitors")
    assert_fits(page)
    assert_no_violations(page)

    page.locator("#id_service_point").select_option(label="Leppävaara service point")
    page.locator("#id_visitors").fill("6000")
    page.get_by_role("button", name="Save the count").click()

    expect(page.locator("#form-errors")).to_contain_text("At most 5000 visitors")
    expect(page.locator("#id_visitors")).to_have_attribute("aria-invalid", "true")
    assert_fits(page)
    assert_no_violations(page)

    page.locator("#id_visitors").fill("42")
    page.get_by_role("button", name="Save the count").click()

    expect(page.locator(".messages")).to_contain_text("42 visitors")
    assert ServicePointDailyCount.objects.get(service_point=figures, day=timezone.localdate()).visitors == 42
    assert_no_violations(page)
