"""The staff home's schedule: booked appointments for today and tomorrow at each location, each
day by the location's own calendar, and the rows that list them.

A clinic's day can hold a hundred appointments. Their rows are written here rather than in the
template, as the work queue's and the chart's are: through the template engine, with a link to
reverse and a phone number to format on each, they were most of the home page's time.
"""

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from html import escape
from zoneinfo import ZoneInfo

from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from perinatal.booking.models import Appointment
from perinatal.clinic.models import Clinic
from perinatal.lib.links import linker
from perinatal.lib.phones import format_phone

# What the schedule shows of each appointment.
FIELDS = (
    "pk",
    "starts_at",
    "time_zone",
    "location_id",
    "location_name",
    "name",
    "phone",
    "type_name",
    "consultation_type__name",
    "consultation_type__name_es",
    "mode",
    "clinician_name",
    "urgent",
    "confirmed_at",
    "patient__public_id",
    "patient__name",
)
MODE_LABELS = dict(Appointment._meta.get_field("mode").flatchoices)


def schedule(now: datetime) -> list[dict]:
    """Each location, by name, with its zone and two days ("Today", "Tomorrow"), each day with
    its date and its appointments (dicts of ``FIELDS`` plus ``time``, "HH:MM" where it takes
    place), earliest first. ``type_name`` is the type as the staff's language names it (the
    booking keeps the name she was shown, in hers).

    One query: a window wide enough for every zone on Earth, then each appointment is kept
    when its start falls on today's or tomorrow's date where it takes place.
    """
    window = (
        Appointment.objects.booked()
        .filter(starts_at__gte=now - timedelta(days=1), starts_at__lt=now + timedelta(days=3))
        .order_by("location_name", "starts_at")
        .values(*FIELDS)
    )
    places: dict[int, dict] = {}
    for location in getattr(Clinic.objects.current(), "active_locations", []):
        places[location.pk] = {"name": location.name, "zone": location.time_zone}
    by_place = defaultdict(list)
    for appointment in window:
        places.setdefault(
            appointment["location_id"],
            {"name": appointment["location_name"], "zone": appointment["time_zone"]},
        )
        by_place[appointment["location_id"]].append(appointment)
    language = get_language()
    located = []
    for location_id, place in sorted(places.items(), key=lambda p: p[1]["name"]):
        today = now.astimezone(ZoneInfo(place["zone"])).date()
        days = [
            {"label": "Today", "date": today, "appointments": []},
            {"label": "Tomorrow", "date": today + timedelta(days=1), "appointments": []},
        ]
        for appointment in by_place[location_id]:
            local = appointment["starts_at"].astimezone(ZoneInfo(appointment["time_zone"]))
            for day in days:
                if local.date() == day["date"]:
                    # Its own zone's clock: the server's zone would be wrong for every other.
                    day["appointments"].append(
                        {
                            **appointment,
                            "time": f"{local:%H:%M}",
                            "type_name": _type(appointment, language),
                        }
                    )
        located.append({**place, "days": days})
    return located


def _type(appointment: dict, language: str) -> str:
    """As ``ConsultationType.label`` names it, from the values read."""
    spanish = appointment["consultation_type__name_es"]
    return spanish if language == "es" and spanish else appointment["consultation_type__name"]


def rows_html(appointments: list[dict], chart_link: Callable[[int], str] | None) -> SafeString:
    """A day's appointments as the schedule table's rows: time (linking to the appointment),
    patient and phone, type and mode, clinician, status. The patient's name links to her chart
    when ``chart_link`` is given (people who may see contacts) and the booking has a patient;
    otherwise it is the name given when booking. Every text is escaped.
    """
    link = linker("schedule:appointment")
    rows = []
    for appointment in appointments:
        if chart_link and appointment["patient__public_id"]:
            name = (
                f'<a href="{chart_link(appointment["patient__public_id"])}">'
                f"{escape(appointment['patient__name'])}</a>"
            )
        else:
            name = escape(appointment["name"])
        urgent = appointment["urgent"]
        status = '<span class="badge urgent">urgent</span> ' if urgent else ""
        status += (
            '<span class="badge ok">confirmed</span>'
            if appointment["confirmed_at"]
            else '<span class="badge warn">to confirm</span>'
        )
        mode = conditional_escape(MODE_LABELS.get(appointment["mode"], appointment["mode"]))
        rows.append(
            ('<tr class="urgent">' if urgent else "<tr>")
            + f'<td><a href="{link(appointment["pk"])}">{appointment["time"]}</a></td>'
            f'<td>{name}<br><span class="small muted">{escape(format_phone(appointment["phone"]))}'
            "</span></td>"
            f'<td>{escape(appointment["type_name"])} <span class="small muted">({mode})</span></td>'
            f"<td>{escape(appointment['clinician_name'])}</td><td>{status}</td></tr>"
        )
    return SafeString("".join(rows))
