"""GET /api/v1/visits, /api/v1/areas and /api/v1/openapi.json: what outside map apps rely on."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from tests.factories import AreaFactory, ServiceTypeFactory
from tests.visits.factories import LanguageFactory, VenueFactory, VisitFactory, at, published
from visits.models import CancelReason
from visits.services import visit_cancel, visits_publish

URL = "/api/v1/visits"
NOW = datetime.datetime(2026, 12, 1, 8, tzinfo=ZoneInfo("Europe/Helsinki"))
PROPERTIES = {
    "id",
    "starts_at",
    "ends_at",
    "status",
    "cancel_reason",
    "venue",
    "area",
    "services",
    "languages",
    "url",
}
SCRIPT_NAME = "</script><script>alert(1)</script>"
IMG_REASON = "<img src=x onerror=alert(1)>"


@pytest.fixture(autouse=True)
def _now_is_tuesday_1_december_2026():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def get_visits(client, **params):
    params = {"start": "2026-12-01", "end": "2026-12-14", **params}
    return client.get(URL, params)


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [feature["properties"]["id"] for feature in response.json()["features"]]


def assert_error(response) -> str:
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"].strip()
    return body["error"]


# The shape of the answer


@pytest.mark.django_db
def test_a_visit_is_a_geojson_feature_with_every_property_of_the_contract(client):
    area = AreaFactory(slug="suur-leppavaara")
    venue = VenueFactory(
        name_fi="Sellon kirjasto",
        street_address_fi="Leppävaarankatu 9",
        city_fi="Espoo",
        latitude=60.21748,
        longitude=24.80992,
        area=area,
    )
    visit = published(
        venue=venue,
        services=[ServiceTypeFactory(slug="digital-support"), ServiceTypeFactory(slug="kela")],
        languages=[LanguageFactory(code="fi"), LanguageFactory(code="sv")],
    )

    response = get_visits(client)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["type"] == "FeatureCollection"
    [feature] = body["features"]
    assert feature["type"] == "Feature"
    assert feature["geometry"] == {"type": "Point", "coordinates": [24.80992, 60.21748]}
    assert set(feature["properties"]) == PROPERTIES
    properties = feature["properties"]
    assert properties["id"] == visit.pk
    assert properties["starts_at"] == "2026-12-07T10:00:00+02:00"
    assert properties["ends_at"] == "2026-12-07T12:00:00+02:00"
    assert properties["status"] == "scheduled"
    assert properties["cancel_reason"] is None
    assert properties["venue"] == {"id": venue.pk, "name": "Sellon kirjasto", "address": "Leppävaarankatu 9, Espoo"}
    assert properties["area"] == "suur-leppavaara"
    assert sorted(properties["services"]) == ["digital-support", "kela"]
    assert sorted(properties["languages"]) == ["fi", "sv"]
    assert properties["url"] == f"/fi/visits/{visit.pk}/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "expected_start", "expected_end"),
    [
        ("2026-12-07", "2026-12-07T10:00:00+02:00", "2026-12-07T12:00:00+02:00"),
        ("2027-06-07", "2027-06-07T10:00:00+03:00", "2027-06-07T12:00:00+03:00"),
    ],
    ids=["winter-time", "summer-time"],
)
def test_times_are_helsinki_wall_clock_with_the_offset_of_the_day(client, day, expected_start, expected_end):
    published(day=day)

    response = get_visits(client, start=day, end=day)

    [feature] = response.json()["features"]
    assert feature["properties"]["starts_at"] == expected_start
    assert feature["properties"]["ends_at"] == expected_end
    assert datetime.datetime.fromisoformat(expected_start) == at(day)


@pytest.mark.django_db
def test_a_cancelled_visit_is_listed_as_cancelled_with_its_reason(client):
    visit = published()
    visit_cancel(visit=visit, reason=CancelReason.ILLNESS, details={"fi": "Neuvoja sairastui."})

    [feature] = get_visits(client).json()["features"]

    assert feature["properties"]["status"] == "cancelled"
    # The standard reason in the language asked (Finnish by default), then the details.
    with translation.override("fi"):
        assert feature["properties"]["cancel_reason"] == f"{CancelReason.ILLNESS.label} Neuvoja sairastui."


@pytest.mark.django_db
def test_drafts_never_appear_and_a_published_draft_does(client):
    draft = VisitFactory(starts_at=at("2026-12-07"), ends_at=at("2026-12-07", "12:00"))
    VisitFactory(starts_at=at("2026-12-08"), ends_at=at("2026-12-08", "12:00"))

    assert ids(get_visits(client)) == []

    visits_publish(visits=[draft])

    assert ids(get_visits(client)) == [draft.pk]


@pytest.mark.django_db
def test_visits_come_in_time_order(client):
    later = published(day="2026-12-09")
    earlier = published(day="2026-12-03")
    same_day_earlier = published(day="2026-12-09", start="08:00", end="09:00")

    assert ids(get_visits(client)) == [earlier.pk, same_day_earlier.pk, later.pk]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("starts_at", "ends_at", "listed"),
    [
        (("2026-12-09", "22:00"), ("2026-12-10", "00:00"), False),
        (("2026-12-09", "23:00"), ("2026-12-10", "01:00"), True),
        (("2026-12-10", "00:00"), ("2026-12-10", "02:00"), True),
        (("2026-12-12", "10:00"), ("2026-12-12", "12:00"), True),
        (("2026-12-12", "23:30"), ("2026-12-13", "01:00"), True),
        (("2026-12-13", "00:00"), ("2026-12-13", "02:00"), False),
    ],
    ids=[
        "ends-at-midnight-of-the-start-day",
        "runs-over-midnight-into-the-start-day",
        "starts-at-midnight-of-the-start-day",
        "on-the-end-date",
        "starts-late-on-the-end-date",
        "starts-at-midnight-after-the-end-date",
    ],
)
def test_visits_overlapping_the_range_are_listed_with_the_end_date_inclusive(client, starts_at, ends_at, listed):
    visit = VisitFactory(published=True, starts_at=at(*starts_at), ends_at=at(*ends_at))

    found = ids(get_visits(client, start="2026-12-10", end="2026-12-12"))

    assert found == ([visit.pk] if listed else [])


@pytest.mark.django_db
def test_a_one_day_range_shows_that_day_only(client):
    published(day="2026-12-06")
    monday = published(day="2026-12-07")
    published(day="2026-12-08")

    assert ids(get_visits(client, start="2026-12-07", end="2026-12-07")) == [monday.pk]


# Filters


@pytest.fixture
def filtered_world():
    """One visit that matches area, service, language and venue, and one that misses each."""
    area, other_area = AreaFactory(slug="suur-tapiola"), AreaFactory(slug="vanha-espoo")
    digital, kela = ServiceTypeFactory(slug="digital-support"), ServiceTypeFactory(slug="kela")
    swedish, finnish = LanguageFactory(code="sv"), LanguageFactory(code="fi")
    venue, other_venue = VenueFactory(area=area), VenueFactory(area=area)
    match = published(venue=venue, services=[digital, kela], languages=[swedish, finnish])
    misses = {
        "area": published(venue=VenueFactory(area=other_area), services=[digital], languages=[swedish]),
        "service": published(venue=venue, services=[kela], languages=[swedish]),
        "language": published(venue=venue, services=[digital], languages=[finnish]),
        "venue": published(venue=other_venue, services=[digital], languages=[swedish]),
    }
    return {"match": match, "misses": misses, "venue": venue}


@pytest.mark.django_db
def test_filters_combine(client, filtered_world):
    query = {
        "area": "suur-tapiola",
        "service": "digital-support",
        "language": "sv",
        "venue": filtered_world["venue"].pk,
    }

    assert ids(get_visits(client, **query)) == [filtered_world["match"].pk]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("only", "also_found"),
    [
        ("area", ["service", "language", "venue"]),
        ("service", ["area", "language", "venue"]),
        ("language", ["area", "service", "venue"]),
        ("venue", ["service", "language"]),
    ],
)
def test_each_filter_narrows_on_its_own(client, filtered_world, only, also_found):
    value = {
        "area": "suur-tapiola",
        "service": "digital-support",
        "language": "sv",
        "venue": filtered_world["venue"].pk,
    }[only]

    found = ids(get_visits(client, **{only: value}))

    expected = [filtered_world["match"]] + [filtered_world["misses"][name] for name in also_found]
    assert found == sorted(v.pk for v in expected)


@pytest.mark.django_db
def test_a_filter_that_matches_nothing_gives_an_empty_collection(client):
    published(services=[ServiceTypeFactory(slug="kela")])
    ServiceTypeFactory(slug="hsl-card")

    response = get_visits(client, service="hsl-card")

    assert response.json() == {"type": "FeatureCollection", "features": []}


# Languages


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "name", "address", "prefix"),
    [
        ("fi", "Sellon kirjasto", "Leppävaarankatu 9, Espoo", "/fi/"),
        ("sv", "Sellobiblioteket", "Albergagatan 9, Esbo", "/sv/"),
        ("en", "Sello library", "Leppävaarankatu 9, Espoo", "/en/"),
    ],
)
def test_names_addresses_and_links_come_in_the_language_asked(client, lang, name, address, prefix):
    venue = VenueFactory(
        name_fi="Sellon kirjasto",
        name_sv="Sellobiblioteket",
        name_en="Sello library",
        street_address_fi="Leppävaarankatu 9",
        street_address_sv="Albergagatan 9",
        street_address_en="",
    )
    visit = published(venue=venue)

    [feature] = get_visits(client, lang=lang).json()["features"]

    assert feature["properties"]["venue"]["name"] == name
    assert feature["properties"]["venue"]["address"] == address
    assert feature["properties"]["url"] == f"{prefix}visits/{visit.pk}/"


@pytest.mark.django_db
def test_the_link_leads_to_the_visit_page(client):
    venue = VenueFactory(name_sv="Sellobiblioteket")
    published(venue=venue)

    [feature] = get_visits(client, lang="sv").json()["features"]
    page = client.get(feature["properties"]["url"])

    assert page.status_code == 200
    assert "Sellobiblioteket" in page.content.decode()


# Bad input


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("end", "ok"),
    [("2027-01-01", True), ("2027-01-02", False)],
    ids=["366-days-inclusive", "367-days"],
)
def test_the_range_may_cover_at_most_366_days(client, end, ok):
    visit = published(day="2027-01-01")

    response = get_visits(client, start="2026-01-01", end=end)

    if ok:
        assert ids(response) == [visit.pk]
    else:
        assert "366" in assert_error(response)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        {"start": "2026-13-01"},
        {"start": "2026-02-30"},
        {"start": "1.12.2026"},
        {"start": "20261201"},
        {"start": "2026-12-01T10:00"},
        {"start": ""},
        {"end": "tomorrow"},
        {"end": "2026-12-1x"},
        {"start": "2026-12-10", "end": "2026-12-09"},
        {"area": "nowhere"},
        {"area": "nul\x00slug"},
        {"service": "flying-lessons"},
        {"language": "xx"},
        {"language": "\x00"},
        {"venue": "abc"},
        {"venue": "1.5"},
        {"venue": "-1"},
        {"venue": "0"},
        {"venue": "99999999999999999999999"},
        {"venue": "2147483648"},
        {"lang": "de"},
        {"lang": ""},
    ],
)
def test_bad_input_is_a_json_400(client, query):
    published(venue=VenueFactory(area=AreaFactory(slug="suur-tapiola")))

    assert_error(get_visits(client, **query))


@pytest.mark.django_db
@pytest.mark.parametrize("missing", ["start", "end"])
def test_start_and_end_are_required(client, missing):
    params = {"start": "2026-12-01", "end": "2026-12-14"}
    del params[missing]

    assert missing in assert_error(client.get(URL, params))


@pytest.mark.django_db
def test_an_unknown_venue_is_named_in_the_error(client):
    venue = VenueFactory()

    error = assert_error(get_visits(client, venue=venue.pk + 1000))

    assert str(venue.pk + 1000) in error


@pytest.mark.django_db
def test_the_end_before_the_start_is_explained(client):
    error = assert_error(get_visits(client, start="2026-12-10", end="2026-12-09"))

    assert "before" in error


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query_string",
    [
        "start=2026-12-01&start=2026-12-02&end=2026-12-14",
        "start=2026-12-01&end=2026-12-14&end=2026-12-13",
        "start=2026-12-01&end=2026-12-14&area=suur-tapiola&area=vanha-espoo",
        "start=2026-12-01&end=2026-12-14&lang=fi&lang=sv",
        "start=2026-12-01&end=2026-12-14&venue=1&venue=2",
    ],
)
def test_a_parameter_given_twice_is_refused(client, query_string):
    AreaFactory(slug="suur-tapiola")
    AreaFactory(slug="vanha-espoo")

    error = assert_error(client.get(f"{URL}?{query_string}"))

    assert "more than once" in error or "times" in error


# Text from the database


@pytest.mark.django_db
def test_markup_in_names_and_reasons_comes_back_as_the_same_plain_text(client):
    visit = published(venue=VenueFactory(name_fi=SCRIPT_NAME))
    visit_cancel(visit=visit, reason=CancelReason.OTHER, details={"fi": IMG_REASON})

    response = get_visits(client)

    assert response["Content-Type"].startswith("application/json")
    assert response["X-Content-Type-Options"] == "nosniff"
    [feature] = response.json()["features"]
    assert feature["properties"]["venue"]["name"] == SCRIPT_NAME
    with translation.override("fi"):
        assert feature["properties"]["cancel_reason"] == f"{CancelReason.OTHER.label} {IMG_REASON}"


# Caching


@pytest.mark.django_db
@pytest.mark.parametrize("url", [f"{URL}?start=2026-12-01&end=2026-12-14", "/api/v1/areas"])
def test_answers_are_public_must_revalidate_and_change_when_a_visit_is_cancelled(
    client, url, _now_is_tuesday_1_december_2026
):
    visit = published(venue=VenueFactory(area=AreaFactory(slug="suur-tapiola")))

    first = client.get(url)
    assert first.status_code == 200
    cache_control = {part.strip() for part in first["Cache-Control"].split(",")}
    assert {"public", "must-revalidate"} <= cache_control
    etag = first["ETag"]
    assert etag

    repeat = client.get(url, headers={"If-None-Match": etag})
    assert repeat.status_code == 304
    assert repeat.content == b""

    _now_is_tuesday_1_december_2026.shift(datetime.timedelta(minutes=5))
    visit_cancel(visit=visit, reason=CancelReason.ILLNESS, details={"fi": "Neuvoja sairastui."})

    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert changed.json() != first.json()


# Areas


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "visits", "uncovered"),
    [
        ({}, 2, False),
        ({"start": "2027-01-04", "end": "2027-01-31"}, 0, True),
        ({"start": "2026-12-28", "end": "2026-12-28"}, 1, False),
        ({"start": "2026-12-01", "end": "2027-12-01"}, 3, False),
    ],
    ids=["default-four-weeks", "a-month-without-visits", "one-day", "a-year"],
)
def test_areas_describe_the_period_asked_for(client, query, visits, uncovered):
    venue = VenueFactory(area=AreaFactory(slug="suur-tapiola"))
    for day in ("2026-12-07", "2026-12-28", "2027-02-01"):
        published(venue=venue, day=day)

    [row] = client.get("/api/v1/areas", query).json()

    assert (row["published_visits"], row["uncovered"]) == (visits, uncovered)


@pytest.mark.django_db
@pytest.mark.parametrize(("lang", "name"), [("fi", "Suur-Tapiola"), ("sv", "Stor-Hagalund"), ("en", "Suur-Tapiola")])
def test_areas_count_the_published_visits_of_the_coming_four_weeks(client, lang, name):
    area = AreaFactory(slug="suur-tapiola", name_fi="Suur-Tapiola", name_sv="Stor-Hagalund", name_en="Suur-Tapiola")
    venue = VenueFactory(area=area)
    published(venue=venue, day="2026-12-07")
    published(venue=venue, day="2026-12-28")
    published(venue=venue, day="2026-12-29")
    VisitFactory(venue=venue, starts_at=at("2026-12-08"), ends_at=at("2026-12-08", "12:00"))
    cancelled = published(venue=venue, day="2026-12-09")
    visit_cancel(visit=cancelled, reason=CancelReason.ILLNESS, details={"fi": "Sairastuminen"})

    response = client.get("/api/v1/areas", {"lang": lang})

    assert response.status_code == 200
    [row] = response.json()
    assert row["slug"] == "suur-tapiola"
    assert row["name"] == name
    assert row["published_visits"] == 2
    assert row["uncovered"] is False


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query_string",
    [
        "lang=de",
        "lang=fi&lang=sv",
        "start=not-a-date",
        "start=2026-12-10&end=2026-12-01",
        "start=2026-01-01&end=2027-12-31",
        "end=0000-00-00",
        "start=2026-12-01&start=2026-12-02",
    ],
)
def test_areas_refuse_bad_input_with_json(client, query_string):
    assert_error(client.get(f"/api/v1/areas?{query_string}"))


# The description


def test_the_openapi_description_covers_every_endpoint(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/service-points", "/api/v1/visits", "/api/v1/areas"} <= set(schema["paths"])
    for path in ("/api/v1/service-points", "/api/v1/visits", "/api/v1/areas"):
        assert "get" in schema["paths"][path]
    visit_parameters = {p["name"]: p for p in schema["paths"]["/api/v1/visits"]["get"]["parameters"]}
    assert {"start", "end", "area", "service", "language", "venue", "lang"} <= set(visit_parameters)
    assert visit_parameters["start"]["required"] is True
    assert visit_parameters["end"]["required"] is True
    assert not visit_parameters["venue"].get("required", False)


def test_the_visit_parameters_are_described_from_the_form_that_checks_them(client):
    from visits.public.forms import VisitFilterForm

    operation = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/visits"]["get"]
    parameters = {p["name"]: p["schema"] for p in operation["parameters"]}

    venue = VisitFilterForm.base_fields["venue"]
    assert (parameters["venue"]["minimum"], parameters["venue"]["maximum"]) == (venue.min_value, venue.max_value)
    for name in ("start", "end"):
        assert parameters[name]["format"] == "date"
        assert "2000-01-01 to 2099-12-31" in parameters[name]["description"]
