"""The database itself refuses to change or delete an audit event, on SQLite and PostgreSQL.

The suite's permit row (root conftest) is removed inside this test's transaction first, so the
triggers act as they do in production.
"""

import pytest
from django.db import DatabaseError, connection, transaction

from perinatal.audit.log import record
from perinatal.audit.models import Action, AuditEvent
from perinatal.lib.records import Locked


@pytest.fixture
def event(db):
    event = record(Action.VIEW, model="patients.patient", object_id=7, patient=7)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_purge_permit")
    return event


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditevent SET actor_label = 'someone else' WHERE id = %s",
        "UPDATE audit_auditevent SET patient_id = NULL WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ],
)
def test_the_database_refuses_to_rewrite_history(event, statement):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, [event.pk])
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.actor_label, stored.patient_id) == (event.actor_label, 7)


def test_the_orm_cannot_either(event):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action=Action.SEARCH)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(Locked):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk, action=Action.VIEW).exists()


def test_new_events_are_still_written(event):
    record(Action.SEARCH, model="audit.auditevent")
    assert AuditEvent.objects.count() == 2


@pytest.mark.postgres
def test_postgresql_refuses_truncate(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.filter(pk=event.pk).exists()
