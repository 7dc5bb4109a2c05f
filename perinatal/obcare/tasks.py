"""Thin tasks for the worker; the periodic sweep (``perinatal.lib.worker``) enqueues them."""

from django.tasks import task

from perinatal.obcare import services


@task
def remind_unanswered_letters() -> int:
    return services.remind_unanswered()
