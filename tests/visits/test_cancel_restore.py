"""Cancelling with a standard reason, confirmed, and undoing it (restore) until the visit starts."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from tests.html import parse, text
from tests.visits.factories import (
    AdvisorFactory,
    UserFactory,
    VenueFactory,
    VisitFactory,
    VisitPlanFactory,
    at,
    published,
)
from visits.models import CancelReason, State, VenueException, Visit, VisitAdvisor
from visits.selectors import visit_history
from visits.services import visit_cancel, visit_create, visit_restore

NOW = at("2026-12-01", "10:00")
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tuesday_1_december_2026_in_english():
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        yield


@pytest.fixture
def advisor():
    return AdvisorFactory(user__first_name="Aino", user__last_name="Neuvoja")


def booked(advisor, day: str = "2026-12-07", start: str = "10:00", end: str = "12:00", **kwargs) -> Visit:
    return published(day=day, start=start, end=end, advisors=[advisor], **kwargs)


def staff_client(client, role: str | None):
    user = UserFactory(first_name="Sanna", last_name="Suunnittelija")
    if role:
        user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    return client


@pytest.fixture
def scheduler_client(client):
    return staff_client(client, "scheduler")


def url(name: str, visit: Visit) -> str:
    return reverse(f"staff:{name}", kwargs={"pk": visit.pk})


def page_text(response) -> str:
    assert response.status_code == 200, response.status_code
    return text(parse(response.content.decode()), separator=" ")


def active_bookings(visit: Visit) -> list[bool]:
    return list(VisitAdvisor.objects.filter(visit=visit).values_list("active", flat=True))


# Services ------------------------------------------------------------------------------------


def test_cancelling_keeps_the_standard_reason_and_the_details_in_each_language(advisor):
    visit = booked(advisor)

    visit_cancel(
        visit=visit,
        reason=CancelReason.TRAINING,
        details={"fi": " Uusi aika tulossa. ", "sv": "Ny tid kommer.", "en": ""},
    )

    visit.refresh_from_db()
    assert (visit.state, visit.cancel_reason_code) == (State.CANCELLED, CancelReason.TRAINING)
    assert (visit.cancel_reason, visit.cancel_reason_sv, visit.cancel_reason_en) == (
        "Uusi aika tulossa.",
        "Ny tid kommer.",
        "",
    )
    assert active_bookings(visit) == [False]


def test_a_cancellation_with_details_too_long_is_refused_and_nothing_is_saved(advisor):
    visit = booked(advisor)

    with pytest.raises(ValidationError) as refused:
        visit_cancel(visit=visit, reason=CancelReason.OTHER, details={"sv": "x" * 301})

    assert "cancel_reason_sv" in refused.value.error_dict
    visit.refresh_from_db()
    assert visit.state == State.PUBLISHED
    assert active_bookings(visit) == [True]


def test_restoring_a_published_visit_publishes_it_again_and_books_its_advisor(advisor):
    visit = booked(advisor)
    visit_cancel(visit=visit, reason=CancelReason.ILLNESS, details={"fi": "Neuvoja sairastui."})

    visit_restore(visit=visit)

    visit.refresh_from_db()
    assert visit.state == State.PUBLISHED
    assert visit.is_restorable is False
    assert (visit.cancel_reason_code, visit.cancel_reason, visit.cancelled_at) == ("", "", None)
    assert active_bookings(visit) == [True]
    assert visit in Visit.objects.public()
    # Booked again: the advisor cannot be put in an overlapping visit.
    with pytest.raises(ValidationError, match="already booked"):
        visit_create(
            VisitPlanFactory(starts_at=at("2026-12-07", "11:00"), ends_at=at("2026-12-07", "13:00"), advisors=[advisor])
        )


def test_restoring_a_cancelled_draft_makes_it_a_draft_again(advisor):
    visit = VisitFactory(starts_at=at("2026-12-07", "10:00"), ends_at=at("2026-12-07", "12:00"), advisors=[advisor])
    visit_cancel(visit=visit, reason=CancelReason.OTHER)

    visit_restore(visit=visit)

    visit.refresh_from_db()
    assert (visit.state, visit.published_at) == (State.DRAFT, None)
    assert visit not in Visit.objects.public()


@pytest.mark.parametrize(
    ("start", "end"),
    [("09:00", "11:00"), ("10:00", "10:30"), ("08:00", "09:00")],
    ids=["started", "starting-this-very-moment", "over"],
)
def test_a_visit_that_has_started_or_is_over_cannot_be_restored(advisor, start, end):
    visit = VisitFactory(
        cancelled=True, starts_at=at("2026-12-01", start), ends_at=at("2026-12-01", end), advisors=[advisor]
    )

    with pytest.raises(ValidationError, match="already started"):
        visit_restore(visit=visit)

    visit.refresh_from_db()
    assert (visit.state, visit.cancel_reason_code) == (State.CANCELLED, CancelReason.ILLNESS)
    assert active_bookings(visit) == [False]


def test_a_visit_that_is_not_cancelled_cannot_be_restored(advisor):
    visit = booked(advisor)

    with pytest.raises(ValidationError, match="Only a cancelled visit"):
        visit_restore(visit=visit)


def test_restoring_is_refused_when_the_advisor_has_meanwhile_been_booked_elsewhere(advisor):
    visit = booked(advisor)
    visit_cancel(visit=visit, reason=CancelReason.ILLNESS)
    other = booked(advisor, start="11:00", end="13:00", venue=VenueFactory(name_en="Entresse library"))

    with pytest.raises(ValidationError) as refused:
        visit_restore(visit=visit)

    assert refused.value.messages == [
        f"Aino Neuvoja is already booked: visit #{other.pk}, Entresse library, 7 Dec 11:00–13:00."
    ]
    visit.refresh_from_db()
    assert visit.state == State.CANCELLED
    assert active_bookings(visit) == [False]


def test_restoring_is_refused_when_the_venue_is_now_closed_that_day(advisor):
    visit = booked(advisor)
    visit_cancel(visit=visit, reason=CancelReason.VENUE_CLOSED)
    VenueException.objects.create(
        venue=visit.venue,
        start_date=datetime.date(2026, 12, 7),
        end_date=datetime.date(2026, 12, 7),
        closed=True,
        reason="Remontti",
    )

    with pytest.raises(ValidationError, match="is closed on") as refused:
        visit_restore(visit=visit)

    assert "Remontti" in refused.value.messages[0]
    visit.refresh_from_db()
    assert visit.state == State.CANCELLED
    assert active_bookings(visit) == [False]


def test_the_history_shows_the_cancellation_with_its_reason_and_the_restore(advisor):
    visit = booked(advisor)
    visit_cancel(visit=visit, reason=CancelReason.ILLNESS, details={"fi": "Neuvoja sairastui."})
    visit_restore(visit=visit)

    changes = [
        f"{change.label}: {change.old} → {change.new}"
        for entry in visit_history(visit=visit)
        for change in entry.changes
    ]

    assert "state: cancelled → published" in changes
    assert "state: published → cancelled" in changes
    assert "reason for cancellation: – → The advisor is ill." in changes
    assert "reason for cancellation: The advisor is ill. → –" in changes
    assert "cancellation details (Finnish): – → Neuvoja sairastui." in changes


# Staff pages ---------------------------------------------------------------------------------


def test_the_first_submit_shows_what_residents_will_be_told_and_cancels_nothing(scheduler_client, advisor):
    visit = booked(advisor)
    data = {"cancel_reason_code": CancelReason.ILLNESS, "cancel_reason": "Uusi aika tulossa.", "action": "review"}

    response = scheduler_client.post(url("visit_cancel", visit), data)

    shown = page_text(response)
    assert "Residents will be told" in shown
    assert "The advisor is ill. Uusi aika tulossa." in shown
    assert "You can restore it until it starts." in shown
    soup = parse(response.content.decode())
    # The Swedish and English residents read the Finnish details, marked as Finnish.
    assert [span["lang"] for span in soup.select("#cancel-preview dd span")] == ["fi", "fi", "sv", "fi", "en", "fi"]
    assert soup.find("button", attrs={"name": "action", "value": "save"})
    visit.refresh_from_db()
    assert visit.state == State.PUBLISHED


def test_the_confirming_submit_cancels_with_what_was_shown(scheduler_client, advisor):
    visit = booked(advisor)
    data = {"cancel_reason_code": CancelReason.ILLNESS, "cancel_reason_sv": "Ny tid kommer."}
    review = parse(scheduler_client.post(url("visit_cancel", visit), {**data, "action": "review"}).content.decode())
    acknowledged = review.find("input", attrs={"name": "acknowledged"})["value"]

    response = scheduler_client.post(
        url("visit_cancel", visit), {**data, "action": "save", "acknowledged": acknowledged}, follow=True
    )

    assert "The visit was cancelled." in page_text(response)
    visit.refresh_from_db()
    assert (visit.state, visit.cancel_reason_code, visit.cancel_reason_sv) == (
        State.CANCELLED,
        CancelReason.ILLNESS,
        "Ny tid kommer.",
    )


def test_a_confirmation_of_something_else_than_was_shown_only_shows_it_again(scheduler_client, advisor):
    visit = booked(advisor)
    shown = {"cancel_reason_code": CancelReason.ILLNESS}
    review = parse(scheduler_client.post(url("visit_cancel", visit), {**shown, "action": "review"}).content.decode())
    acknowledged = review.find("input", attrs={"name": "acknowledged"})["value"]

    changed = {"cancel_reason_code": CancelReason.TRAINING, "action": "save", "acknowledged": acknowledged}
    response = scheduler_client.post(url("visit_cancel", visit), changed)

    assert "The advisor is in training." in page_text(response)
    visit.refresh_from_db()
    assert visit.state == State.PUBLISHED


def test_a_cancel_without_a_reason_says_so_and_saves_nothing(scheduler_client, advisor):
    visit = booked(advisor)

    response = scheduler_client.post(url("visit_cancel", visit), {"cancel_reason": "Sairastuminen", "action": "save"})

    assert "Choose the reason residents will see for the cancellation." in page_text(response)
    visit.refresh_from_db()
    assert visit.state == State.PUBLISHED


def test_a_cancelled_visit_page_offers_restore_and_says_what_residents_will_see(scheduler_client, advisor):
    visit = booked(advisor)
    visit_cancel(visit=visit, reason=CancelReason.ILLNESS, details={"fi": "Neuvoja sairastui."})

    shown = page_text(scheduler_client.get(url("visit_detail", visit)))

    assert "Reason residents see: The advisor is ill." in shown
    assert "Details in Finnish Neuvoja sairastui." in shown
    assert "residents see it as scheduled" in shown
    assert "Restore the visit" in shown


def test_a_restore_from_the_visit_page_publishes_it_again(scheduler_client, advisor):
    visit = booked(advisor)
    visit_cancel(visit=visit, reason=CancelReason.ILLNESS)

    response = scheduler_client.post(url("visit_restore", visit), follow=True)

    shown = page_text(response)
    assert "The visit was restored." in shown
    assert "State: cancelled → published" in shown
    assert "Restore the visit" not in shown
    visit.refresh_from_db()
    assert visit.state == State.PUBLISHED


def test_a_restore_of_a_visit_already_over_is_refused_with_a_message(scheduler_client, advisor):
    visit = VisitFactory(cancelled=True, starts_at=at("2026-11-30", "10:00"), ends_at=at("2026-11-30", "12:00"))

    page = page_text(scheduler_client.get(url("visit_detail", visit)))
    response = scheduler_client.post(url("visit_restore", visit), follow=True)

    assert "Restore the visit" not in page
    assert "A visit that has already started cannot be restored." in page_text(response)
    visit.refresh_from_db()
    assert visit.state == State.CANCELLED


def test_a_refused_restore_names_the_advisors_other_visit(scheduler_client, advisor):
    visit = booked(advisor)
    visit_cancel(visit=visit, reason=CancelReason.ILLNESS)
    other = booked(advisor, start="11:00", end="13:00")

    response = scheduler_client.post(url("visit_restore", visit), follow=True)

    assert f"Aino Neuvoja is already booked: visit #{other.pk}" in page_text(response)
    visit.refresh_from_db()
    assert visit.state == State.CANCELLED


def test_restore_is_post_only(scheduler_client, advisor):
    visit = VisitFactory(cancelled=True, starts_at=at("2026-12-07", "10:00"), ends_at=at("2026-12-07", "12:00"))

    assert scheduler_client.get(url("visit_restore", visit)).status_code == 405


@pytest.mark.parametrize("role", ["advisor", None])
def test_only_a_scheduler_may_restore(client, role):
    visit = VisitFactory(cancelled=True, starts_at=at("2026-12-07", "10:00"), ends_at=at("2026-12-07", "12:00"))
    staff_client(client, role)

    assert client.post(url("visit_restore", visit)).status_code == 403
    if role:
        assert "Restore the visit" not in page_text(client.get(url("visit_detail", visit)))
    visit.refresh_from_db()
    assert visit.state == State.CANCELLED
