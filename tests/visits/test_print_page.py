"""The printable schedule for a notice board: a print button, the nearest open service point and a
QR code of the live schedule."""

import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import segno
import time_machine
from django.conf import settings

from servicepoints.models import ServicePoint
from tests.factories import AreaFactory, ServicePointFactory
from tests.html import parse, text
from tests.visits.factories import VenueFactory, published

NOW = datetime.datetime(2026, 12, 1, 8, tzinfo=ZoneInfo("Europe/Helsinki"))
TODAY = NOW.date()
# Degrees of latitude per kilometre, near enough for ordering by distance.
KM = 1 / 111


@pytest.fixture(autouse=True)
def _now_is_tuesday_1_december_2026():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def area():
    area = AreaFactory(slug="suur-matinkyla", name_en="Matinkylä", latitude=60.16, longitude=24.74)
    published(venue=VenueFactory(area=area))
    return area


def point(name: str, km: float, **kwargs) -> ServicePoint:
    return ServicePointFactory(name_en=name, latitude=60.16 + km * KM, longitude=24.74, **kwargs)


def printed(client, lang: str = "en", area: str = "suur-matinkyla"):
    response = client.get(f"/{lang}/visits/print/", {"area": area})
    assert response.status_code == 200
    return parse(response.content.decode())


def qr_path(url: str) -> str:
    """The path of the modules segno draws for `url`, as the page's SVG holds it."""
    svg = parse(segno.make(url, error="m").svg_inline(omitsize=True))
    return svg.find("path")["d"]


@pytest.mark.django_db
def test_the_print_button_is_wired_by_a_script_and_never_printed(client, area):
    page = printed(client)

    [button] = page.select("#print-button")
    assert button.name == "button" and button["type"] == "button"
    assert "Print" in text(button)
    assert "no-print" in button.find_parent(class_="no-print")["class"]
    script = page.find("script", src=f"{settings.STATIC_URL}js/print-button.js")
    assert script is not None and not script.get_text().strip()
    assert "window.print()" in (Path(settings.BASE_DIR) / "static/js/print-button.js").read_text()


@pytest.mark.django_db
def test_it_names_the_nearest_fixed_point_open_today(client, area):
    point("Closed next door", 0.1, closes_on=TODAY - datetime.timedelta(days=1))
    point("Opening next year", 0.2, opens_on=TODAY + datetime.timedelta(days=365))
    point("Small point nearby", 0.3, kind=ServicePoint.Kind.SMALL)
    point("Iso Omena", 1, street_address_en="Piispansilta 11", postal_code="02230")
    point("Far away", 5)

    section = printed(client).find("section", class_="print-nearest")

    assert "Nearest open service point" in text(section)
    assert "Iso Omena, Piispansilta 11, 02230 Espoo" in text(section)
    for other in ("Closed next door", "Opening next year", "Small point nearby", "Far away"):
        assert other not in text(section)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("closes_on", "last_day"),
    # The year is left out in this year (2026) and written in another.
    [(datetime.date(2026, 12, 20), "20 Dec"), (datetime.date(2027, 1, 10), "10 Jan 2027")],
)
def test_a_nearest_point_that_is_closing_shows_its_last_day(client, area, closes_on, last_day):
    point("Iso Omena", 1, closes_on=closes_on)

    section = printed(client).find("section", class_="print-nearest")

    assert "Iso Omena" in text(section)
    assert f"Last day of service: {last_day}" in text(section)


@pytest.mark.django_db
def test_without_an_open_fixed_point_no_nearest_point_is_printed(client, area):
    point("Closed", 1, closes_on=TODAY - datetime.timedelta(days=1))

    assert printed(client).find("section", class_="print-nearest") is None


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_qr_code_encodes_the_live_schedule_of_the_area_in_the_language(client, area, lang):
    url = f"http://testserver/{lang}/visits/?area=suur-matinkyla"

    page = printed(client, lang=lang)

    [svg] = page.select(".print-qr svg")
    assert svg.find("path")["d"] == qr_path(url)
    assert svg.find("path")["d"] != qr_path(f"http://testserver/{lang}/visits/?area=suur-tapiola")
    assert svg.find("title").get_text()
    assert url in text(page.find(class_="print-footer"))


@pytest.mark.django_db
def test_the_qr_code_has_no_style_attribute_for_the_content_security_policy(client, area):
    [svg] = printed(client).select(".print-qr svg")

    assert [tag.name for tag in [svg, *svg.find_all(True)] if tag.has_attr("style")] == []
    assert "qr-code" in svg["class"]
    assert svg.has_attr("viewbox") and not svg.has_attr("width")


@pytest.mark.django_db
def test_without_an_area_there_is_no_qr_code_or_print_button(client, area):
    response = client.get("/en/visits/print/")

    page = parse(response.content.decode())
    assert page.select("svg") == [] and page.select("#print-button") == []
