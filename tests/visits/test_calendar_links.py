"""Calendars that stay current: subscriptions with the resident's filters, one visit for Google
Calendar, Outlook or any app, a reminder the day before, and a clear 400 for a filter the feed
does not know."""

import datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from icalendar import Calendar

from tests.factories import AreaFactory, ServicePointFactory, ServiceTypeFactory
from tests.html import parse, text
from tests.visits.factories import LanguageFactory, VenueFactory, published
from visits.models import CancelReason
from visits.services import visit_cancel

NOW = datetime.datetime(2026, 12, 1, 8, tzinfo=ZoneInfo("Europe/Helsinki"))


@pytest.fixture(autouse=True)
def _now_is_tuesday_1_december_2026():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def tapiola():
    area = AreaFactory(slug="suur-tapiola", name_en="Tapiola")
    venue = VenueFactory(
        area=area,
        name_en="Library & café #2 + more",
        street_address_fi="Kulttuuriaukio 2",
        postal_code="02100",
    )
    return {"area": area, "venue": venue, "digital": ServiceTypeFactory(slug="digital-support", name_en="Digital")}


def soup(response):
    assert response.status_code == 200, response.status_code
    return parse(response.content.decode())


def hrefs(page, start: str) -> list[str]:
    return [link["href"] for link in page.find_all("a") if link["href"].startswith(start)]


def query(url: str) -> dict[str, str]:
    """An address's parameters, each decoded once as a browser would send it."""
    params = parse_qs(urlsplit(url).query, keep_blank_values=True, strict_parsing=True)
    assert all(len(values) == 1 for values in params.values()), params
    return {name: values[0] for name, values in params.items()}


def events(response) -> list:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content).walk("VEVENT")


def feed(client, webcal: str):
    """What a calendar app gets when it follows a webcal:// subscription."""
    assert webcal.startswith("webcal://testserver/")
    return client.get(webcal.removeprefix("webcal://testserver"))


def error(response) -> str:
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()["error"]


# Subscriptions keep the filters


@pytest.mark.django_db
def test_the_list_offers_a_webcal_subscription_with_every_filter_the_resident_chose(client, tapiola):
    swedish = LanguageFactory(code="sv")
    chosen = published(venue=tapiola["venue"], services=[tapiola["digital"]], languages=[swedish])
    published(venue=tapiola["venue"], services=[tapiola["digital"]])
    published(venue=VenueFactory(area=tapiola["area"]), services=[tapiola["digital"]], languages=[swedish])
    filters = {"area": "suur-tapiola", "venue": tapiola["venue"].pk, "service": "digital-support", "language": "sv"}

    page = soup(client.get("/sv/visits/", filters))

    [subscription, with_reminder] = hrefs(page.find(class_="subscribe"), "webcal://")
    address = f"testserver/calendar.ics?area=suur-tapiola&venue={tapiola['venue'].pk}"
    address += "&service=digital-support&language=sv&lang=sv"
    assert subscription == f"webcal://{address}"
    assert with_reminder == f"webcal://{address}&reminder=1"
    assert page.find(class_="subscribe").find("code").get_text() == f"http://{address}"
    assert [str(event["UID"]).split("@")[0] for event in events(feed(client, subscription))] == [f"visit-{chosen.pk}"]


@pytest.mark.django_db
def test_an_unfiltered_list_subscribes_to_the_whole_city_in_the_page_language(client):
    page = soup(client.get("/en/visits/"))

    assert hrefs(page, "webcal://")[0] == "webcal://testserver/calendar.ics?lang=en"


@pytest.mark.django_db
def test_the_map_offers_its_filters_as_a_subscription_and_links_to_the_printable_schedule(client, tapiola):
    published(venue=tapiola["venue"])

    page = soup(client.get("/fi/", {"area": "suur-tapiola", "service": "digital-support"}))

    assert hrefs(page, "webcal://")[0] == (
        "webcal://testserver/calendar.ics?area=suur-tapiola&service=digital-support&lang=fi"
    )
    assert hrefs(page, "/fi/visits/print/") == ["/fi/visits/print/?area=suur-tapiola"]


