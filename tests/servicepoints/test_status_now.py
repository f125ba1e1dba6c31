"""A point's badge says what holds now: never "Open" on a day or at an hour it is closed."""

import datetime

import pytest
import time_machine

from servicepoints.models import ServicePoint
from servicepoints.selectors import service_point_now
from tests.html import parse

pytestmark = pytest.mark.django_db

HELSINKI = datetime.timezone(datetime.timedelta(hours=2))


def badge(client, path: str) -> tuple[str, str]:
    status = parse(client.get(path).content).select_one("main .status")
    return " ".join(status.get("class")), status.get_text(" ", strip=True)


@pytest.mark.parametrize(
    ("moment", "kind", "label"),
    [
        # Epiphany, a Wednesday holiday: closed all day, open again on Thursday.
        (datetime.datetime(2027, 1, 6, 12, 0, tzinfo=HELSINKI), "closed-now", "Closed today · opens tomorrow at 09:00"),
        # A Tuesday at noon: open until six.
        (datetime.datetime(2027, 1, 12, 12, 0, tzinfo=HELSINKI), "open", "Open now · until 18:00"),
        # The same Tuesday before opening and after closing.
        (datetime.datetime(2027, 1, 12, 7, 30, tzinfo=HELSINKI), "closed-now", "Closed now · opens today at 09:00"),
        (datetime.datetime(2027, 1, 12, 19, 0, tzinfo=HELSINKI), "closed-now", "Closed now · opens tomorrow at 09:00"),
        # A Friday evening: the weekend is closed, Monday opens.
        (datetime.datetime(2027, 1, 15, 19, 0, tzinfo=HELSINKI), "closed-now", "Closed now · opens Mon at 09:00"),
    ],
    ids=["holiday", "open", "before-opening", "after-closing", "weekend-ahead"],
)
def test_the_badge_on_todays_page_says_what_holds_now(client, espoo_network, moment, kind, label):
    with time_machine.travel(moment, tick=False):
        classes, text = badge(client, "/en/service-points/matinkyla/")

    assert f"status--{kind}" in classes
    assert text == label
    if kind != "open":
        assert "status--open" not in classes


def test_on_another_date_the_badge_gives_the_status_on_that_date(client, espoo_network):
    with time_machine.travel(datetime.datetime(2027, 1, 6, 12, 0, tzinfo=HELSINKI), tick=False):
        classes, text = badge(client, "/en/service-points/matinkyla/?on=2027-01-07")

    assert "status--open" in classes and text == "Open"


def test_a_point_with_no_opening_in_two_weeks_says_only_that_it_is_closed(espoo_network):
    point = ServicePoint.objects.get(slug="matinkyla")
    point.opening_hours.all().delete()

    opening = service_point_now(service_point=point, now=datetime.datetime(2027, 1, 12, 12, 0, tzinfo=HELSINKI))

    assert (opening.is_open, opening.opens_at) == (False, None)
