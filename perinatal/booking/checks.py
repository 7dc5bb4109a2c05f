"""A start-up check that the database still refuses overlapping appointments.

The rule lives outside Django's model state (migration ``booking.0002``). On SQLite a later
migration that rebuilds ``booking_appointment`` drops its triggers silently, so the worker and
``perinatal check --database default`` confirm the guard is there.
"""

from django.core import checks
from django.db import connections

GUARDS = {
    "sqlite": (
        "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN "
        "('appointment_no_overlap_insert', 'appointment_no_overlap_update')",
        2,
    ),
    "postgresql": (
        "SELECT count(*) FROM pg_constraint WHERE conname = 'appointment_no_overlap'",
        1,
    ),
}


@checks.register(checks.Tags.database)
def overlap_guard_present(app_configs=None, databases=None, **kwargs):
    problems = []
    for alias in databases or []:
        connection = connections[alias]
        guard = GUARDS.get(connection.vendor)
        if guard is None:
            continue
        if "booking_appointment" not in connection.introspection.table_names():
            continue  # not migrated yet
        sql, expected = guard
        with connection.cursor() as cursor:
            cursor.execute(sql)
            found = cursor.fetchone()[0]
        if found != expected:
            problems.append(
                checks.Error(
                    "The database no longer refuses overlapping appointments.",
                    hint="Re-create the guard from perinatal/booking/migrations/0002_no_overlap.py "
                    "(a table rebuild on SQLite drops triggers).",
                    id="perinatal.booking.E001",
                )
            )
    return problems
