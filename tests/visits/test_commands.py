"""`load_espoo_data` (host locations, advisors, a published demo plan) and `generate_demo_visits`."""

import datetime
import subprocess
import sys
from collections import defaultdict
from io import StringIO
from itertools import pairwise
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import Group, User
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from servicepoints.models import Area
from servicepoints.services import network_load
from visits.models import Advisor, Language, State, Venue, VenueOpeningHours, Visit, VisitAdvisor, VisitSeries
from visits.seed import demo_logins_create
from visits.selectors import area_coverage
from visits.services import VisitPlan, visit_review

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parents[2]
# A Monday morning, and a Monday in the Christmas weeks when Fridays fall on holidays.
MONDAY = datetime.datetime(2027, 2, 15, 7, 0, tzinfo=datetime.UTC)
CHRISTMAS_WEEK = datetime.datetime(2026, 12, 21, 7, 0, tzinfo=datetime.UTC)
SATURDAY = datetime.datetime(2027, 2, 20, 12, 0, tzinfo=datetime.UTC)


def load_espoo_data(when: datetime.datetime = MONDAY, *options: str) -> str:
    out = StringIO()
    with time_machine.travel(when, tick=False):
        call_command("load_espoo_data", *options, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "languages": Language.objects.count(),
        "venues": Venue.objects.count(),
        "venue hours": VenueOpeningHours.objects.count(),
        "users": User.objects.count(),
        "advisors": Advisor.objects.count(),
        "series": VisitSeries.objects.count(),
        "visits": Visit.objects.count(),
        "published": Visit.objects.published().count(),
        "bookings": VisitAdvisor.objects.count(),
    }


def assert_no_advisor_is_double_booked() -> None:
    booked = defaultdict(list)
    for advisor, start, end in VisitAdvisor.objects.filter(active=True).values_list("advisor", "starts_at", "ends_at"):
        booked[advisor].append((start, end))
    for ranges in booked.values():
        ranges.sort()
        for (_, previous_end), (next_start, _) in pairwise(ranges):
            assert next_start >= previous_end


# load_espoo_data -----------------------------------------------------------------------------


def test_it_loads_the_host_libraries_of_every_area_with_positions_names_and_hours():
    load_espoo_data()

    names = set(Venue.objects.values_list("name_fi", flat=True))
    assert {
        "Sellon kirjasto",
        "Entressen kirjasto",
        "Lippulaivan kirjasto",
        "Tapiolan kirjasto",
        "Kauklahden kirjasto",
        "Kalajärven kirjasto",
        "Ison Omenan kirjasto",
    } <= names
    assert set(Venue.objects.values_list("area__slug", flat=True)) == set(Area.objects.values_list("slug", flat=True))
    assert Area.objects.count() == 7
    sello = Venue.objects.get(name_fi="Sellon kirjasto")
    entresse = Venue.objects.get(name_fi="Entressen kirjasto")
    # The positions the city gave are exact; the others are marked for an administrator to correct.
    assert (sello.latitude, sello.longitude, sello.location_is_approximate) == (60.21748, 24.80992, False)
    assert (entresse.latitude, entresse.longitude, entresse.location_is_approximate) == (60.203636, 24.657864, False)
    assert Venue.objects.get(name_fi="Kalajärven kirjasto").location_is_approximate
    assert (sello.name_sv, sello.name_en) == ("Sellobiblioteket", "Sello library")
    assert not Venue.objects.filter(opening_hours__isnull=True).exists()
    for venue in Venue.objects.all():
        venue.full_clean()
    # The advisors are in the advisor group and have no password until an administrator sets one.
    advisors = list(Advisor.objects.select_related("user"))
    assert len(advisors) >= 4
    group = Group.objects.get(name="advisor")
    for advisor in advisors:
        assert group in advisor.user.groups.all()
        assert not advisor.user.has_usable_password()
        assert not advisor.user.is_staff


@pytest.mark.parametrize("when", [MONDAY, SATURDAY, CHRISTMAS_WEEK], ids=["monday", "saturday", "christmas-week"])
def test_every_area_has_published_visits_in_the_next_four_weeks(when):
    load_espoo_data(when)

    coverage = area_coverage(today=when.date())
    assert len(coverage) == 7
    assert {c.area.slug: c.published_visits > 0 for c in coverage} == {c.area.slug: True for c in coverage}
    assert [c.area.slug for c in coverage if c.uncovered] == []


def test_the_demo_plan_is_published_only_from_now_on():
    load_espoo_data(SATURDAY)

    assert not Visit.objects.filter(state=State.PUBLISHED, ends_at__lte=SATURDAY).exists()
    assert Visit.objects.filter(state=State.PUBLISHED, starts_at__gt=SATURDAY).exists()


def test_the_demo_plan_double_books_nobody_and_keeps_to_the_venue_hours():
    load_espoo_data()

    assert_no_advisor_is_double_booked()
    for visit in Visit.objects.select_related("venue"):
        plan = VisitPlan(
            venue=visit.venue, starts_at=visit.starts_at, ends_at=visit.ends_at, advisors=list(visit.advisors.all())
        )
        assert visit_review(plan, exclude=visit.pk).warnings == [], visit


def test_loading_twice_adds_nothing_the_second_time():
    load_espoo_data()
    first = counts()

    out = load_espoo_data()

    assert counts() == first
    assert first["published"] > 0
    assert "0 demo series" in out


