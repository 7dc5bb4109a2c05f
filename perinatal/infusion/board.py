"""The day board: every chair at every location today, who is in it and where she is in her day.

Four queries whatever the day holds: the day's settings, the chairs, today's infusion
appointments with their sessions, and each session's latest observation time.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Max
from django.utils import timezone

from perinatal.booking.models import Appointment
from perinatal.infusion.models import DaySettings, Observation, Stage


@dataclass
class Row:
    chair: str
    appointment: Appointment | None
    stage: str = ""
    stage_label: str = ""
    since: datetime | None = None
    next_due: datetime | None = None
    late: bool = False

    @property
    def minutes(self) -> int | None:
        if self.since is None:
            return None
        return max(0, int((timezone.now() - self.since).total_seconds() // 60))


def _stage(appointment, session, day: DaySettings, now: datetime):
    """(stage, since) for one appointment of today."""
    if session is None:
        return Stage.ARRIVING, appointment.starts_at
    if session.discharged_at:
        return Stage.LEFT, session.discharged_at
    if session.stopped_at:
        if now >= session.stopped_at + timedelta(minutes=day.recovery_minutes):
            return Stage.READY, session.stopped_at + timedelta(minutes=day.recovery_minutes)
        return Stage.RECOVERING, session.stopped_at
    if session.started_at:
        return Stage.INFUSING, session.started_at
    return Stage.CHECKED_IN, session.checked_in_at


def today(now: datetime) -> list[dict]:
    """[{"name", "rows": [Row]}] per location, chairs in name order; an infusion on no chair
    (or on a chair since retired) gets a row of its own."""
    from perinatal.plans.models import InfusionChair

    day = DaySettings.objects.current()
    local = timezone.localtime(now)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    appointments = list(
        Appointment.objects.filter(
            plan__isnull=False,
            status=Appointment.Status.BOOKED,
            starts_at__gte=start - timedelta(hours=14),
            starts_at__lt=start + timedelta(hours=38),
        )
        .select_related("patient", "chair", "location", "infusion_session")
        .order_by("starts_at")
    )
    appointments = [
        a
        for a in appointments
        if timezone.localtime(a.starts_at, ZoneInfo(a.time_zone)).date() == local.date()
    ]
    sessions = [s for a in appointments if (s := getattr(a, "infusion_session", None))]
    last_seen = dict(
        Observation.objects.filter(session__in=sessions)
        .values("session")
        .annotate(last=Max("at"))
        .values_list("session", "last")
    )
    by_chair: dict[int | None, list[Appointment]] = {}
    for appointment in appointments:
        by_chair.setdefault(appointment.chair_id, []).append(appointment)
    places: dict[str, list[Row]] = {}
    for chair in InfusionChair.objects.filter(is_active=True).select_related("location"):
        rows = places.setdefault(chair.location.name, [])
        booked = by_chair.pop(chair.pk, [])
        if not booked:
            rows.append(Row(chair=chair.name, appointment=None, stage_label="Free"))
        for appointment in booked:
            rows.append(_row(chair.name, appointment, day, now, last_seen))
    for leftover in by_chair.values():
        for appointment in leftover:
            rows = places.setdefault(appointment.location_name, [])
            seat = appointment.chair.name if appointment.chair else "No chair"
            rows.append(_row(seat, appointment, day, now, last_seen))
    return [{"name": name, "rows": rows} for name, rows in sorted(places.items())]


def _row(chair, appointment, day, now, last_seen) -> Row:
    session = getattr(appointment, "infusion_session", None)
    stage, since = _stage(appointment, session, day, now)
    row = Row(
        chair=chair,
        appointment=appointment,
        stage=stage,
        stage_label=str(Stage(stage).label),
        since=since,
    )
    if session is not None and stage in (Stage.INFUSING, Stage.RECOVERING, Stage.READY):
        every = day.after_every_minutes if session.stopped_at else day.during_every_minutes
        anchor = max(
            filter(None, [last_seen.get(session.pk), session.started_at, session.stopped_at])
        )
        row.next_due = anchor + timedelta(minutes=every)
        row.late = now > row.next_due
    return row
