"""A start-up check that the database still refuses overlapping appointments.

The rules live outside Django's model state: one clinician's appointments never overlap
(migration ``booking.0002``), neither do one infusion chair's (``booking.0004``), nor one
patient's infusions with their interval (``booking.0008``). On SQLite a
later migration that rebuilds ``booking_appointment`` drops its triggers silently, so the worker
and ``perinatal check --database default`` confirm every guard is there.
"""

from django.core import checks
from django.db import connections

# Guard name -> the migration that creates it, per database.
GUARDS = {
    "sqlite": {
        "appointment_no_overlap_insert": "0002_no_overlap",
        "appointment_no_overlap_update": "0002_no_overlap",
        "appointment_chair_no_overlap_insert": "0004_infusion_chairs",
        "appointment_chair_no_overlap_update": "0004_infusion_chairs",
        "appointment_patient_no_overlap_insert": "0008_one_infusion_at_a_time_per_patient",
        "appointment_patient_no_overlap_update": "0008_one_infusion_at_a_time_per_patient",
    },
    "postgresql": {
        "appointment_no_overlap": "0002_no_overlap",
        "appointment_chair_no_overlap": "0004_infusion_chairs",
        "appointment_patient_no_overlap": "0008_one_infusion_at_a_time_per_patient",
    },
}
FIND = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'appointment_%'",
    "postgresql": "SELECT conname FROM pg_constraint WHERE conname LIKE 'appointment_%'",
}


def missing_guards(connection) -> list[str]:
    """The overlap guards this database should hold and does not. The chairs' guard is
    expected once their column exists: a database not yet migrated to 0004 must still be
    allowed to migrate (``migrate`` runs this check first)."""
    expected = set(GUARDS.get(connection.vendor, {}))
    if not expected:
        return []
    with connection.cursor() as cursor:
        columns = {
            column.name
            for column in connection.introspection.get_table_description(
                cursor, "booking_appointment"
            )
        }
        cursor.execute(FIND[connection.vendor])
        found = {row[0] for row in cursor.fetchall()}
    if "chair_id" not in columns:
        expected = {name for name in expected if "chair" not in name}
    if "patient_clear_at" not in columns:
        expected = {name for name in expected if "patient" not in name}
    return sorted(expected - found)


@checks.register(checks.Tags.database)
def overlap_guard_present(app_configs=None, databases=None, **kwargs):
    problems = []
    for alias in databases or []:
        connection = connections[alias]
        if connection.vendor not in GUARDS:
            continue
        if "booking_appointment" not in connection.introspection.table_names():
            continue  # not migrated yet
        missing = missing_guards(connection)
        if not missing:
            continue
        chairs = any("chair" in name for name in missing)
        patients = any("patient" in name for name in missing)
        clinicians = any("chair" not in name and "patient" not in name for name in missing)
        whose = " and ".join(
            part
            for part, lost in (
                ("a clinician's", clinicians),
                ("a chair's", chairs),
                ("a patient's infusions'", patients),
            )
            if lost
        )
        sources = sorted({GUARDS[connection.vendor][name] for name in missing})
        problems.append(
            checks.Error(
                f"The database no longer refuses overlapping appointments for {whose} time "
                f"(missing: {', '.join(missing)}).",
                hint="Re-create the guard from perinatal/booking/migrations/"
                + ", ".join(f"{source}.py" for source in sources)
                + " (a table rebuild on SQLite drops triggers).",
                id="perinatal.booking.E001",
            )
        )
    return problems
