"""Schedulers record venues' closed days and other hours; advisors see them."""

import importlib

from django.db import migrations

ROLES = {
    "scheduler": [
        "visits.view_venueexception",
        "visits.add_venueexception",
        "visits.change_venueexception",
        "visits.delete_venueexception",
    ],
    "advisor": ["visits.view_venueexception"],
}


def forwards(apps, schema_editor):
    importlib.import_module("visits.migrations.0003_staff_roles").grant(apps, ROLES)


def backwards(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for name, codes in ROLES.items():
        group = apps.get_model("auth", "Group").objects.filter(name=name).first()
        if group is not None:
            group.permissions.remove(
                *Permission.objects.filter(
                    content_type__app_label="visits", codename__in=[c.split(".")[1] for c in codes]
                )
            )


class Migration(migrations.Migration):
    dependencies = [("visits", "0007_closures_copies_texts_feeds")]

    operations = [migrations.RunPython(forwards, backwards)]
