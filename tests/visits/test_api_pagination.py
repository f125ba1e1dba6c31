"""GET /api/v1/visits a page at a time: every visit once, in order, however long the range."""

import datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from tests.factories import AreaFactory
from tests.visits.factories import VenueFactory, published
from tests.visits.test_public_api import assert_error
from visits.api import DEFAULT_LIMIT, MAX_LIMIT
from visits.models import CancelReason, State, Visit

URL = "/api/v1/visits"
NOW = datetime.datetime(2026, 12, 1, 8, tzinfo=ZoneInfo("Europe/Helsinki"))
RANGE = {"start": "2026-12-01", "end": "2026-12-31"}


@pytest.fixture(autouse=True)
def _now_is_tuesday_1_december_2026():
    with time_machine.travel(NOW, tick=False):
        yield


def ids(body: dict) -> list[int]:
    return [feature["properties"]["id"] for feature in body["features"]]


def follow(client, url: str) -> list[dict]:
    """Every page from `url` on, following `next` until a page has none."""
    pages = []
    while url is not None:
        response = client.get(url)
        assert response.status_code == 200, response.content
        pages.append(response.json())
        url = pages[-1].get("next")
        assert len(pages) < 100, "the pages never end"
    return pages


@pytest.fixture
def december():
    """Seven visits, three of them starting at the same moment, created out of time order."""
    venue = VenueFactory()
    visits = [
        published(venue=venue, day="2026-12-20"),
        published(venue=venue, day="2026-12-03"),
        published(venue=venue, day="2026-12-10"),
        published(venue=venue, day="2026-12-10"),
        published(venue=venue, day="2026-12-10"),
        published(venue=venue, day="2026-12-02", start="08:00", end="09:00"),
        published(venue=venue, day="2026-12-31", start="23:00", end="23:59"),
    ]
    return sorted(visits, key=lambda v: (v.starts_at, v.pk))


