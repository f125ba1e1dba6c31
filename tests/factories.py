import datetime

import factory

from servicepoints.models import Area, OpeningHours, OpeningHoursException, ServicePoint, ServiceType


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"area-{n}")
    name_fi = factory.Sequence(lambda n: f"Alue {n}")
    name_sv = factory.Sequence(lambda n: f"Område {n}")
    name_en = factory.Sequence(lambda n: f"Area {n}")
    latitude = 60.2
    longitude = 24.7


class ServiceTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceType
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"service-{n}")
    name_fi = factory.Sequence(lambda n: f"Palvelu {n}")
    name_sv = factory.Sequence(lambda n: f"Tjänst {n}")
    name_en = factory.Sequence(lambda n: f"Service {n}")


class PlaceFactory(factory.django.DjangoModelFactory):
    """What a service point and a venue share: an address in Espoo, a position and an area."""

    class Meta:
        abstract = True

    postal_code = "02100"
    city_fi = "Espoo"
    city_sv = "Esbo"
    city_en = "Espoo"
    latitude = 60.2
    longitude = 24.7
    area = factory.SubFactory(AreaFactory)


class ServicePointFactory(PlaceFactory):
    class Meta:
        model = ServicePoint

    slug = factory.Sequence(lambda n: f"point-{n}")
    name_fi = factory.Sequence(lambda n: f"Asiointipiste {n}")
    name_sv = factory.Sequence(lambda n: f"Servicepunkt {n}")
    name_en = factory.Sequence(lambda n: f"Service point {n}")
    kind = ServicePoint.Kind.FIXED
    street_address_fi = "Testikatu 1"


class OpeningHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpeningHours

    service_point = factory.SubFactory(ServicePointFactory)
    weekday = 0
    opens = datetime.time(9)
    closes = datetime.time(16)


class OpeningHoursExceptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpeningHoursException

    service_point = factory.SubFactory(ServicePointFactory)
    start_date = datetime.date(2026, 12, 24)
    end_date = factory.SelfAttribute("start_date")
    closed = True
