import datetime
import re
from html import escape

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories import AreaFactory, ServicePointFactory, ServiceTypeFactory
from tests.html import parse, text
from tests.visits.factories import (
    AdvisorFactory,
    UserFactory,
    VenueFactory,
    VenueOpeningHoursFactory,
    VisitFactory,
)
from visits import services
from visits.models import CancelReason, SeriesSkip, State, Visit, VisitSeries
from visits.recurrence import HELSINKI, local_datetime, rule_dates
from visits.staff.forms import warnings_fingerprint

# Sunday 1 March 2026, noon in Helsinki. Daylight-saving time begins on Sunday 29 March.
NOW = datetime.datetime(2026, 3, 1, 10, tzinfo=datetime.UTC)
MONDAY = datetime.date(2026, 3, 2)
TUESDAY = datetime.date(2026, 3, 3)


@pytest.fixture(autouse=True)
def _sunday_1_march_2026():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def _english():
    """Texts are checked in English, the source language; every page is also opened in fi and sv."""
    with translation.override("en"):
        yield


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return local_datetime(day, datetime.time(hour, minute))


def staff_user(role: str | None, **kwargs):
    user = UserFactory(**kwargs)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def scheduler(db):
    return staff_user("scheduler", first_name="Sanna", last_name="Suunnittelija")


@pytest.fixture
def scheduler_client(client, scheduler):
    client.force_login(scheduler)
    return client


@pytest.fixture
def advisor_client(client, db):
    client.force_login(staff_user("advisor"))
    return client


def place(name: str, **kwargs):
    return VenueFactory(name_fi=name, name_sv=name, name_en=name, **kwargs)


@pytest.fixture
def venue(db):
    return place("Sellon kirjasto")


@pytest.fixture
def aino(db):
    return AdvisorFactory(user__first_name="Aino", user__last_name="Neuvoja")


class Page:
    """The text a user reads (without the options of closed selects), hidden values and buttons."""

    def __init__(self, content: str) -> None:
        soup = parse(content)
        self.text = text(soup, separator=" ", skip=("option",))
        self.hidden = {
            field.get("name", ""): field.get("value", "") for field in soup.find_all("input", attrs={"type": "hidden"})
        }
        self.buttons = [(button.get("name", ""), button.get("value", "")) for button in soup.find_all("button")]
        self.soup = soup

    def field_value(self, name: str) -> str:
        return self.soup.find("input", attrs={"name": name}).get("value", "")


def page_of(response) -> Page:
    assert response.status_code == 200, response.status_code
    return Page(response.content.decode())


def url(name: str, lang: str = "en", **kwargs) -> str:
    with translation.override(lang):
        return reverse(f"staff:{name}", kwargs=kwargs or None)


def visit_data(venue, day=TUESDAY, start="10:00", end="12:00", advisors=(), **extra) -> dict:
    return {
        "venue": venue.pk,
        "date": day.isoformat(),
        "start_time": start,
        "end_time": end,
        "advisors": [a.pk for a in advisors],
        "audience_note": "",
        **extra,
    }


def review_then_save(client, path: str, data: dict):
    """What a scheduler does: check, read the review, then save (anyway)."""
    review = page_of(client.post(path, {**data, "action": "review"}))
    assert ("action", "save") in review.buttons, review.text
    return client.post(path, {**data, "action": "save", "acknowledged": review.hidden["acknowledged"]})


# Roles -------------------------------------------------------------------------------------

READ_PAGES = ["calendar", "series_list", "visit_detail", "series_detail"]
WRITE_PAGES = ["visit_create", "visit_edit", "series_create", "series_edit"]
POST_ONLY = ["visits_publish", "visit_cancel", "visit_restore", "series_skip"]


@pytest.fixture
def plan_with_a_series(venue, aino):
    series = services.series_create(
        services.SeriesPlan(
            venue=venue,
            rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=4",
            starts_on=TUESDAY,
            start_time=datetime.time(10),
            end_time=datetime.time(12),
            advisors=[aino],
        )
    )
    return series, series.visits.order_by("starts_at").first()


def page_url(name: str, series: VisitSeries, visit: Visit) -> str:
    if name in ("visit_detail", "visit_edit", "visit_cancel", "visit_restore"):
        return url(name, pk=visit.pk)
    if name in ("series_detail", "series_edit", "series_skip"):
        return url(name, pk=series.pk)
    if name == "calendar":
        return url(name) + f"?date={TUESDAY.isoformat()}"
    return url(name)


@pytest.mark.parametrize("name", READ_PAGES + WRITE_PAGES)
def test_anonymous_visitor_is_sent_to_the_login_page(client, plan_with_a_series, name):
    path = page_url(name, *plan_with_a_series)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(url("login") + "?next=")


@pytest.mark.parametrize("name", READ_PAGES + WRITE_PAGES + POST_ONLY)
def test_logged_in_user_without_a_role_gets_403(client, plan_with_a_series, name):
    client.force_login(staff_user(None))
    path = page_url(name, *plan_with_a_series)
    response = client.post(path, {}) if name in POST_ONLY else client.get(path)
    assert response.status_code == 403


