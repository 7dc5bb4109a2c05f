"""Chain the audit log and keep the app's role to adding and reading it.

1. Every event gets a digest chained to the one before (``perinatal.audit.chain``); the events
   already written are sealed here, in id order, under a purge permit held only inside this
   migration's transaction.
2. SQLite rebuilds the table to add the column, which drops 0002's triggers: they are made again.
3. On PostgreSQL, every role but the tables' owner loses the right to change, remove or empty
   audit events and to write the purge permit, whatever default privileges gave it when the
   tables were made (README, "Running in production": the app connects as such a role).
"""

from django.db import migrations, models

from perinatal.audit import chain
from perinatal.lib.migrations import sql_per_database

PERMIT = "audit 0003: sealing the chain"

SQLITE_TRIGGERS = [
    "DROP TRIGGER IF EXISTS audit_no_update",
    "DROP TRIGGER IF EXISTS audit_no_delete",
    """CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_auditevent
       WHEN NOT EXISTS (SELECT 1 FROM audit_purge_permit)
       BEGIN SELECT RAISE(ABORT, 'audit_append_only'); END""",
    """CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_auditevent
       WHEN NOT EXISTS (SELECT 1 FROM audit_purge_permit)
       BEGIN SELECT RAISE(ABORT, 'audit_append_only'); END""",
]
POSTGRES_REVOKE = [
    """DO $$
    DECLARE
      grantee text;
    BEGIN
      FOR grantee IN
        SELECT DISTINCT CASE WHEN acl.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END
        FROM pg_class c
        CROSS JOIN LATERAL aclexplode(c.relacl) acl
        LEFT JOIN pg_roles r ON r.oid = acl.grantee
        WHERE c.oid IN ('audit_auditevent'::regclass, 'audit_purge_permit'::regclass)
          AND acl.grantee <> c.relowner
      LOOP
        EXECUTE 'REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_auditevent FROM '
          || grantee;
        EXECUTE 'REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER'
          || ' ON audit_purge_permit FROM ' || grantee;
      END LOOP;
    END $$""",
]


def seal_existing_events(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    events = AuditEvent.objects.using(schema_editor.connection.alias)
    previous = chain.GENESIS
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("INSERT INTO audit_purge_permit (reason) VALUES (%s)", [PERMIT])
        for id_, *content in events.order_by("id").values_list("id", *chain.FIELDS).iterator():
            previous = chain.link(previous, dict(zip(chain.FIELDS, content, strict=True)))
            events.filter(pk=id_).update(digest=previous)
        cursor.execute("DELETE FROM audit_purge_permit WHERE reason = %s", [PERMIT])


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    operations = [
        # Undoing the column rebuilds SQLite's table again: this step's reverse runs after that.
        sql_per_database({}, {"sqlite": SQLITE_TRIGGERS}),
        migrations.AddField(
            model_name="auditevent",
            name="digest",
            field=models.CharField(
                default="",
                editable=False,
                help_text="SHA-256 over this event and the one before.",
                max_length=64,
            ),
            preserve_default=False,
        ),
        migrations.RunPython(seal_existing_events, migrations.RunPython.noop),
        sql_per_database({"postgresql": POSTGRES_REVOKE, "sqlite": SQLITE_TRIGGERS}, {}),
    ]