@pytest.mark.django_db
@pytest.mark.parametrize("limit", [1, 2, 3, 6, 7])
def test_following_next_lists_every_visit_once_in_time_order(client, december, limit):
    pages = follow(client, f"{URL}?start=2026-12-01&end=2026-12-31&limit={limit}")

    assert ids(pages[0]) == [v.pk for v in december[:limit]]
    assert [pk for page in pages for pk in ids(page)] == [v.pk for v in december]
    assert all(len(ids(page)) == limit for page in pages[:-1])
    assert len(pages) == -(-len(december) // limit)


@pytest.mark.django_db
def test_the_last_page_has_no_next(client, december):
    *earlier, last = follow(client, f"{URL}?start=2026-12-01&end=2026-12-31&limit=3")

    assert all(page["next"] for page in earlier)
    assert "next" not in last
    assert ids(last) == [december[-1].pk]


@pytest.mark.django_db
def test_an_answer_that_fits_on_one_page_has_no_next(client, december):
    body = client.get(URL, RANGE).json()

    assert ids(body) == [v.pk for v in december]
    assert "next" not in body


@pytest.mark.django_db
def test_next_keeps_every_other_parameter(client):
    area = AreaFactory(slug="suur-tapiola")
    venue = VenueFactory(area=area)
    first, second = published(venue=venue, day="2026-12-02"), published(venue=venue, day="2026-12-03")
    published(day="2026-12-02")  # in another area
    query = {**RANGE, "area": "suur-tapiola", "venue": venue.pk, "lang": "sv", "limit": 1}

    body = client.get(URL, query).json()

    parts = urlsplit(body["next"])
    assert parts.path == URL
    next_query = {name: values for name, values in parse_qs(parts.query, keep_blank_values=True).items()}
    assert {name: values for name, values in next_query.items() if name != "after"} == {
        name: [str(value)] for name, value in query.items()
    }
    assert len(next_query["after"]) == 1
    assert ids(body) == [first.pk]
    second_page = client.get(body["next"]).json()
    assert ids(second_page) == [second.pk]
    assert second_page["features"][0]["properties"]["url"].startswith("/sv/")


@pytest.mark.django_db
def test_a_visit_added_before_the_cursor_does_not_shift_the_next_page(client, december):
    first = client.get(URL, {**RANGE, "limit": 3}).json()
    published(venue=december[0].venue, day="2026-12-01")

    rest = follow(client, first["next"])

    assert ids(first) + [pk for page in rest for pk in ids(page)] == [v.pk for v in december]


@pytest.mark.django_db
def test_a_cancelled_visit_stays_in_its_place_on_the_pages(client, december):
    from visits.services import visit_cancel

    visit_cancel(visit=december[3], reason=CancelReason.ILLNESS, details={"fi": "Sairastuminen"})

    pages = follow(client, f"{URL}?start=2026-12-01&end=2026-12-31&limit=2")

    assert [pk for page in pages for pk in ids(page)] == [v.pk for v in december]
    statuses = {f["properties"]["id"]: f["properties"]["status"] for page in pages for f in page["features"]}
    assert statuses[december[3].pk] == "cancelled"


@pytest.mark.django_db
def test_without_a_limit_a_page_holds_the_default_number_of_visits(client):
    venue = VenueFactory()
    start = timezone.make_aware(datetime.datetime(2026, 12, 2, 8))
    Visit.objects.bulk_create(
        Visit(
            venue=venue,
            starts_at=start + datetime.timedelta(minutes=10 * n),
            ends_at=start + datetime.timedelta(minutes=10 * n + 30),
            state=State.PUBLISHED,
            published_at=NOW,
        )
        for n in range(DEFAULT_LIMIT + 1)
    )

    first = client.get(URL, RANGE).json()
    second = client.get(first["next"]).json()

    assert len(first["features"]) == DEFAULT_LIMIT
    assert len(second["features"]) == 1
    assert "next" not in second


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "mentions"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "-1"}, "limit"),
        ({"limit": str(MAX_LIMIT + 1)}, "limit"),
        ({"limit": "abc"}, "limit"),
        ({"limit": "1.5"}, "limit"),
        ({"limit": ""}, "limit"),
        ({"after": ""}, "after"),
        ({"after": "abc"}, "after"),
        ({"after": "1796630400"}, "after"),
        ({"after": "1796630400_"}, "after"),
        ({"after": "1796630400_1_2"}, "after"),
        ({"after": "-1_1"}, "after"),
        ({"after": "1796630400.5_1"}, "after"),
        ({"after": "17966304000000_1"}, "after"),
        ({"after": "1796630400_1\n"}, "after"),
        ({"after": "1796630400_99999999999999999999"}, "after"),
    ],
)
def test_a_bad_limit_or_cursor_is_a_json_400(client, december, query, mentions):
    error = assert_error(client.get(URL, {**RANGE, **query}))

    assert f"'{mentions}'" in error


@pytest.mark.django_db
def test_a_limit_or_cursor_given_twice_is_refused(client, december):
    assert "given" in assert_error(client.get(f"{URL}?start=2026-12-01&end=2026-12-31&limit=1&limit=2"))
    assert "given" in assert_error(client.get(f"{URL}?start=2026-12-01&end=2026-12-31&after=1_1&after=2_2"))


@pytest.mark.django_db
@pytest.mark.parametrize("after", ["0_0", "9999999999.999999_999999999999999999", "1796630400_0"])
def test_any_cursor_of_the_documented_form_gets_a_page(client, december, after):
    response = client.get(URL, {**RANGE, "after": after})

    assert response.status_code == 200, response.content
    expected = {
        "0_0": [v.pk for v in december],
        "9999999999.999999_999999999999999999": [],
        # 1796630400 is 2026-12-07 00:00 UTC: the visits from the 10th on.
        "1796630400_0": [v.pk for v in december[2:]],
    }[after]
    assert ids(response.json()) == expected
