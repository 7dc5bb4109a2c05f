"""Thin tasks: they take ids and call the delivery module, which knows nothing of tasks.

A failed send is tried again by a job enqueued for its next time (``retry_later``); the periodic
sweep would find it anyway, the job only saves the wait.
"""

from datetime import datetime

from django.tasks import task

from perinatal.notify import delivery


def retry_later(message_pk: int, at: datetime) -> None:
    send_message.using(run_after=at).enqueue(message_pk)


@task
def send_message(message_pk: int) -> str:
    return delivery.deliver(message_pk, retry=retry_later)


@task
def deliver_due_messages() -> int:
    return delivery.deliver_due(retry=retry_later)
