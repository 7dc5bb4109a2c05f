"""The database itself refuses to change or remove audit events.

Both databases get triggers that abort UPDATE and DELETE (and TRUNCATE on PostgreSQL) on the
audit table, unless the table ``audit_purge_permit`` holds a row. Nothing in the application
writes that table: it exists so that an operator running a documented retention purge, and the
test suite (which empties every table between tests), can be let through deliberately.
"""

from django.db import migrations

from perinatal.lib.migrations import sql_per_database

SQLITE_UP = [
    "CREATE TABLE audit_purge_permit (reason TEXT NOT NULL)",
    """CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_auditevent
       WHEN NOT EXISTS (SELECT 1 FROM audit_purge_permit)
       BEGIN SELECT RAISE(ABORT, 'audit_append_only'); END""",
    """CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_auditevent
       WHEN NOT EXISTS (SELECT 1 FROM audit_purge_permit)
       BEGIN SELECT RAISE(ABORT, 'audit_append_only'); END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER audit_no_update",
    "DROP TRIGGER audit_no_delete",
    "DROP TABLE audit_purge_permit",
]
POSTGRES_UP = [
    "CREATE TABLE audit_purge_permit (reason text NOT NULL)",
    """CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF EXISTS (SELECT 1 FROM audit_purge_permit) THEN
           IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
           RETURN NEW;
         END IF;
         RAISE EXCEPTION 'audit_append_only' USING ERRCODE = 'integrity_constraint_violation';
       END $$""",
    """CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit_auditevent
       FOR EACH ROW EXECUTE FUNCTION audit_append_only()""",
    """CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER audit_no_truncate ON audit_auditevent",
    "DROP TRIGGER audit_no_change ON audit_auditevent",
    "DROP FUNCTION audit_append_only()",
    "DROP TABLE audit_purge_permit",
]


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        sql_per_database(
            {"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP},
            {"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN},
        )
    ]
