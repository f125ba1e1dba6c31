"""Schemathesis, driven by /api/v1/openapi.json, against the app in-process (WSGI, no network).

Every generated request, valid or not by the description, must get a documented status (200 or
400), never a 5xx, with a body that matches the described schema. A request the description
calls valid must be answered 200 where the description can say everything that is required
(/service-points, /announcements); /visits and /areas also need their range to be at most 366 days and not end
before it starts, which JSON Schema cannot state across two parameters, so those may be a 400.
"""

import datetime

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from servicepoints.models import Announcement
from tests.factories import AreaFactory, ServicePointFactory, ServiceTypeFactory
from tests.visits.factories import LanguageFactory, VenueFactory, published
from visits.models import CancelReason
from visits.public.forms import MAX_RANGE_DAYS
from visits.services import visit_cancel

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# What the rows below are made of, and so what generated queries are steered to, part of the time.
DAYS = ["2026-12-01", "2026-12-07", "2026-12-14"]
AREAS = ["suur-tapiola", "suur-leppavaara", "vanha-espoo"]
SERVICES = ["digital-support", "kela"]
LANGUAGES = ["fi", "sv"]


def steered_query(context, query):
    """Many of the /visits and /areas queries get a range the form accepts (at most 366 days),
    often near the rows, and /visits filters that exist, so successful and non-empty answers come
    up, not only 400s for a range or slug the description cannot rule out."""
    if context.operation.path not in ("/api/v1/visits", "/api/v1/areas") or not isinstance(query, dict):
        return st.just(query)
    filters = (
        {
            "area": st.sampled_from(AREAS),
            "service": st.sampled_from(SERVICES),
            "language": st.sampled_from(LANGUAGES),
            "limit": st.integers(1, 4),
        }
        if context.operation.path == "/api/v1/visits"
        else {}
    )
    latest_start = datetime.date(2099, 12, 31) - datetime.timedelta(days=MAX_RANGE_DAYS - 1)
    start = st.one_of(
        st.sampled_from(DAYS).map(datetime.date.fromisoformat), st.dates(datetime.date(2000, 1, 1), latest_start)
    )
    steered = st.fixed_dictionaries(
        {"start": start, "days": st.integers(0, MAX_RANGE_DAYS - 1)},
        optional=filters,
    ).map(
        lambda drawn: {
            **{name: value for name, value in query.items() if name in ("lang", "limit")},
            **{name: value for name, value in drawn.items() if name != "days"},
            "start": drawn["start"].isoformat(),
            "end": (drawn["start"] + datetime.timedelta(days=drawn["days"])).isoformat(),
        }
    )
    return st.one_of(steered, st.just(query))


@pytest.fixture
def _connection_kept_between_requests():
    """As Django's test client does: a WSGI request ends by closing the database connection,
    which on PostgreSQL would end the test's transaction, and the rows with it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def rows(_connection_kept_between_requests):
    """A few areas, kinds of help, languages, venues, visits (one cancelled) and service points."""
    areas = [AreaFactory(slug=slug) for slug in AREAS]
    services = [ServiceTypeFactory(slug=slug) for slug in SERVICES]
    languages = [LanguageFactory(code=code) for code in LANGUAGES]
    for area in areas:
        ServicePointFactory(area=area, opens_on=datetime.date(2020, 1, 1))
        venue = VenueFactory(area=area)
        for day in DAYS:
            published(venue=venue, day=day, services=services[:1], languages=languages)
        visit_cancel(
            visit=published(venue=venue, day=DAYS[1], start="14:00", end="15:00"),
            reason=CancelReason.ILLNESS,
            details={"fi": "Sairastuminen"},
        )
    # One announcement in force whatever today is, with a Finnish text only (the fallback).
    Announcement.objects.create(
        title_fi="Joulutauko",
        text_fi="Palvelu on tauolla.",
        starts_on=datetime.date(2000, 1, 1),
        ends_on=datetime.date(2099, 12, 31),
    )


# Loaded from the app as clients get it; serving the description reads neither database nor cache.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
schema.hook("flatmap_query")(steered_query)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much, HealthCheck.too_slow],
)
def test_the_api_keeps_to_its_description(case, rows):
    response = case.call_and_validate(checks=CHECKS)

    described_fully = case.operation.path in {"/api/v1/service-points", "/api/v1/announcements"}
    if described_fully and case.meta.generation.mode == GenerationMode.POSITIVE:
        assert response.status_code == 200, response.text
