import datetime

import pytest
import time_machine

from tests.factories import ServicePointFactory, ServiceTypeFactory

URL = "/api/v1/service-points"
TODAY = datetime.datetime(2026, 11, 28, 12, tzinfo=datetime.UTC)
XSS = "<img src=x onerror=alert(1)>"
PROPERTIES = {
    "id",
    "slug",
    "name",
    "kind",
    "status",
    "opens_on",
    "closes_on",
    "address",
    "postal_code",
    "city",
    "area",
    "services",
    "url",
}


@pytest.fixture(autouse=True)
def _today_is_28_november_2026(settings):
    settings.SERVICEPOINT_CLOSING_NOTICE_DAYS = 60
    with time_machine.travel(TODAY, tick=False):
        yield


def features_by_slug(response) -> dict[str, dict]:
    assert response.status_code == 200, response.content
    return {f["properties"]["slug"]: f for f in response.json()["features"]}


def test_it_returns_a_geojson_feature_collection_as_the_contract_says(client, espoo_network):
    response = client.get(URL)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert len(body["features"]) == 7
    for feature in body["features"]:
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] == "Point"
        assert set(feature["properties"]) == PROPERTIES


def test_coordinates_are_longitude_then_latitude(client, espoo_network):
    sello = features_by_slug(client.get(URL))["leppavaara"]

    assert sello["geometry"]["coordinates"] == [24.80992, 60.21748]


def test_a_closed_point_is_described_in_full(client, espoo_network):
    tapiola = features_by_slug(client.get(URL))["tapiola"]["properties"]

    assert {k: v for k, v in tapiola.items() if k not in ("id", "services")} == {
        "slug": "tapiola",
        "name": "Tapiolan asiointipiste",
        "kind": "fixed",
        "status": "closed",
        "opens_on": None,
        "closes_on": "2023-06-30",
        "address": "Kauppamiehentie 1",
        "postal_code": "02100",
        "city": "Espoo",
        "area": "suur-tapiola",
        "url": "/fi/service-points/tapiola/",
    }
    assert isinstance(tapiola["id"], int)
    assert set(tapiola["services"]) == {
        "general-guidance",
        "digital-support",
        "hsl-card",
        "event-tickets",
        "printing",
        "kela",
        "e-services",
    }


def test_the_small_scale_point_has_its_kind_and_opening_date(client, espoo_network):
    small = features_by_slug(client.get(URL))["espoon-keskus-pieni"]["properties"]

    assert (small["kind"], small["opens_on"], small["closes_on"]) == ("small", "2022-07-01", None)
    assert small["services"] == ["digital-support", "general-guidance", "hsl-card"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "",
            {
                "matinkyla": "open",
                "leppavaara": "open",
                "kalajarvi": "open",
                "espoonlahti": "closed",
                "espoon-keskus": "closed",
                "tapiola": "closed",
                "espoon-keskus-pieni": "open",
            },
        ),
        (
            "?on=2022-01-01",
            {
                "matinkyla": "open",
                "leppavaara": "open",
                "kalajarvi": "open",
                "espoonlahti": "open",
                "espoon-keskus": "open",
                "tapiola": "open",
                "espoon-keskus-pieni": "planned",
            },
        ),
        (
            "?on=2022-03-31",
            {
                "matinkyla": "open",
                "leppavaara": "open",
                "kalajarvi": "open",
                "espoonlahti": "closing",
                "espoon-keskus": "open",
                "tapiola": "open",
                "espoon-keskus-pieni": "planned",
            },
        ),
        (
            "?on=2022-08-15",
            {
                "matinkyla": "open",
                "leppavaara": "open",
                "kalajarvi": "open",
                "espoonlahti": "closed",
                "espoon-keskus": "closed",
                "tapiola": "open",
                "espoon-keskus-pieni": "open",
            },
        ),
        (
            "?on=2026-11-28&lang=en",
            {
                "matinkyla": "open",
                "leppavaara": "open",
                "kalajarvi": "open",
                "espoonlahti": "closed",
                "espoon-keskus": "closed",
                "tapiola": "closed",
                "espoon-keskus-pieni": "open",
            },
        ),
    ],
)
def test_the_status_is_as_on_the_date_asked_today_by_default(client, espoo_network, query, expected):
    features = features_by_slug(client.get(URL + query))

    assert {slug: f["properties"]["status"] for slug, f in features.items()} == expected


