"""Schedulers saving at the same moment cannot double-book an advisor.

Twenty threads, released together by a barrier, each try to book the same advisor into an
overlapping visit. Exactly one visit may be stored; every other scheduler is told which visit
holds the advisor.

On PostgreSQL the race runs in this process against the test database, where the exclusion
constraint backs the rule. On SQLite it runs in a child process against a file database with the
embedded mode's own settings: the in-memory test database pytest uses shares one cache between
connections, and its table locks fail at once instead of waiting, so it cannot host a race that
the embedded mode's file database handles by queueing writers.
"""

import datetime
import itertools
import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import translation

from tests.visits.factories import AdvisorFactory, VenueFactory
from visits.models import Visit
from visits.recurrence import local_datetime
from visits.services import VisitPlan, visit_create

pytestmark = pytest.mark.django_db(transaction=True)

BASE_DIR = Path(__file__).resolve().parents[2]
SCHEDULERS = 20
ROUNDS = 5
FIRST_DAY = datetime.date(2030, 3, 4)


def race(plans: list[VisitPlan]) -> tuple[list[Visit], list[ValidationError], list[BaseException]]:
    """Run `visit_create` for every plan at once, each in its own thread and database connection."""
    barrier = threading.Barrier(len(plans))
    created: list[Visit] = []
    refused: list[ValidationError] = []
    crashed: list[BaseException] = []

    def schedule(plan: VisitPlan) -> None:
        try:
            barrier.wait(timeout=30)
            created.append(visit_create(plan))
        except ValidationError as error:
            refused.append(error)
        except BaseException as error:  # reported by the test, not swallowed
            crashed.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=schedule, args=(plan,)) for plan in plans]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a scheduler never finished"
    return created, refused, crashed


def venue_name(visit: Visit) -> str:
    with translation.override(django_settings.LANGUAGE_CODE):
        return str(visit.venue)


def race_rounds(rounds: int) -> list[dict]:
    """One advisor, twenty venues; each round twenty overlapping bookings on a new day."""
    advisor = AdvisorFactory()
    venues = [VenueFactory() for _ in range(SCHEDULERS)]
    outcomes = []
    for round_ in range(rounds):
        day = FIRST_DAY + datetime.timedelta(days=round_)
        plans = [
            VisitPlan(
                venue=venue,
                # Each scheduler asks for a slightly different slot; all of them overlap.
                starts_at=local_datetime(day, datetime.time(10, i)),
                ends_at=local_datetime(day, datetime.time(13, i)),
                advisors=[advisor],
            )
            for i, venue in enumerate(venues)
        ]
        created, refused, crashed = race(plans)
        stored = Visit.objects.filter(starts_at__gte=local_datetime(day, datetime.time()))
        stored = stored.filter(starts_at__lt=local_datetime(day + datetime.timedelta(days=1), datetime.time()))
        outcomes.append(
            {
                # The schedulers' threads speak the default language, and so do their messages.
                "created": [[visit.pk, venue_name(visit)] for visit in created],
                "refused": [error.message_dict for error in refused],
                "crashed": [repr(error) for error in crashed],
                "stored": [[visit.pk, [a.pk for a in visit.advisors.all()]] for visit in stored],
                "advisor": advisor.pk,
            }
        )
    return outcomes


SQLITE_RACE = """
import json, sys
from django.conf import settings
settings.DATABASES["default"]["NAME"] = sys.argv[1]
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from tests.visits.test_concurrency import race_rounds
print(json.dumps(race_rounds(int(sys.argv[2]))))
"""


def in_embedded_mode(script: str, *arguments: str):
    """Run a race script in a child process on a SQLite file database, as the embedded mode does."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_ENV")}
    env["DJANGO_SETTINGS_MODULE"] = "espoo_service.settings"
    done = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", script, *arguments],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def run_race(tmp_path):
    def run(rounds: int) -> list[dict]:
        if connection.vendor != "sqlite":
            return race_rounds(rounds)
        return in_embedded_mode(SQLITE_RACE, str(tmp_path / "embedded.sqlite3"), str(rounds))

    return run


def test_twenty_schedulers_booking_one_advisor_at_once_store_exactly_one_visit(run_race):
    outcomes = run_race(ROUNDS)

    assert len(outcomes) == ROUNDS
    for round_, outcome in enumerate(outcomes):
        assert outcome["crashed"] == [], f"round {round_}"
        [(winner, venue)] = outcome["created"]
        assert outcome["stored"] == [[winner, [outcome["advisor"]]]], f"round {round_}"
        assert len(outcome["refused"]) == SCHEDULERS - 1
        for errors in outcome["refused"]:
            [message] = errors["advisors"]
            assert f"#{winner}" in message
            assert venue in message


def race_chain() -> dict:
    """Three advisors; twenty schedulers at once each book two of them, each slot overlapping only
    its neighbours'. Before advisors were locked in order this made PostgreSQL pick deadlock victims."""
    advisors = [AdvisorFactory() for _ in range(3)]
    day = FIRST_DAY + datetime.timedelta(days=30)
    plans = [
        VisitPlan(
            venue=VenueFactory(),
            starts_at=local_datetime(day, datetime.time(6)) + datetime.timedelta(minutes=20 * i),
            ends_at=local_datetime(day, datetime.time(7)) + datetime.timedelta(minutes=20 * i),
            advisors=[advisors[i % 3], advisors[(i + 1) % 3]],
        )
        for i in range(SCHEDULERS)
    ]
    created, refused, crashed = race(plans)
    booked = {
        advisor.pk: [
            [visit.starts_at.isoformat(), visit.ends_at.isoformat()]
            for visit in Visit.objects.filter(advisors=advisor).order_by("starts_at")
        ]
        for advisor in advisors
    }
    return {
        "created": len(created),
        "refused": [error.message_dict for error in refused],
        "crashed": [repr(error) for error in crashed],
        "booked": list(booked.values()),
    }


CHAIN_RACE = SQLITE_RACE.replace("race_rounds(int(sys.argv[2]))", "race_chain()").replace(
    "import race_rounds", "import race_chain"
)


def test_twenty_schedulers_sharing_advisors_get_a_save_or_the_conflict_message(tmp_path):
    if connection.vendor == "sqlite":
        outcome = in_embedded_mode(CHAIN_RACE, str(tmp_path / "embedded.sqlite3"))
    else:
        outcome = race_chain()

    assert outcome["crashed"] == []
    assert outcome["created"] + len(outcome["refused"]) == SCHEDULERS
    assert outcome["created"] >= 1
    for errors in outcome["refused"]:
        assert list(errors) == ["advisors"]
        # Each message names the visit that holds the advisor (#id), in the active language.
        assert all(re.search(r"#\d+", message) for message in errors["advisors"])
    for visits in outcome["booked"]:
        for (_, earlier_end), (later_start, _) in itertools.pairwise(visits):
            assert earlier_end <= later_start
