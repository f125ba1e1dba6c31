"""No anonymous page or feed grows with the plan: whole days up to a bound, and where to continue."""

import datetime
from urllib.parse import urljoin

import pytest
import time_machine
from icalendar import Calendar

from tests.html import parse, text
from tests.visits.factories import VenueFactory, published
from visits.models import Visit
from visits.public import views
from visits.selectors import visits_page

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 12, 3, 8, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def three_days():
    """Two visits on 7 Dec, two on 8 Dec, one on 9 Dec."""
    venues = [VenueFactory() for _ in range(2)]
    return [
        published(day=day, start=start, end=end, venue=venue)
        for day, start, end, venue in [
            ("2026-12-07", "10:00", "12:00", venues[0]),
            ("2026-12-07", "13:00", "15:00", venues[1]),
            ("2026-12-08", "10:00", "12:00", venues[0]),
            ("2026-12-08", "13:00", "15:00", venues[1]),
            ("2026-12-09", "10:00", "12:00", venues[0]),
        ]
    ]


def ordered() -> "list[Visit]":
    return Visit.objects.public().order_by("starts_at", "pk")


@pytest.mark.parametrize(
    ("limit", "shown", "continues_on"),
    [(5, 5, None), (9, 5, None), (4, 4, "2026-12-09"), (3, 2, "2026-12-08"), (1, 1, "2026-12-08")],
    ids=["exactly-all", "room-to-spare", "cut-before-a-day", "cut-inside-a-day", "one-day-too-big"],
)
def test_a_page_holds_whole_days_up_to_the_bound_and_says_where_to_continue(three_days, limit, shown, continues_on):
    page = visits_page(ordered(), limit=limit)

    assert page.visits == three_days[:shown]
    assert page.continues_on == (datetime.date.fromisoformat(continues_on) if continues_on else None)


def listed(response) -> list[int]:
    return [int(item["data-visit-id"]) for item in parse(response.content).select("[data-visit-id]")]


@pytest.mark.parametrize("path", ["/en/visits/", "/en/"])
def test_following_the_continue_link_lists_every_visit_once(client, monkeypatch, three_days, path):
    monkeypatch.setattr(views, "PAGE_VISITS", 3)
    seen, url = [], f"{path}?start=2026-12-07&end=2026-12-20&show=visits"
    for _ in range(5):
        response = client.get(url)
        seen += listed(response)
        more = parse(response.content).select_one(".more-visits a")
        if more is None:
            break
        assert "There are more visits than one page lists." in text(parse(response.content).select_one(".more-visits"))
        url = urljoin(url, more["href"])

    assert seen == [visit.pk for visit in three_days]


def test_the_feed_holds_the_latest_past_and_the_nearest_coming_visits(client, monkeypatch, three_days):
    monkeypatch.setattr(views, "FEED_PAST_VISITS", 1)
    monkeypatch.setattr(views, "FEED_COMING_VISITS", 2)
    old = [published(day=day, venue=three_days[0].venue) for day in ("2026-11-20", "2026-11-25")]

    calendar = Calendar.from_ical(client.get("/calendar.ics").content)
    uids = [str(event["UID"]) for event in calendar.walk("VEVENT")]

    expected = [old[1], three_days[0], three_days[1]]
    assert [uid.split("@")[0] for uid in uids] == [f"visit-{visit.pk}" for visit in expected]