@pytest.mark.django_db
def test_a_service_point_page_offers_its_areas_calendar_and_printable_schedule(client, tapiola):
    point = ServicePointFactory(slug="tapiola", area=tapiola["area"])
    published(venue=tapiola["venue"])

    page = soup(client.get(f"/sv/service-points/{point.slug}/"))

    section = page.find("section", class_="subscribe")
    assert hrefs(section, "webcal://") == [
        "webcal://testserver/calendar.ics?area=suur-tapiola&lang=sv",
        "webcal://testserver/calendar.ics?area=suur-tapiola&lang=sv&reminder=1",
    ]
    assert hrefs(section, "/sv/visits/print/") == ["/sv/visits/print/?area=suur-tapiola"]
    assert events(feed(client, hrefs(section, "webcal://")[0]))


# One visit


@pytest.mark.django_db
def test_a_visit_page_says_a_download_does_not_follow_changes_and_offers_the_subscription(client, tapiola):
    visit = published(venue=tapiola["venue"])

    page = soup(client.get(f"/en/visits/{visit.pk}/"))

    section = page.find("section", class_="add-to-calendar")
    assert "does not change by itself. To hear of changes and cancellations, subscribe" in text(section)
    assert hrefs(section, "webcal://") == [
        f"webcal://testserver/calendar.ics?venue={tapiola['venue'].pk}&lang=en",
        f"webcal://testserver/calendar.ics?venue={tapiola['venue'].pk}&lang=en&reminder=1",
        "webcal://testserver/calendar.ics?area=suur-tapiola&lang=en",
    ]
    assert hrefs(section, "/visits/") == [
        f"/visits/{visit.pk}.ics?lang=en",
        f"/visits/{visit.pk}.ics?lang=en&reminder=1",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "start", "end"),
    [("2026-12-07", "20261207T080000Z", "20261207T100000Z"), ("2027-06-07", "20270607T070000Z", "20270607T090000Z")],
    ids=["winter", "summer"],
)
def test_google_calendar_gets_the_visit_in_utc_with_its_text_encoded(client, tapiola, day, start, end):
    visit = published(day=day, venue=tapiola["venue"], services=[tapiola["digital"]])

    page = soup(client.get(f"/en/visits/{visit.pk}/"))

    [google] = hrefs(page, "https://calendar.google.com/")
    assert google.startswith("https://calendar.google.com/calendar/render?")
    assert " " not in google and "#" not in google.split("?", 1)[1]
    params = query(google)
    assert params == {
        "action": "TEMPLATE",
        "text": "Mobile information service: Library & café #2 + more",
        "dates": f"{start}/{end}",
        "details": f"Digital\n\nhttp://testserver/en/visits/{visit.pk}/",
        "location": "Library & café #2 + more, Kulttuuriaukio 2, 02100 Espoo",
    }


@pytest.mark.django_db
def test_outlook_gets_the_visit_in_utc_with_its_text_encoded(client, tapiola):
    visit = published(venue=tapiola["venue"], services=[tapiola["digital"]])

    page = soup(client.get(f"/en/visits/{visit.pk}/"))

    [outlook] = hrefs(page, "https://outlook.live.com/")
    assert outlook.startswith("https://outlook.live.com/calendar/0/deeplink/compose?")
    # A "+" for a space would show as "+" in Outlook.
    assert "+" not in outlook and "%20" in outlook
    params = query(outlook)
    assert params["subject"] == "Mobile information service: Library & café #2 + more"
    assert (params["startdt"], params["enddt"]) == ("2026-12-07T08:00:00Z", "2026-12-07T10:00:00Z")
    assert params["body"] == f"Digital\n\nhttp://testserver/en/visits/{visit.pk}/"
    assert params["location"] == "Library & café #2 + more, Kulttuuriaukio 2, 02100 Espoo"