@pytest.mark.parametrize("name", READ_PAGES)
def test_advisor_sees_the_whole_calendar(advisor_client, plan_with_a_series, name):
    page = page_of(advisor_client.get(page_url(name, *plan_with_a_series)))
    assert "Sellon kirjasto" in page.text
    assert "Publish" not in page.text
    assert "Edit" not in page.text
    assert "Cancel the visit" not in page.text
    assert "Skip these dates" not in page.text
    assert "New visit" not in page.text and "New series" not in page.text


@pytest.mark.parametrize("name", WRITE_PAGES + POST_ONLY)
def test_advisor_cannot_change_anything(advisor_client, plan_with_a_series, venue, name):
    series, visit = plan_with_a_series
    data = {
        **visit_data(venue, day=TUESDAY + datetime.timedelta(days=1)),
        "action": "save",
        "only": visit.pk,
        "cancel_reason_code": CancelReason.ILLNESS,
        "cancel_reason": "Sairastuminen",
        "week": TUESDAY.isoformat(),
        "start_date": TUESDAY.isoformat(),
    }
    response = advisor_client.post(page_url(name, series, visit), data)
    assert response.status_code == 403
    assert Visit.objects.count() == 4
    assert not Visit.objects.exclude(state=State.DRAFT).exists()
    assert VisitSeries.objects.count() == 1
    assert not SeriesSkip.objects.exists()


def test_scheduler_logs_in_on_the_login_page_and_lands_on_the_calendar(client, db):
    staff_user("scheduler", username="sanna", password="oikea-salasana-123")
    response = client.post(url("login"), {"username": "sanna", "password": "oikea-salasana-123"})
    assert response.status_code == 302
    assert response["Location"] == url("calendar")
    assert client.get(url("calendar")).status_code == 200


def test_login_with_a_wrong_password_is_refused_with_a_message(client, db):
    staff_user("scheduler", username="sanna", password="oikea-salasana-123")
    response = client.post(url("login"), {"username": "sanna", "password": "väärä"})
    page = page_of(response)
    assert "Login failed" in page.text
    assert "_auth_user_id" not in client.session


def test_logging_out_returns_to_the_login_page(scheduler_client):
    response = scheduler_client.post(url("logout"))
    assert response["Location"] == url("login")
    assert scheduler_client.get(url("calendar")).status_code == 302


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_login_page_works_in_every_language(client, db, lang):
    response = client.get(url("login", lang))
    assert response.status_code == 200
    assert f'lang="{lang}"' in response.content.decode()


# Calendar ----------------------------------------------------------------------------------


@pytest.fixture
def week_of_visits(venue, aino):
    other = place("Entressen kirjasto")
    return {
        "draft": VisitFactory(venue=venue, starts_at=at(MONDAY, 10), advisors=[aino]),
        "published": VisitFactory(venue=other, starts_at=at(TUESDAY, 13), published=True),
        "cancelled": VisitFactory(
            venue=venue, starts_at=at(TUESDAY, 9), cancelled=True, cancel_reason="Neuvoja sairastui"
        ),
        "next_week": VisitFactory(venue=venue, starts_at=at(MONDAY + datetime.timedelta(days=7), 10)),
    }


def test_week_view_lists_each_day_with_time_venue_advisors_and_state_in_words(scheduler_client, week_of_visits):
    page = page_of(scheduler_client.get(url("calendar"), {"date": "2026-03-04"}))
    text = page.text
    assert "Week 10: 2 Mar–8 Mar" in text
    monday = text.index("Monday 2 Mar")
    tuesday = text.index("Tuesday 3 Mar")
    assert monday < text.index("10:00–12:00 Sellon kirjasto Draft Aino Neuvoja") < tuesday
    assert tuesday < text.index("13:00–15:00 Entressen kirjasto Published")
    assert tuesday < text.index("09:00–11:00 Sellon kirjasto Cancelled") < text.index("Wednesday")
    assert "Neuvoja sairastui" in text
    assert "9 Mar" not in text.split("Coverage")[0]


def test_week_view_offers_publish_for_drafts_only(scheduler_client, week_of_visits):
    page = page_of(scheduler_client.get(url("calendar"), {"date": "2026-03-02"}))
    assert ("only", str(week_of_visits["draft"].pk)) in page.buttons
    assert ("only", str(week_of_visits["published"].pk)) not in page.buttons
    assert ("only", str(week_of_visits["cancelled"].pk)) not in page.buttons


def test_month_view_shows_the_whole_month_as_a_grid(scheduler_client, week_of_visits):
    response = scheduler_client.get(url("calendar"), {"view": "month", "date": "2026-03-15"})
    page = page_of(response)
    assert "March 2026" in page.text
    html = response.content.decode()
    # March 2026 runs from Monday 23 February to Sunday 5 April in whole weeks: six rows.
    assert html.count('<tr>\n      <th scope="row"') == 6
    assert "Sellon kirjasto" in page.text and "Entressen kirjasto" in page.text
    assert html.count('class="cal-visit__venue">Sellon kirjasto</span>') == 3


def test_previous_and_next_links_keep_view_and_filters(scheduler_client, week_of_visits, venue):
    response = scheduler_client.get(url("calendar"), {"view": "month", "date": "2026-03-15", "venue": venue.pk})
    html = response.content.decode()
    assert f"?view=month&amp;date=2026-02-01&amp;venue={venue.pk}" in html
    assert f"?view=month&amp;date=2026-04-01&amp;venue={venue.pk}" in html


