"""Residents read only what the source (the plan of 16 December 2021) says, and example data is
marked as such, in new databases and, through a data migration, in existing ones."""

import datetime
import importlib

import pytest
from django.apps import apps

from servicepoints.models import ServicePoint
from tests.factories import ServicePointFactory
from tests.html import parse, text

pytestmark = pytest.mark.django_db

TEXT_FIELDS = [
    f"{name}_{language}"
    for name in ("description", "closure_note", "accessibility", "public_transport")
    for language in ("fi", "sv", "en")
]
UNSOURCED = ("Lippulaiva", "lease", "vuokra", "hyres", "3rd floor", "3. kerros", "3:e våningen", "Entresse")


def source_correction():
    return importlib.import_module("servicepoints.migrations.0003_source_closure_data")


def test_tapiola_closes_at_the_end_of_june_2023_as_the_plan_says_with_no_reason_given(espoo_network):
    tapiola = ServicePoint.objects.get(slug="tapiola")

    assert tapiola.closes_on == datetime.date(2023, 6, 30)
    assert tapiola.closure_note_en == (
        "Per the plan of 16 December 2021, the service point closes at the end of June 2023 (30 June 2023)."
    )


def test_no_point_tells_residents_what_no_source_gives(espoo_network):
    for point in ServicePoint.objects.exclude(slug="espoon-keskus-pieni"):
        written = " ".join(getattr(point, field) for field in TEXT_FIELDS)
        assert not [phrase for phrase in UNSOURCED if phrase in written], point.slug


def test_the_small_scale_point_is_marked_example_data_for_residents_and_administrators(client, espoo_network):
    small = ServicePoint.objects.get(slug="espoon-keskus-pieni")
    assert small.example_data is True
    assert not ServicePoint.objects.exclude(slug="espoon-keskus-pieni").filter(example_data=True).exists()

    page = text(parse(client.get("/en/service-points/espoon-keskus-pieni/").content), separator=" ")
    map_page = text(parse(client.get("/en/").content), separator=" ")

    assert "Example data: the place and opening hours shown here are examples" in page
    assert "Example data: place and hours not yet confirmed by the city." in map_page


def test_the_data_migration_corrects_what_an_existing_database_still_holds_and_keeps_an_administrators_text():
    migration = source_correction()
    old_tapiola = ServicePointFactory(
        slug="tapiola",
        closes_on=datetime.date(2022, 9, 30),
        closure_note_en=migration.CORRECTIONS["tapiola"]["closure_note_en"][0],
        closure_note_fi="Ylläpitäjän oma teksti.",
    )
    old_small = ServicePointFactory(slug="espoon-keskus-pieni", example_data=False)

    migration.correct(apps, None)

    old_tapiola.refresh_from_db()
    old_small.refresh_from_db()
    assert old_tapiola.closes_on == datetime.date(2023, 6, 30)
    assert old_tapiola.closure_note_en.startswith("Per the plan of 16 December 2021")
    assert old_tapiola.closure_note_fi == "Ylläpitäjän oma teksti."
    assert old_small.example_data is True


def test_the_data_migration_can_be_reversed():
    migration = source_correction()
    point = ServicePointFactory(slug="tapiola", closes_on=datetime.date(2023, 6, 30))

    migration.restore(apps, None)

    point.refresh_from_db()
    assert point.closes_on == datetime.date(2022, 9, 30)
