"""On PostgreSQL the database itself refuses to put one advisor in two overlapping visits.

The exclusion constraint needs btree_gist (for `advisor_id WITH =` in a GiST index). Other
backends rely on the validation in visits.services, which gives the same rule on every backend.
"""

from django.db import migrations

CONSTRAINT = "visitadvisor_no_overlap"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"ALTER TABLE visits_visitadvisor ADD CONSTRAINT {CONSTRAINT} "
        "EXCLUDE USING gist (advisor_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) WHERE (active)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE visits_visitadvisor DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("visits", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
