"""Free times, computed from weekly hours, date exceptions and what is already booked.

Rules are wall-clock times in the location's zone: "Mondays 9:00-12:00 in Denver" stays 9:00 in
Denver across daylight-saving changes, so its UTC time moves. On the night clocks go forward a
wall time may not exist (it is skipped); on the night they go back it exists twice (the first
is used). Everything returned is in UTC; pages convert to the visitor's zone.
"""

import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from perinatal.booking.models import (
    Appointment,
    Clinician,
    ConsultationType,
    DateException,
    WeeklyHours,
)
from perinatal.clinic.models import Clinic, Location

Interval = tuple[time, time]


@dataclass(frozen=True)
class Option:
    """One clinician free at a start time, at one location."""

    clinician_id: int
    location_id: int


@dataclass
class Slot:
    start: datetime
    end: datetime
    options: list[Option] = field(default_factory=list)


def local_instant(day: date, wall: time, zone: zoneinfo.ZoneInfo) -> datetime | None:
    """The UTC instant of a wall-clock time on a day in a zone; None if clocks skip it."""
    local = datetime.combine(day, wall, tzinfo=zone)  # fold=0: the first of a repeated hour
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return instant


def subtract(intervals: list[Interval], cut: Interval) -> list[Interval]:
    out = []
    for starts, ends in intervals:
        if cut[1] <= starts or cut[0] >= ends:
            out.append((starts, ends))
            continue
        if starts < cut[0]:
            out.append((starts, cut[0]))
        if cut[1] < ends:
            out.append((cut[1], ends))
    return out


def open_hours(
    weekly: list[WeeklyHours], exceptions: list[DateException], day: date
) -> list[Interval]:
    """One clinician's working intervals at one location on one day, after exceptions."""
    intervals = [(w.starts, w.ends) for w in weekly if w.weekday == day.weekday()]
    for exception in exceptions:
        if exception.date != day:
            continue
        if exception.kind == DateException.Kind.OFF:
            if exception.all_day:
                return []
            intervals = subtract(intervals, (exception.starts, exception.ends))
        else:
            intervals.append((exception.starts, exception.ends))
    return sorted(intervals)


@dataclass(frozen=True)
class Policy:
    min_notice: timedelta
    horizon: timedelta
    step: timedelta

    @classmethod
    def of(cls, clinic: Clinic) -> "Policy":
        return cls(
            min_notice=timedelta(hours=clinic.min_notice_hours),
            horizon=timedelta(days=clinic.horizon_days),
            step=timedelta(minutes=clinic.slot_step_minutes),
        )


