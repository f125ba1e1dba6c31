"""An advisor on a 390-pixel phone records whom they helped at today's visit, in real Chromium:
log in, open "Whom I helped", record two contacts, get the count wrong and read why, correct it,
see the visit recorded. No page scrolls sideways, and axe-core finds no violation on any of them,
the one showing errors included."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.pages import PHONE, assert_no_violations
from tests.factories import ServiceTypeFactory
from tests.visits.factories import AdvisorFactory, LanguageFactory, UserFactory, VisitFactory
from visits.models import VisitRecord
from visits.seed import staff_role_groups_ensure

pytestmark = pytest.mark.browser

PASSWORD = "neuvonta-salasana-2026"
SIDEWAYS = "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"


@pytest.fixture
def todays_visit(transactional_db, django_db_serialized_rollback):
    """Aino's visit under way now at Sello library, and the kinds of help and languages to choose."""
    staff_role_groups_ensure()
    ServiceTypeFactory(slug="digital-support", name_en="Digital support", ordering=1)
    ServiceTypeFactory(slug="kela", name_en="Kela matters", ordering=2)
    LanguageFactory(code="fi", name_en="Finnish")
    LanguageFactory(code="sv", name_en="Swedish")
    aino = AdvisorFactory(
        user__username="aino.neuvoja", user__first_name="Aino", user__last_name="Neuvoja", user__password=PASSWORD
    )
    aino.user.groups.add(Group.objects.get(name="advisor"))
    now = timezone.now()
    return VisitFactory(
        published=True,
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=1),
        advisors=[aino],
        venue__name_en="Sello library",
    )


def assert_fits_the_phone(page: Page) -> None:
    assert not page.evaluate(SIDEWAYS), f"{page.url} scrolls sideways on a phone"


def test_an_advisor_records_todays_visit_on_a_phone(new_page, todays_visit):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto("/en/staff/my-visits/")
    expect(page).to_have_url(re.compile(r"/en/staff/login/\?next=/en/staff/my-visits/$"))
    page.locator("#id_username").fill("aino.neuvoja")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form.staff-form button[type=submit]").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Whom I helped")
    entry = page.locator(".cal-visit", has=page.get_by_text("Sello library"))
    expect(entry).to_contain_text("Not recorded yet")
    assert_fits_the_phone(page)
    assert_no_violations(page)

    entry.get_by_role("link", name=re.compile("^Record whom you helped")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record whom you helped")
    assert_fits_the_phone(page)
    assert_no_violations(page)

    page.get_by_label("People helped").fill("1")
    first, second = page.locator("fieldset.contact-row").nth(0), page.locator("fieldset.contact-row").nth(1)
    first.get_by_label("Digital support").check()
    first.get_by_label("Kela matters").check()
    first.get_by_label("Language used").select_option(label="Finnish")
    first.get_by_label("Age group (optional)").select_option(label="75 and over")
    second.get_by_label("Kela matters").check()
    second.get_by_label("Language used").select_option(label="Swedish")
    page.get_by_role("button", name="Save").click()

    expect(page.locator("#form-errors")).to_contain_text("Nothing was saved")
    expect(page.get_by_label("People helped")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_people_helped_error")).to_contain_text("Contacts listed: 2; people helped: 1.")
    assert not VisitRecord.objects.exists()
    assert_fits_the_phone(page)
    assert_no_violations(page)

    page.get_by_label("People helped").fill("3")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Whom I helped")
    expect(page.locator(".messages")).to_contain_text("Saved: 3 people helped.")
    expect(page.locator(".cal-visit", has=page.get_by_text("Sello library"))).to_contain_text(
        "Recorded: 3 people helped"
    )
    assert_no_violations(page)
    record = VisitRecord.objects.get(visit=todays_visit)
    assert record.people_helped == 3
    assert [(sorted(s.slug for s in c.services.all()), c.language_id, c.age_group) for c in record.contacts.all()] == [
        (["digital-support", "kela"], "fi", "75_over"),
        (["kela"], "sv", ""),
    ]


def test_what_an_advisor_records_on_the_phone_a_manager_then_reads_in_the_figures(new_page, todays_visit):
    # Over before Aino's visit under way began: an advisor is never in two overlapping visits.
    ended = VisitFactory(
        published=True,
        starts_at=timezone.now() - datetime.timedelta(hours=3),
        ends_at=timezone.now() - datetime.timedelta(minutes=65),
        advisors=list(todays_visit.advisors.all()),
        venue=todays_visit.venue,
    )
    manager = UserFactory(username="maija.manager", password=PASSWORD)
    manager.groups.add(Group.objects.get(name="manager"))

    advisor = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    advisor.goto(f"/en/staff/visits/{ended.pk}/record/")
    advisor.locator("#id_username").fill("aino.neuvoja")
    advisor.locator("#id_password").fill(PASSWORD)
    advisor.locator("form.staff-form button[type=submit]").click()
    advisor.get_by_label("People helped").fill("4")
    contact = advisor.locator("fieldset.contact-row").first
    contact.get_by_label("Kela matters").check()
    contact.get_by_label("Language used").select_option(label="Swedish")
    advisor.get_by_role("button", name="Save").click()
    expect(advisor.locator(".messages")).to_contain_text("Saved: 4 people helped.")

    today = timezone.localdate()
    reader = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    reader.goto(f"/en/staff/reports/?start={today - datetime.timedelta(days=1)}&end={today}")
    reader.locator("#id_username").fill("maija.manager")
    reader.locator("#id_password").fill(PASSWORD)
    reader.locator("form.staff-form button[type=submit]").click()

    expect(reader.get_by_role("heading", level=1)).to_have_text("The pilot's figures")
    expect(reader.get_by_role("table", name="Busiest venues")).to_contain_text("Sello library")
    expect(reader.get_by_role("table", name="Busiest venues")).to_contain_text("4")
    expect(reader.get_by_role("table", name="Kinds of help")).to_contain_text("Kela matters")
    expect(reader.get_by_role("table", name="Languages")).to_contain_text("Swedish")
    assert_fits_the_phone(reader)
    assert_no_violations(reader)
