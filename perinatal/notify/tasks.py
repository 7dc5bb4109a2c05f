"""Thin tasks: they take ids and call the delivery module."""

from django.tasks import task

from perinatal.notify import delivery


@task
def send_message(message_pk: int) -> str:
    return delivery.deliver(message_pk)


@task
def deliver_due_messages() -> int:
    return delivery.deliver_due()
