"""Reminders wait in the outbox with a send time and are asked again just before they go.

Each reminder is queued about its appointment with the SEQUENCE it was written for
(``Message.about_version``). Any change to the appointment raises SEQUENCE, so a reminder for
the old time fails ``Appointment.still_wants`` and is cancelled instead of sent, even if a
worker had already picked it up.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from perinatal.booking.models import Appointment


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
