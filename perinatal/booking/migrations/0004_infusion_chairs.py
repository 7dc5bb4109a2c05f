"""Infusion days: an appointment may come from a treatment plan and hold an infusion chair.

A chair, like a clinician, is one patient at a time: its booked appointments never overlap,
whatever writes them. PostgreSQL holds an exclusion constraint on the chair's time range (the
``btree_gist`` extension is there since 0002); SQLite has triggers. Both leave appointments
without a chair alone. The columns are added without a table rebuild on SQLite (nullable, no
default), so the clinician triggers of 0002 survive; ``perinatal.booking.checks`` confirms both.
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models

from perinatal.lib.migrations import sql_per_database

CLINICIAN_GUARD = importlib.import_module("perinatal.booking.migrations.0002_no_overlap")

POSTGRES_UP = [
    """
    ALTER TABLE booking_appointment ADD CONSTRAINT appointment_chair_no_overlap
    EXCLUDE USING gist (
        chair_id WITH =,
        tstzrange(starts_at, blocked_until, '[)') WITH &&
    ) WHERE (status = 'booked' AND chair_id IS NOT NULL)
    """,
]
POSTGRES_DOWN = ["ALTER TABLE booking_appointment DROP CONSTRAINT appointment_chair_no_overlap"]

SQLITE_CHECK = """
    WHEN NEW.status = 'booked' AND NEW.chair_id IS NOT NULL AND EXISTS (
        SELECT 1 FROM booking_appointment AS other
        WHERE other.chair_id = NEW.chair_id
          AND other.status = 'booked'
          AND other.id IS NOT NEW.id
          AND other.starts_at < NEW.blocked_until
          AND NEW.starts_at < other.blocked_until
    )
    BEGIN SELECT RAISE(ABORT, 'appointment_chair_no_overlap'); END
"""
SQLITE_UP = [
    "CREATE TRIGGER appointment_chair_no_overlap_insert BEFORE INSERT ON booking_appointment "
    + SQLITE_CHECK,
    "CREATE TRIGGER appointment_chair_no_overlap_update BEFORE UPDATE ON booking_appointment "
    + SQLITE_CHECK,
]
SQLITE_DOWN = [
    "DROP TRIGGER appointment_chair_no_overlap_insert",
    "DROP TRIGGER appointment_chair_no_overlap_update",
]


def restore_clinician_guard(apps, schema_editor):
    """Unapplying this migration on SQLite removes its columns by rebuilding the table, which
    drops the triggers of 0002 too: put them back."""
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {row[0] for row in cursor.fetchall()}
    for sql in CLINICIAN_GUARD.SQLITE_UP:
        name = sql.split()[2]  # CREATE TRIGGER <name> ...
        if name not in present:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0003_patient_and_confirmation"),
        ("plans", "0001_treatment_plans"),
    ]

    operations = [
        # Runs last when unapplied, after the table rebuilds.
        migrations.RunPython(migrations.RunPython.noop, restore_clinician_guard),
        migrations.AddField(
            model_name="appointment",
            name="chair",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="appointments",
                to="plans.infusionchair",
            ),
        ),
        migrations.AddField(
            model_name="appointment",
            name="plan",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="appointments",
                to="plans.treatmentplan",
            ),
        ),
        migrations.AlterField(
            model_name="appointment",
            name="via",
            field=models.CharField(
                choices=[("web", "booking page"), ("api", "API"), ("staff", "clinic staff")],
                max_length=6,
            ),
        ),
        migrations.AddIndex(
            model_name="appointment",
            index=models.Index(fields=["chair", "starts_at"], name="appt_chair_time_idx"),
        ),
        sql_per_database(
            {"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP},
            {"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN},
        ),
    ]
