"""A scheduler plans in real Chromium and is told the truth before anything is made: a copy of the
week before Christmas leaves the holidays out, a series shows its dates and a conflict while the
form is being filled in, and a month with no visits shows every area without service."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.pages import assert_no_violations
from tests.factories import AreaFactory
from tests.visits.factories import AdvisorFactory, UserFactory, VenueFactory, VisitFactory
from visits.models import Visit
from visits.recurrence import local_datetime
from visits.seed import staff_role_groups_ensure

pytestmark = pytest.mark.browser

PASSWORD = "suunnitelma-salasana-2026"


@pytest.fixture
def planning(transactional_db, django_db_serialized_rollback):
    staff_role_groups_ensure()
    user = UserFactory(username="sanna", first_name="Sanna", last_name="Suunnittelija", password=PASSWORD)
    user.groups.add(Group.objects.get(name="scheduler"))
    areas = [AreaFactory(name_en=name, name_fi=name, name_sv=name) for name in ("Suur-Leppävaara", "Suur-Tapiola")]
    venue = VenueFactory(name_fi="Sellon kirjasto", name_sv="Sellobiblioteket", name_en="Sello library", area=areas[0])
    return {"areas": areas, "venue": venue}


def log_in(page: Page, language: str = "en") -> None:
    page.goto(f"/{language}/staff/login/")
    page.locator("#id_username").fill("sanna")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form.staff-form button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def coming_christmas_week() -> datetime.date:
    """The Monday of the week of the next Christmas Eve that is at least a week ahead."""
    today = timezone.localdate()
    eve = datetime.date(today.year, 12, 24)
    if eve - today < datetime.timedelta(days=14):
        eve = datetime.date(today.year + 1, 12, 24)
    return eve - datetime.timedelta(days=eve.weekday())


def test_copying_the_week_before_christmas_leaves_the_holidays_out(page: Page, planning, watch):
    christmas_week = coming_christmas_week()
    week_before = christmas_week - datetime.timedelta(days=7)
    for offset in range(7):
        day = week_before + datetime.timedelta(days=offset)
        VisitFactory(venue=planning["venue"], starts_at=local_datetime(day, datetime.time(10)), published=True)
    holidays = [d for d in (datetime.date(christmas_week.year, 12, n) for n in (24, 25, 26)) if d >= christmas_week]

    log_in(page)
    page.goto(f"/en/staff/?date={week_before.isoformat()}&advisor=")
    page.get_by_role("link", name="Copy this week to later weeks").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Copy week")
    assert_no_violations(page)
    page.get_by_role("button", name="Preview the copy").click()

    preview = page.locator("#copy-preview")
    expect(preview.get_by_role("heading", level=2)).to_have_text(f"{7 - len(holidays)} visits will be copied")
    expect(preview).to_contain_text("Left out: Public holiday: Christmas Eve")
    expect(preview).to_contain_text("Left out: Public holiday: Christmas Day")
    assert Visit.objects.count() == 7
    assert_no_violations(page)

    page.get_by_role("button", name=re.compile(r"^Copy \d+ visits$")).click()
    expect(page.locator(".messages")).to_contain_text(f"Copied {7 - len(holidays)} visits as drafts.")
    copied = [timezone.localtime(v.starts_at).date() for v in Visit.objects.filter(copy__isnull=False)]
    assert len(copied) == 7 - len(holidays) and not set(copied) & set(holidays)
    assert_no_violations(page)

    page.get_by_role("button", name="Undo the copy").click()
    expect(page.locator(".messages")).to_contain_text(f"{7 - len(holidays)} drafts removed")
    assert Visit.objects.count() == 7
    watch.settle(page)
    assert watch.csp_violations == []


def test_the_series_preview_shows_dates_and_a_conflict_before_submitting(page: Page, planning, watch):
    advisor = AdvisorFactory(user__first_name="Testi", user__last_name="Neuvoja")
    today = timezone.localdate()
    tuesday = today + datetime.timedelta(days=(1 - today.weekday()) % 7 + 7)
    busy = VisitFactory(
        venue=VenueFactory(name_en="Entresse library", area=planning["areas"][1]),
        starts_at=local_datetime(tuesday + datetime.timedelta(days=7), datetime.time(11)),
        advisors=[advisor],
    )

    log_in(page)
    page.goto("/en/staff/series/new/")
    page.locator("#id_venue").select_option(label="Sello library")
    page.locator("#id_start_time").fill("10:00")
    page.locator("#id_end_time").fill("12:00")
    page.locator("#id_starts_on").fill(tuesday.isoformat())
    page.locator("#id_weeks").fill("3")
    page.get_by_label("Testi Neuvoja").check()
    page.locator("#id_weekdays_1").check()

    preview = page.locator("#series-preview")
    expect(preview).to_contain_text("3 visits to make or change")
    expect(preview).to_contain_text("Every Tuesday 10:00–12:00, 3 times")
    expect(preview.locator(".preview-date--conflict")).to_contain_text(f"visit #{busy.pk}")
    expect(preview).to_contain_text("The advisors' other visits in this period")
    assert page.url.endswith("/en/staff/series/new/")
    assert Visit.objects.count() == 1
    assert_no_violations(page)
    watch.settle(page)
    assert watch.csp_violations == []


def test_a_month_with_no_visits_shows_every_area_without_service(page: Page, planning):
    today = timezone.localdate()
    march = datetime.date(today.year + 1, 3, 1)

    log_in(page)
    page.goto(f"/en/staff/?view=month&date={march.isoformat()}&advisor=")
    coverage = page.locator(".coverage")
    for area in planning["areas"]:
        expect(coverage).to_contain_text(area.name_en)
    expect(coverage).to_contain_text("No service")
    assert coverage.get_by_text("No service").count() >= len(planning["areas"]) * 4
    assert_no_violations(page)
