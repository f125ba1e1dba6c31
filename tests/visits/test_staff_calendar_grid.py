"""The staff calendar shows time: a week grid placed by classes, marks on days, advisors' colours."""

import datetime
import re
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation

from tests.html import parse, text
from tests.visits.factories import AdvisorFactory, UserFactory, VenueFactory, VisitFactory
from visits.models import VenueException
from visits.recurrence import local_datetime
from visits.staff import timegrid

pytestmark = pytest.mark.django_db

STAFF_CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "staff.css"
# Wednesday 1 April 2026 in Helsinki; Good Friday is 3 April, Easter Monday 6 April.
NOW = datetime.datetime(2026, 4, 1, 9, tzinfo=datetime.UTC)
MONDAY = datetime.date(2026, 3, 30)
TUESDAY = MONDAY + datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _wednesday_1_april_2026():
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        yield


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return local_datetime(day, datetime.time(hour, minute))


def visit_at(day, start: tuple[int, int], end: tuple[int, int], **kwargs):
    return VisitFactory(starts_at=at(day, *start), ends_at=at(day, *end), **kwargs)


def calendar_page(client, **params):
    with translation.override("en"):
        path = reverse("staff:calendar")
    response = client.get(path, params)
    assert response.status_code == 200
    return parse(response.content.decode())


def staff(role: str, **kwargs):
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def scheduler_client(client):
    client.force_login(staff("scheduler"))
    return client


# The grid maths ------------------------------------------------------------------------------


def test_a_visit_fills_the_quarter_hour_rows_of_its_time_from_seven_o_clock():
    visit = visit_at(TUESDAY, (10, 0), (12, 0))
    hours = timegrid.grid_hours([(TUESDAY, [visit])])

    [placed] = timegrid.place_day([visit], day=TUESDAY, hours=hours)

    assert (hours.first, hours.last) == (7, 21)
    # 10.00 is three hours below 7.00: row 13; two hours are eight quarter-hour rows.
    assert placed.classes == "cal-start-13 cal-span-8 cal-col-1 cal-wide-12"


@pytest.mark.parametrize(
    ("start", "end", "rows"),
    [
        ((7, 0), (7, 15), (1, 1)),
        ((9, 10), (9, 50), (9, 4)),  # partly filled quarters are drawn whole
        ((20, 0), (21, 0), (53, 4)),
    ],
)
def test_rows_follow_the_quarter_hours_a_visit_touches(start, end, rows):
    visit = visit_at(TUESDAY, start, end)
    [placed] = timegrid.place_day([visit], day=TUESDAY, hours=timegrid.Hours(first=7, last=21))
    assert (placed.start, placed.span) == rows


def test_a_visit_outside_seven_to_nine_widens_the_grid_so_it_still_shows():
    early = visit_at(MONDAY, (6, 30), (8, 0))
    late = visit_at(TUESDAY, (20, 0), (22, 30))
    hours = timegrid.grid_hours([(MONDAY, [early]), (TUESDAY, [late])])

    assert (hours.first, hours.last) == (6, 23)
    assert hours.classes == "cal-hours-17"
    [placed_early] = timegrid.place_day([early], day=MONDAY, hours=hours)
    [placed_late] = timegrid.place_day([late], day=TUESDAY, hours=hours)
    assert (placed_early.start, placed_early.span) == (3, 6)
    assert placed_late.start + placed_late.span - 1 == (22 - 6) * 4 + 2  # the row of 22.15–22.30


def test_a_visit_past_midnight_ends_at_the_bottom_of_its_day():
    night = VisitFactory(starts_at=at(TUESDAY, 22), ends_at=at(TUESDAY + datetime.timedelta(days=1), 2))
    hours = timegrid.grid_hours([(TUESDAY, [night])])
    [placed] = timegrid.place_day([night], day=TUESDAY, hours=hours)
    assert hours.last == 24
    assert placed.start + placed.span - 1 == (24 - hours.first) * 4


def test_overlapping_visits_stand_side_by_side_and_the_rest_of_the_day_keeps_its_width():
    first = visit_at(TUESDAY, (10, 0), (12, 0))
    second = visit_at(TUESDAY, (11, 0), (13, 0))
    third = visit_at(TUESDAY, (12, 0), (14, 0))  # free again beside the second: the first lane
    alone = visit_at(TUESDAY, (15, 0), (16, 0))
    visits = [first, second, third, alone]

    placed = timegrid.place_day(visits, day=TUESDAY, hours=timegrid.Hours(first=7, last=21))

    assert [p.visit for p in placed] == visits
    assert [(p.column, p.width) for p in placed] == [(1, 6), (7, 6), (1, 6), (1, 12)]


