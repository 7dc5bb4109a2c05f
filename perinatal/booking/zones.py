"""The visitor's time zone: detected in the browser, changeable, always stated on the page."""

import functools
import zoneinfo
from datetime import UTC, date, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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


def zone_label(name: str) -> str:
    """ "Eastern Time" for the zones people know by a name; the IANA name for the others."""
    return str(ZONE_NAMES.get(name, name))


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
