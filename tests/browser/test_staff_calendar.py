"""A scheduler plans with the staff calendar in real Chromium: login, a weekly series, a
cancellation with a reason, publishing. Every staff page passes axe-core with no violation,
and no page breaks the Content Security Policy (the `new_page` watch fails the test if one does).
"""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser.pages import assert_no_violations
from tests.visits.factories import AdvisorFactory, UserFactory
from visits.models import State, Visit, VisitSeries
from visits.seed import staff_role_groups_ensure

pytestmark = pytest.mark.browser

PASSWORD = "kalenteri-salasana-2026"


@pytest.fixture
def staff_roles(transactional_db) -> None:
    """The groups of migration 0003, put back if an earlier transactional test emptied the tables.

    `espoo_data` relies on the serialized rollback for them, and that is lost once Playwright
    runs the tests in its own context after other database tests in the same session.
    """
    staff_role_groups_ensure()


@pytest.fixture
def scheduler(staff_roles, espoo_data):
    user = UserFactory(username="sanna.suunnittelija", first_name="Sanna", last_name="Suunnittelija", password=PASSWORD)
    user.groups.add(Group.objects.get(name="scheduler"))
    return user


@pytest.fixture
def advisor(staff_roles, espoo_data):
    return AdvisorFactory(user__first_name="Testi", user__last_name="Neuvoja")


def local_day(visit: Visit) -> str:
    return timezone.localtime(visit.starts_at).date().isoformat()


def log_in(page: Page, path: str) -> None:
    page.goto(path)
    expect(page).to_have_url(re.compile(r"/en/staff/login/\?next=/en/staff/$"))
    assert_no_violations(page)
    page.locator("#id_username").fill("sanna.suunnittelija")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form.staff-form button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff calendar")


def test_scheduler_plans_a_series_cancels_a_visit_and_publishes(page: Page, scheduler, advisor, watch):
    today = timezone.localdate()
    monday = today + datetime.timedelta(days=7 - today.weekday())

    log_in(page, "/en/staff/")
    assert_no_violations(page)
    page.get_by_role("link", name="Month").click()
    expect(page.locator(".month-grid")).to_be_visible()
    assert_no_violations(page)

    page.get_by_role("link", name="New series").click()
    assert_no_violations(page)
    page.locator("#id_venue").select_option(label="Sello library")
    page.locator("#id_start_time").fill("15:00")
    page.locator("#id_end_time").fill("17:00")
    page.locator("#id_weekdays_1").check()
    page.locator("#id_starts_on").fill(monday.isoformat())
    page.locator("#id_weeks").fill("4")
    # The form previews itself 400 ms after a change; a submit before the preview has arrived
    # would abort it, as leaving any page aborts its requests.
    with page.expect_response(lambda response: "/series/preview/" in response.url):
        page.get_by_label("Testi Neuvoja").check()
    page.get_by_role("button", name="Check for conflicts").click()
    expect(page.locator("#review-heading")).to_have_text("Check before saving")
    assert not VisitSeries.objects.filter(advisors=advisor).exists()
    assert_no_violations(page)
    page.locator('button[name="action"][value="save"]').click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Series: Sello library")
    series = VisitSeries.objects.get(advisors=advisor)
    visits = list(series.visits.order_by("starts_at"))
    assert len(visits) == 4
    assert {timezone.localtime(v.starts_at).strftime("%a %H:%M") for v in visits} == {"Tue 15:00"}
    assert_no_violations(page)

    first = visits[0]
    page.goto(f"/en/staff/?date={local_day(first)}&advisor={advisor.pk}")
    entry = page.locator(".cal-visit", has=page.locator(f'a[href="/en/staff/visits/{first.pk}/"]'))
    expect(entry).to_contain_text("15:00–17:00 Sello library")
    expect(entry.locator(".state")).to_have_text("Draft")
    assert_no_violations(page)

    entry.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sello library")
    assert_no_violations(page)
    page.get_by_label("The advisor is in training.").check()
    page.get_by_label("Details in Finnish").fill("Neuvoja on koulutuksessa.")
    page.get_by_role("button", name="Cancel the visit").click()
    expect(page.locator("#cancel-preview")).to_contain_text("The advisor is in training.")
    assert Visit.objects.get(pk=first.pk).state == State.DRAFT
    assert_no_violations(page)
    page.get_by_role("button", name="Confirm the cancellation").click()
    expect(page.locator(".notice--cancelled")).to_contain_text("The advisor is in training.")
    expect(page.locator(".notice--cancelled")).to_contain_text("Neuvoja on koulutuksessa.")
    expect(page.locator("h1 + p .state")).to_have_text("Cancelled")
    # Created, the advisor put on it, cancelled: newest first, each with who did it.
    expect(page.locator(".history tbody tr")).to_have_count(3)
    expect(page.locator(".history tbody tr").first).to_contain_text("Sanna Suunnittelija")
    expect(page.locator(".history")).to_contain_text("Advisors")
    assert_no_violations(page)

    page.goto(f"/en/staff/?date={local_day(visits[1])}&advisor={advisor.pk}")
    page.get_by_role("button", name="Select all drafts").click()
    page.get_by_role("button", name="Publish selected (1)").click()
    expect(page.locator(".messages")).to_contain_text("Published 1 visit.")

    page.goto(f"/en/staff/series/{series.pk}/")
    page.get_by_role("button", name="Publish 2 drafts").click()
    expect(page.locator(".messages")).to_contain_text("Published 2 visits.")
    states = dict(Visit.objects.filter(series=series).values_list("pk", "state"))
    assert states == {
        visits[0].pk: State.CANCELLED,
        visits[1].pk: State.PUBLISHED,
        visits[2].pk: State.PUBLISHED,
        visits[3].pk: State.PUBLISHED,
    }
    page.goto(f"/en/staff/?date={local_day(first)}")
    expect(entry.locator(".state")).to_have_text("Cancelled")
    assert_no_violations(page)
    watch.settle(page)
    assert watch.csp_violations == []


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_staff_pages_have_no_violations_in_any_language(new_page, scheduler, advisor, language):
    page = new_page()
    page.goto(f"/{language}/staff/login/")
    page.locator("#id_username").fill("sanna.suunnittelija")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    visit = Visit.objects.filter(state=State.PUBLISHED).order_by("starts_at").first()
    series = VisitSeries.objects.first()
    for path in (
        f"/{language}/staff/",
        f"/{language}/staff/?view=month",
        f"/{language}/staff/visits/new/",
        f"/{language}/staff/visits/{visit.pk}/",
        f"/{language}/staff/visits/{visit.pk}/edit/",
        f"/{language}/staff/series/",
        f"/{language}/staff/series/{series.pk}/",
        f"/{language}/staff/series/{series.pk}/edit/",
        f"/{language}/staff/venues/",
        f"/{language}/staff/venues/{visit.venue_id}/",
        f"/{language}/staff/visits/copy-week/?date={timezone.localdate().isoformat()}",
    ):
        page.goto(path)
        expect(page.locator("h1")).to_be_visible()
        assert_no_violations(page)