@pytest.mark.parametrize("filter_name", ["advisor", "venue", "area"])
def test_calendar_filters_by_advisor_venue_and_area(scheduler_client, week_of_visits, aino, venue, filter_name):
    value = {"advisor": aino.pk, "venue": venue.pk, "area": venue.area.pk}[filter_name]
    page = page_of(scheduler_client.get(url("calendar"), {filter_name: value, "date": "2026-03-02"}))
    assert "Sellon kirjasto" in page.text
    assert "Entressen kirjasto" not in page.text.split("Coverage")[0]


@pytest.mark.parametrize("filter_name", ["advisor", "venue", "area"])
def test_an_unknown_filter_id_is_reported_and_ignored(scheduler_client, week_of_visits, filter_name):
    for value in ("999999", "abc"):
        page = page_of(scheduler_client.get(url("calendar"), {filter_name: value, "date": "2026-03-02"}))
        assert f"That {filter_name} does not exist; showing all {filter_name}s." in page.text
        assert "Entressen kirjasto" in page.text


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
@pytest.mark.parametrize("view", ["week", "month"])
def test_calendar_works_in_every_language(scheduler_client, week_of_visits, lang, view):
    response = scheduler_client.get(url("calendar", lang), {"view": view})
    assert response.status_code == 200
    assert f'lang="{lang}"' in response.content.decode()


def test_calendar_shows_times_in_helsinki_time_on_both_sides_of_dst(scheduler_client, venue):
    VisitFactory(venue=venue, starts_at=datetime.datetime(2026, 3, 27, 8, tzinfo=datetime.UTC))
    VisitFactory(venue=venue, starts_at=datetime.datetime(2026, 3, 30, 7, tzinfo=datetime.UTC))
    page = page_of(scheduler_client.get(url("calendar"), {"view": "month"}))
    assert page.text.count("10:00–12:00") == 2


# Creating and editing a visit ---------------------------------------------------------------


def test_checking_a_new_visit_saves_nothing_and_saving_creates_a_draft(scheduler_client, venue, aino):
    data = visit_data(venue, advisors=[aino])
    review = page_of(scheduler_client.post(url("visit_create"), {**data, "action": "review"}))
    assert "No conflicts and nothing to warn about." in review.text
    assert not Visit.objects.exists()

    response = scheduler_client.post(url("visit_create"), {**data, "action": "save", "acknowledged": ""})
    visit = Visit.objects.get()
    assert response["Location"] == url("visit_detail", pk=visit.pk)
    assert visit.state == State.DRAFT
    assert timezone.localtime(visit.starts_at) == at(TUESDAY, 10)
    assert list(visit.advisors.all()) == [aino]


def test_new_visit_form_starts_on_the_chosen_day(scheduler_client, venue):
    response = scheduler_client.get(url("visit_create"), {"date": "2026-03-05", "venue": venue.pk})
    html = response.content.decode()
    assert 'value="2026-03-05"' in html
    assert f'<option value="{venue.pk}" selected>' in html


def test_a_conflict_names_the_other_visit_and_nothing_is_saved(scheduler_client, venue, aino):
    other = VisitFactory(venue=place("Ison Omenan kirjasto"), starts_at=at(TUESDAY, 11), advisors=[aino])
    data = visit_data(venue, advisors=[aino])
    for action in ("review", "save"):
        page = page_of(scheduler_client.post(url("visit_create"), {**data, "action": action, "acknowledged": ""}))
        assert (
            f"Aino Neuvoja is already booked: visit #{other.pk}, Ison Omenan kirjasto, 3 Mar 11:00–13:00." in page.text
        )
        assert ("action", "save") not in page.buttons
    assert Visit.objects.count() == 1


def test_warnings_need_an_explicit_save_anyway(scheduler_client, venue):
    other = VisitFactory(venue=venue, starts_at=at(TUESDAY, 11))
    data = visit_data(venue)
    review = page_of(scheduler_client.post(url("visit_create"), {**data, "action": "review"}))
    assert "1 warning: you can save anyway" in review.text
    assert f"Visit #{other.pk} is at the same venue at the same time" in review.text
    assert ("action", "save") in review.buttons and "Save anyway" in review.text
    assert review.hidden["acknowledged"] == warnings_fingerprint(
        services.visit_review(
            services.VisitPlan(venue=venue, starts_at=at(TUESDAY, 10), ends_at=at(TUESDAY, 12))
        ).warnings
    )

    unconfirmed = page_of(scheduler_client.post(url("visit_create"), {**data, "action": "save", "acknowledged": ""}))
    assert "1 warning: you can save anyway" in unconfirmed.text
    assert Visit.objects.count() == 1

    response = scheduler_client.post(
        url("visit_create"), {**data, "action": "save", "acknowledged": review.hidden["acknowledged"]}
    )
    assert response.status_code == 302
    assert Visit.objects.count() == 2


def test_a_visit_outside_the_venue_hours_is_a_conflict_that_blocks_saving(scheduler_client, venue):
    VenueOpeningHoursFactory(venue=venue, weekday=1, opens=datetime.time(12), closes=datetime.time(18))
    data = visit_data(venue)
    for action in ("review", "save"):
        page = page_of(scheduler_client.post(url("visit_create"), {**data, "action": action, "acknowledged": ""}))
        assert "Sellon kirjasto is open only 12:00–18:00 on 3 Mar" in page.text
        assert ("action", "save") not in page.buttons
    assert not Visit.objects.exists()


