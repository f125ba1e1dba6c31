"""DEMO figures for the staff dashboard: made-up records of past visits and made-up daily visitor
counts of the service points, so the pilot's figures can be shown and timed before real ones exist.

Real figures never come from code: advisors record them and staff enter the counts. This command
only fills what is empty (a visit without a record, a point's day without a count) and never
touches a figure somebody entered.
"""

import argparse
import datetime
import random
import time

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from servicepoints.models import MAX_DAILY_VISITORS, ServicePoint, ServicePointDailyCount, ServiceType, hours_on
from visits.models import DEFAULT_LANGUAGE, DEFAULT_SERVICE, AgeGroup, Contact, Language, Visit, VisitRecord
from visits.recurrence import local_datetime

MAX_DAYS = 5 * 366
# Nobody came to about one visit in eight; otherwise a handful of people, more on a long visit.
NOBODY_CAME = 0.12
PEOPLE_PER_HOUR = (0.5, 2.5)
# A point's visitors on an open day, by weekday (Monday first): busiest early in the week.
POINT_VISITORS = (45, 40, 35, 35, 25, 12, 8)


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_DAYS:
        raise argparse.ArgumentTypeError(f"expected a whole number of days from 1 to {MAX_DAYS}, not {text!r}")
    return value


@transaction.atomic
def demo_figures_generate(*, days: int, seed: int) -> tuple[int, int, int]:
    """Made-up figures for the `days` before today: a record with contacts for every held visit
    that has none, and a daily count for every day a serving point was open and has none.
    Returns the records, contacts and counts created. The same seed gives the same figures."""
    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate(now)
    first = today - datetime.timedelta(days=days)
    services = {service.slug: service for service in ServiceType.objects.all()}
    languages = {language.code: language for language in Language.objects.all()}
    fallback_service = services.get(DEFAULT_SERVICE[0]) or next(iter(services.values()), None)
    fallback_language = languages.get(DEFAULT_LANGUAGE[0]) or next(iter(languages.values()), None)

    visits = list(
        Visit.objects.published()
        .filter(starts_at__gte=local_datetime(first, datetime.time()), ends_at__lte=now, record__isnull=True)
        .prefetch_related("services", "languages")
        .order_by("starts_at", "pk")
    )
    records, planned_contacts = [], []
    for visit in visits:
        hours = (visit.ends_at - visit.starts_at).total_seconds() / 3600
        people = 0 if rng.random() < NOBODY_CAME else max(1, round(hours * rng.uniform(*PEOPLE_PER_HOUR)))
        record = VisitRecord(visit=visit, people_helped=people)
        records.append(record)
        offered = list(visit.services.all()) or [s for s in [fallback_service] if s]
        spoken = list(visit.languages.all()) or [fallback_language]
        # Without any language in the database the record keeps its number and has no contacts.
        if not offered or spoken == [None]:
            continue
        for _person in range(people):
            chosen = rng.sample(offered, k=min(len(offered), 1 + (rng.random() < 0.25)))
            planned_contacts.append((record, rng.choice(spoken), rng.choice([*AgeGroup.values, ""]), chosen))
    VisitRecord.objects.bulk_create(records)
    contacts = Contact.objects.bulk_create(
        Contact(record=record, language=language, age_group=age_group)
        for record, language, age_group, _chosen in planned_contacts
    )
    Contact.services.through.objects.bulk_create(
        Contact.services.through(contact=contact, servicetype=service)
        for contact, (_record, _language, _age, chosen) in zip(contacts, planned_contacts, strict=True)
        for service in chosen
    )

    counted = set(
        ServicePointDailyCount.objects.filter(day__gte=first, day__lte=today).values_list("service_point", "day")
    )
    counts = []
    for point in ServicePoint.objects.prefetch_related("opening_hours", "exceptions"):
        for n in range(days + 1):
            day = first + datetime.timedelta(days=n)
            if (point.pk, day) in counted or not point.status_on(day).serving:
                continue
            hours = hours_on(day, weekly=point.opening_hours.all(), exceptions=point.exceptions.all())
            if point.opening_hours.all() and hours.closed:
                continue
            visitors = max(0, round(rng.gauss(POINT_VISITORS[day.weekday()], 6)))
            counts.append(
                ServicePointDailyCount(service_point=point, day=day, visitors=min(visitors, MAX_DAILY_VISITORS))
            )
    ServicePointDailyCount.objects.bulk_create(counts)
    return len(records), len(contacts), len(counts)


class Command(BaseCommand):
    help = (
        "DEMO ONLY: invent records of past visits and service points' daily visitor counts, so the "
        "staff dashboard has figures to show. Fills only visits without a record and days without a "
        "count; never use it on a database with real figures you want to keep apart."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=_days, default=365, help="how many days back from today to fill")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, days: int, seed: int, **options) -> None:
        started = time.perf_counter()
        records, contacts, counts = demo_figures_generate(days=days, seed=seed)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.WARNING(
                f"DEMO figures, not real: created {records} visit records with {contacts} contacts and "
                f"{counts} daily visitor counts in {elapsed:.1f} s."
            )
        )