@pytest.mark.parametrize(
    ("lang", "name", "address", "city", "url"),
    [
        ("fi", "Leppävaaran asiointipiste", "Leppävaarankatu 9", "Espoo", "/fi/service-points/leppavaara/"),
        ("sv", "Servicepunkten i Alberga", "Albergagatan 9", "Esbo", "/sv/service-points/leppavaara/"),
        ("en", "Leppävaara service point", "Leppävaarankatu 9", "Espoo", "/en/service-points/leppavaara/"),
    ],
)
def test_names_and_links_come_in_the_language_asked(client, espoo_network, lang, name, address, city, url):
    properties = features_by_slug(client.get(f"{URL}?lang={lang}"))["leppavaara"]["properties"]

    assert (properties["name"], properties["address"], properties["city"], properties["url"]) == (
        name,
        address,
        city,
        url,
    )


def test_finnish_is_the_default_language(client, espoo_network):
    properties = features_by_slug(client.get(URL))["matinkyla"]["properties"]

    assert properties["name"] == "Matinkylän asiointipiste"
    assert properties["url"] == "/fi/service-points/matinkyla/"


def test_the_url_leads_to_the_page_of_the_point(client, espoo_network):
    url = features_by_slug(client.get(f"{URL}?lang=sv"))["tapiola"]["properties"]["url"]

    page = client.get(url)

    assert page.status_code == 200
    assert "Servicepunkten i Hagalund" in page.content.decode()


def test_the_language_of_one_request_does_not_leak_into_the_next(client, espoo_network):
    client.get(f"{URL}?lang=sv")

    properties = features_by_slug(client.get(URL))["leppavaara"]["properties"]

    assert properties["name"] == "Leppävaaran asiointipiste"


@pytest.mark.parametrize(
    ("query", "mentions"),
    [
        ("lang=de", "lang"),
        ("lang=FI", "lang"),
        ("lang=", "lang"),
        ("on=2022-13-01", "on"),
        ("on=2022-02-30", "on"),
        ("on=abc", "on"),
        ("on=2022-1-1", "on"),
        ("on=01.01.2022", "on"),
        ("on=", "on"),
        ("on=2022-01-01T00:00", "on"),
        ("on=2022-01-01&on=2022-01-02", "on"),
        ("on=2022-01-01&on=2022-01-01", "on"),
        ("lang=fi&lang=sv", "lang"),
        ("on=abc&lang=de", "on"),
    ],
)
def test_bad_input_is_refused_with_a_json_error(client, espoo_network, query, mentions):
    response = client.get(f"{URL}?{query}")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert list(body) == ["error"]
    assert isinstance(body["error"], str)
    assert f"'{mentions}'" in body["error"]


def test_a_point_with_markup_in_its_name_comes_back_as_plain_data(client, db):
    ServicePointFactory(slug="hostile", name_fi=XSS, street_address_fi=XSS)

    response = client.get(URL)

    properties = features_by_slug(response)["hostile"]["properties"]
    assert properties["name"] == XSS
    assert properties["address"] == XSS
    assert response["Content-Type"].startswith("application/json")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_services_are_listed_by_slug(client, db):
    point = ServicePointFactory(slug="with-services")
    point.services.add(ServiceTypeFactory(slug="kela"), ServiceTypeFactory(slug="digital-support"))

    properties = features_by_slug(client.get(URL))["with-services"]["properties"]

    assert sorted(properties["services"]) == ["digital-support", "kela"]


@pytest.mark.django_db
def test_an_empty_network_is_an_empty_collection(client):
    assert client.get(URL).json() == {"type": "FeatureCollection", "features": []}


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_it_is_read_only(client, method):
    response = getattr(client, method)(URL)

    assert response.status_code == 405


@pytest.mark.django_db
def test_the_openapi_description_describes_the_service_point_endpoint(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    spec = response.json()
    assert spec["openapi"].startswith("3.")
    operation = spec["paths"]["/api/v1/service-points"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert set(parameters) == {"on", "lang"}
    assert parameters["lang"]["schema"]["enum"] == ["fi", "sv", "en"]
    assert all(not p["required"] for p in parameters.values())
    schemas = spec["components"]["schemas"]
    assert set(schemas["ServicePointProperties"]["properties"]) == PROPERTIES
    assert set(schemas["ServicePointProperties"]["properties"]["status"]["enum"]) == {
        "planned",
        "open",
        "closing",
        "closed",
    }
    assert "200" in operation["responses"]