def test_a_time_already_over_is_a_warning_and_the_saved_visit_is_never_published(scheduler_client, venue):
    last_week = NOW.date() - datetime.timedelta(days=5)
    data = visit_data(venue, day=last_week)

    review = page_of(scheduler_client.post(url("visit_create"), {**data, "action": "review"}))
    assert "1 warning: you can save anyway" in review.text
    assert "This time is already over: the visit can never be published" in review.text
    assert not Visit.objects.exists()

    review_then_save(scheduler_client, url("visit_create"), data)
    visit = Visit.objects.get()
    assert services.visits_publish(visits=[visit]) == 0
    visit.refresh_from_db()
    assert visit.state == State.DRAFT


def test_a_warning_that_appears_after_the_review_needs_its_own_confirmation(scheduler_client, venue):
    data = visit_data(venue)
    review = page_of(scheduler_client.post(url("visit_create"), {**data, "action": "review"}))
    VisitFactory(venue=venue, starts_at=at(TUESDAY, 11))
    page = page_of(
        scheduler_client.post(
            url("visit_create"), {**data, "action": "save", "acknowledged": review.hidden["acknowledged"]}
        )
    )
    assert "is at the same venue at the same time" in page.text
    assert Visit.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"start_time": "12:00", "end_time": "10:00"}, "The visit must end after it starts."),
        ({"start_time": "07:00", "end_time": "19:30"}, "A visit can last at most 12 hours."),
        ({"advisors": [999999]}, "999999"),
        ({"venue": 999999}, "Select a valid choice"),
        ({"date": "2026-02-30"}, "YYYY-MM-DD"),
        ({"start_time": "25:00"}, "HH:MM"),
    ],
    ids=["end-before-start", "longer-than-12-hours", "unknown-advisor", "unknown-venue", "bad-date", "bad-time"],
)
def test_bad_input_gets_a_clear_error_and_saves_nothing(scheduler_client, venue, change, message):
    for action in ("review", "save"):
        response = scheduler_client.post(url("visit_create"), {**visit_data(venue), **change, "action": action})
        page = page_of(response)
        assert message in page.text
        assert ("action", "save") not in page.buttons
    assert not Visit.objects.exists()


def test_another_advisors_id_that_is_not_choosable_is_refused(scheduler_client, venue):
    retired = AdvisorFactory(active=False)
    page = page_of(
        scheduler_client.post(url("visit_create"), {**visit_data(venue, advisors=[retired]), "action": "save"})
    )
    assert f"{retired.pk} is not one of the available choices" in page.text
    assert not Visit.objects.exists()


