"""Reminders wait in the outbox with a send time and are asked again just before they go.

Each reminder names the appointment and the SEQUENCE it was queued for. Any change to the
appointment raises SEQUENCE, so a reminder for the old time fails its check and is cancelled
instead of sent, even if a worker had already picked it up.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from perinatal.booking.models import Appointment


def precondition(appointment: Appointment) -> str:
    return f"appointment:{appointment.pk}:{appointment.sequence}"


def still_wanted(reference: str) -> bool:
    pk, _, sequence = reference.partition(":")
    return Appointment.objects.filter(
        pk=int(pk),
        sequence=int(sequence),
        status=Appointment.Status.BOOKED,
        starts_at__gt=timezone.now(),
    ).exists()


def reminder_times(
    appointment: Appointment, now: datetime | None = None
) -> list[tuple[int, datetime]]:
    """(hours before, send time) for each reminder still in the future."""
    now = now or timezone.now()
    times = []
    for hours in settings.PERINATAL_REMINDER_HOURS:
        send_at = appointment.starts_at - timedelta(hours=hours)
        if send_at > now:
            times.append((hours, send_at))
    return times
