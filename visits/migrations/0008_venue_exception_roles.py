"""Schedulers record venues' closed days and other hours; advisors see them."""

from django.contrib.auth.management import create_permissions
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
    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for code in codes:
            app_label, codename = code.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


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
