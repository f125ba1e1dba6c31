"""Managers see the pilot's figures and the calendar; schedulers also see the figures and enter
the fixed points' daily visitor counts."""

import importlib

from django.db import migrations

ROLES = {
    "manager": [
        "servicepoints.view_reports",
        "servicepoints.view_servicepointdailycount",
        "visits.view_visit",
        "visits.view_visitseries",
        "visits.view_seriesskip",
        "visits.view_venue",
        "visits.view_venueexception",
        "visits.view_advisor",
        "visits.view_language",
        "visits.view_visitrecord",
        "servicepoints.view_area",
        "servicepoints.view_servicepoint",
        "servicepoints.view_servicetype",
    ],
    "scheduler": [
        "servicepoints.view_reports",
        "servicepoints.view_servicepointdailycount",
        "servicepoints.add_servicepointdailycount",
        "servicepoints.change_servicepointdailycount",
    ],
}


def forwards(apps, schema_editor):
    # The same grant as the visits roles: creates the permissions first, and the group if missing.
    importlib.import_module("visits.migrations.0003_staff_roles").grant(apps, ROLES)


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.filter(name="manager").delete()
    scheduler = Group.objects.filter(name="scheduler").first()
    if scheduler is not None:
        scheduler.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="servicepoints", codename__in=[c.split(".")[1] for c in ROLES["scheduler"]]
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("servicepoints", "0005_daily_counts"),
        # The visits permissions must exist, and the visits roles be granted first.
        ("visits", "0010_visit_records"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