def test_scheduler_edits_a_visit(scheduler_client, venue, aino):
    visit = VisitFactory(venue=venue, starts_at=at(TUESDAY, 10), advisors=[aino])
    form = scheduler_client.get(url("visit_edit", pk=visit.pk)).content.decode()
    assert 'value="10:00"' in form and 'value="2026-03-03"' in form
    response = review_then_save(
        scheduler_client, url("visit_edit", pk=visit.pk), visit_data(venue, start="13:00", end="15:00", advisors=[aino])
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert timezone.localtime(visit.starts_at) == at(TUESDAY, 13)


@pytest.mark.parametrize("kind", ["cancelled", "past"])
def test_editing_a_cancelled_or_past_visit_is_refused(scheduler_client, venue, kind):
    if kind == "cancelled":
        visit = VisitFactory(venue=venue, starts_at=at(TUESDAY, 10), cancelled=True)
        message = "A cancelled visit cannot be changed."
    else:
        visit = VisitFactory(venue=venue, starts_at=at(MONDAY - datetime.timedelta(days=7), 10), published=True)
        message = "A visit that has already taken place cannot be changed."
    before = (visit.starts_at, visit.state)
    path = url("visit_edit", pk=visit.pk)
    for response in (
        scheduler_client.get(path, follow=True),
        scheduler_client.post(path, {**visit_data(venue, start="14:00", end="15:00"), "action": "save"}, follow=True),
        scheduler_client.post(
            url("visit_cancel", pk=visit.pk),
            {"cancel_reason_code": CancelReason.OTHER, "cancel_reason": "Uusi syy", "action": "save"},
            follow=True,
        ),
    ):
        assert message in page_of(response).text
    visit.refresh_from_db()
    assert (visit.starts_at, visit.state) == before


# Publishing, cancelling, copying ------------------------------------------------------------


def test_publish_one_draft_from_the_calendar(scheduler_client, week_of_visits):
    draft = week_of_visits["draft"]
    calendar = url("calendar") + "?date=2026-03-02"
    response = scheduler_client.post(url("visits_publish"), {"only": draft.pk, "next": calendar}, follow=True)
    assert response.redirect_chain[-1][0] == calendar
    assert "Published 1 visit." in page_of(response).text
    draft.refresh_from_db()
    assert draft.state == State.PUBLISHED
    assert Visit.objects.filter(state=State.DRAFT).count() == 1


def test_publish_many_at_once_reports_what_was_not_a_draft(scheduler_client, venue):
    drafts = [VisitFactory(venue=venue, starts_at=at(MONDAY + datetime.timedelta(days=i), 10)) for i in range(3)]
    cancelled = VisitFactory(venue=venue, starts_at=at(MONDAY, 14), cancelled=True)
    response = scheduler_client.post(
        url("visits_publish"), {"visits": [v.pk for v in [*drafts, cancelled]]}, follow=True
    )
    text = page_of(response).text
    assert "Published 3 visits." in text
    assert "1 chosen visit was not published" in text
    assert Visit.objects.filter(state=State.PUBLISHED).count() == 3
    assert Visit.objects.get(pk=cancelled.pk).state == State.CANCELLED


@pytest.mark.parametrize("data", [{"visits": ["999999"]}, {"only": "abc"}, {}], ids=["unknown", "garbage", "none"])
def test_publish_with_nothing_valid_chosen_publishes_nothing(scheduler_client, week_of_visits, data):
    response = scheduler_client.post(url("visits_publish"), data, follow=True)
    text = page_of(response).text
    assert "Nothing was published" in text or "Choose the visits to publish" in text
    assert Visit.objects.filter(state=State.DRAFT).count() == 2


def test_publish_never_redirects_to_another_site(scheduler_client, week_of_visits):
    response = scheduler_client.post(
        url("visits_publish"), {"only": week_of_visits["draft"].pk, "next": "https://evil.example/"}
    )
    assert response["Location"] == url("calendar")


def cancel_then_confirm(client, visit: Visit, data: dict):
    """What a scheduler does: choose the reason, read what residents will be told, confirm."""
    path = url("visit_cancel", pk=visit.pk)
    review = page_of(client.post(path, {**data, "action": "review"}))
    assert ("action", "save") in review.buttons, review.text
    return client.post(path, {**data, "action": "save", "acknowledged": review.hidden["acknowledged"]}, follow=True)


def test_cancel_with_a_reason_keeps_the_visit_on_the_calendar_marked_cancelled(scheduler_client, week_of_visits):
    visit = week_of_visits["draft"]
    response = cancel_then_confirm(
        scheduler_client, visit, {"cancel_reason_code": CancelReason.ILLNESS, "cancel_reason": "Neuvoja on sairaana."}
    )
    assert "The advisor is ill." in page_of(response).text
    assert "Neuvoja on sairaana." in page_of(response).text
    visit.refresh_from_db()
    assert (visit.state, visit.cancel_reason_code, visit.cancel_reason) == (
        State.CANCELLED,
        CancelReason.ILLNESS,
        "Neuvoja on sairaana.",
    )
    calendar = page_of(scheduler_client.get(url("calendar"), {"date": "2026-03-02"})).text
    assert "10:00–12:00 Sellon kirjasto Cancelled" in calendar


@pytest.mark.parametrize("reason", ["", "   ", "sick"])
def test_cancel_without_a_reason_is_refused(scheduler_client, week_of_visits, reason):
    visit = week_of_visits["draft"]
    data = {"cancel_reason_code": reason, "cancel_reason": "Neuvoja on sairaana.", "action": "save"}
    page = page_of(scheduler_client.post(url("visit_cancel", pk=visit.pk), data))
    assert "Choose the reason residents will see" in page.text or "Select a valid choice" in page.text
    assert ("action", "save") not in page.buttons
    visit.refresh_from_db()
    assert visit.state == State.DRAFT


def test_copy_week_previews_then_copies_the_filtered_visits_and_reports_the_left_out(scheduler_client, venue, aino):
    VisitFactory(venue=venue, starts_at=at(MONDAY, 10), advisors=[aino], published=True)
    VisitFactory(venue=venue, starts_at=at(TUESDAY, 10), advisors=[aino])
    VisitFactory(venue=venue, starts_at=at(TUESDAY, 14), cancelled=True)
    VisitFactory(venue=place("Muu paikka"), starts_at=at(MONDAY, 10))
    # Aino is already booked on the Tuesday of the next week: that copy is left out.
    busy = VisitFactory(
        venue=place("Kauklahden kirjasto"), starts_at=at(TUESDAY + datetime.timedelta(7), 9), advisors=[aino]
    )
    data = {"week": "2026-03-04", "venue": venue.pk, "first_week": "2026-03-09", "weeks": 1}
    form = page_of(scheduler_client.get(url("week_copy"), {"date": "2026-03-04", "venue": venue.pk}))
    assert form.field_value("first_week") == "2026-03-09"

    preview = page_of(scheduler_client.post(url("week_copy"), {**data, "action": "preview"}))
    assert "1 visit will be copied" in preview.text
    assert f"Left out: Aino Neuvoja is already booked: visit #{busy.pk}" in preview.text
    assert Visit.objects.count() == 5

    response = scheduler_client.post(url("week_copy"), {**data, "action": "copy"}, follow=True)
    text = page_of(response).text
    assert "Copied 1 visit as a draft." in text
    copies = Visit.objects.filter(starts_at__gte=at(MONDAY + datetime.timedelta(7), 0), venue=venue)
    assert [(timezone.localtime(c.starts_at), c.state) for c in copies] == [
        (at(MONDAY + datetime.timedelta(7), 10), State.DRAFT)
    ]


def test_copy_week_with_a_bad_week_copies_nothing(scheduler_client, week_of_visits):
    count = Visit.objects.count()
    response = scheduler_client.post(
        url("week_copy"), {"week": "not-a-date", "first_week": "2026-03-09", "weeks": 1, "action": "copy"}
    )
    assert "Nothing was saved" in page_of(response).text
    assert Visit.objects.count() == count


# Series ------------------------------------------------------------------------------------


def series_data(venue, **extra) -> dict:
    return {
        "venue": venue.pk,
        "starts_on": TUESDAY.isoformat(),
        "start_time": "10:00",
        "end_time": "12:00",
        "weekdays": ["1"],
        "interval": "1",
        "weeks": "6",
        "until": "",
        "rrule": "",
        "skip_public_holidays": "on",
        "audience_note": "",
        **extra,
    }


def test_weekly_series_from_march_stays_at_ten_local_time_across_dst(scheduler_client, venue, aino):
    response = review_then_save(scheduler_client, url("series_create"), series_data(venue, advisors=[aino.pk]))
    series = VisitSeries.objects.get()
    assert response["Location"] == url("series_detail", pk=series.pk)
    assert series.rrule == "FREQ=WEEKLY;COUNT=6;INTERVAL=1;BYDAY=TU"
    visits = list(series.visits.order_by("starts_at"))
    local = [v.starts_at.astimezone(HELSINKI) for v in visits]
    assert [d.date().isoformat() for d in local] == [
        "2026-03-03",
        "2026-03-10",
        "2026-03-17",
        "2026-03-24",
        "2026-03-31",
        "2026-04-07",
    ]
    assert {(d.hour, d.minute) for d in local} == {(10, 0)}
    assert [v.starts_at.astimezone(datetime.UTC).hour for v in visits] == [8, 8, 8, 8, 7, 7]
    assert all(v.state == State.DRAFT and list(v.advisors.all()) == [aino] for v in visits)


def test_series_reviews_before_saving_and_saves_nothing_on_review(scheduler_client, venue):
    page = page_of(scheduler_client.post(url("series_create"), {**series_data(venue), "action": "review"}))
    assert ("action", "save") in page.buttons
    assert not VisitSeries.objects.exists()
    assert not Visit.objects.exists()


def test_series_first_week_cut_short_still_gives_the_number_of_weeks(scheduler_client, venue):
    data = series_data(venue, starts_on="2026-03-04", weekdays=["1", "3"], weeks="3")
    review_then_save(scheduler_client, url("series_create"), data)
    dates = [timezone.localtime(v.starts_at).date().isoformat() for v in Visit.objects.order_by("starts_at")]
    assert dates == ["2026-03-05", "2026-03-10", "2026-03-12", "2026-03-17", "2026-03-19"]


def test_series_every_other_week_until_a_last_date(scheduler_client, venue):
    data = series_data(venue, weekdays=["1"], interval="2", weeks="", until="2026-04-14")
    review_then_save(scheduler_client, url("series_create"), data)
    dates = [timezone.localtime(v.starts_at).date().isoformat() for v in Visit.objects.order_by("starts_at")]
    assert dates == ["2026-03-03", "2026-03-17", "2026-03-31", "2026-04-14"]


def test_series_from_an_advanced_rrule(scheduler_client, venue):
    data = series_data(venue, weekdays=[], weeks="", rrule="FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4")
    review_then_save(scheduler_client, url("series_create"), data)
    dates = [timezone.localtime(v.starts_at).date().isoformat() for v in Visit.objects.order_by("starts_at")]
    assert dates == ["2026-03-04", "2026-03-09", "2026-03-11", "2026-03-16"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"until": "2026-03-02", "weeks": ""}, "The rule gives no visit"),
        ({"weekdays": []}, "Choose at least one weekday"),
        ({"weekdays": ["9"]}, "Select a valid choice"),
        ({"weeks": "", "until": ""}, "Give the number of weeks or the last date."),
        ({"until": "2026-05-01"}, "not both"),
        ({"start_time": "12:00", "end_time": "10:00"}, "The visit must end after it starts."),
        ({"venue": "999999"}, "Select a valid choice"),
        ({"advisors": ["999999"]}, "999999 is not one of the available choices"),
    ],
    ids=[
        "no-occurrence",
        "no-weekday",
        "bad-weekday",
        "no-end",
        "two-ends",
        "end-before-start",
        "unknown-venue",
        "unknown-advisor",
    ],
)
def test_bad_series_input_gets_a_clear_error_and_saves_nothing(scheduler_client, venue, change, message):
    for action in ("review", "save"):
        page = page_of(scheduler_client.post(url("series_create"), {**series_data(venue), **change, "action": action}))
        assert message in page.text
        assert ("action", "save") not in page.buttons
    assert not VisitSeries.objects.exists()
    assert not Visit.objects.exists()


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY;COUNT=501",
        "FREQ=DAILY",
        "FREQ=SOMETIMES;COUNT=3",
        "DTSTART=20260101;FREQ=DAILY;COUNT=3",
        "FREQ=WEEKLY;UNTIL=20300101",
    ],
    ids=["over-500", "unbounded", "invalid", "dtstart", "over-two-years"],
)
def test_a_bad_advanced_rule_is_explained_at_the_rule_field_and_saves_nothing(scheduler_client, venue, rule):
    with pytest.raises(ValidationError) as refusal:
        rule_dates(rule=rule, starts_on=TUESDAY)
    data = {**series_data(venue), "weekdays": [], "weeks": "", "rrule": rule}
    for action in ("review", "save"):
        response = scheduler_client.post(url("series_create"), {**data, "action": action})
        page = page_of(response)
        message = escape(refusal.value.messages[0], quote=False)
        assert f'<ul class="errorlist" id="id_rrule_error"><li>{message}</li></ul>' in response.content.decode()
        assert ("action", "save") not in page.buttons
    assert not VisitSeries.objects.exists()
    assert not Visit.objects.exists()


