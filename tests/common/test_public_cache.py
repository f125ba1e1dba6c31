"""Public responses come from the cache, and every change residents may see shows on the next
request: the cache is keyed by a data version that moves after each committed write.

The clock stands still in these tests, so only the data version can make a stored response give
way: a change that did not move it would show up as a stale page.
"""

import datetime
import gzip
from zoneinfo import ZoneInfo

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from common.public_cache import data_version, recent
from servicepoints.models import OpeningHours
from servicepoints.tasks import add_public_holiday_closures
from tests.factories import OpeningHoursFactory, ServicePointFactory
from tests.html import parse, text
from tests.visits.factories import UserFactory, VisitFactory, VisitSeriesFactory, at, published, sello_library
from visits.models import CancelReason, State, VenueException, Visit
from visits.services import series_skip, visit_cancel, visit_restore, visits_publish

HELSINKI = ZoneInfo("Europe/Helsinki")
NOW = datetime.datetime(2026, 12, 3, 9, 0, tzinfo=HELSINKI)
VISITS = "/en/visits/?start=2026-12-03&end=2026-12-31"
API = "/api/v1/visits?start=2026-12-03&end=2026-12-31"


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(transactional_db, frozen):
    venue = sello_library()
    visit = published("2026-12-07", "10:00", "12:00", venue=venue)
    point = ServicePointFactory(slug="tapiola", name_en="Tapiola service point", area=venue.area)
    # Thursdays 9–16 (3 December 2026 is a Thursday), Fridays 10–14.
    OpeningHoursFactory(service_point=point, weekday=3, opens=datetime.time(9), closes=datetime.time(16))
    OpeningHoursFactory(service_point=point, weekday=4, opens=datetime.time(10), closes=datetime.time(14))
    return {"venue": venue, "visit": visit, "point": point}


def queries_for(client, path: str, **headers) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, headers=headers)
    return len(queries), response


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


# --- The data version ---------------------------------------------------------------------------


def test_a_committed_write_moves_the_version_once_and_only_after_commit(world):
    before = data_version()
    with transaction.atomic():
        VisitFactory(venue=world["venue"], starts_at=at("2026-12-08"), ends_at=at("2026-12-08", "12:00"))
        VisitFactory(venue=world["venue"], starts_at=at("2026-12-09"), ends_at=at("2026-12-09", "12:00"))
        assert data_version() == before  # other processes still read the data as it was
    assert data_version() == before + 1


def test_a_rolled_back_write_does_not_move_the_version(world):
    before, pk = data_version(), world["visit"].pk
    with pytest.raises(RuntimeError), transaction.atomic():
        Visit.objects.filter(pk=pk).delete()
        raise RuntimeError
    assert data_version() == before
    assert Visit.objects.filter(pk=pk).exists()


def test_logins_and_sessions_do_not_move_the_version(world, client):
    before = data_version()
    client.force_login(UserFactory())
    client.logout()
    assert data_version() == before


# --- What is served from the cache --------------------------------------------------------------


def test_a_repeated_public_request_is_answered_from_the_cache_with_one_query(world, client):
    for path in (VISITS, "/fi/", f"/sv/venues/{world['venue'].pk}/", API, "/calendar.ics?area=suur-leppavaara"):
        first_queries, first = queries_for(client, path)
        again_queries, again = queries_for(client, path)

        assert first.status_code == again.status_code == 200
        assert again.content == first.content
        assert first_queries > 1
        assert again_queries == 1, path  # the data version, nothing else
        assert again["Content-Security-Policy"] == first["Content-Security-Policy"]


def test_each_language_has_its_own_response(world, client):
    english, finnish = (
        page(client, f"/en/venues/{world['venue'].pk}/"),
        page(client, f"/fi/venues/{world['venue'].pk}/"),
    )
    swedish = page(client, f"/sv/venues/{world['venue'].pk}/")

    assert "Sello library" in english and "Sellon kirjasto" in finnish and "Sellobiblioteket" in swedish
    assert 'lang="en"' in english and 'lang="fi"' in finnish and 'lang="sv"' in swedish
    feed_fi = client.get("/calendar.ics?area=suur-leppavaara&lang=fi").content.decode()
    feed_sv = client.get("/calendar.ics?area=suur-leppavaara&lang=sv").content.decode()
    assert "Sellon kirjasto" in feed_fi and "Sellobiblioteket" in feed_sv


def test_a_response_rendered_yesterday_does_not_answer_today(world, client):
    yesterday = text(parse(page(client, "/en/service-points/tapiola/")).select_one(".hours-today"))
    with time_machine.travel(NOW + datetime.timedelta(days=1), tick=False):
        queries, today = queries_for(client, "/en/service-points/tapiola/")

    assert queries > 1
    assert yesterday == "Today: 09:00–16:00"
    assert text(parse(today.content.decode()).select_one(".hours-today")) == "Today: 10:00–14:00"  # Friday


