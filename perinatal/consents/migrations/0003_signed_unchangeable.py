"""The database itself refuses to change or remove a signed consent or a withdrawal.

The same pattern as the audit log (audit migration 0002): triggers abort UPDATE and DELETE (and
TRUNCATE on PostgreSQL) unless ``audit_purge_permit`` holds a row, which only an operator's
documented purge or the test suite's table emptying ever puts there.

One change is let through: the patient a row belongs to. Merging two records of the same person
moves every row of the dropped record to the kept one (``perinatal.patients.services``), and a
signature moves with her, word for word. On SQLite the trigger names every other column (a
column added later must be added here); on PostgreSQL the row is compared without ``patient_id``.
"""

from django.db import migrations

from perinatal.lib.migrations import sql_per_database

# Every column except patient_id.
TABLES = {
    "consents_signedconsent": [
        "id",
        "request_id",
        "template_id",
        "kind",
        "version",
        "language",
        "title",
        "body",
        "confirmation",
        "signer_name",
        "signed_at",
        "ip",
        "user_agent",
        "method",
        "witnessed_by_id",
    ],
    "consents_consentwithdrawal": ["id", "signed_id", "withdrawn_at", "how", "recorded_by_id"],
}


def _sqlite_up(table):
    columns = ", ".join(TABLES[table])
    return [
        f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE OF {columns} ON {table}
            WHEN NOT EXISTS (SELECT 1 FROM audit_purge_permit)
            BEGIN SELECT RAISE(ABORT, 'consent_unchangeable'); END""",
        f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
            WHEN NOT EXISTS (SELECT 1 FROM audit_purge_permit)
            BEGIN SELECT RAISE(ABORT, 'consent_unchangeable'); END""",
    ]


def _sqlite_down(table):
    return [f"DROP TRIGGER {table}_no_update", f"DROP TRIGGER {table}_no_delete"]


POSTGRES_FUNCTION = """
CREATE FUNCTION consent_unchangeable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM audit_purge_permit) THEN
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - 'patient_id') = (to_jsonb(OLD) - 'patient_id') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'consent_unchangeable' USING ERRCODE = 'integrity_constraint_violation';
END $$"""


def _postgres_up(table):
    return [
        f"""CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION consent_unchangeable()""",
        f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION consent_unchangeable()""",
    ]


def _postgres_down(table):
    return [
        f"DROP TRIGGER {table}_no_truncate ON {table}",
        f"DROP TRIGGER {table}_no_change ON {table}",
    ]


STATEMENTS_UP = {
    "sqlite": [sql for table in TABLES for sql in _sqlite_up(table)],
    "postgresql": [POSTGRES_FUNCTION] + [sql for table in TABLES for sql in _postgres_up(table)],
}
STATEMENTS_DOWN = {
    "sqlite": [sql for table in TABLES for sql in _sqlite_down(table)],
    "postgresql": [sql for table in TABLES for sql in _postgres_down(table)]
    + ["DROP FUNCTION consent_unchangeable()"],
}


class Migration(migrations.Migration):
    dependencies = [("consents", "0002_default_forms"), ("audit", "0002_append_only")]

    operations = [sql_per_database(STATEMENTS_UP, STATEMENTS_DOWN)]