def test_a_series_conflict_names_the_date_and_the_other_visit(scheduler_client, venue, aino):
    other = VisitFactory(venue=VenueFactory(), starts_at=at(TUESDAY + datetime.timedelta(14), 11), advisors=[aino])
    data = series_data(venue, advisors=[aino.pk])
    for action in ("review", "save"):
        page = page_of(scheduler_client.post(url("series_create"), {**data, "action": action}))
        assert re.search(rf"17 Mar: Aino Neuvoja is already booked: visit #{other.pk}", page.text), page.text
    assert not VisitSeries.objects.exists()
    assert Visit.objects.count() == 1


def test_skip_a_holiday_week_and_single_days_in_one_action(scheduler_client, venue):
    series = services.series_create(
        services.SeriesPlan(
            venue=venue,
            rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;COUNT=20",
            starts_on=MONDAY,
            start_time=datetime.time(10),
            end_time=datetime.time(12),
        )
    )
    services.visits_publish(visits=series.visits.filter(occurrence_date__lt=datetime.date(2026, 3, 20)))
    single = datetime.date(2026, 3, 25)
    response = scheduler_client.post(
        url("series_skip", pk=series.pk),
        {"dates": [single.isoformat()], "start_date": "2026-03-16", "end_date": "2026-03-20", "reason": "Hiihtoloma"},
        follow=True,
    )
    assert "Skipped 2 dates or ranges" in page_of(response).text
    in_week = series.visits.filter(occurrence_date__range=("2026-03-16", "2026-03-20"))
    # Published visits are cancelled with the reason (residents see it); the unseen draft goes.
    assert sorted(in_week.values_list("state", "cancel_reason")) == [(State.CANCELLED, "Hiihtoloma")] * 4
    assert not series.visits.filter(occurrence_date=single).exists()
    assert series.visits.exclude(state=State.CANCELLED).count() == 20 - 5 - 1
    assert SeriesSkip.objects.count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose the dates to skip."),
        ({"start_date": "2026-03-20", "end_date": "2026-03-16"}, "The end date cannot be before the start date."),
        ({"end_date": "2026-03-16"}, "Give the first day of the range."),
        ({"dates": ["2026-03-04"]}, "Select a valid choice"),
    ],
    ids=["nothing", "end-before-start", "no-start", "not-a-series-date"],
)
def test_bad_skip_input_gets_a_clear_error_and_skips_nothing(scheduler_client, plan_with_a_series, data, message):
    series, _visit = plan_with_a_series
    page = page_of(scheduler_client.post(url("series_skip", pk=series.pk), data))
    assert message in page.text
    assert not SeriesSkip.objects.exists()
    assert series.visits.count() == 4