def test_open_now_follows_the_clock_within_the_day(world, client):
    with time_machine.travel(datetime.datetime(2026, 12, 10, 15, 59, tzinfo=HELSINKI), tick=False):
        before = page(client, "/en/service-points/tapiola/")
    with time_machine.travel(datetime.datetime(2026, 12, 10, 16, 0, tzinfo=HELSINKI), tick=False):
        after = page(client, "/en/service-points/tapiola/")

    assert "Open now · until 16:00" in before
    assert "Open now" not in after


def test_a_logged_in_schedulers_page_is_never_served_to_anyone_else(world, client, django_user_model):
    scheduler = UserFactory(first_name="Sanna", last_name="Suunnittelija")
    scheduler.groups.add(Group.objects.get_or_create(name="scheduler")[0])
    client.force_login(scheduler)
    for path in (VISITS, "/en/", "/en/staff/"):
        client.get(path)
    client.logout()
    client.cookies.clear()

    queries, resident = queries_for(client, VISITS)
    assert queries > 1  # nothing the scheduler was shown was stored
    assert "Suunnittelija" not in resident.content.decode()
    assert client.get("/en/staff/").status_code == 302


def test_a_conditional_request_is_answered_304_from_the_cache(world, client):
    first = client.get(VISITS)
    queries, again = queries_for(client, VISITS, if_none_match=first["ETag"])

    assert again.status_code == 304
    assert queries == 1
    visit_cancel(visit=world["visit"], reason=CancelReason.ILLNESS)
    changed = client.get(VISITS, headers={"if-none-match": first["ETag"]})
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


# --- Every kind of write shows on the next request ----------------------------------------------


def _cancel(world):
    visit_cancel(visit=world["visit"], reason=CancelReason.ILLNESS)
    return VISITS, "Cancelled"


def _restore(world):
    visit_restore(visit=Visit.objects.get(pk=world["visit"].pk))
    return API, '"status": "scheduled"'


_restore.prepare = _cancel


def _create_and_publish(world):
    draft = VisitFactory(venue=world["venue"], starts_at=at("2026-12-09", "13:15"), ends_at=at("2026-12-09", "15:00"))
    visits_publish(visits=[draft])
    return VISITS, "13:15–15:00"


def _change(world):
    visit = world["visit"]
    visit.starts_at, visit.ends_at = at("2026-12-07", "11:30"), at("2026-12-07", "13:00")
    visit.save()
    return VISITS, "11:30–13:00"


def _series_skip(world):
    series = VisitSeriesFactory(venue=world["venue"])
    Visit.objects.filter(pk=world["visit"].pk).update(series=series, occurrence_date=datetime.date(2026, 12, 7))
    series_skip(
        series=series, start_date=datetime.date(2026, 12, 7), end_date=datetime.date(2026, 12, 7), reason="Training"
    )
    return VISITS, "Cancelled"


def _link_to_a_series(world):
    series = VisitSeriesFactory(
        venue=world["venue"], rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=4", starts_on=datetime.date(2026, 12, 7)
    )
    Visit.objects.filter(pk=world["visit"].pk).update(series=series, occurrence_date=datetime.date(2026, 12, 7))
    world["series"] = series


def _series_change(world):
    series = world["series"]
    series.rrule = "FREQ=WEEKLY;BYDAY=MO,TH;COUNT=8"
    series.save()
    return f"/en/venues/{world['venue'].pk}/", "Every Monday and Thursday 10:00–12:00"


_series_change.prepare = _link_to_a_series


def _venue_exception(world):
    VenueException.objects.create(
        venue=world["venue"],
        start_date=datetime.date(2026, 12, 10),
        end_date=datetime.date(2026, 12, 10),
        closed=True,
        reason_en="Inventory day",
    )
    return f"/en/venues/{world['venue'].pk}/", "Inventory day"


def _opening_hours(world):
    OpeningHours.objects.filter(service_point=world["point"]).update(closes=datetime.time(17, 45))
    return "/en/service-points/tapiola/", "09:00–17:45"


def _translation(world):
    venue = world["venue"]
    venue.name_sv = "Sellobiblioteket i Alberga"
    venue.save()
    return f"/sv/venues/{venue.pk}/", "Sellobiblioteket i Alberga"


def _command(world):
    call_command("load_espoo_data", verbosity=0)
    return "/en/", "Matinkylä"


def _beat_task(world):
    add_public_holiday_closures()
    return "/en/service-points/tapiola/?on=2026-12-24", "Christmas Eve"


