"""While the database restarts: pages stored under the last data version still answer, anything
else gets a 503 with Retry-After (a page in the page's language, or the API's JSON error), never
a 500; and the next request after the database returns is served normally."""

import pytest
from django.db import OperationalError, connection
from django.utils import translation

from tests.html import parse, text
from tests.visits.factories import published, sello_library

pytestmark = pytest.mark.django_db


def database_down(execute, sql, params, many, context):
    raise OperationalError("server closed the connection unexpectedly")


@pytest.fixture
def venue(db):
    venue = sello_library()
    published("2026-12-07", venue=venue)
    return venue


def test_a_page_needing_the_database_gets_a_503_in_its_language(client, venue):
    with connection.execute_wrapper(database_down):
        page = client.get(f"/sv/venues/{venue.pk}/")
        api = client.get("/api/v1/service-points")

    assert page.status_code == api.status_code == 503
    assert page["Retry-After"] == api["Retry-After"] == "5"
    assert "no-store" in page["Cache-Control"]
    with translation.override("sv"):
        expected = translation.gettext("Service temporarily unavailable")
    assert expected != "Service temporarily unavailable"
    assert text(parse(page.content.decode()).select_one("h1")) == expected
    assert 'lang="sv"' in page.content.decode()
    assert set(api.json()) == {"error"}

    assert client.get(f"/sv/venues/{venue.pk}/").status_code == 200  # the database is back


@pytest.mark.django_db(transaction=True)  # committed data: the cache serves only what has committed
def test_a_stored_page_still_answers_while_the_database_is_away(client, venue):
    stored = client.get(f"/en/venues/{venue.pk}/")
    with connection.execute_wrapper(database_down):
        again = client.get(f"/en/venues/{venue.pk}/")
        other = client.get(f"/fi/venues/{venue.pk}/")

    assert again.status_code == 200
    assert again.content == stored.content
    assert other.status_code == 503
