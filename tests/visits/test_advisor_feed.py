"""An advisor's private calendar feed: their own visits at a secret address they can renew or revoke."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation
from icalendar import Calendar

from tests.html import parse, text
from tests.visits.factories import AdvisorFactory, UserFactory, VenueFactory, VisitFactory
from visits import services
from visits.models import Advisor
from visits.recurrence import local_datetime

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 4, 1, 9, tzinfo=datetime.UTC)
TUESDAY = datetime.date(2026, 4, 7)


@pytest.fixture(autouse=True)
def _wednesday_1_april_2026():
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        yield


def at(day: datetime.date, hour: int) -> datetime.datetime:
    return local_datetime(day, datetime.time(hour))


def staff_advisor(first_name: str) -> Advisor:
    user = UserFactory(first_name=first_name, last_name="Neuvoja")
    user.groups.add(Group.objects.get(name="advisor"))
    return AdvisorFactory(user=user)


@pytest.fixture
def aino():
    return staff_advisor("Aino")


@pytest.fixture
def aino_client(client, aino):
    client.force_login(aino.user)
    return client


def feed_page() -> str:
    with translation.override("en"):
        return reverse("staff:my_feed")


def feed_path(token: str) -> str:
    return reverse("advisor-feed-ics", kwargs={"token": token})


def events(response) -> dict[str, dict]:
    calendar = Calendar.from_ical(response.content)
    return {
        str(event["location"]).split(",")[0]: {name: str(event[name]) for name in ("summary", "status", "url")}
        for event in calendar.walk("VEVENT")
    }


def test_an_advisor_creates_an_address_and_the_page_shows_it_as_a_subscription(aino_client, aino):
    page = parse(aino_client.get(feed_page()).content.decode())
    assert "You have no feed address yet." in text(page)

    response = aino_client.post(feed_page(), {"action": "renew"}, follow=True)

    aino.refresh_from_db()
    assert len(aino.feed_token) >= 40
    page = parse(response.content.decode())
    assert "Your calendar feed address was created." in text(page)
    addresses = [code.get_text() for code in page.find("section", class_="feed-address").find_all("code")]
    assert addresses == [
        f"webcal://testserver{feed_path(aino.feed_token)}?lang=en",
        f"http://testserver{feed_path(aino.feed_token)}?lang=en",
    ]
    assert page.find("a", href=addresses[0])
    assert page.find("a", attrs={"aria-current": "page"}, string="My calendar feed")


def test_the_feed_needs_no_login_and_is_never_cached(client, aino):
    token = services.advisor_feed_renew(advisor=aino)

    response = client.get(feed_path(token))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    assert "Aino Neuvoja" in Calendar.from_ical(response.content)["X-WR-CALNAME"]


def test_the_feed_holds_only_that_advisors_visits_drafts_and_cancelled_ones_marked(client, aino):
    other = staff_advisor("Olga")
    VisitFactory(
        venue=VenueFactory(name_fi="Sello", name_en="Sello"), starts_at=at(TUESDAY, 10), advisors=[aino], published=True
    )
    VisitFactory(venue=VenueFactory(name_fi="Entresse", name_en="Entresse"), starts_at=at(TUESDAY, 13), advisors=[aino])
    VisitFactory(
        venue=VenueFactory(name_fi="Iso Omena", name_en="Iso Omena"),
        starts_at=at(TUESDAY, 9),
        advisors=[aino],
        cancelled=True,
    )
    VisitFactory(
        venue=VenueFactory(name_fi="Lippulaiva", name_en="Lippulaiva"), starts_at=at(TUESDAY, 10), advisors=[other]
    )
    VisitFactory(
        venue=VenueFactory(name_fi="Kalajärvi", name_en="Kalajärvi"), starts_at=at(TUESDAY, 15), published=True
    )
    long_ago = at(TUESDAY - datetime.timedelta(days=400), 10)
    VisitFactory(
        venue=VenueFactory(name_fi="Tapiola", name_en="Tapiola"), starts_at=long_ago, advisors=[aino], published=True
    )

    found = events(client.get(feed_path(services.advisor_feed_renew(advisor=aino)), {"lang": "en"}))

    assert set(found) == {"Sello", "Entresse", "Iso Omena"}
    assert found["Sello"]["status"] == "CONFIRMED"
    assert found["Iso Omena"]["status"] == "CANCELLED"
    assert found["Iso Omena"]["summary"].startswith("CANCELLED:")
    assert found["Entresse"]["status"] == "TENTATIVE"
    assert found["Entresse"]["summary"].startswith("DRAFT:")
    assert "/staff/visits/" in found["Entresse"]["url"]


def test_renewing_changes_the_address_and_the_old_one_is_gone(aino_client, client, aino):
    old = services.advisor_feed_renew(advisor=aino)

    response = aino_client.post(feed_page(), {"action": "renew"}, follow=True)

    aino.refresh_from_db()
    assert aino.feed_token != old
    assert "the old one no longer works" in text(parse(response.content.decode()))
    assert client.get(feed_path(old)).status_code == 404
    assert client.get(feed_path(aino.feed_token)).status_code == 200


def test_revoking_takes_the_address_away(aino_client, client, aino):
    token = services.advisor_feed_renew(advisor=aino)

    response = aino_client.post(feed_page(), {"action": "revoke"}, follow=True)

    aino.refresh_from_db()
    assert aino.feed_token is None
    page = parse(response.content.decode())
    assert "The address was revoked" in text(page)
    assert page.find("section", class_="feed-address") is None
    assert client.get(feed_path(token)).status_code == 404


@pytest.mark.parametrize("forged", ["x", "A" * 43, "A" * 200, "..", "%00", "' OR 1=1 --"])
def test_a_forged_address_is_a_plain_404_that_names_nobody(client, aino, forged):
    services.advisor_feed_renew(advisor=aino)
    response = client.get(f"/staff-feed/{forged}.ics")
    assert response.status_code == 404
    assert b"Neuvoja" not in response.content
    assert b"BEGIN:VCALENDAR" not in response.content


def test_the_feed_of_an_advisor_who_left_stops_working(client, aino):
    token = services.advisor_feed_renew(advisor=aino)
    Advisor.objects.filter(pk=aino.pk).update(active=False)
    assert client.get(feed_path(token)).status_code == 404


def test_changes_need_a_post_and_a_known_action(aino_client, aino):
    assert aino_client.get(feed_page(), {"action": "renew"}).status_code == 200
    response = aino_client.post(feed_page(), {"action": "delete-everything"}, follow=True)
    aino.refresh_from_db()
    assert aino.feed_token is None
    assert "Choose whether to create, renew or revoke the address." in text(parse(response.content.decode()))


def test_staff_who_are_not_advisors_are_told_they_have_no_feed(client):
    scheduler = UserFactory()
    scheduler.groups.add(Group.objects.get(name="scheduler"))
    client.force_login(scheduler)

    page = parse(client.get(feed_page()).content.decode())
    assert "Only service advisors have a calendar feed of their own visits." in text(page)
    assert not page.find("button", attrs={"value": "renew"})
    assert client.post(feed_page(), {"action": "renew"}).status_code == 302


def test_the_feed_page_needs_a_login(client):
    response = client.get(feed_page())
    assert response.status_code == 302
    assert "/login/" in response["Location"]
