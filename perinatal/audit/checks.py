"""A deployment check that the app's database role cannot rewrite the audit log.

The triggers of migration 0002 stop code with a bug; they do not stop a role that owns the table
(it can switch them off), a superuser (it can skip them), or a role allowed to write the purge
permit. ``perinatal check --deploy --database default`` reports any of these, so a deployment
that connects the app as the owner is caught before it serves a page.
"""

from django.core import checks
from django.db import connections

ROLE_QUERY = """
    SELECT r.rolsuper OR r.rolbypassrls,
           pg_has_role(current_user, c.relowner, 'USAGE'),
           has_table_privilege('audit_auditevent', 'UPDATE, DELETE, TRUNCATE, TRIGGER'),
           has_table_privilege('audit_purge_permit', 'INSERT, UPDATE, DELETE, TRUNCATE')
    FROM pg_roles r, pg_class c
    WHERE r.rolname = current_user AND c.oid = 'audit_auditevent'::regclass
"""


@checks.register(checks.Tags.database, checks.Tags.security, deploy=True)
def app_role_cannot_rewrite_the_log(app_configs=None, databases=None, **kwargs):
    problems = []
    for alias in databases or []:
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        if "audit_auditevent" not in connection.introspection.table_names():
            continue  # not migrated yet
        with connection.cursor() as cursor:
            cursor.execute(ROLE_QUERY)
            superuser, owner, rewrite, permit = cursor.fetchone()
        if superuser or owner or rewrite or permit:
            problems.append(
                checks.Error(
                    f"Database {alias!r} connects as a role that can change or remove audit "
                    "events (a superuser, the tables' owner, or granted more than INSERT and "
                    "SELECT on the log).",
                    hint="Connect the app as its own role and run migrations with "
                    "DATABASE_OWNER_URL (README, 'Running in production').",
                    id="audit.E001",
                )
            )
    return problems
