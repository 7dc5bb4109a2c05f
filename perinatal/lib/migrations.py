"""Migration steps written per database.

Some guarantees are SQL that differs by database (an exclusion constraint on PostgreSQL,
triggers on SQLite). Migrations import this module, so its behaviour must never change: a new
need gets a new function.
"""

from django.db import migrations


def sql_per_database(up: dict[str, list[str]], down: dict[str, list[str]]) -> migrations.RunPython:
    """Run the statements listed for the database in use ("postgresql", "sqlite"), and the
    ``down`` ones when unapplying; a database with no list gets nothing."""

    def runner(statements_by_vendor):
        def run(apps, schema_editor):
            for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
                schema_editor.execute(statement)

        return run

    return migrations.RunPython(runner(up), runner(down))
