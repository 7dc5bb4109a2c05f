"""On PostgreSQL the app connects as a role that may add audit events and read them, and nothing
more: it cannot change or remove one, write the purge permit, switch the triggers off or skip
them. Migrations run as the owner of the tables (``DATABASE_OWNER_URL``).

The test builds a database the way README's "Running in production" does: default privileges
from the owner (the suite's own role) to the app role, then every migration as the owner; then it
connects as the app role and tries each way around the log's protection. The app role is
``PERINATAL_TEST_APP_ROLE`` (default ``perinatal_app``); `.ci/run` creates it, and a suite
running as a superuser creates it here.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection
from psycopg import sql

APP_ROLE = os.environ.get("PERINATAL_TEST_APP_ROLE", "perinatal_app")
# As README's "Running in production" has them, run by the owner in the clinic's database.
APP_ROLE_GRANTS = [
    "GRANT USAGE ON SCHEMA public TO {app}",
    "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public"
    " GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}",
    "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public"
    " GRANT USAGE, SELECT ON SEQUENCES TO {app}",
]


def _connect(settings: dict, *, dbname: str, user: str | None = None) -> psycopg.Connection:
    return psycopg.connect(
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=user or settings["USER"] or None,
        password=(settings["PASSWORD"] or None) if user is None else None,
        dbname=dbname,
        autocommit=True,
    )


def _url(settings: dict, *, user: str, dbname: str) -> str:
    password = settings["PASSWORD"] if user == settings["USER"] else ""
    credentials = quote(user) + (f":{quote(password)}" if password else "")
    host = settings["HOST"] or "localhost"
    return f"postgres://{credentials}@{host}:{settings['PORT'] or 5432}/{dbname}"


def perinatal(*args: str, env: dict) -> subprocess.CompletedProcess:
    command = Path(sys.executable).parent / "perinatal"
    return subprocess.run(
        [command, *args], env={**os.environ, **env}, capture_output=True, text=True
    )


@pytest.fixture(scope="module")
def production_like_database():
    """A fresh database migrated by ``perinatal migrate`` as the owner (the suite's role) while
    ``DATABASE_URL`` names the app role; yields its name."""
    settings = dict(connection.settings_dict)
    name = f"perinatal_roles_{uuid.uuid4().hex[:8]}"
    with _connect(settings, dbname="postgres") as admin:
        owner_role = admin.execute("SELECT current_user").fetchone()[0]
        exists = admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [APP_ROLE])
        if not exists.fetchone():
            admin.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(APP_ROLE)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        with _connect(settings, dbname=name) as owner:
            for statement in APP_ROLE_GRANTS:
                owner.execute(
                    sql.SQL(statement).format(
                        owner=sql.Identifier(owner_role), app=sql.Identifier(APP_ROLE)
                    )
                )
        env = {
            "DATABASE_URL": _url(settings, user=APP_ROLE, dbname=name),
            "DATABASE_OWNER_URL": _url(settings, user=owner_role, dbname=name),
        }
        done = perinatal("migrate", "--verbosity", "0", env=env)
        assert done.returncode == 0, done.stderr
        yield name
    finally:
        with _connect(settings, dbname="postgres") as admin:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def as_app(production_like_database):
    with _connect(connection.settings_dict, dbname=production_like_database, user=APP_ROLE) as app:
        app.autocommit = False
        yield app


INSERT_EVENT = """INSERT INTO audit_auditevent
    (at, actor_label, role, action, model, object_id, request_id, path, detail, digest)
    VALUES (now(), 'frontdesk', '', 'view', 'patients.patient', '7', '', '', '{}', %s)
    RETURNING id"""


def _refused(app: psycopg.Connection, *statements) -> bool:
    try:
        for statement in statements:
            app.execute(statement)
    except psycopg.errors.InsufficientPrivilege:
        return True
    finally:
        app.rollback()
    return False


@pytest.mark.postgres
@pytest.mark.slow
def test_the_app_role_cannot_rewrite_the_audit_log(as_app):
    event = as_app.execute(INSERT_EVENT, ["0" * 64]).fetchone()[0]
    assert as_app.execute("SELECT count(*) FROM audit_auditevent").fetchone() == (1,)
    as_app.commit()

    assert _refused(as_app, "UPDATE audit_auditevent SET actor_label = 'x'")
    assert _refused(as_app, "DELETE FROM audit_auditevent")
    assert _refused(as_app, "TRUNCATE audit_auditevent")
    # The finding: a permit row let the same transaction rewrite history.
    assert _refused(
        as_app,
        "INSERT INTO audit_purge_permit (reason) VALUES ('x')",
        "DELETE FROM audit_auditevent",
    )
    assert _refused(as_app, "DELETE FROM audit_purge_permit")
    assert _refused(as_app, "SET LOCAL session_replication_role = replica")
    assert _refused(as_app, "SET session_replication_role = replica")
    assert _refused(as_app, "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL")
    assert _refused(as_app, "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_no_change")
    assert _refused(as_app, "DROP TRIGGER audit_no_change ON audit_auditevent")
    assert _refused(
        as_app,
        "CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
    )

    assert as_app.execute(
        "SELECT count(*) FROM audit_auditevent WHERE id = %s AND actor_label = 'frontdesk'",
        [event],
    ).fetchone() == (1,)


@pytest.mark.postgres
@pytest.mark.slow
def test_the_app_role_still_works_on_the_clinics_own_tables(as_app):
    """The default privileges reach tables made by migrations: the app reads and writes them."""
    as_app.execute("SELECT count(*) FROM clinic_clinic").fetchone()
    as_app.execute("UPDATE accounts_user SET first_name = first_name")
    as_app.execute("SELECT count(*) FROM audit_purge_permit").fetchone()
    rolsuper, owns = as_app.execute(
        "SELECT rolsuper, (SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid "
        "AND c.relname LIKE 'audit%%') FROM pg_roles r WHERE rolname = current_user"
    ).fetchone()
    assert (rolsuper, owns) == (False, 0)


@pytest.mark.postgres
@pytest.mark.slow
def test_the_deployment_check_passes_the_app_role_and_not_the_owner(production_like_database):
    settings = connection.settings_dict
    with _connect(settings, dbname="postgres") as admin:
        owner = admin.execute("SELECT current_user").fetchone()[0]
    check = ("check", "--deploy", "--database", "default", "--tag", "database")
    as_app = perinatal(
        *check, env={"DATABASE_URL": _url(settings, user=APP_ROLE, dbname=production_like_database)}
    )
    as_owner = perinatal(
        *check, env={"DATABASE_URL": _url(settings, user=owner, dbname=production_like_database)}
    )
    assert "audit.E001" not in as_app.stderr + as_app.stdout
    assert as_app.returncode == 0, as_app.stderr
    assert "audit.E001" in as_owner.stderr
    assert as_owner.returncode == 1
