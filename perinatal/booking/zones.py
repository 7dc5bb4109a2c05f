"""The visitor's time zone: detected in the browser, changeable, always stated on the page."""

import functools
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote

from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext_lazy as _

from perinatal.booking.slots import Slot, find_slots

# Offered in the chooser; a detected zone not in the list is added to it for that page.
COMMON_ZONES = [
    ("America/New_York", _("Eastern Time")),
    ("America/Chicago", _("Central Time")),
    ("America/Denver", _("Mountain Time")),
    ("America/Phoenix", _("Arizona")),
    ("America/Los_Angeles", _("Pacific Time")),
    ("America/Anchorage", _("Alaska")),
    ("Pacific/Honolulu", _("Hawaii")),
    ("America/Puerto_Rico", _("Puerto Rico")),
]
ZONE_NAMES = dict(COMMON_ZONES)


@functools.cache
def _known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())  # reads the whole tz database: once


def valid_zone(name: str | None) -> str | None:
    if name and name in _known_zones():
        return name
    return None


@dataclass(frozen=True)
class SlotRow:
    """One time button: what it sends, what it says in her zone and at the place."""

    start: str  # UTC, ISO 8601
    href: str
    label: str
    place_label: str


def slot_rows(
    slots: list[Slot], zone: str, place_zone: str | None, link: str = ""
) -> list[SlotRow]:
    """Times formatted once in Python: a template block per slot cost more than the search."""
    tz = zoneinfo.ZoneInfo(zone)
    place_tz = zoneinfo.ZoneInfo(place_zone) if place_zone and place_zone != zone else None
    suffix = "&tz=" + quote(zone, safe="")
    rows = []
    for slot in slots:
        start = slot.start.strftime("%Y-%m-%dT%H:%M:%SZ")
        rows.append(
            SlotRow(
                start=start,
                href=f"{link}?start={start}{suffix}",
                label=time_format(slot.start.astimezone(tz), "TIME_FORMAT"),
                place_label=time_format(slot.start.astimezone(place_tz), "TIME_FORMAT")
                if place_tz
                else "",
            )
        )
    return rows


def zone_label(name: str) -> str:
    common = ZONE_NAMES.get(name)
    return f"{common} ({name})" if common else name


def zone_choices(current: str) -> list[tuple[str, str, bool]]:
    choices = [(name, zone_label(name), name == current) for name, _label in COMMON_ZONES]
    if current not in ZONE_NAMES:
        choices.insert(0, (current, zone_label(current), True))
    return choices


# Instants a booking could concern; anything else is refused before any search runs.
REASONABLE_PAST = timedelta(days=366)
REASONABLE_FUTURE = timedelta(days=3660)


def within_reason(instant: datetime) -> bool:
    now = timezone.now()
    return now - REASONABLE_PAST <= instant <= now + REASONABLE_FUTURE


def parse_instant(value: str | None) -> datetime | None:
    """An ISO 8601 instant with an offset (or Z), as UTC, within a year back and ten ahead;
    None for anything else."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace(" ", "+"))
        if parsed.tzinfo is None:
            return None
        parsed = parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    return parsed if within_reason(parsed) else None


def parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def days_with_slots(
    consultation, *, zone: str, from_day: date, horizon_end: datetime, wanted: int = 5, **kwargs
) -> tuple[list[tuple[date, list[Slot]]], date | None]:
    """Up to ``wanted`` days (in ``zone``) that have free slots, from ``from_day`` on, and the
    day to continue from (None when nothing is left before the horizon)."""
    tz = zoneinfo.ZoneInfo(zone)
    days: dict[date, list[Slot]] = {}
    window_start = datetime.combine(from_day, datetime.min.time(), tzinfo=tz).astimezone(UTC)
    while window_start < horizon_end:
        window_end = window_start + timedelta(days=7)
        for slot in find_slots(consultation, start=window_start, end=window_end, **kwargs):
            day = slot.start.astimezone(tz).date()
            if day not in days and len(days) == wanted:
                return list(days.items()), day
            days.setdefault(day, []).append(slot)
        window_start = window_end
    return list(days.items()), None