def find_slots(
    consultation: ConsultationType,
    *,
    start: datetime,
    end: datetime,
    location: Location | None = None,
    clinician: Clinician | None = None,
    duration: timedelta | None = None,
    buffer: timedelta | None = None,
    now: datetime | None = None,
    ignore: Appointment | None = None,
    ignore_bookings: bool = False,
) -> list[Slot]:
    """Start times in [start, end) at which someone offering ``consultation`` is free.

    ``duration`` and ``buffer`` default to the type's; a reschedule passes the ones agreed.
    ``ignore`` is the appointment being moved (its own time does not block it).
    ``ignore_bookings`` answers "is this a time we offer at all", whatever is booked.
    """
    now = now or timezone.now()
    policy = Policy.of(Clinic.objects.current())
    duration = duration or timedelta(minutes=consultation.duration_minutes)
    buffer = buffer if buffer is not None else timedelta(minutes=consultation.buffer_minutes)
    earliest = max(start, now + policy.min_notice)
    latest = min(end, now + policy.horizon)
    if earliest >= latest:
        return []

    clinicians = consultation.clinicians.filter(is_active=True)
    if clinician is not None:
        clinicians = clinicians.filter(pk=clinician.pk)
    weekly = WeeklyHours.objects.filter(
        clinician__in=clinicians, location__is_active=True
    ).select_related("location")
    if location is not None:
        weekly = weekly.filter(location=location)
    weekly = list(weekly)
    if not weekly:
        return []
    clinician_ids = {w.clinician_id for w in weekly}

    # A day either side: a local date in one zone can reach into the UTC range of its neighbour.
    first_day = (earliest - timedelta(days=1)).date()
    last_day = (latest + timedelta(days=1)).date()
    exceptions = list(
        DateException.objects.filter(
            clinician_id__in=clinician_ids, date__range=(first_day, last_day)
        )
    )
    busy: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    if not ignore_bookings:
        booked = Appointment.objects.booked().filter(
            clinician_id__in=clinician_ids,
            starts_at__lt=latest + duration + buffer,
            blocked_until__gt=earliest,
        )
        if ignore is not None:
            booked = booked.exclude(pk=ignore.pk)
        for starts_at, blocked_until, clinician_id in booked.values_list(
            "starts_at", "blocked_until", "clinician_id"
        ):
            busy[clinician_id].append((starts_at, blocked_until))

    rules: dict[tuple[int, int], list[WeeklyHours]] = defaultdict(list)
    locations: dict[int, Location] = {}
    for w in weekly:
        rules[(w.clinician_id, w.location_id)].append(w)
        locations[w.location_id] = w.location

    found: dict[datetime, Slot] = {}
    for (clinician_id, location_id), their_weekly in rules.items():
        zone = zoneinfo.ZoneInfo(locations[location_id].time_zone)
        their_exceptions = [
            e
            for e in exceptions
            if e.clinician_id == clinician_id and e.location_id in (None, location_id)
        ]
        taken = busy[clinician_id]
        day = first_day
        while day <= last_day:
            for opens, closes in open_hours(their_weekly, their_exceptions, day):
                closes_at = local_instant(day, closes, zone) or datetime.combine(
                    day, closes, tzinfo=zone
                ).astimezone(UTC)
                wall = datetime.combine(day, opens)
                while wall.time() < closes and wall.date() == day:
                    slot_start = local_instant(day, wall.time(), zone)
                    wall += policy.step
                    if slot_start is None or not earliest <= slot_start < latest:
                        continue
                    slot_end = slot_start + duration
                    if slot_end > closes_at:
                        continue
                    blocked = slot_end + buffer
                    if any(slot_start < b_end and b_start < blocked for b_start, b_end in taken):
                        continue
                    slot = found.setdefault(slot_start, Slot(slot_start, slot_end))
                    slot.options.append(Option(clinician_id, location_id))
            day += timedelta(days=1)
    return [found[k] for k in sorted(found)]


def slot_at(consultation: ConsultationType, instant: datetime, **kwargs) -> Slot | None:
    """The slot starting exactly at ``instant``, if one is free."""
    instant = instant.astimezone(UTC)
    for slot in find_slots(
        consultation, start=instant, end=instant + timedelta(microseconds=1), **kwargs
    ):
        if slot.start == instant:
            return slot
    return None


def next_free(consultation: ConsultationType, after: datetime, count: int = 5, **kwargs):
    """The next ``count`` free slots from ``after``, searching two weeks at a time."""
    policy = Policy.of(Clinic.objects.current())
    now = kwargs.get("now") or timezone.now()
    limit = now + policy.horizon
    found: list[Slot] = []
    window_start = after
    while len(found) < count and window_start < limit:
        window_end = window_start + timedelta(days=14)
        found += find_slots(consultation, start=window_start, end=window_end, **kwargs)
        window_start = window_end
    return found[:count]


def offered_types(language: str) -> list[dict]:
    """What the booking page lists: each active type, in person once per location offering it."""
    choices = []
    types = ConsultationType.objects.filter(is_active=True).prefetch_related("clinicians")
    for consultation in types:
        clinician_ids = [c.pk for c in consultation.clinicians.all() if c.is_active]
        if not clinician_ids:
            continue
        if not consultation.in_person:
            choices.append(
                {"type": consultation, "label": consultation.label(language), "location": None}
            )
            continue
        location_ids = (
            WeeklyHours.objects.filter(clinician_id__in=clinician_ids, location__is_active=True)
            .values_list("location_id", flat=True)
            .distinct()
        )
        for location in Location.objects.filter(Q(pk__in=location_ids)).order_by("name"):
            choices.append(
                {"type": consultation, "label": consultation.label(language), "location": location}
            )
    return choices