def test_three_at_once_share_the_width_in_thirds():
    visits = [visit_at(TUESDAY, (10, 0), (12, 0)) for _ in range(3)]
    placed = timegrid.place_day(visits, day=TUESDAY, hours=timegrid.Hours(first=7, last=21))
    assert [(p.column, p.width) for p in placed] == [(1, 4), (5, 4), (9, 4)]


def test_the_style_sheet_defines_every_class_the_grid_can_give():
    css = STAFF_CSS.read_text()
    defined = set(re.findall(r"\.(cal-(?:start|span|col|wide|hours|advisor)-\w+) \{", css))
    needed = {f"cal-start-{n}" for n in range(1, timegrid.MAX_SLOTS + 1)}
    needed |= {f"cal-span-{n}" for n in range(1, timegrid.MAX_SPAN + 1)}
    needed |= {f"cal-col-{n}" for n in range(1, timegrid.COLUMNS + 1)}
    needed |= {f"cal-wide-{timegrid.COLUMNS // n}" for n in timegrid.LANE_COUNTS}
    needed |= {f"cal-hours-{n}" for n in range(timegrid.LAST_HOUR - timegrid.FIRST_HOUR, 25)}
    needed |= {f"cal-advisor-{n}" for n in range(timegrid.COLOURS)} | {"cal-advisor-none"}
    assert needed <= defined


def test_words_wrap_only_between_words_never_mid_syllable():
    css = STAFF_CSS.read_text()
    assert "overflow-wrap: anywhere" not in css.split("code {")[0]
    assert "hyphens: auto" not in css


# The week page -------------------------------------------------------------------------------


def test_the_week_is_a_grid_of_placed_visits_that_reads_as_a_list_of_days(scheduler_client):
    venue = VenueFactory(name_en="Sello Library")
    visit_at(TUESDAY, (10, 0), (12, 0), venue=venue)
    page = calendar_page(scheduler_client, date=TUESDAY.isoformat())

    grid = page.find(class_="time-grid")
    assert grid.find(class_="time-grid__hours")["aria-hidden"] == "true"
    days = grid.find_all("section", class_="week-day")
    assert [text(day.find("h3")) for day in days][:2] == ["Monday 30 Mar", "Tuesday 31 Mar"]
    [item] = days[1].find_all("li", class_="cal-visit")
    assert {"cal-start-13", "cal-span-8"} <= set(item["class"])
    assert text(item).startswith("10:00–12:00 Sello Library")
    assert not page.find(attrs={"style": True})


def test_holidays_and_venue_closures_are_named_on_their_days(scheduler_client):
    library = VenueFactory(name_en="Sello Library")
    centre = VenueFactory(name_en="Kalajärvi Senior Centre")
    VenueException.objects.create(
        venue=library, start_date=TUESDAY, end_date=TUESDAY, closed=True, reason_en="Renovation"
    )
    VenueException.objects.create(
        venue=centre,
        start_date=MONDAY,
        end_date=MONDAY,
        opens=datetime.time(12),
        closes=datetime.time(15),
    )

    for view in ("week", "month"):
        page = calendar_page(scheduler_client, date=MONDAY.isoformat(), view=view)
        marks = [text(mark) for mark in page.find_all(class_="day-mark")]
        assert "Public holiday: Good Friday" in marks
        assert "Sello Library: closed (Renovation)" in marks
        assert "Kalajärvi Senior Centre: open 12:00–15:00 only" in marks

    week = calendar_page(scheduler_client, date=MONDAY.isoformat())
    friday = week.find(id="day-20260403").find_parent("section")
    assert "Public holiday: Good Friday" in text(friday)
    assert "week-day--holiday" in friday["class"]


def test_a_visit_at_a_closed_venue_is_flagged_with_the_reason(scheduler_client):
    library = VenueFactory(name_en="Sello Library")
    VenueException.objects.create(venue=library, start_date=TUESDAY, end_date=TUESDAY, closed=True)
    visit_at(TUESDAY, (10, 0), (12, 0), venue=library)

    page = calendar_page(scheduler_client, date=TUESDAY.isoformat())

    closure = page.find(class_="cal-visit__closure")
    assert text(closure) == "! Warning: Sello Library is closed on 31 Mar."
    assert closure.find(class_="warn-mark")["aria-hidden"] == "true"


