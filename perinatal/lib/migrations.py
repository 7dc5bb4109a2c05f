"""Migration steps written per database.

Some guarantees are SQL that differs by database (an exclusion constraint on PostgreSQL,
triggers on SQLite). Migrations import this module, so its behaviour must never change: a new
need gets a new function.
"""

import uuid

from django.db import migrations, models
from django.db.migrations.operations.base import Operation


def sql_per_database(up: dict[str, list[str]], down: dict[str, list[str]]) -> migrations.RunPython:
    """Run the statements listed for the database in use ("postgresql", "sqlite"), and the
    ``down`` ones when unapplying; a database with no list gets nothing."""

    def runner(statements_by_vendor):
        def run(apps, schema_editor):
            for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
                schema_editor.execute(statement)

        return run

    return migrations.RunPython(runner(up), runner(down))


def add_public_id(app_label: str, model_name: str) -> list[Operation]:
    """Give every row of an existing table its own ``public_id`` (uuid4), then make it unique:
    added empty, filled row by row, then constrained (a callable default would give every
    existing row the same value)."""

    def fill(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        for pk in model.objects.values_list("pk", flat=True).iterator():
            model.objects.filter(pk=pk).update(public_id=uuid.uuid4())

    return [
        migrations.AddField(model_name, "public_id", models.UUIDField(null=True, editable=False)),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name,
            "public_id",
            models.UUIDField(default=uuid.uuid4, unique=True, editable=False),
        ),
    ]
