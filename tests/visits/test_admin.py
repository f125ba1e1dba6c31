"""The Django admin of the mobile service: every page loads, venues are placed on a map in Espoo."""

import datetime

import pytest
from django.urls import reverse

from tests.factories import AreaFactory
from tests.visits.factories import (
    AdvisorFactory,
    LanguageFactory,
    SeriesSkipFactory,
    VenueFactory,
    VenueOpeningHoursFactory,
    VisitFactory,
    VisitSeriesFactory,
)
from visits.models import CancelReason, State, Venue
from visits.services import visit_cancel

pytestmark = pytest.mark.django_db


@pytest.fixture
def objects():
    advisor = AdvisorFactory(languages=[LanguageFactory(code="fi")])
    venue = VenueFactory()
    VenueOpeningHoursFactory(venue=venue)
    series = VisitSeriesFactory(venue=venue, advisors=[advisor])
    SeriesSkipFactory(series=series)
    visit = VisitFactory(venue=venue, series=series, advisors=[advisor], published=True)
    visit_cancel(visit=visit, reason=CancelReason.ILLNESS, details={"fi": "Neuvoja sairastui."})
    return {
        "venue": venue,
        "advisor": advisor,
        "visit": visit,
        "visitseries": series,
        "language": advisor.languages.get(),
    }


MODELS = ["venue", "advisor", "visit", "visitseries", "language"]


@pytest.mark.parametrize("model", MODELS)
def test_the_changelist_loads_for_a_superuser(admin_client, objects, model):
    response = admin_client.get(reverse(f"admin:visits_{model}_changelist"))

    assert response.status_code == 200
    assert str(objects[model]) in response.content.decode()


@pytest.mark.parametrize("model", MODELS)
def test_the_change_page_loads_for_a_superuser(admin_client, objects, model):
    response = admin_client.get(reverse(f"admin:visits_{model}_change", args=[objects[model].pk]))

    assert response.status_code == 200


@pytest.mark.parametrize("model", ["visit", "visitseries"])
def test_the_history_of_visits_and_series_can_be_read(admin_client, objects, model):
    response = admin_client.get(reverse(f"admin:visits_{model}_history", args=[objects[model].pk]))

    assert response.status_code == 200


def test_the_visit_changelist_filters_by_state(admin_client, objects):
    draft = VisitFactory(venue=objects["venue"], starts_at=objects["visit"].starts_at + datetime.timedelta(days=1))

    response = admin_client.get(reverse("admin:visits_visit_changelist"), {"state__exact": State.DRAFT})

    assert list(response.context["cl"].result_list) == [draft]


def test_visits_and_series_are_planned_in_the_staff_calendar_not_added_in_the_admin(admin_client):
    for model in ("visit", "visitseries"):
        assert admin_client.get(reverse(f"admin:visits_{model}_add")).status_code == 403


def test_the_venue_form_has_the_location_picker(admin_client, objects):
    html = admin_client.get(reverse("admin:visits_venue_change", args=[objects["venue"].pk])).content.decode()

    assert 'data-location-picker="latitude"' in html
    assert 'data-location-picker="longitude"' in html
    assert "leaflet/leaflet.js" in html
    assert "js/admin-location-picker.js" in html


def venue_form(area, **overrides) -> dict:
    data = {
        "name_fi": "Matinkylän kirjasto",
        "name_sv": "Mattby bibliotek",
        "name_en": "Matinkylä library",
        "kind": Venue.Kind.LIBRARY,
        "area": area.pk,
        "active": "on",
        "street_address_fi": "Piispansilta 11",
        "postal_code": "02230",
        "city_fi": "Espoo",
        "latitude": "60.1618",
        "longitude": "24.7377",
        "opening_hours-TOTAL_FORMS": "1",
        "opening_hours-INITIAL_FORMS": "0",
        "opening_hours-MIN_NUM_FORMS": "0",
        "opening_hours-MAX_NUM_FORMS": "1000",
        "exceptions-TOTAL_FORMS": "0",
        "exceptions-INITIAL_FORMS": "0",
        "opening_hours-0-weekday": "0",
        "opening_hours-0-opens": "10:00",
        "opening_hours-0-closes": "20:00",
    }
    return data | overrides