def test_loading_again_keeps_what_an_administrator_corrected():
    load_espoo_data()
    Venue.objects.filter(name_fi="Lippulaivan kirjasto").update(
        latitude=60.1492, longitude=24.6545, location_is_approximate=False, name_en="Lippulaiva Library"
    )
    lippulaiva = Venue.objects.get(name_fi="Lippulaivan kirjasto")
    lippulaiva.opening_hours.filter(weekday=5).delete()
    olga = Advisor.objects.get(user__username="olga.neuvoja")
    olga.languages.set(Language.objects.filter(code__in=["fi", "ru"]))

    load_espoo_data()

    lippulaiva.refresh_from_db()
    assert (lippulaiva.latitude, lippulaiva.longitude, lippulaiva.location_is_approximate) == (60.1492, 24.6545, False)
    assert lippulaiva.name_en == "Lippulaiva Library"
    assert not lippulaiva.opening_hours.filter(weekday=5).exists()
    assert set(olga.languages.values_list("code", flat=True)) == {"fi", "ru"}


def printed_logins(out: str) -> dict[str, tuple[str, str]]:
    """Each printed login: its username, and the line's role and password."""
    logins = {}
    for line in out.splitlines():
        if " / " in line:
            role, credentials = line.rsplit(": ", 1)
            username, password = credentials.split(" / ")
            logins[username] = (role, password)
    return logins


def test_demo_logins_get_fresh_passwords_that_work(settings):
    settings.EMBEDDED = True
    out = load_espoo_data(MONDAY, "--demo-logins")

    logins = printed_logins(out)
    assert set(logins) == {"demo.scheduler", "aino.neuvoja", "demo.admin"}
    scheduler = User.objects.get(username="demo.scheduler")
    assert scheduler.check_password(logins["demo.scheduler"][1])
    assert list(scheduler.groups.values_list("name", flat=True)) == ["scheduler"]
    assert User.objects.get(username="aino.neuvoja").check_password(logins["aino.neuvoja"][1])


def test_demo_logins_say_which_is_the_scheduler_the_advisor_and_the_administrator(settings):
    settings.EMBEDDED = True
    logins = printed_logins(load_espoo_data(MONDAY, "--demo-logins"))

    assert logins["demo.scheduler"][0].startswith("Scheduler")
    assert logins["aino.neuvoja"][0].startswith("Advisor")
    assert Advisor.objects.filter(user__username="aino.neuvoja", active=True).exists()
    role, password = logins["demo.admin"]
    assert role.startswith("Administrator at /admin/")
    admin = User.objects.get(username="demo.admin")
    assert admin.is_staff and admin.is_superuser and admin.check_password(password)


def test_outside_the_embedded_mode_no_administrator_is_made_or_printed(settings):
    settings.EMBEDDED = False
    out = load_espoo_data(MONDAY, "--demo-logins")

    assert set(printed_logins(out)) == {"demo.scheduler", "aino.neuvoja"}
    assert "createsuperuser" in out
    assert not User.objects.filter(is_superuser=True).exists()


def test_the_first_administrator_of_a_production_site_comes_from_createsuperuser_not_a_demo(settings):
    settings.EMBEDDED = False
    with pytest.raises(ImproperlyConfigured):
        demo_logins_create(administrator=True)
    assert not User.objects.filter(is_superuser=True).exists()


def test_the_admin_site_carries_the_products_name(client):
    page = client.get("/admin/login/", headers={"Accept-Language": "en"}).content.decode()
    assert "<title>Log in | Espoo service map</title>" in page
    assert "Espoo service map: administration" in page


# generate_demo_visits ------------------------------------------------------------------------


def generate(*args: str) -> str:
    out = StringIO()
    with time_machine.travel(MONDAY, tick=False):
        call_command("generate_demo_visits", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def network():
    """Areas and kinds of help, which synthetic venues and visits are placed in."""
    network_load()


def test_it_generates_the_volume_asked_for_without_double_booking(network):
    before = counts()

    out = generate("--venues", "5", "--visits", "500", "--seed", "1")

    after = counts()
    assert after["venues"] - before["venues"] == 5
    assert after["visits"] - before["visits"] == 500
    assert after["bookings"] - before["bookings"] == 500
    assert "Created 5 venues and 500 visits" in out
    assert_no_advisor_is_double_booked()
    synthetic = Venue.objects.filter(name_en__startswith="synthetic-1 ")
    assert synthetic.count() == 5
    for venue in synthetic:
        venue.full_clean()
    assert not Visit.objects.filter(venue__in=synthetic, state=State.DRAFT).exists()
    assert not Visit.objects.filter(venue__in=synthetic, state=State.CANCELLED, cancel_reason="").exists()


def test_generating_again_adds_new_venues_rather_than_clashing(network):
    generate("--venues", "2", "--visits", "20", "--seed", "7")

    generate("--venues", "2", "--visits", "20", "--seed", "7")

    assert Venue.objects.filter(name_en__startswith="synthetic-7 ").count() == 4
    assert_no_advisor_is_double_booked()


@pytest.mark.parametrize(
    "args",
    [
        ["--visits", "-1"],
        ["--visits", "abc"],
        ["--visits", "0"],
        ["--visits", "1.5"],
        ["--visits", "10000001"],
        ["--venues", "0"],
        ["--seed", "x"],
    ],
    ids=["negative", "not-a-number", "zero", "fraction", "over-ten-million", "no-venues", "bad-seed"],
)
def test_bad_arguments_are_a_command_error_and_create_nothing(network, args):
    before = counts()

    with pytest.raises(CommandError, match=args[0]):
        generate(*args)

    assert counts() == before


def test_it_asks_for_the_areas_first_on_an_empty_database():
    with pytest.raises(CommandError, match="load_espoo_data"):
        generate("--venues", "1", "--visits", "1")


@pytest.mark.parametrize("value", ["-1", "abc"])
def test_bad_arguments_on_the_command_line_print_usage_not_a_traceback(value):
    done = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", "generate_demo_visits", "--visits", value],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 2
    assert "usage:" in done.stderr
    assert "--visits" in done.stderr
    assert "Traceback" not in done.stderr
