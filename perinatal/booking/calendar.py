"""The .ics sent with every confirmation, change and cancellation (RFC 5545, RFC 5546 methods).

One appointment keeps one UID for life; each change the patient is told about raises SEQUENCE,
so her calendar replaces the event it already holds instead of adding a second one.
"""

import functools
import zoneinfo
from datetime import date

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, Timezone, vCalAddress, vText

from perinatal.booking.models import Appointment


@functools.lru_cache(maxsize=64)
def _vtimezone(zone: str, year: int) -> Timezone:
    """The zone's rules for the years around the event: enough, and a small file. Working them
    out from the tz database is the slowest part of building an invitation, so once per zone."""
    return Timezone.from_tzid(zone, first_date=date(year - 1, 1, 1), last_date=date(year + 2, 1, 1))


def appointment_uid(appointment: Appointment) -> str:
    return f"appointment-{appointment.public_id}@{settings.PERINATAL_MESSAGE_ID_DOMAIN}"


def appointment_ics(
    appointment: Appointment,
    *,
    clinic_name: str,
    clinic_email: str,
    summary: str,
    description: str,
    method: str | None = None,
) -> str:
    """The event as it stands: REQUEST while booked, CANCEL once cancelled (or ``method``,
    e.g. PUBLISH for a file the patient downloads)."""
    cancelled = not appointment.is_booked
    zone = zoneinfo.ZoneInfo(appointment.time_zone)
    calendar = Calendar()
    calendar.add("prodid", "-//Perinatal//Booking//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method or ("CANCEL" if cancelled else "REQUEST"))

    event = Event()
    event.add("uid", appointment_uid(appointment))
    event.add("dtstamp", timezone.now())
    event.add("dtstart", appointment.starts_at.astimezone(zone))
    event.add("dtend", appointment.ends_at.astimezone(zone))
    event.add("sequence", appointment.sequence)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("summary", summary)
    if appointment.is_video:
        # A cancelled call's room stays closed: its link leaves with the booking.
        video_url = "" if cancelled else appointment.video_url
        event.add("location", video_url or "Video call")
        if video_url:
            event.add("url", video_url)
    else:
        event.add("location", f"{appointment.location_name}, {appointment.location_address}")
    # Calendars sync and get shared; the link that can cancel stays in her email only.
    event.add("description", description)

    organizer = vCalAddress(f"mailto:{clinic_email}")
    organizer.params["cn"] = vText(clinic_name)
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{appointment.email}")
    attendee.params["cn"] = vText(appointment.name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("ACCEPTED")
    event.add("attendee", attendee)

    calendar.add_component(event)
    calendar.add_component(_vtimezone(appointment.time_zone, appointment.starts_at.year))
    return calendar.to_ical().decode()
