"""Thin tasks for the worker; the periodic sweep (``perinatal.lib.worker``) enqueues them."""

from django.tasks import task

from perinatal.followup import services


@task
def sweep_follow_ups() -> dict[str, int]:
    return services.sweep()