def test_series_edit_moves_coming_visits_and_keeps_those_changed_one_by_one(scheduler_client, venue, aino):
    series = services.series_create(
        services.SeriesPlan(
            venue=venue,
            rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=4",
            starts_on=TUESDAY,
            start_time=datetime.time(10),
            end_time=datetime.time(12),
        )
    )
    first, second, third, fourth = series.visits.order_by("starts_at")
    services.visit_update(
        visit=second,
        plan=services.VisitPlan(
            venue=venue, starts_at=at(second.occurrence_date, 8), ends_at=at(second.occurrence_date, 9)
        ),
    )
    services.visit_cancel(visit=third, reason=CancelReason.TRAINING, details={"fi": "Henkilöstökoulutus"})

    edit = scheduler_client.get(url("series_edit", pk=series.pk)).content.decode()
    assert 'value="4"' in edit and re.search(r'value="1"[^>]*checked', edit)
    data = series_data(venue, weeks="4", start_time="13:00", end_time="15:00", advisors=[aino.pk])
    response = review_then_save(scheduler_client, url("series_edit", pk=series.pk), data)
    assert response.status_code == 302

    hours = {v.pk: (timezone.localtime(v.starts_at).hour, v.state) for v in series.visits.all()}
    assert hours == {
        first.pk: (13, State.DRAFT),
        second.pk: (8, State.DRAFT),
        third.pk: (10, State.CANCELLED),
        fourth.pk: (13, State.DRAFT),
    }
    assert list(Visit.objects.get(pk=fourth.pk).advisors.all()) == [aino]
    assert not Visit.objects.get(pk=second.pk).advisors.exists()


def test_series_edit_form_keeps_an_advanced_rule_in_the_advanced_field(scheduler_client, venue):
    series = services.series_create(
        services.SeriesPlan(
            venue=venue,
            rrule="FREQ=MONTHLY;BYDAY=1TU;COUNT=3",
            starts_on=TUESDAY,
            start_time=datetime.time(10),
            end_time=datetime.time(12),
        )
    )
    html = scheduler_client.get(url("series_edit", pk=series.pk)).content.decode()
    assert 'value="FREQ=MONTHLY;BYDAY=1TU;COUNT=3"' in html
    assert '<details class="advanced" open>' in html


