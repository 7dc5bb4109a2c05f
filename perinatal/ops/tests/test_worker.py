"""The background worker: stalled jobs come back, and no message is lost when workers are killed."""

from datetime import timedelta

import pytest
from django.tasks import TaskResult
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from perinatal.lib import worker
from perinatal.notify.models import Message
from perinatal.notify.tasks import deliver_due_messages, send_message
from tests.harness import Workers


def running_job(*, started_minutes_ago: int, claims: int = 1) -> TaskResult:
    """A queued job marked as taken by a worker ``claims`` times, the last one that long ago."""
    job = send_message.enqueue(1)
    DBTaskResult.objects.filter(pk=job.id).update(
        status="RUNNING",
        started_at=timezone.now() - timedelta(minutes=started_minutes_ago),
        worker_ids=[f"w{n}" for n in range(claims)],
    )
    return job


@pytest.mark.django_db
def test_a_job_whose_worker_vanished_goes_back_to_the_queue():
    job = running_job(started_minutes_ago=10)
    assert worker.reap_stalled_jobs(lease_seconds=300) == 1
    assert DBTaskResult.objects.get(pk=job.id).status == "READY"


@pytest.mark.django_db
def test_a_running_job_within_its_lease_is_left_alone():
    job = running_job(started_minutes_ago=0)
    assert worker.reap_stalled_jobs(lease_seconds=300) == 0
    assert DBTaskResult.objects.get(pk=job.id).status == "RUNNING"


@pytest.mark.django_db
def test_a_job_that_keeps_killing_its_worker_is_given_up():
    job = running_job(started_minutes_ago=10, claims=worker.MAX_CLAIMS)
    assert worker.reap_stalled_jobs(lease_seconds=300) == 0
    stalled = DBTaskResult.objects.get(pk=job.id)
    assert stalled.status == "FAILED"
    assert "vanished" in stalled.traceback


@pytest.mark.django_db
def test_the_periodic_sweep_is_queued_once():
    assert worker.enqueue_periodic() == len(worker.PERIODIC_TASKS)
    assert worker.enqueue_periodic() == 0
    assert DBTaskResult.objects.filter(task_path=deliver_due_messages.module_path).count() == 1


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_killed_workers_lose_no_message_and_send_none_twice(smtp_server):
    from perinatal.ops.demo.clinic import load_demo_clinic
    from perinatal.screening.services import request_callback

    load_demo_clinic()
    total = 24
    for n in range(total):
        request_callback(
            first_name=f"P{n}", phone="+16175550100", language="en", screening=None, urgent=True
        )
    expected = {m.message_id_header for m in Message.objects.all()}
    assert len(expected) == total

    workers = Workers(smtp_server.port, count=2)
    kill_on = {3, 11, 19}  # the 3rd, 11th and 19th delivery attempts die mid-send
    attempts = {"n": 0}

    def kill_sender_mid_send(message, peer):
        attempts["n"] += 1
        if attempts["n"] in kill_on:
            # The sending worker dies before the server accepts: the message must come again.
            assert workers.kill_sender(peer[1])
            return False
        return True

    smtp_server.handler.before_accept = kill_sender_mid_send
    workers.supervise(
        until=lambda: Message.objects.filter(status=Message.Status.SENT).count() == total,
        seconds=90,
    )

    received = [m["Message-ID"] for m in smtp_server.handler.messages]
    states = list(Message.objects.values_list("status", "attempts"))
    assert all(state == Message.Status.SENT for state, _ in states), states
    assert workers.kills >= len(kill_on)
    assert sorted(received) == sorted(expected)  # every message once: none lost, none twice
    assert Message.objects.exclude(status=Message.Status.SENT).count() == 0
