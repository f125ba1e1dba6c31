"""Writes to the service point network."""

import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from common.dates import HOLIDAY_LOCALES, public_holidays
from servicepoints import data
from servicepoints.models import (
    Area,
    OpeningHours,
    OpeningHoursException,
    ServicePoint,
    ServicePointDailyCount,
    ServiceType,
)


def _translated(field: str, values: tuple[str, str, str]) -> dict[str, str]:
    return {f"{field}_{lang}": value for lang, value in zip(("fi", "sv", "en"), values, strict=True)}


@transaction.atomic
def network_load() -> None:
    """Create the areas, kinds of help and service points of `servicepoints.data` that are missing.

    Rule: idempotent, and the database is the source of truth once a row exists. A rerun (every
    `make run` does one) adds nothing twice and leaves alone what an administrator changed:
    dates, positions corrected on the map, names, services, hours and alternatives.
    """
    for order, (slug, fi, sv, en, lat, lon) in enumerate(data.AREAS):
        area, _ = Area.objects.get_or_create(
            slug=slug,
            defaults={"ordering": order, "latitude": lat, "longitude": lon, **_translated("name", (fi, sv, en))},
        )
        area.full_clean()
    for order, (slug, fi, sv, en) in enumerate(data.SERVICE_TYPES):
        ServiceType.objects.get_or_create(slug=slug, defaults={"ordering": order, **_translated("name", (fi, sv, en))})

    points: dict[str, ServicePoint] = {}
    created_points: list[tuple[ServicePoint, dict]] = []
    for spec in data.SERVICE_POINTS:
        latitude, longitude, approximate = spec["position"]
        defaults = {
            "kind": spec["kind"],
            "postal_code": spec["postal_code"],
            "latitude": latitude,
            "longitude": longitude,
            "location_is_approximate": approximate,
            "area": Area.objects.get(slug=spec["area"]),
            "opens_on": spec["opens_on"],
            "closes_on": spec["closes_on"],
            "example_data": spec.get("example_data", False),
            **_translated("city", ("Espoo", "Esbo", "Espoo")),
        }
        for field in ("name", "description", "street_address", "accessibility", "public_transport", "closure_note"):
            defaults.update(_translated(field, spec[field]))
        point, created = ServicePoint.objects.get_or_create(slug=spec["slug"], defaults=defaults)
        if created:
            point.full_clean()
            point.services.set(ServiceType.objects.filter(slug__in=spec["services"]))
            OpeningHours.objects.bulk_create(
                OpeningHours(
                    service_point=point,
                    weekday=day,
                    opens=datetime.time.fromisoformat(opens),
                    closes=datetime.time.fromisoformat(closes),
                )
                for day, opens, closes in spec["hours"]
            )
            created_points.append((point, spec))
        points[spec["slug"]] = point
    for point, spec in created_points:
        point.alternatives.set(points[slug] for slug in spec["alternatives"])


@transaction.atomic
def public_holiday_closures_add(*, years: list[int]) -> int:
    """Mark every service point closed on the Finnish public holidays of `years`.

    Rule: a holiday is an exception, and exceptions win over weekly hours. Idempotent: a day
    that already has an exception (a holiday added before, or hours an administrator set by
    hand) is left as it is. Returns the number of exceptions created.
    """
    names = {lang: public_holidays(years, lang) for lang in HOLIDAY_LOCALES}
    created = 0
    for point in ServicePoint.objects.all():
        taken = list(point.exceptions.values_list("start_date", "end_date"))
        new = [
            OpeningHoursException(
                service_point=point,
                start_date=day,
                end_date=day,
                closed=True,
                **{f"reason_{lang}": names[lang][day] for lang in HOLIDAY_LOCALES},
            )
            for day in sorted(names["fi"])
            if not any(start <= day <= end for start, end in taken)
        ]
        OpeningHoursException.objects.bulk_create(new)
        created += len(new)
    return created


@transaction.atomic
def daily_count_save(
    *, service_point: ServicePoint, day: datetime.date, visitors: int, user: AbstractBaseUser
) -> ServicePointDailyCount:
    """Record how many visitors the point had on `day`, or correct the count already recorded.

    Rule: one count per point and day (a second save is a correction, kept in the history), never
    for a day in the future, at most `MAX_DAILY_VISITORS` (`ServicePointDailyCount.clean` and the
    field's validators). Raises ValidationError and saves nothing when a rule refuses.
    """
    count = ServicePointDailyCount.objects.select_for_update().filter(
        service_point=service_point, day=day
    ).first() or ServicePointDailyCount(service_point=service_point, day=day)
    count.visitors = visitors
    count.recorded_by = user
    count.full_clean()
    count.save()
    return count
