"""GET /api/v1/areas: every urban centre with its face-to-face coverage, in the language asked."""

import datetime

import pytest
import time_machine

from tests.factories import AreaFactory, ServicePointFactory
from tests.visits.factories import VenueFactory, VisitFactory
from visits.recurrence import local_datetime

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2027, 2, 15, 9, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2027, 2, 15)
URL = "/api/v1/areas"


@pytest.fixture(autouse=True)
def _frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def leppavaara():
    return AreaFactory(
        slug="suur-leppavaara", name_fi="Suur-Leppävaara", name_sv="Stor-Alberga", name_en="Suur-Leppävaara"
    )


@pytest.fixture
def tapiola():
    return AreaFactory(slug="suur-tapiola", name_fi="Suur-Tapiola", name_sv="Stor-Hagalund", name_en="Suur-Tapiola")


def by_slug(response) -> dict[str, dict]:
    assert response.status_code == 200
    return {area["slug"]: area for area in response.json()}


@pytest.mark.parametrize(
    ("query", "name"),
    [("", "Suur-Tapiola"), ("?lang=fi", "Suur-Tapiola"), ("?lang=sv", "Stor-Hagalund"), ("?lang=en", "Suur-Tapiola")],
    ids=["default", "fi", "sv", "en"],
)
def test_areas_are_named_in_the_language_asked(client, tapiola, query, name):
    areas = by_slug(client.get(URL + query))

    assert areas["suur-tapiola"]["name"] == name


def test_the_swedish_names_are_not_the_finnish_ones(client, leppavaara):
    areas = by_slug(client.get(URL, {"lang": "sv"}))

    assert areas["suur-leppavaara"]["name"] == "Stor-Alberga"


def test_each_area_reports_its_coverage(client, leppavaara, tapiola):
    ServicePointFactory(area=leppavaara, closes_on=TODAY + datetime.timedelta(days=20))
    ServicePointFactory(area=leppavaara)
    start = local_datetime(TODAY + datetime.timedelta(days=3), datetime.time(10))
    VisitFactory(
        venue=VenueFactory(area=leppavaara),
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=4),
        published=True,
    )

    areas = by_slug(client.get(URL))

    assert areas == {
        "suur-leppavaara": {
            "slug": "suur-leppavaara",
            "name": "Suur-Leppävaara",
            "open_service_points": 2,
            "closing_service_points": 1,
            "published_visits": 1,
            "uncovered": False,
            "losing_last_point": False,
        },
        "suur-tapiola": {
            "slug": "suur-tapiola",
            "name": "Suur-Tapiola",
            "open_service_points": 0,
            "closing_service_points": 0,
            "published_visits": 0,
            "uncovered": True,
            "losing_last_point": False,
        },
    }


def test_an_area_whose_only_point_closes_within_four_weeks_is_reported_as_losing_it(client, tapiola):
    ServicePointFactory(area=tapiola, closes_on=TODAY + datetime.timedelta(days=27))

    area = by_slug(client.get(URL))["suur-tapiola"]

    assert (area["losing_last_point"], area["uncovered"]) == (True, False)


@pytest.mark.parametrize("visit", [{"cancelled": True}, {}], ids=["cancelled", "draft"])
def test_cancelled_and_draft_visits_leave_an_area_uncovered(client, tapiola, visit):
    start = local_datetime(TODAY + datetime.timedelta(days=3), datetime.time(10))
    VisitFactory(
        venue=VenueFactory(area=tapiola), starts_at=start, ends_at=start + datetime.timedelta(hours=2), **visit
    )

    area = by_slug(client.get(URL))["suur-tapiola"]

    assert (area["published_visits"], area["uncovered"]) == (0, True)


@pytest.mark.parametrize(
    "query", ["?lang=de", "?lang=", "?lang=FI", "?lang=fi&lang=sv"], ids=["german", "empty", "upper-case", "twice"]
)
def test_a_bad_language_is_a_json_400_naming_the_problem(client, tapiola, query):
    response = client.get(URL + query)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert set(response.json()) == {"error"}
    assert "lang" in response.json()["error"]
