"""Factories for the mobile service's models.

They build rows directly, without the services: a test that needs the services' rules (no double
booking, series materialisation) calls the services itself. `VisitFactory(advisors=[...])` books
the advisors with the visit's own time range, as the services do.
"""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from servicepoints.models import Area
from tests.factories import AreaFactory, PlaceFactory
from visits.models import (
    Advisor,
    CancelReason,
    Language,
    SeriesSkip,
    State,
    Venue,
    VenueOpeningHours,
    Visit,
    VisitAdvisor,
    VisitSeries,
)
from visits.recurrence import local_datetime
from visits.services import SeriesPlan, VisitPlan


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"Etunimi{n}")
    last_name = factory.Sequence(lambda n: f"Sukunimi{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@espoo.invalid")
    password = factory.django.Password("not-a-real-password-1")


class LanguageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Language
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"l{n}")
    name_fi = factory.Sequence(lambda n: f"kieli {n}")
    name_sv = factory.Sequence(lambda n: f"språk {n}")
    name_en = factory.Sequence(lambda n: f"language {n}")


class VenueFactory(PlaceFactory):
    class Meta:
        model = Venue

    name_fi = factory.Sequence(lambda n: f"Toimipaikka {n}")
    name_sv = factory.Sequence(lambda n: f"Plats {n}")
    name_en = factory.Sequence(lambda n: f"Venue {n}")
    kind = Venue.Kind.LIBRARY
    street_address_fi = factory.Sequence(lambda n: f"Kirjastokatu {n}")


class VenueOpeningHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VenueOpeningHours

    venue = factory.SubFactory(VenueFactory)
    weekday = 0
    opens = datetime.time(9)
    closes = datetime.time(18)


class AdvisorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Advisor
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    active = True

    @factory.post_generation
    def languages(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            self.languages.set(extracted)


def _next_monday_at_ten() -> datetime.datetime:
    today = timezone.localdate()
    return local_datetime(today + datetime.timedelta(days=7 - today.weekday()), datetime.time(10))


class VisitFactory(factory.django.DjangoModelFactory):
    """A draft visit next Monday 10–12 Helsinki time unless told otherwise."""

    class Meta:
        model = Visit
        skip_postgeneration_save = True

    venue = factory.SubFactory(VenueFactory)
    starts_at = factory.LazyFunction(_next_monday_at_ten)
    ends_at = factory.LazyAttribute(lambda visit: visit.starts_at + datetime.timedelta(hours=2))
    state = State.DRAFT

    class Params:
        published = factory.Trait(state=State.PUBLISHED, published_at=factory.LazyFunction(timezone.now))
        cancelled = factory.Trait(
            state=State.CANCELLED,
            published_at=factory.LazyFunction(timezone.now),
            cancelled_at=factory.LazyFunction(timezone.now),
            cancel_reason_code=CancelReason.ILLNESS,
            cancel_reason="Neuvoja sairastui.",
        )

    @factory.post_generation
    def advisors(self, create: bool, extracted, **kwargs) -> None:
        if not create or not extracted:
            return
        VisitAdvisor.objects.bulk_create(
            VisitAdvisor(
                visit=self,
                advisor=advisor,
                starts_at=self.starts_at,
                ends_at=self.ends_at,
                active=self.state != State.CANCELLED,
            )
            for advisor in extracted
        )

    @factory.post_generation
    def services(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            self.services.set(extracted)

    @factory.post_generation
    def languages(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            self.languages.set(extracted)


class VisitSeriesFactory(factory.django.DjangoModelFactory):
    """The series row only; `visits.services.series_create` is what materialises visits."""

    class Meta:
        model = VisitSeries
        skip_postgeneration_save = True

    venue = factory.SubFactory(VenueFactory)
    rrule = "FREQ=WEEKLY;BYDAY=TU;COUNT=4"
    starts_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=1))
    start_time = datetime.time(10)
    end_time = datetime.time(12)
    skip_public_holidays = True

    @factory.post_generation
    def advisors(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            self.advisors.set(extracted)


class SeriesSkipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SeriesSkip

    series = factory.SubFactory(VisitSeriesFactory)
    start_date = factory.LazyAttribute(lambda skip: skip.series.starts_on)
    end_date = factory.SelfAttribute("start_date")
    reason = ""


class VisitPlanFactory(factory.Factory):
    """What `visit_create` and `visit_update` take: next Monday 10–12 at a new venue, nobody booked."""

    class Meta:
        model = VisitPlan

    venue = factory.SubFactory(VenueFactory)
    starts_at = factory.LazyFunction(_next_monday_at_ten)
    ends_at = factory.LazyAttribute(lambda plan: plan.starts_at + datetime.timedelta(hours=2))
    advisors = factory.LazyFunction(list)


class SeriesPlanFactory(factory.Factory):
    """What `series_create` and `series_update` take: four Tuesdays 10–12 from tomorrow."""

    class Meta:
        model = SeriesPlan

    venue = factory.SubFactory(VenueFactory)
    rrule = "FREQ=WEEKLY;BYDAY=TU;COUNT=4"
    starts_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=1))
    start_time = datetime.time(10)
    end_time = datetime.time(12)
    advisors = factory.LazyFunction(list)


def at(day: str, clock: str = "10:00") -> datetime.datetime:
    """Helsinki wall-clock time: at("2026-12-07", "10:00")."""
    return local_datetime(datetime.date.fromisoformat(day), datetime.time.fromisoformat(clock))


def published(day: str = "2026-12-07", start: str = "10:00", end: str = "12:00", **kwargs) -> Visit:
    """A published visit on a day between two wall-clock times."""
    return VisitFactory(published=True, starts_at=at(day, start), ends_at=at(day, end), **kwargs)


def sello_library(area: Area | None = None) -> Venue:
    """Sello library in Leppävaara as residents read it in fi, sv and en: the venue the page tests
    share. In `area`, or a Suur-Leppävaara of its own (tests with the real network pass theirs)."""
    if area is None:
        area = AreaFactory(
            slug="suur-leppavaara", name_fi="Suur-Leppävaara", name_sv="Stor-Alberga", name_en="Leppävaara"
        )
    return VenueFactory(
        name_fi="Sellon kirjasto",
        name_sv="Sellobiblioteket",
        name_en="Sello library",
        street_address_fi="Leppävaarankatu 9",
        street_address_sv="Albergagatan 9",
        postal_code="02600",
        latitude=60.21748,
        longitude=24.80992,
        area=area,
        accessibility_fi="Esteetön sisäänkäynti Leppävaarankadulta",
        accessibility_sv="Tillgänglig ingång från Albergagatan",
        accessibility_en="Step-free entrance from Leppävaarankatu",
        public_transport_fi="Leppävaaran asema, 200 m",
        public_transport_sv="Alberga station, 200 m",
        public_transport_en="Leppävaara station, 200 m",
    )
