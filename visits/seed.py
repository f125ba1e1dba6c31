"""Writes that load the city's host locations, advisors and demo plans, and synthetic volume."""

import datetime
import importlib
import random
import secrets
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from servicepoints.models import Area, ServiceType
from visits import data
from visits.models import (
    Advisor,
    CancelReason,
    Language,
    State,
    Venue,
    VenueOpeningHours,
    Visit,
    VisitAdvisor,
    VisitSeries,
)
from visits.recurrence import local_datetime, weekly_rule
from visits.services import SeriesPlan, series_create, visits_publish

DEMO_PASSWORD_LENGTH = 12


# The migrations that give the staff groups their permissions, in order.
ROLE_MIGRATIONS = (
    "visits.migrations.0003_staff_roles",
    "visits.migrations.0008_venue_exception_roles",
    "visits.migrations.0010_visit_records",
    "servicepoints.migrations.0006_report_roles",
)


def staff_role_groups_ensure() -> None:
    """The scheduler, advisor and manager groups with the permissions the migrations give them.

    The migration creates them once; a database emptied since (a restore, a test flush) gets them
    back here instead of failing to load data.
    """
    for migration in ROLE_MIGRATIONS:
        roles = importlib.import_module(migration).ROLES
        for name, codes in roles.items():
            group, _created = Group.objects.get_or_create(name=name)
            for code in codes:
                app_label, codename = code.split(".")
                group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def _time(text: str) -> datetime.time:
    return datetime.time.fromisoformat(text)


@transaction.atomic
def venues_and_advisors_load() -> None:
    """Create the languages, venues and advisors of `visits.data` that are missing.

    Rule: idempotent, and the database is the source of truth once a row exists, as in
    `servicepoints.services.network_load`: a rerun (every `make run` does one) leaves alone a
    position an administrator corrected on the map, names, hours and advisors' languages.
    """
    for order, (code, fi, sv, en) in enumerate(data.LANGUAGES):
        Language.objects.get_or_create(
            code=code, defaults={"ordering": order, "name_fi": fi, "name_sv": sv, "name_en": en}
        )
    for _key, kind, names, addresses, postal_code, (lat, lon, approximate), area, hours in data.VENUES:
        venue, created = Venue.objects.get_or_create(
            name_fi=names[0],
            defaults={
                "kind": kind,
                "name_sv": names[1],
                "name_en": names[2],
                "street_address_fi": addresses[0],
                "street_address_sv": addresses[1],
                "street_address_en": addresses[0],
                "city_fi": "Espoo",
                "city_sv": "Esbo",
                "city_en": "Espoo",
                "postal_code": postal_code,
                "latitude": lat,
                "longitude": lon,
                "location_is_approximate": approximate,
                "area": Area.objects.get(slug=area),
            },
        )
        if not created:
            continue
        venue.full_clean()
        VenueOpeningHours.objects.bulk_create(
            VenueOpeningHours(venue=venue, weekday=day, opens=_time(opens), closes=_time(closes))
            for day, opens, closes in hours
        )
    staff_role_groups_ensure()
    advisor_group = Group.objects.get(name="advisor")
    for username, first, last, languages in data.ADVISORS:
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last, "is_staff": False}
        )
        if created:
            user.set_unusable_password()
            user.save()
        user.groups.add(advisor_group)
        advisor, created = Advisor.objects.get_or_create(user=user)
        if created:
            advisor.languages.set(Language.objects.filter(code__in=languages))


def _venue(key: str) -> Venue:
    names = {entry[0]: entry[2][0] for entry in data.VENUES}
    return Venue.objects.get(name_fi=names[key])


def demo_plan_load(*, today: datetime.date) -> int:
    """Published weekly series from this week on, so that every area has visits.

    Idempotent: a venue that already has a series on that weekday and time is left alone.
    Returns the number of series created.
    """
    created = 0
    monday = today - datetime.timedelta(days=today.weekday())
    for key, weekday, start, end, advisors, services, languages in data.DEMO_SERIES:
        venue = _venue(key)
        rule = weekly_rule(weekdays=[weekday], interval=1, count=data.DEMO_WEEKS, until=None)
        if VisitSeries.objects.filter(venue=venue, start_time=_time(start), rrule=rule).exists():
            continue
        series = series_create(
            SeriesPlan(
                venue=venue,
                rrule=rule,
                starts_on=monday,
                start_time=_time(start),
                end_time=_time(end),
                advisors=list(Advisor.objects.filter(user__username__in=advisors)),
                services=list(ServiceType.objects.filter(slug__in=services)),
                languages=list(Language.objects.filter(code__in=languages)),
            )
        )
        visits_publish(visits=series.visits.all())
        created += 1
    return created


class DemoLogin(NamedTuple):
    role: str  # a staff group's name, or ADMINISTRATOR
    username: str
    password: str


ADMINISTRATOR = "administrator"


