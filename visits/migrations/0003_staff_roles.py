"""The staff roles: schedulers plan and publish, advisors see the whole calendar."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "scheduler": [
        "visits.view_visit",
        "visits.add_visit",
        "visits.change_visit",
        "visits.view_visitseries",
        "visits.add_visitseries",
        "visits.change_visitseries",
        "visits.add_seriesskip",
        "visits.view_seriesskip",
        "visits.view_venue",
        "visits.view_advisor",
        "visits.view_language",
        "servicepoints.view_area",
        "servicepoints.view_servicepoint",
        "servicepoints.view_servicetype",
    ],
    "advisor": [
        "visits.view_visit",
        "visits.view_visitseries",
        "visits.view_seriesskip",
        "visits.view_venue",
        "visits.view_advisor",
        "visits.view_language",
        "servicepoints.view_area",
        "servicepoints.view_servicepoint",
        "servicepoints.view_servicetype",
    ],
}


def grant(apps, roles: dict[str, list[str]]) -> None:
    """Give each group its permissions (migration 0008 grants more with it)."""
    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in roles.items():
        group, _ = Group.objects.get_or_create(name=name)
        for code in codes:
            app_label, codename = code.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def forwards(apps, schema_editor):
    grant(apps, ROLES)


def backwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0002_advisor_no_double_booking"),
        ("servicepoints", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
