"""``perinatal check --deploy --database default`` refuses a database role that could rewrite the
audit log: a superuser, the tables' owner, or any role with more than INSERT and SELECT on it."""

import pytest
from django.core import checks
from django.db import connection


@pytest.mark.postgres
def test_it_flags_a_role_that_could_rewrite_the_log(db):
    """The suite connects as the owner of the tables (or a superuser): exactly what the app's
    role in production must not be."""
    found = checks.run_checks(databases=["default"], include_deployment_checks=True)
    assert "audit.E001" in {message.id for message in found}


def test_sqlite_has_no_roles_to_check(db):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    found = checks.run_checks(databases=["default"], include_deployment_checks=True)
    assert "audit.E001" not in {message.id for message in found}