def test_series_page_publishes_its_drafts(scheduler_client, plan_with_a_series):
    series, _visit = plan_with_a_series
    page = page_of(scheduler_client.get(url("series_detail", pk=series.pk)))
    assert "Publish 4 drafts" in page.text
    visit_ids = [str(pk) for pk in series.visits.values_list("pk", flat=True)]
    scheduler_client.post(url("visits_publish"), {"visits": visit_ids, "next": url("series_detail", pk=series.pk)})
    assert series.visits.filter(state=State.PUBLISHED).count() == 4


# History and coverage ----------------------------------------------------------------------


def test_visit_page_shows_who_changed_the_visit_and_when(scheduler_client, venue):
    review_then_save(scheduler_client, url("visit_create"), visit_data(venue))
    visit = Visit.objects.get()
    scheduler_client.post(url("visits_publish"), {"only": visit.pk})
    with time_machine.travel(NOW + datetime.timedelta(hours=2), tick=False):
        cancel_then_confirm(
            scheduler_client,
            visit,
            {"cancel_reason_code": CancelReason.VENUE_CLOSED, "cancel_reason": "Tila ei ole käytettävissä"},
        )
        page = page_of(scheduler_client.get(url("visit_detail", pk=visit.pk)))
    history = page.text.split("History")[1]
    assert history.count("Sanna Suunnittelija") == 3
    assert "1 Mar, 14:00" in history and "1 Mar, 12:00" in history
    assert "Created" in history
    assert "State: draft → published" in history
    assert "State: published → cancelled" in history
    assert "Reason for cancellation: – → The venue is closed." in history
    assert "Cancellation details (Finnish): – → Tila ei ole käytettävissä" in history
    assert history.index("cancelled") < history.index("Created")


def test_coverage_panel_flags_weeks_without_service_and_the_last_day_of_a_closing_point(scheduler_client):
    empty = AreaFactory(slug="pohjois-espoo", name_fi="Pohjois-Espoo")
    closing = AreaFactory(slug="vanha-espoo", name_fi="Vanha-Espoo")
    covered = AreaFactory(slug="suur-leppavaara", name_fi="Suur-Leppävaara")
    by_visit = AreaFactory(slug="suur-kauklahti", name_fi="Suur-Kauklahti")
    ServicePointFactory(area=closing, name_en="Espoon keskus", closes_on=datetime.date(2026, 3, 20))
    ServicePointFactory(area=covered, name_fi="Leppävaara")
    ServicePointFactory(area=empty, name_fi="Vanha piste", closes_on=datetime.date(2026, 2, 1))
    VisitFactory(venue=VenueFactory(area=by_visit), starts_at=at(TUESDAY, 10), published=True)
    VisitFactory(venue=VenueFactory(area=empty), starts_at=at(TUESDAY, 10))  # a draft is no service

    page = parse(scheduler_client.get(url("calendar"), {"view": "month", "date": "2026-03-03"}).content)

    def cell(slug: str, monday: str):
        return page.select_one(f'.coverage-table tr[data-area="{slug}"] td[data-week="{monday}"]')

    assert "No service" in text(cell("pohjois-espoo", "2026-03-02"))
    assert "Covered" in text(cell("vanha-espoo", "2026-03-16"))
    assert "Espoon keskus – last day 20 Mar" in text(cell("vanha-espoo", "2026-03-16"))
    assert "No service" in text(cell("vanha-espoo", "2026-03-23"))
    assert "Covered" in text(cell("suur-leppavaara", "2026-03-02"))
    assert "0 visits" in text(cell("suur-leppavaara", "2026-03-02"))
    assert "Covered" in text(cell("suur-kauklahti", "2026-03-02"))
    assert "1 visit" in text(cell("suur-kauklahti", "2026-03-02"))
    assert "No service" in text(cell("suur-kauklahti", "2026-03-09"))
    assert "coverage-week--uncovered" in cell("pohjois-espoo", "2026-03-02")["class"]
    assert "coverage-week--uncovered" not in cell("suur-leppavaara", "2026-03-02")["class"]


def test_service_types_are_offered_on_the_visit_form(scheduler_client):
    ServiceTypeFactory(name_en="Digital support")
    assert "Digital support" in page_of(scheduler_client.get(url("visit_create"))).text


def test_a_series_edit_does_not_conflict_with_its_own_visits(scheduler_client, plan_with_a_series, venue, aino):
    series, _visit = plan_with_a_series
    data = series_data(venue, weeks="4", start_time="10:30", end_time="12:30", advisors=[aino.pk])
    review = page_of(scheduler_client.post(url("series_edit", pk=series.pk), {**data, "action": "review"}))
    assert "No conflicts and nothing to warn about." in review.text


@pytest.mark.parametrize(
    "name", ["visit_detail", "visit_edit", "visit_cancel", "visit_restore", "series_detail", "series_edit"]
)
def test_an_unknown_visit_or_series_is_a_404(scheduler_client, name):
    path = url(name, pk=999999)
    response = scheduler_client.post(path) if name in POST_ONLY else scheduler_client.get(path)
    assert response.status_code == 404


def test_editing_a_series_visit_says_it_will_be_detached(scheduler_client, plan_with_a_series):
    _series, visit = plan_with_a_series
    page = page_of(scheduler_client.get(url("visit_edit", pk=visit.pk)))
    assert "Edited here, it is detached" in page.text
