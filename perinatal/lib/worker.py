"""The background worker: django-tasks-db's worker plus a sweeper that keeps jobs from getting lost.

django-tasks-db claims jobs with row locks (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL,
an IMMEDIATE transaction on SQLite), so any number of workers may run on any number of machines.
It does not recover a job whose worker was killed mid-run: that row stays RUNNING forever. The
sweeper thread closes that gap and runs the periodic jobs:

1. Reap: a job RUNNING longer than ``PERINATAL_TASK_LEASE_SECONDS`` goes back to READY, once per
   conditional UPDATE so two sweepers cannot both requeue it. After ``MAX_CLAIMS`` claims it is
   marked FAILED instead, so a job that kills its worker cannot loop forever.
2. Periodic: each job in ``PERIODIC_TASKS`` is enqueued unless one is already waiting or running.

Tasks must therefore be safe to run twice; ours are (they claim their rows conditionally).
"""

import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("perinatal.worker")

MAX_CLAIMS = 5
PERIODIC_TASKS = [
    "perinatal.notify.tasks.deliver_due_messages",
    # One reminder to staff per care-plan letter the OB has not answered in time.
    "perinatal.obcare.tasks.remind_unanswered_letters",
    # Follow-up questionnaires: withdraw, mark missed and send what is due (idempotent).
    "perinatal.followup.tasks.sweep_follow_ups",
]


def reap_stalled_jobs(*, lease_seconds: int | None = None) -> int:
    """Put jobs whose worker vanished back in the queue; returns how many."""
    lease = timedelta(seconds=lease_seconds or settings.PERINATAL_TASK_LEASE_SECONDS)
    now = timezone.now()
    stalled = DBTaskResult.objects.filter(status="RUNNING", started_at__lt=now - lease)
    requeued = 0
    for job in stalled.only("pk", "started_at", "worker_ids"):
        same_claim = DBTaskResult.objects.filter(
            pk=job.pk, status="RUNNING", started_at=job.started_at
        )
        if len(job.worker_ids) >= MAX_CLAIMS:
            same_claim.update(
                status="FAILED",
                finished_at=now,
                exception_class_path="perinatal.lib.worker.WorkerLost",
                traceback=f"The job's worker vanished {len(job.worker_ids)} times; given up.",
            )
            logger.error("job %s failed: its worker vanished %s times", job.pk, len(job.worker_ids))
            continue
        if same_claim.update(status="READY", started_at=None):
            requeued += 1
            logger.warning("job %s requeued: its worker vanished", job.pk)
    return requeued


def enqueue_periodic() -> int:
    enqueued = 0
    for path in PERIODIC_TASKS:
        with transaction.atomic():
            if DBTaskResult.objects.filter(
                task_path=path, status__in=["READY", "RUNNING"]
            ).exists():
                continue
            import_string(path).enqueue()
            enqueued += 1
    return enqueued


def sweep() -> None:
    reap_stalled_jobs()
    enqueue_periodic()


class Sweeper(threading.Thread):
    def __init__(self, interval: float):
        super().__init__(name="perinatal-sweeper", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                close_old_connections()
                sweep()
            except Exception:
                logger.exception("sweep failed; will try again")
            finally:
                close_old_connections()
            self.stopped.wait(self.interval)
