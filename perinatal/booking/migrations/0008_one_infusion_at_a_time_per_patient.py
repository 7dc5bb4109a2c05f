"""One patient, one infusion at a time: no two of her booked infusions overlap, nor come closer
than the protocol's minimum interval, whatever writes them.

Each infusion carries ``patient_clear_at``, its end plus the interval (set by
``booking.services.book_infusion`` from the plan's protocol). Two infusions of hers conflict when
[start, patient_clear_at) of one meets that of the other: a later one starting inside the
interval, or an earlier one whose interval runs into this one. PostgreSQL holds an exclusion
constraint; SQLite has triggers. The column is added without a table rebuild, so the clinician
and chair triggers of 0002 and 0004 survive; unapplying on SQLite rebuilds the table, so they
are put back. Infusions booked before this migration get the shipped interval.
"""

import importlib
from datetime import timedelta

from django.db import migrations, models

from perinatal.lib.migrations import sql_per_database

CLINICIAN_GUARD = importlib.import_module("perinatal.booking.migrations.0002_no_overlap")
CHAIR_GUARD = importlib.import_module("perinatal.booking.migrations.0004_infusion_chairs")
SHIPPED_INTERVAL = timedelta(days=7)

POSTGRES_UP = [
    """
    ALTER TABLE booking_appointment ADD CONSTRAINT appointment_patient_no_overlap
    EXCLUDE USING gist (
        patient_id WITH =,
        tstzrange(starts_at, patient_clear_at, '[)') WITH &&
    ) WHERE (status = 'booked' AND patient_clear_at IS NOT NULL AND patient_id IS NOT NULL)
    """,
]
POSTGRES_DOWN = ["ALTER TABLE booking_appointment DROP CONSTRAINT appointment_patient_no_overlap"]

SQLITE_CHECK = """
    WHEN NEW.status = 'booked' AND NEW.patient_clear_at IS NOT NULL
      AND NEW.patient_id IS NOT NULL AND EXISTS (
        SELECT 1 FROM booking_appointment AS other
        WHERE other.patient_id = NEW.patient_id
          AND other.status = 'booked'
          AND other.patient_clear_at IS NOT NULL
          AND other.id IS NOT NEW.id
          AND other.starts_at < NEW.patient_clear_at
          AND NEW.starts_at < other.patient_clear_at
    )
    BEGIN SELECT RAISE(ABORT, 'appointment_patient_no_overlap'); END
"""
SQLITE_UP = [
    "CREATE TRIGGER appointment_patient_no_overlap_insert BEFORE INSERT ON booking_appointment "
    + SQLITE_CHECK,
    "CREATE TRIGGER appointment_patient_no_overlap_update BEFORE UPDATE ON booking_appointment "
    + SQLITE_CHECK,
]
SQLITE_DOWN = [
    "DROP TRIGGER appointment_patient_no_overlap_insert",
    "DROP TRIGGER appointment_patient_no_overlap_update",
]


def fill_intervals(apps, schema_editor):
    appointment = apps.get_model("booking", "Appointment")
    for booked in appointment.objects.filter(plan__isnull=False).only("ends_at"):
        booked.patient_clear_at = booked.ends_at + SHIPPED_INTERVAL
        booked.save(update_fields=["patient_clear_at"])


def restore_older_guards(apps, schema_editor):
    """Unapplying removes the column by rebuilding the table on SQLite, which drops the
    clinician and chair triggers too: put them back."""
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {row[0] for row in cursor.fetchall()}
    for sql in CLINICIAN_GUARD.SQLITE_UP + CHAIR_GUARD.SQLITE_UP:
        if sql.split()[2] not in present:  # CREATE TRIGGER <name> ...
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("booking", "0007_manage_links_as_digests")]

    operations = [
        # Runs last when unapplied, after the table rebuild.
        migrations.RunPython(migrations.RunPython.noop, restore_older_guards),
        migrations.AddField(
            model_name="appointment",
            name="patient_clear_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill_intervals, migrations.RunPython.noop),
        sql_per_database(
            {"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP},
            {"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN},
        ),
    ]