def test_a_venue_placed_in_espoo_is_saved_with_its_hours(admin_client):
    area = AreaFactory()

    response = admin_client.post(reverse("admin:visits_venue_add"), venue_form(area))

    assert response.status_code == 302
    venue = Venue.objects.get()
    assert (venue.name_fi, venue.latitude, venue.longitude) == ("Matinkylän kirjasto", 60.1618, 24.7377)
    assert [(h.weekday, h.opens, h.closes) for h in venue.opening_hours.all()] == [
        (0, datetime.time(10), datetime.time(20))
    ]


@pytest.mark.parametrize(
    ("coordinates", "field"),
    [
        ({"latitude": "61.4978", "longitude": "23.7610"}, "latitude"),
        ({"latitude": "60.1699", "longitude": "25.9384"}, "longitude"),
        ({"latitude": "24.7377", "longitude": "60.1618"}, "latitude"),
    ],
    ids=["tampere", "east-of-helsinki", "swapped"],
)
def test_a_venue_placed_far_outside_espoo_is_refused(admin_client, coordinates, field):
    response = admin_client.post(reverse("admin:visits_venue_add"), venue_form(AreaFactory(), **coordinates))

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert "Espoo" in " ".join(response.context["adminform"].form.errors[field])
    assert not Venue.objects.exists()


def test_venue_opening_hours_closing_before_opening_are_refused(admin_client):
    data = venue_form(AreaFactory(), **{"opening_hours-0-opens": "16:00", "opening_hours-0-closes": "10:00"})

    response = admin_client.post(reverse("admin:visits_venue_add"), data)

    assert response.status_code == 200
    assert not Venue.objects.exists()


def test_the_admin_cannot_move_a_visit_behind_the_double_booking_rules(admin_client, objects):
    """Times and state are read-only in the admin: the services keep the advisors' bookings in step."""
    visit = objects["visit"]
    html = admin_client.get(reverse("admin:visits_visit_change", args=[visit.pk])).content.decode()

    assert 'name="starts_at' not in html
    assert 'name="state"' not in html
    assert 'name="venue"' not in html


@pytest.mark.parametrize("model", ["visit", "visitseries"])
def test_the_admin_offers_no_change_or_delete_of_visits_and_series(admin_client, objects, model):
    obj = objects[model]
    change = reverse(f"admin:visits_{model}_change", args=[obj.pk])
    page = admin_client.get(change).content.decode()

    assert 'name="_save"' not in page
    assert admin_client.post(change, {"audience_note": "Changed behind the services"}).status_code == 403
    assert admin_client.post(reverse(f"admin:visits_{model}_delete", args=[obj.pk]), {"post": "yes"}).status_code == 403
    bulk = admin_client.post(
        reverse(f"admin:visits_{model}_changelist"),
        {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    assert type(obj).objects.filter(pk=obj.pk).exists()


def test_reverting_a_visit_in_the_admin_history_is_refused_and_cannot_double_book(admin_client):
    from visits.models import Visit, VisitAdvisor
    from visits.services import VisitPlan, visit_create, visit_update

    advisor, venue = AdvisorFactory(), VenueFactory()
    day = datetime.date(2030, 3, 4)

    def plan(start: int) -> VisitPlan:
        from visits.recurrence import local_datetime

        return VisitPlan(
            venue=venue,
            starts_at=local_datetime(day, datetime.time(start)),
            ends_at=local_datetime(day, datetime.time(start + 2)),
            advisors=[advisor],
        )

    first = visit_create(plan(10))
    original = first.history.earliest()
    visit_update(visit=first, plan=plan(14))
    visit_create(plan(10))
    url = reverse("admin:visits_visit_simple_history", args=[first.pk, original.history_id])

    shown = admin_client.get(url)
    refused = admin_client.post(url, {"audience_note": ""})

    assert shown.status_code == 200
    assert "Revert" not in shown.content.decode()
    assert refused.status_code == 403
    first.refresh_from_db()
    assert first.starts_at == plan(14).starts_at
    assert Visit.objects.count() == 2
    for booking in VisitAdvisor.objects.all():
        assert (booking.starts_at, booking.ends_at) == (booking.visit.starts_at, booking.visit.ends_at)
