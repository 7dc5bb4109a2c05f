"""The rule no write can get around: one clinician's booked appointments never overlap.

Each appointment blocks [starts_at, blocked_until) (its end plus the buffer after it).
PostgreSQL enforces this with an exclusion constraint on a time range (btree_gist lets the
clinician id join the GiST index). SQLite has no such constraint, so triggers refuse an insert
or update that would overlap; SQLite runs one writer at a time, so the check cannot race.
"""

from django.db import migrations

from perinatal.lib.migrations import sql_per_database

POSTGRES_UP = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    """
    ALTER TABLE booking_appointment ADD CONSTRAINT appointment_no_overlap
    EXCLUDE USING gist (
        clinician_id WITH =,
        tstzrange(starts_at, blocked_until, '[)') WITH &&
    ) WHERE (status = 'booked')
    """,
]
POSTGRES_DOWN = ["ALTER TABLE booking_appointment DROP CONSTRAINT appointment_no_overlap"]

SQLITE_CHECK = """
    WHEN NEW.status = 'booked' AND EXISTS (
        SELECT 1 FROM booking_appointment AS other
        WHERE other.clinician_id = NEW.clinician_id
          AND other.status = 'booked'
          AND other.id IS NOT NEW.id
          AND other.starts_at < NEW.blocked_until
          AND NEW.starts_at < other.blocked_until
    )
    BEGIN SELECT RAISE(ABORT, 'appointment_no_overlap'); END
"""
SQLITE_UP = [
    f"CREATE TRIGGER appointment_no_overlap_insert BEFORE INSERT ON booking_appointment {SQLITE_CHECK}",
    f"CREATE TRIGGER appointment_no_overlap_update BEFORE UPDATE ON booking_appointment {SQLITE_CHECK}",
]
SQLITE_DOWN = [
    "DROP TRIGGER appointment_no_overlap_insert",
    "DROP TRIGGER appointment_no_overlap_update",
]


class Migration(migrations.Migration):
    dependencies = [("booking", "0001_initial")]

    operations = [
        sql_per_database(
            {"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP},
            {"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN},
        )
    ]
