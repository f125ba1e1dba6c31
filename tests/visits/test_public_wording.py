"""One wording for a visit whose kinds of help or languages were left empty, on every surface."""

import datetime
import json
import re

import pytest
import time_machine
from icalendar import Calendar

from tests.factories import AreaFactory, ServiceTypeFactory
from tests.visits.factories import LanguageFactory, VenueFactory, published

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(datetime.datetime(2026, 12, 3, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def bare_visit():
    ServiceTypeFactory(slug="general-guidance", name_en="General guidance")
    LanguageFactory(code="fi", name_en="Finnish")
    area = AreaFactory(slug="suur-leppavaara")
    return published(venue=VenueFactory(area=area, name_en="Sello library"))


def test_the_visit_page_list_and_print_page_say_general_guidance_in_finnish(client, bare_visit):
    pages = [
        f"/en/visits/{bare_visit.pk}/",
        "/en/visits/?start=2026-12-07&end=2026-12-07",
        "/en/visits/print/?area=suur-leppavaara",
    ]
    for url in pages:
        text = re.sub(r"<[^>]+>", " ", client.get(url).content.decode())
        assert "General guidance" in text, url
        assert "Finnish" in text, url


def test_the_api_feed_and_structured_data_say_general_guidance_in_finnish(client, bare_visit):
    [feature] = client.get("/api/v1/visits?start=2026-12-07&end=2026-12-07&lang=en").json()["features"]
    assert feature["properties"]["services"] == ["general-guidance"]
    assert feature["properties"]["languages"] == ["fi"]

    [event] = Calendar.from_ical(client.get("/calendar.ics?lang=en").content).walk("VEVENT")
    assert str(event["DESCRIPTION"]).splitlines() == ["General guidance"]

    page = client.get(f"/en/visits/{bare_visit.pk}/").content.decode()
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert data["inLanguage"] == ["fi"]
    assert data["description"] == "General guidance"


def test_filters_for_general_guidance_and_finnish_find_the_visit(client, bare_visit):
    for query in ("service=general-guidance", "language=fi"):
        features = client.get(f"/api/v1/visits?start=2026-12-07&end=2026-12-07&{query}").json()["features"]
        assert [f["properties"]["id"] for f in features] == [bare_visit.pk], query