def demo_logins_create(*, administrator: bool = False) -> list[DemoLogin]:
    """A scheduler and an advisor login for trying the staff calendar locally, and with
    `administrator` a superuser for /admin/; new passwords each run. Never used in production:
    only `make run` asks for it, and an administrator is refused outside the embedded mode (in
    production the first one is made with `createsuperuser`)."""
    if administrator and not settings.EMBEDDED:
        raise ImproperlyConfigured("A demo administrator is made only in the embedded mode.")
    User = get_user_model()
    staff_role_groups_ensure()
    logins = []
    for username, group in (("demo.scheduler", "scheduler"), ("aino.neuvoja", "advisor")):
        user, _ = User.objects.get_or_create(username=username, defaults={"first_name": "Demo"})
        password = secrets.token_urlsafe(DEMO_PASSWORD_LENGTH)
        user.set_password(password)
        user.save()
        user.groups.add(Group.objects.get(name=group))
        logins.append(DemoLogin(group, username, password))
    if administrator:
        user, _ = User.objects.get_or_create(username="demo.admin", defaults={"first_name": "Demo"})
        password = secrets.token_urlsafe(DEMO_PASSWORD_LENGTH)
        user.set_password(password)
        user.is_staff = user.is_superuser = True
        user.save()
        logins.append(DemoLogin(ADMINISTRATOR, user.username, password))
    return logins


@transaction.atomic
def synthetic_visits_generate(
    *, venues: int, visits: int, seed: int, start: datetime.date | None = None
) -> tuple[int, int]:
    """Bulk synthetic volume for benchmarks: `venues` venues and `visits` published visits.

    Each synthetic venue has its own advisor and its visits follow one another in time, so the
    data obeys the no-double-booking rule without checking each row. Returns (venues, visits).
    """
    rng = random.Random(seed)
    areas = list(Area.objects.all())
    services = list(ServiceType.objects.all())
    languages = list(Language.objects.all())
    User = get_user_model()
    tag = f"synthetic-{seed}"
    existing = Venue.objects.filter(name_en__startswith=f"{tag} ").count()
    made_venues = []
    for i in range(existing, existing + venues):
        area = rng.choice(areas)
        made_venues.append(
            Venue(
                name_fi=f"{tag} toimipaikka {i}",
                name_sv=f"{tag} plats {i}",
                name_en=f"{tag} venue {i}",
                kind=rng.choice(Venue.Kind.values),
                street_address_fi=f"Testitie {i}",
                city_fi="Espoo",
                postal_code="02100",
                latitude=round(area.latitude + rng.uniform(-0.02, 0.02), 6),
                longitude=round(area.longitude + rng.uniform(-0.04, 0.04), 6),
                location_is_approximate=True,
                area=area,
            )
        )
    made_venues = Venue.objects.bulk_create(made_venues)
    # "!" is Django's marker for an unusable password: synthetic advisors cannot log in.
    unusable = "!"
    users = User.objects.bulk_create(
        User(username=f"{tag}-advisor-{venue.pk}", password=unusable) for venue in made_venues
    )
    advisors = Advisor.objects.bulk_create(Advisor(user=user) for user in users)

    now = timezone.now()
    start_day = start or timezone.localdate() - datetime.timedelta(days=30)
    per_venue = max(1, -(-visits // max(1, len(made_venues))))
    rows, through, service_links, language_links = [], [], [], []
    for venue, advisor in zip(made_venues, advisors, strict=True):
        day = start_day
        for _ in range(per_venue):
            if len(rows) >= visits:
                break
            day += datetime.timedelta(days=rng.choice((1, 1, 2, 3)))
            hour = rng.choice((9, 10, 12, 13))
            starts_at = local_datetime(day, datetime.time(hour))
            ends_at = starts_at + datetime.timedelta(hours=rng.choice((2, 3, 4)))
            cancelled = rng.random() < 0.05
            rows.append(
                Visit(
                    venue=venue,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    state=State.CANCELLED if cancelled else State.PUBLISHED,
                    published_at=now,
                    cancel_reason_code=CancelReason.OTHER if cancelled else "",
                    cancel_reason="Peruttu (testiaineisto)" if cancelled else "",
                    cancel_reason_sv="Inställt (testdata)" if cancelled else "",
                    cancel_reason_en="Cancelled (test data)" if cancelled else "",
                    cancelled_at=now if cancelled else None,
                )
            )
            through.append((advisor, not cancelled))
    created = Visit.objects.bulk_create(rows, batch_size=2000)
    VisitAdvisor.objects.bulk_create(
        (
            VisitAdvisor(visit=v, advisor=a, starts_at=v.starts_at, ends_at=v.ends_at, active=active)
            for v, (a, active) in zip(created, through, strict=True)
        ),
        batch_size=2000,
    )
    for visit in created:
        service_links.append(Visit.services.through(visit_id=visit.pk, servicetype_id=rng.choice(services).pk))
        if languages:
            language_links.append(Visit.languages.through(visit_id=visit.pk, language_id=rng.choice(languages).pk))
    Visit.services.through.objects.bulk_create(service_links, batch_size=5000)
    Visit.languages.through.objects.bulk_create(language_links, batch_size=5000)
    return len(made_venues), len(created)
