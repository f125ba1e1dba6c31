import argparse
import datetime
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from servicepoints.models import Area
from visits.seed import synthetic_visits_generate

MAX_COUNT = 10_000_000


def _positive(text: str) -> int:
    # ArgumentTypeError's message reaches the user as is; a ValueError would read "invalid _positive value".
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_COUNT:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 to {MAX_COUNT}, not {text!r}")
    return value


class Command(BaseCommand):
    help = "Create synthetic venues and published visits for benchmarks and load tests."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--venues", type=_positive, default=100)
        parser.add_argument("--visits", type=_positive, default=10_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--start",
            type=datetime.date.fromisoformat,
            default=None,
            help="YYYY-MM-DD the visits begin from (default 30 days ago); a past date makes history",
        )

    def handle(self, *args, venues: int, visits: int, seed: int, start: datetime.date | None, **options) -> None:
        if not Area.objects.exists():
            raise CommandError("Run load_espoo_data first: synthetic venues are placed in its areas.")
        started = time.perf_counter()
        made_venues, made_visits = synthetic_visits_generate(venues=venues, visits=visits, seed=seed, start=start)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(f"Created {made_venues} venues and {made_visits} visits in {elapsed:.1f} s.")
        )