@pytest.mark.parametrize(
    "write",
    [
        _cancel,
        _restore,
        _create_and_publish,
        _change,
        _series_skip,
        _series_change,
        _venue_exception,
        _opening_hours,
        _translation,
        _command,
        _beat_task,
    ],
    ids=lambda write: write.__name__.strip("_"),
)
def test_the_next_request_after_a_write_shows_it(world, client, write):
    paths = [
        VISITS,
        API,
        "/en/",
        f"/sv/venues/{world['venue'].pk}/",
        f"/en/venues/{world['venue'].pk}/",
        "/en/service-points/tapiola/",
        "/en/service-points/tapiola/?on=2026-12-24",
    ]
    if prepare := getattr(write, "prepare", None):
        prepare(world)
    before = {path: page(client, path) for path in paths}

    path, expected = write(world)

    assert expected not in before[path]
    assert expected in page(client, path)


def _admin_form(client, url: str) -> dict:
    """The admin change form's fields as the browser would submit them."""
    form = BeautifulSoup(client.get(url).content, "html.parser").select_one("form#" + url.split("/")[3] + "_form")
    data = {}
    for field in form.select("input[name], select[name], textarea[name]"):
        name = field["name"]
        if field.name == "select":
            chosen = field.select("option[selected]")
            data[name] = (
                [option["value"] for option in chosen]
                if field.has_attr("multiple")
                else (chosen[0]["value"] if chosen else "")
            )
        elif field.get("type") in ("checkbox", "radio"):
            if field.has_attr("checked"):
                data[name] = field.get("value", "on")
        elif field.get("type") not in ("submit", "button", "file"):
            data[name] = field.get("value", "") if field.name == "input" else field.text
    return data


def test_an_admin_save_shows_on_the_next_request(world, admin_client):
    client_page = f"/en/venues/{world['venue'].pk}/"
    from django.test import Client

    resident = Client()
    assert "Step-free entrance from Leppävaarankatu" in page(resident, client_page)
    url = f"/admin/visits/venue/{world['venue'].pk}/change/"
    data = _admin_form(admin_client, url)
    data["accessibility_en"] = "Lift from the car park, level P1"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]

    assert "Lift from the car park, level P1" in page(resident, client_page)


def test_a_service_point_saved_in_the_admin_with_its_inlines_shows_on_the_next_request(world, admin_client, client):
    assert "Tapiola service point" in page(client, "/en/service-points/tapiola/")
    url = f"/admin/servicepoints/servicepoint/{world['point'].pk}/change/"
    data = _admin_form(admin_client, url)
    data["name_en"] = "Tapiola service point, Ainoa"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]

    assert "Tapiola service point, Ainoa" in page(client, "/en/service-points/tapiola/")


def test_a_draft_is_never_shown_and_publishing_it_is(world, client):
    draft = VisitFactory(venue=world["venue"], starts_at=at("2026-12-11", "14:20"), ends_at=at("2026-12-11", "15:00"))
    assert "14:20" not in page(client, VISITS)
    Visit.objects.filter(pk=draft.pk).update(state=State.PUBLISHED, published_at=NOW)
    assert "14:20" in page(client, VISITS)


def test_each_process_keeps_its_recent_responses_within_a_byte_budget(settings):
    settings.PUBLIC_CACHE_LOCAL_BYTES = 100
    recent.put("a", ([], b"x" * 40, b"g" * 20))  # a body and its gzipped copy: 60 bytes
    recent.put("b", ([], b"y" * 30, None))
    recent.get("a")  # used lately: "b" is now the oldest
    recent.put("c", ([], b"z" * 30, None))
    recent.put("too big", ([], b"w" * 90, b"v" * 11))

    assert recent.get("a") is not None and recent.get("c") is not None
    assert recent.get("b") is None and recent.get("too big") is None
    assert recent.size == 90


def test_a_browser_that_accepts_gzip_gets_the_body_compressed_once(world, client):
    plain = client.get(VISITS)
    first = client.get(VISITS, headers={"accept-encoding": "gzip, deflate, br"})
    queries, again = queries_for(client, VISITS, accept_encoding="gzip")

    assert "Content-Encoding" not in plain
    assert first["Content-Encoding"] == again["Content-Encoding"] == "gzip"
    assert gzip.decompress(first.content) == gzip.decompress(again.content) == plain.content
    assert int(first["Content-Length"]) == len(first.content) < len(plain.content) / 3
    assert "Accept-Encoding" in plain["Vary"] and "Accept-Encoding" in first["Vary"]
    assert queries == 1
    # The compressed body has a weak ETag of its own, and a conditional request still gets 304.
    assert first["ETag"] == f"W/{plain['ETag']}"
    assert client.get(VISITS, headers={"accept-encoding": "gzip", "if-none-match": first["ETag"]}).status_code == 304
