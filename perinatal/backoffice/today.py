"""The staff home's schedule: booked appointments for today and tomorrow at each location, each
day by the location's own calendar. ``backoffice/home.html`` writes the rows."""

from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import F
from django.utils.translation import get_language

from perinatal.booking.models import Appointment
from perinatal.clinic.models import Clinic

# What the schedule shows of each appointment.
FIELDS = (
    "public_id",
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
)
MODE_LABELS = dict(Appointment._meta.get_field("mode").flatchoices)


def schedule(now: datetime) -> list[dict]:
    """Each location, by name, with its zone and two days ("Today", "Tomorrow"), each day with
    its date and its appointments (dicts of ``FIELDS``, ``patient_public_id`` and
    ``patient_name`` of her record if the booking has one, and ``mode_label``), earliest first.
    ``type_name`` is the type as the staff's language names it (the booking keeps the name she
    was shown, in hers); the page shows each start in ``time_zone``, where it takes place.

    One query: a window wide enough for every zone on Earth, then each appointment is kept
    when its start falls on today's or tomorrow's date where it takes place.
    """
    window = (
        Appointment.objects.booked()
        .filter(starts_at__gte=now - timedelta(days=1), starts_at__lt=now + timedelta(days=3))
        .order_by("location_name", "starts_at")
        .values(*FIELDS, patient_public_id=F("patient__public_id"), patient_name=F("patient__name"))
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
        days: list[dict] = [
            {"label": "Today", "date": today, "appointments": []},
            {"label": "Tomorrow", "date": today + timedelta(days=1), "appointments": []},
        ]
        for appointment in by_place[location_id]:
            local = appointment["starts_at"].astimezone(ZoneInfo(appointment["time_zone"]))
            for day in days:
                if local.date() == day["date"]:
                    day["appointments"].append(
                        {
                            **appointment,
                            "type_name": _type(appointment, language),
                            "mode_label": MODE_LABELS.get(appointment["mode"], appointment["mode"]),
                        }
                    )
        located.append({**place, "days": days})
    return located


def _type(appointment: dict, language: str) -> str:
    """As ``ConsultationType.label`` names it, from the values read."""
    spanish = appointment["consultation_type__name_es"]
    return spanish if language == "es" and spanish else appointment["consultation_type__name"]
