"""GET /api/v1/openapi.json: a description clients can trust, every response and limit stated."""

import datetime
import re

import pytest

from common.api import DATE_PATTERN
from common.forms import EARLIEST_DATE, LATEST_DATE
from tests.factories import ServicePointFactory
from tests.visits.factories import published
from visits.api import DEFAULT_LIMIT, MAX_LIMIT

OPERATIONS = ["/api/v1/service-points", "/api/v1/visits", "/api/v1/areas", "/api/v1/announcements"]
DATE_PARAMETERS = [("/api/v1/service-points", "on"), ("/api/v1/visits", "start"), ("/api/v1/visits", "end")]


@pytest.fixture(scope="module")
def document():
    from django.test import Client

    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def resolve(document: dict, schema: dict) -> dict:
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        return document["components"]["schemas"][name]
    return schema


def parameters(document: dict, path: str) -> dict[str, dict]:
    return {p["name"]: p for p in document["paths"][path]["get"]["parameters"]}


@pytest.mark.parametrize("path", OPERATIONS)
def test_every_operation_states_its_answer_and_its_error(document, path):
    responses = document["paths"][path]["get"]["responses"]

    assert set(responses) == {"200", "400"}
    assert resolve(document, responses["200"]["content"]["application/json"]["schema"])
    error = resolve(document, responses["400"]["content"]["application/json"]["schema"])
    assert error["type"] == "object"
    assert error["required"] == ["error"]
    assert error["properties"]["error"]["type"] == "string"


@pytest.mark.parametrize(("path", "name"), DATE_PARAMETERS)
def test_every_date_parameter_states_its_form_and_range(document, path, name):
    schema = parameters(document, path)[name]["schema"]

    assert schema["type"] == "string"
    assert schema["format"] == "date"
    assert (schema["formatMinimum"], schema["formatMaximum"]) == ("2000-01-01", "2099-12-31")
    assert "2000-01-01 to 2099-12-31" in schema["description"]


@pytest.mark.parametrize(("path", "name"), DATE_PARAMETERS)
@pytest.mark.parametrize(
    ("value", "admitted"),
    [
        ("2000-01-01", True),
        ("2026-12-01", True),
        ("2099-12-31", True),
        ("1999-12-31", False),
        ("2100-01-01", False),
        ("0000-00-00", False),
        ("2026-00-10", False),
        ("2026-13-01", False),
        ("2026-12-00", False),
        ("2026-12-32", False),
        ("2026-1-1", False),
    ],
)
def test_a_date_pattern_admits_the_accepted_range_and_nothing_outside(document, path, name, value, admitted):
    pattern = parameters(document, path)[name]["schema"]["pattern"]

    assert bool(re.search(pattern, value)) is admitted


def test_the_date_pattern_spells_the_forms_own_range():
    """A change of the forms' range must change DATE_PATTERN too."""
    day = datetime.timedelta(days=1)

    assert re.search(DATE_PATTERN, EARLIEST_DATE.isoformat())
    assert re.search(DATE_PATTERN, LATEST_DATE.isoformat())
    assert not re.search(DATE_PATTERN, (EARLIEST_DATE - day).isoformat())
    assert not re.search(DATE_PATTERN, (LATEST_DATE + day).isoformat())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("on=2000-01-01", 200),
        ("on=2099-12-31", 200),
        ("on=1999-12-31", 400),
        ("on=2100-01-01", 400),
        ("on=0000-00-00", 400),
        ("on=2026-02-29", 400),
    ],
)
def test_service_points_answer_every_date_the_description_admits(client, query, status):
    ServicePointFactory()

    response = client.get(f"/api/v1/service-points?{query}")

    assert response.status_code == status, response.content
    if status == 400:
        assert "'on'" in response.json()["error"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "end", "status"),
    [
        ("2000-01-01", "2000-12-31", 200),
        ("2099-01-01", "2099-12-31", 200),
        ("2099-12-31", "2099-12-31", 200),
        ("1999-12-31", "2000-01-01", 400),
        ("2099-12-31", "2100-01-01", 400),
    ],
)
def test_visits_answer_every_date_the_description_admits(client, start, end, status):
    published(day="2026-12-07")

    response = client.get("/api/v1/visits", {"start": start, "end": end})

    assert response.status_code == status, response.content


def test_ids_have_minimums(document):
    schemas = document["components"]["schemas"]

    assert parameters(document, "/api/v1/visits")["venue"]["schema"]["minimum"] == 1
    for name in ("ServicePointProperties", "VisitProperties", "VenueRef"):
        assert schemas[name]["properties"]["id"]["minimum"] == 1


@pytest.mark.parametrize("path", OPERATIONS)
def test_optional_parameters_are_never_null(document, path):
    """A query string cannot carry a null: an optional parameter is absent or has a value."""
    for parameter in parameters(document, path).values():
        assert "anyOf" not in parameter["schema"], parameter["name"]
        assert parameter["schema"]["type"] in ("string", "integer"), parameter["name"]


def test_the_visits_are_described_a_page_at_a_time(document):
    visit_parameters = parameters(document, "/api/v1/visits")
    limit, after = visit_parameters["limit"]["schema"], visit_parameters["after"]["schema"]
    collection = document["components"]["schemas"]["VisitCollection"]

    assert (limit["minimum"], limit["maximum"], limit["default"]) == (1, MAX_LIMIT, DEFAULT_LIMIT)
    assert not visit_parameters["limit"].get("required", False)
    assert after["type"] == "string"
    assert re.search(after["pattern"], "1796630400_123")
    assert not visit_parameters["after"].get("required", False)
    assert "next" in collection["properties"]
    assert "next" not in collection["required"]
    assert "next" in document["paths"]["/api/v1/visits"]["get"]["description"]
