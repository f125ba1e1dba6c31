"""Public pages and feeds read the database a fixed number of times, however many visits there are.

Each test measures the same request with 5 visits and again with 50: an N+1 query (a venue, an
area or a kind of help fetched per visit) makes the second count larger.
"""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import AreaFactory, OpeningHoursFactory, ServicePointFactory, ServiceTypeFactory
from tests.visits.factories import LanguageFactory, VenueFactory, VisitFactory
from visits.models import State, Visit
from visits.recurrence import local_datetime

NOW = datetime.datetime(2026, 12, 1, 8, tzinfo=ZoneInfo("Europe/Helsinki"))
FEW, MANY = 5, 50


@pytest.fixture(autouse=True)
def _now_is_tuesday_1_december_2026():
    with time_machine.travel(NOW, tick=False):
        yield


class Plan:
    """Published and cancelled visits over the next 14 days at ten venues in two areas, each with
    its own kinds of help and languages."""

    def __init__(self) -> None:
        self.areas = [AreaFactory(slug="suur-tapiola"), AreaFactory(slug="suur-leppavaara")]
        self.services = [ServiceTypeFactory(slug=slug) for slug in ("digital-support", "kela", "hsl-card")]
        self.languages = [LanguageFactory(code=code) for code in ("fi", "sv", "en")]
        self.venues = [VenueFactory(area=self.areas[i % 2]) for i in range(10)]
        for i, area in enumerate(self.areas):
            point = ServicePointFactory(area=area, slug=f"point-{i}")
            point.services.set(self.services)
            OpeningHoursFactory(service_point=point)
        # Its page and its entry on the map list the next visits in its area.
        ServicePointFactory(area=self.areas[0], slug="closed", closes_on=NOW.date() - datetime.timedelta(days=30))
        self.visits = 0

    def add(self, count: int) -> None:
        for _ in range(count):
            i = self.visits
            day = NOW.date() + datetime.timedelta(days=i % 14)
            start = local_datetime(day, datetime.time(8 + i % 10))
            cancelled = i % 7 == 3
            VisitFactory(
                venue=self.venues[i % len(self.venues)],
                starts_at=start,
                ends_at=start + datetime.timedelta(hours=1),
                state=State.CANCELLED if cancelled else State.PUBLISHED,
                published_at=NOW,
                cancel_reason="Sairastuminen" if cancelled else "",
                services=self.services[: 1 + i % 3],
                languages=self.languages[: 1 + i % 2],
            )
            self.visits += 1

    def in_area(self, slug: str) -> int:
        area = next(index for index, a in enumerate(self.areas) if a.slug == slug)
        return sum(1 for i in range(self.visits) if i % len(self.venues) % 2 == area)


def queries(client, url: str):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(context), response


def listed_in_api(response) -> int:
    return len(response.json()["features"])


def listed_in_calendar(response) -> int:
    return response.content.count(b"BEGIN:VEVENT")


def listed_on_page(response) -> int:
    return len(re.findall(rb'data-visit-id="\d+"', response.content))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "listed", "area"),
    [
        ("/api/v1/visits?start=2026-12-01&end=2026-12-14", listed_in_api, None),
        ("/api/v1/visits?start=2026-12-01&end=2026-12-14&area=suur-tapiola&lang=sv", listed_in_api, "suur-tapiola"),
        ("/calendar.ics?area=suur-tapiola", listed_in_calendar, "suur-tapiola"),
        ("/calendar.ics?area=suur-leppavaara&lang=en", listed_in_calendar, "suur-leppavaara"),
        ("/fi/visits/", listed_on_page, None),
        ("/sv/visits/?near=suur-tapiola", listed_on_page, None),
    ],
)
def test_the_query_count_does_not_grow_with_the_number_of_visits(client, url, listed, area):
    plan = Plan()
    plan.add(FEW)
    few, response = queries(client, url)
    assert listed(response) == (plan.in_area(area) if area else FEW)

    plan.add(MANY - FEW)
    many, response = queries(client, url)
    assert listed(response) == (plan.in_area(area) if area else MANY)

    assert many == few


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/fi/", "/sv/", "/api/v1/areas", "/fi/visits/print/?area=suur-tapiola", "/en/service-points/closed/"]
)
def test_the_map_page_areas_and_print_view_read_the_same_with_few_or_many_visits(client, url):
    plan = Plan()
    plan.add(FEW)
    few, _response = queries(client, url)

    plan.add(MANY - FEW)
    many, response = queries(client, url)

    assert many == few
    if "/api/" not in url and "/print/" not in url:
        # The closed point's next visits in its area are part of what was counted.
        assert re.search(rb'class="closure-visits">\s*<li><a href="/\w\w/visits/\d+/"', response.content)


@pytest.mark.django_db
def test_a_visit_page_reads_the_same_for_a_plain_visit_and_a_full_one(client):
    plan = Plan()
    plan.add(MANY)
    first, sixth = Visit.objects.order_by("pk")[:6][::5]
    assert (first.services.count(), first.languages.count()) == (1, 1)
    assert (sixth.services.count(), sixth.languages.count()) == (3, 2)

    plain, _response = queries(client, f"/fi/visits/{first.pk}/")
    full, _response = queries(client, f"/fi/visits/{sixth.pk}/")

    assert full == plain


@pytest.mark.django_db
def test_a_series_of_five_hundred_dates_saves_in_about_as_many_queries_as_one_of_five():
    from tests.visits.factories import AdvisorFactory, SeriesPlanFactory
    from visits.services import series_create

    advisors = [AdvisorFactory(), AdvisorFactory()]
    services, languages = [ServiceTypeFactory(), ServiceTypeFactory()], [LanguageFactory(code="fi")]
    counts = {}
    for count, first_day in ((5, datetime.date(2027, 1, 4)), (400, datetime.date(2027, 3, 1))):
        plan = SeriesPlanFactory(
            venue=VenueFactory(),
            rrule=f"FREQ=DAILY;COUNT={count}",
            starts_on=first_day,
            skip_public_holidays=False,
            advisors=advisors,
            services=services,
            languages=languages,
        )
        with CaptureQueriesContext(connection) as queries:
            series = series_create(plan)
        assert series.visits.count() == count
        assert all(v.advisors.count() == 2 and v.services.count() == 2 for v in series.visits.all()[:3])
        counts[count] = len(queries)

    # Written in bulk: only the batches of a bulk insert grow (SQLite binds fewer values per query).
    # One visit at a time, the 400 dates took about 7,000 queries.
    assert counts[400] <= 3 * counts[5]
