"""Many senders at once: every message still goes out exactly once."""

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from perinatal.notify import delivery
from perinatal.notify.models import Message
from perinatal.notify.services import queue_email
from perinatal.notify.tasks import send_message


def _in_threads(count, target):
    barrier = threading.Barrier(count)
    errors = []

    def run():
        try:
            barrier.wait()
            target()
        except Exception as exc:  # collected and asserted on below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_sweeps_send_each_message_once(smtp_mail):
    context = {
        "urgent": False,
        "requested_at": timezone.now(),
        "queue_url": "http://x/",
        "clinic": None,
    }
    for _ in range(40):
        queue_email(to="oncall@example.org", template="callback_alert", context=context)
    errors = _in_threads(8, delivery.deliver_due)
    assert errors == []
    received = [m["Message-ID"] for m in smtp_mail]
    assert len(received) == 40
    assert sorted(received) == sorted(m.message_id_header for m in Message.objects.all())
    assert Message.objects.filter(status=Message.Status.SENT).count() == 40


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_never_claim_the_same_job():
    """django-tasks-db claims with SELECT … FOR UPDATE SKIP LOCKED: a locked row is passed over."""
    for n in range(2):
        send_message.enqueue(n)
    first_claim = threading.Event()
    release = threading.Event()
    claimed = []

    def hold_a_claim():
        with transaction.atomic():
            job = DBTaskResult.objects.ready().get_locked()
            claimed.append(job.pk)
            first_claim.set()
            release.wait(10)
        connection.close()

    holder = threading.Thread(target=hold_a_claim)
    holder.start()
    assert first_claim.wait(10)
    with transaction.atomic():
        second = DBTaskResult.objects.ready().get_locked()
    release.set()
    holder.join()
    assert second is not None
    assert second.pk != claimed[0]
