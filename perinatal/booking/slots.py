"""Free times, computed from weekly hours, date exceptions and what is already booked.

Rules are wall-clock times in the location's zone: "Mondays 9:00-12:00 in Denver" stays 9:00 in
Denver across daylight-saving changes, so its UTC time moves. On the night clocks go forward a
wall time may not exist (it is skipped); on the night they go back it exists twice (the first
is used). Everything returned is in UTC; pages convert to the visitor's zone.
"""

import uuid
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import cast

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q, signals
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


# How far ahead staff may place an appointment by hand (moving one, booking an infusion day):
# further out is a typo, and dates near the end of the calendar cannot be computed with.
STAFF_REACH = timedelta(days=365)


def local_instant(day: date, wall: time, zone: zoneinfo.ZoneInfo) -> datetime | None:
    """The UTC instant of a wall-clock time on a day in a zone; None if clocks skip it."""
    local = datetime.combine(day, wall, tzinfo=zone)  # fold=0: the first of a repeated hour
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return instant


def _instant_or_after(day: date, wall: time, zone: zoneinfo.ZoneInfo) -> datetime:
    """Like ``local_instant``, but a skipped wall time is read with the offset before the change
    (2:30 on the spring-forward night becomes 3:30 daylight time): late, never early."""
    return local_instant(day, wall, zone) or datetime.combine(day, wall, tzinfo=zone).astimezone(
        UTC
    )


def _starts(day: date, opens: time, closes: time, zone: zoneinfo.ZoneInfo, step: timedelta):
    """Start instants every ``step`` of wall time from ``opens`` until ``closes`` on ``day``.

    Almost every interval lies within one UTC offset, and then the instants are simple sums;
    only an interval that spans a clock change is walked wall time by wall time.
    """
    # Starts sit on one grid from midnight, so time off from 9:00 to 9:10 removes 9:00, not
    # shifts the whole morning to 9:10, 9:40 ...
    midnight = datetime.combine(day, time(0))
    offset = datetime.combine(day, opens) - midnight
    opens_wall = midnight + step * -(-offset // step)  # rounded up to the grid
    if opens_wall.date() != day or opens_wall.time() >= closes:
        return
    opens = opens_wall.time()
    first = datetime.combine(day, opens, tzinfo=zone)
    last = datetime.combine(day, closes, tzinfo=zone)
    if first.utcoffset() == last.utcoffset() and local_instant(day, opens, zone) is not None:
        start = first.astimezone(UTC)
        wall_span = datetime.combine(day, closes) - datetime.combine(day, opens)
        n = 0
        while step * n < wall_span:
            yield start + step * n
            n += 1
        return
    wall = datetime.combine(day, opens)
    while wall.time() < closes and wall.date() == day:
        instant = local_instant(day, wall.time(), zone)
        if instant is not None:
            yield instant
        wall += step


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


def open_hours(weekly: list, exceptions: list[DateException], day: date) -> list[Interval]:
    """One clinician's working intervals at one location on one day, after exceptions."""
    intervals = [(w.starts, w.ends) for w in weekly if w.weekday == day.weekday()]
    for exception in exceptions:
        if exception.date != day:
            continue
        if exception.kind == DateException.Kind.OFF:
            if exception.starts is None or exception.ends is None:  # all day (both or neither)
                return []
            intervals = subtract(intervals, (exception.starts, exception.ends))
        else:
            intervals.append((exception.starts, exception.ends))
    return merged(intervals)


def merged(intervals: list[Interval]) -> list[Interval]:
    """Overlapping or touching intervals as one: 9-12 plus extra hours 12-14 is 9-14."""
    out: list[Interval] = []
    for starts, ends in sorted(intervals):
        if out and starts <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], ends))
        else:
            out.append((starts, ends))
    return out


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


@dataclass(frozen=True)
class Rule:
    clinician_id: int
    location_id: int
    time_zone: str
    weekday: int
    starts: time
    ends: time


@dataclass
class Schedule:
    """Who works where and when: read once per change of the setup, not once per request."""

    rules: list[Rule]
    clinicians_by_type: dict[int, set[int]]
    exceptions: list[DateException]


SCHEDULE_VERSION_KEY = "booking:schedule-version"
# Without a shared cache (Redis) a process hears of another's change when its key expires.
SCHEDULE_VERSION_SECONDS = settings.PERINATAL_SCHEDULE_CACHE_SECONDS
_schedule: tuple[str, Schedule] | None = None


def forget_schedule(**kwargs) -> None:
    """Staff changed hours, exceptions, clinicians, types or places: every process re-reads,
    now and again once the change commits (a read in between saw the old rows)."""
    cache.delete(SCHEDULE_VERSION_KEY)
    transaction.on_commit(lambda: cache.delete(SCHEDULE_VERSION_KEY))


def schedule_version() -> str:
    return cast(
        str,
        cache.get_or_set(SCHEDULE_VERSION_KEY, lambda: uuid.uuid4().hex, SCHEDULE_VERSION_SECONDS),
    )


BOOKINGS_VERSION_KEY = "booking:bookings-version"


def bookings_version() -> str:
    """Moves whenever an appointment is booked, moved or cancelled (see ``bookings_changed``)."""
    return cast(
        str,
        cache.get_or_set(BOOKINGS_VERSION_KEY, lambda: uuid.uuid4().hex, SCHEDULE_VERSION_SECONDS),
    )


def bookings_changed() -> None:
    """Call inside the transaction that changes appointments. The version moves now and again
    on commit, so a list rendered from the state before the commit is not kept."""
    cache.delete(BOOKINGS_VERSION_KEY)
    transaction.on_commit(lambda: cache.delete(BOOKINGS_VERSION_KEY))


