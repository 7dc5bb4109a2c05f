"""Each audit event carries a SHA-256 over its content and the event before it, so a row changed,
removed or moved by someone who can get past the database's refusals (a superuser) shows up in
``perinatal audit verify``.

The suite's permit row (root conftest) lets these tests tamper as that superuser would.
"""

import threading
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from perinatal.audit.log import record
from perinatal.audit.models import Action, AuditEvent


def verify() -> str:
    from io import StringIO

    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


@pytest.fixture
def three_events(db):
    return [
        record(Action.VIEW, model="patients.patient", object_id=7, patient=7),
        record(Action.UPDATE, model="patients.patient", object_id=7, patient="7", detail={"n": 1}),
        record(Action.SEARCH, model="audit.auditevent", detail={"fields": ["a", "b"]}),
    ]


def tamper(statement: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_an_untouched_log_verifies(three_events):
    assert "3 audit events, chain intact" in verify()


def test_an_empty_log_verifies(db):
    assert "0 audit events, chain intact" in verify()


def test_every_event_has_its_own_link(three_events):
    digests = list(AuditEvent.objects.order_by("id").values_list("digest", flat=True))
    assert len(set(digests)) == 3
    assert all(len(d) == 64 for d in digests)


def test_it_finds_a_changed_row(three_events):
    second = three_events[1]
    tamper("UPDATE audit_auditevent SET patient_id = 8 WHERE id = %s", [second.pk])
    with pytest.raises(CommandError, match=rf"row {second.pk} \({second.at:%Y-%m-%d %H:%M:%S}"):
        verify()


def test_it_finds_a_changed_time(three_events):
    first = three_events[0]
    tamper("UPDATE audit_auditevent SET at = %s WHERE id = %s", [three_events[2].at, first.pk])
    with pytest.raises(CommandError, match=rf"row {first.pk} "):
        verify()


def test_it_finds_a_removed_row(three_events):
    _first, second, third = three_events
    tamper("DELETE FROM audit_auditevent WHERE id = %s", [second.pk])
    with pytest.raises(CommandError, match=rf"row {third.pk} "):
        verify()


def test_it_finds_rows_put_in_another_order(three_events):
    """Swapping two rows' ids, digests included, still breaks the chain where they stand."""
    first, second, _third = three_events
    tamper("UPDATE audit_auditevent SET id = -1 WHERE id = %s", [first.pk])
    tamper("UPDATE audit_auditevent SET id = %s WHERE id = %s", [first.pk, second.pk])
    tamper("UPDATE audit_auditevent SET id = %s WHERE id = -1", [second.pk])
    with pytest.raises(CommandError, match=rf"row {first.pk} "):
        verify()


def test_a_forged_digest_does_not_pass(three_events):
    """Recomputing one row's digest for new content is not enough: the next row chains to the old
    one."""
    from perinatal.audit.chain import link

    second = three_events[1]
    tamper("UPDATE audit_auditevent SET actor_label = 'someone else' WHERE id = %s", [second.pk])
    changed = AuditEvent.objects.get(pk=second.pk)
    tamper(
        "UPDATE audit_auditevent SET digest = %s WHERE id = %s",
        [link(three_events[0].digest, changed.chained_content()), second.pk],
    )
    with pytest.raises(CommandError, match=rf"row {three_events[2].pk} "):
        verify()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_writers_at_once_do_not_chain_to_the_same_row():
    """The first writer holds its transaction open after writing; without a lock the second
    would read the same chain head and fork the chain."""
    record(Action.VIEW, model="patients.patient", object_id=1)
    first_wrote = threading.Event()
    errors = []

    def first():
        try:
            with transaction.atomic():
                record(Action.VIEW, model="patients.patient", object_id=2)
                first_wrote.set()
                time.sleep(0.5)
        except Exception as error:  # reported below, in the test's thread
            errors.append(error)
            first_wrote.set()
        finally:
            connection.close()

    def second():
        try:
            first_wrote.wait(5)
            with transaction.atomic():
                record(Action.VIEW, model="patients.patient", object_id=3)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert list(AuditEvent.objects.order_by("id").values_list("object_id", flat=True)) == [
        "1",
        "2",
        "3",
    ]
    assert "3 audit events, chain intact" in verify()