@pytest.mark.django_db
def test_a_cancelled_visits_links_still_work_and_say_cancelled(client, tapiola):
    visit = published(venue=tapiola["venue"])
    visit_cancel(visit=visit, reason=CancelReason.ILLNESS, details={"en": "The advisor is ill."})

    page = soup(client.get(f"/en/visits/{visit.pk}/"))

    section = page.find("section", class_="add-to-calendar")
    assert "This visit is cancelled" in text(section)
    google = query(hrefs(section, "https://calendar.google.com/")[0])
    outlook = query(hrefs(section, "https://outlook.live.com/")[0])
    assert google["text"].startswith("CANCELLED: ") and outlook["subject"].startswith("CANCELLED: ")
    assert "The advisor is ill." in google["details"] and "The advisor is ill." in outlook["body"]
    [event] = events(client.get(hrefs(section, "/visits/")[0]))
    assert str(event["STATUS"]) == "CANCELLED"


# A reminder the day before


def alarms(event) -> list:
    return [component for component in event.subcomponents if component.name == "VALARM"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/calendar.ics?reminder=1&lang=en", "/visits/{pk}.ics?lang=en&reminder=1"])
def test_a_reminder_the_day_before_is_an_alarm_on_each_visit(client, url):
    visit = published()

    [event] = events(client.get(url.format(pk=visit.pk)))

    [alarm] = alarms(event)
    assert str(alarm["ACTION"]) == "DISPLAY"
    assert alarm.decoded("TRIGGER") == -datetime.timedelta(hours=24)
    assert "Mobile information service" in str(alarm["DESCRIPTION"])


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/calendar.ics", "/visits/{pk}.ics"])
def test_without_a_reminder_there_is_no_alarm(client, url):
    visit = published()

    [event] = events(client.get(url.format(pk=visit.pk)))

    assert alarms(event) == []


@pytest.mark.django_db
def test_a_cancelled_visit_does_not_remind(client):
    kept, cancelled = published(day="2026-12-07"), published(day="2026-12-08")
    visit_cancel(visit=cancelled, reason=CancelReason.ILLNESS)

    found = {str(event["UID"]).split("@")[0]: event for event in events(client.get("/calendar.ics?reminder=1"))}

    assert len(alarms(found[f"visit-{kept.pk}"])) == 1
    assert alarms(found[f"visit-{cancelled.pk}"]) == []


# What the feeds refuse


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "named"),
    [
        ("area=nowhere", "nowhere"),
        ("service=flying-lessons", "flying-lessons"),
        ("venue=999999", "999999"),
        ("lang=de", "'lang'"),
        ("reminder=yes", "'reminder'"),
        ("reminder=0", "'reminder'"),
        ("reminder=1&reminder=1", "'reminder'"),
        ("area=suur-tapiola&area=suur-tapiola", "'area'"),
        ("alue=suur-tapiola", "'alue'"),
        ("start=2026-12-01", "'start'"),
    ],
)
def test_a_filter_the_feed_does_not_know_is_a_400_naming_it(client, tapiola, params, named):
    published(venue=tapiola["venue"])

    assert named in error(client.get(f"/calendar.ics?{params}"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "named"),
    [
        ("reminder=2", "'reminder'"),
        ("lang=xx", "'lang'"),
        ("area=suur-tapiola", "'area'"),
        ("lang=fi&lang=sv", "'lang'"),
    ],
)
def test_a_one_visit_calendar_refuses_what_it_does_not_take(client, params, named):
    visit = published()

    assert named in error(client.get(f"/visits/{visit.pk}.ics?{params}"))


@pytest.mark.django_db
def test_an_unknown_parameter_is_answered_with_the_ones_the_feed_takes(client):
    message = error(client.get("/calendar.ics?areas=suur-tapiola"))

    assert "'areas'" in message
    assert all(name in message for name in ("area", "venue", "service", "language", "lang", "reminder"))