def schedule() -> Schedule:
    """The current schedule, kept in this process until the version in the shared cache moves."""
    global _schedule
    version = schedule_version()
    if _schedule is not None and _schedule[0] == version:
        return _schedule[1]
    rules = [
        Rule(w.clinician_id, w.location_id, w.location.time_zone, w.weekday, w.starts, w.ends)
        for w in WeeklyHours.objects.filter(
            clinician__is_active=True,
            location__is_active=True,
            clinician__locations=F("location"),  # hours only where she works
        ).select_related("location")
    ]
    by_type: dict[int, set[int]] = defaultdict(set)
    for type_id, clinician_id in ConsultationType.clinicians.through.objects.filter(
        clinician__is_active=True
    ).values_list("consultationtype_id", "clinician_id"):
        by_type[type_id].add(clinician_id)
    # Every exception: a clinic adds a few a week, and old ones cost only memory.
    exceptions = list(DateException.objects.all())
    loaded = Schedule(rules=rules, clinicians_by_type=dict(by_type), exceptions=exceptions)
    _schedule = (version, loaded)
    return loaded


def find_slots(
    consultation: ConsultationType,
    *,
    start: datetime,
    end: datetime,
    location: Location | None = None,
    duration: timedelta | None = None,
    buffer: timedelta | None = None,
    now: datetime | None = None,
    ignore: Appointment | None = None,
    include_taken: bool = False,
) -> list[Slot]:
    """Start times in [start, end) at which someone offering ``consultation`` is free.

    ``duration`` and ``buffer`` default to the type's; a reschedule passes the ones agreed.
    ``ignore`` is the appointment being moved (its own time does not block it).
    ``include_taken`` also returns offered times nobody is free for (with no options), so one
    search can tell "not offered" from "just taken".
    """
    now = now or timezone.now()
    policy = Policy.of(Clinic.objects.current())
    duration = duration or timedelta(minutes=consultation.duration_minutes)
    buffer = buffer if buffer is not None else timedelta(minutes=consultation.buffer_minutes)
    earliest = max(start, now + policy.min_notice)
    latest = min(end, now + policy.horizon)
    if earliest >= latest:
        return []

    plan = schedule()
    offering = plan.clinicians_by_type.get(consultation.pk, set())
    rules: dict[tuple[int, int], list[Rule]] = defaultdict(list)
    zones: dict[int, str] = {}
    for rule in plan.rules:
        if rule.clinician_id in offering and (location is None or rule.location_id == location.pk):
            rules[(rule.clinician_id, rule.location_id)].append(rule)
            zones[rule.location_id] = rule.time_zone
    if not rules:
        return []
    clinician_ids = {clinician_id for clinician_id, _ in rules}

    # A day either side: a local date in one zone can reach into the UTC range of its neighbour.
    first_day = (earliest - timedelta(days=1)).date()
    last_day = (latest + timedelta(days=1)).date()
    exceptions = [
        e
        for e in plan.exceptions
        if e.clinician_id in clinician_ids and first_day <= e.date <= last_day
    ]
    busy: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
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

    found: dict[datetime, Slot] = {}
    for (clinician_id, location_id), their_rules in rules.items():
        zone = zoneinfo.ZoneInfo(zones[location_id])
        their_exceptions = [
            e
            for e in exceptions
            if e.clinician_id == clinician_id and e.location_id in (None, location_id)
        ]
        taken = busy[clinician_id]
        day = first_day
        while day <= last_day:
            for opens, closes in open_hours(their_rules, their_exceptions, day):
                closes_at = _instant_or_after(day, closes, zone)
                opens_at = closes_at - timedelta(days=1)
                # Only bookings that touch this interval can block a start in it.
                near = [(b, e) for b, e in taken if b < closes_at + buffer and e > opens_at]
                for slot_start in _starts(day, opens, closes, zone, policy.step):
                    if not earliest <= slot_start < latest:
                        continue
                    slot_end = slot_start + duration
                    if slot_end > closes_at:
                        continue
                    blocked = slot_end + buffer
                    free = not any(
                        slot_start < b_end and b_start < blocked for b_start, b_end in near
                    )
                    if not (free or include_taken):
                        continue
                    slot = found.setdefault(slot_start, Slot(slot_start, slot_end))
                    if free:
                        slot.options.append(Option(clinician_id, location_id))
            day += timedelta(days=1)
    return [found[k] for k in sorted(found)]


def slot_at(consultation: ConsultationType, instant: datetime, **kwargs) -> Slot | None:
    """The slot starting exactly at ``instant``, if one is free (or offered, with
    ``include_taken``)."""
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
    window_start = max(after, now)  # nothing before now is free, however far back "after" is
    while len(found) < count and window_start < limit:
        window_end = window_start + timedelta(days=14)
        found += find_slots(consultation, start=window_start, end=window_end, **kwargs)
        window_start = window_end
    return found[:count]


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


def offered_types(language: str) -> list[dict]:
    """What the booking page lists: each active type, in person once per location offering it.

    The same for everyone until the schedule changes, so it is cached with its version."""
    return cast(
        list[dict],
        cache.get_or_set(
            f"booking:offered:{language}:{schedule_version()}",
            lambda: _offered_types(language),
            SCHEDULE_VERSION_SECONDS,
        ),
    )


def _offered_types(language: str) -> list[dict]:
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


for _model in (WeeklyHours, DateException, Clinician, ConsultationType, Location):
    signals.post_save.connect(forget_schedule, sender=_model)
    signals.post_delete.connect(forget_schedule, sender=_model)
signals.m2m_changed.connect(forget_schedule, sender=ConsultationType.clinicians.through)
signals.m2m_changed.connect(forget_schedule, sender=Clinician.locations.through)