def test_a_draft_whose_time_has_passed_is_marked_expired_and_cannot_be_published(scheduler_client):
    expired = visit_at(MONDAY, (10, 0), (12, 0))
    coming = visit_at(datetime.date(2026, 4, 2), (10, 0), (12, 0))

    page = calendar_page(scheduler_client, date=MONDAY.isoformat())

    items = {int(item.a["href"].rstrip("/").rsplit("/", 1)[1]): item for item in page.find_all("li", "cal-visit")}
    assert "Draft – expired" in text(items[expired.pk])
    assert "cal-visit--expired" in items[expired.pk]["class"]
    assert not items[expired.pk].find("button")
    assert "Draft – expired" not in text(items[coming.pk])
    assert "Draft" in text(items[coming.pk])


def colours_of_visits(page) -> list[str]:
    return [next(c for c in li["class"] if c.startswith("cal-advisor-")) for li in page.find_all("li", "cal-visit")]


def test_each_advisor_has_a_colour_named_in_the_legend(scheduler_client):
    aino = AdvisorFactory(user__first_name="Aino", user__last_name="Neuvoja")
    bertil = AdvisorFactory(user__first_name="Bertil", user__last_name="Rådgivare")
    visit_at(MONDAY, (10, 0), (12, 0), advisors=[aino])
    visit_at(MONDAY, (13, 0), (14, 0), advisors=[bertil])
    visit_at(TUESDAY, (10, 0), (12, 0), advisors=[bertil, aino])
    visit_at(TUESDAY, (13, 0), (14, 0))

    page = calendar_page(scheduler_client, date=MONDAY.isoformat())

    legend = {text(li): li.span["class"][1] for li in page.find(class_="advisor-legend").find_all("li")}
    assert legend == {
        "Aino Neuvoja": "cal-advisor-0",
        "Bertil Rådgivare": "cal-advisor-1",
        "No advisor yet": "cal-advisor-none",
    }
    # A shared visit takes its first advisor's colour, or the colour of the advisor shown.
    assert colours_of_visits(page) == ["cal-advisor-0", "cal-advisor-1", "cal-advisor-0", "cal-advisor-none"]
    bertils = calendar_page(scheduler_client, date=MONDAY.isoformat(), advisor=bertil.pk)
    assert colours_of_visits(bertils) == ["cal-advisor-1", "cal-advisor-1"]


# My visits, all advisors ---------------------------------------------------------------------


@pytest.fixture
def aino_client(client):
    aino = AdvisorFactory(user=staff("advisor", first_name="Aino", last_name="Neuvoja"))
    client.force_login(aino.user)
    return client, aino


def test_an_advisor_opens_on_their_own_visits_and_can_switch_to_all(aino_client):
    client, aino = aino_client
    visit_at(TUESDAY, (10, 0), (12, 0), venue=VenueFactory(name_en="Sello Library"), advisors=[aino])
    visit_at(TUESDAY, (13, 0), (15, 0), venue=VenueFactory(name_en="Entresse Library"))

    own = calendar_page(client, date=TUESDAY.isoformat())
    switch = own.find("nav", class_="calendar-whose")
    links = {text(a): a for a in switch.find_all("a")}
    assert links["My visits"]["aria-current"] == "page"
    assert "aria-current" not in links["All advisors"].attrs
    calendar = text(own.find(class_="time-grid"))
    assert "Sello Library" in calendar and "Entresse Library" not in calendar

    assert links["All advisors"]["href"].endswith("&advisor=")
    with translation.override("en"):
        everyone = client.get(reverse("staff:calendar") + links["All advisors"]["href"])
    page = parse(everyone.content.decode())
    calendar = text(page.find(class_="time-grid"))
    assert "Sello Library" in calendar and "Entresse Library" in calendar
    links = {text(a): a for a in page.find("nav", class_="calendar-whose").find_all("a")}
    assert links["All advisors"]["aria-current"] == "page"


def test_a_scheduler_who_is_no_advisor_gets_no_switch(scheduler_client):
    assert calendar_page(scheduler_client).find("nav", class_="calendar-whose") is None
