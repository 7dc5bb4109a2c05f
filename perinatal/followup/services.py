"""Follow-up that runs itself: scheduled at discharge, sent and closed by the worker's sweep,
answered through her private link.

Steps, each safe to run twice and from several workers at once (every state change is a
conditional UPDATE whose row count decides who goes on):

1. ``schedule(session)`` — called inside the discharge's transaction (``infusion.signals``):
   one row per day of her plan's follow-up schedule, and per postpartum anchor of the clinic's
   that falls after the infusion, each opening at the director's hour in her time zone on its
   local day. A later infusion of hers withdraws what the earlier one still had waiting.
2. ``sweep(now)`` — the periodic task: withdraws what a cancelled infusion left, marks missed
   what closed unanswered (a second miss in a row asks staff to call her), and sends what has
   opened. Sending claims the row (due → sent), stores the digest of a new random token and
   queues the invitation and its one reminder in the outbox, all in one transaction: a killed
   worker leaves either all of it or none, and the outbox sends each message once.
3. ``answer(follow_up, scored)`` — her answers become a screening on her record; the reminder
   is withdrawn; a self-harm answer alerts on-call; a rise from her best since the infusion, or
   a move into a higher band, marks it worsening for the work queue.
"""

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation

from perinatal.audit.log import record
from perinatal.audit.models import Action
from perinatal.clinic.models import Clinic
from perinatal.followup.models import FollowUp, FollowUpSettings
from perinatal.infusion.models import InfusionSession
from perinatal.lib.tokens import digest, new_token
from perinatal.notify.services import alert_on_call, queue_email, queue_text, withdraw
from perinatal.screening.instruments import Instrument, ScoredAnswers, get_instrument
from perinatal.screening.models import Screening
from perinatal.screening.services import save_screening

WHILE_OPEN = 1  # the about_version of invitations and reminders: FollowUp.still_wants decides


# --- Where and when -----------------------------------------------------------------------------


def her_time_zone(session: InfusionSession) -> str:
    """The zone she last told us she lives in (her own bookings record it), else the zone of the
    location where she had the infusion, else the clinic's."""
    own = (
        session.patient.appointments.exclude(own_time_zone="")
        .order_by("-created_at")
        .values_list("own_time_zone", flat=True)
        .first()
    )
    for zone in (own, session.appointment.time_zone, settings.TIME_ZONE):
        try:
            if zone:
                zoneinfo.ZoneInfo(zone)
                return zone
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue  # a zone this machine does not know: the next one
    return "UTC"


def infusion_day(session: InfusionSession) -> date:
    """The day of the infusion where it was given."""
    given = session.started_at or session.discharged_at or session.checked_in_at
    return given.astimezone(zoneinfo.ZoneInfo(session.appointment.time_zone)).date()


def opening(day: date, hour: int, zone: str) -> datetime:
    """``hour`` o'clock on ``day`` on her wall clock, as an instant. zoneinfo applies the offset
    of that date, so the hour holds on both sides of a daylight-saving change."""
    return datetime.combine(day, time(hour), tzinfo=zoneinfo.ZoneInfo(zone))


@dataclass(frozen=True)
class Point:
    anchor: str
    offset: int
    day: int  # days after the infusion


def points_for(session: InfusionSession, config: FollowUpSettings) -> list[Point]:
    """The plan's days (from day 1: the infusion day has its own questionnaire on the tablet),
    then each postpartum anchor after the infusion whose day is not inside the window of a day
    already listed."""
    given = infusion_day(session)
    points = [
        Point(FollowUp.Anchor.INFUSION, day, day) for day in session.plan.follow_up.days if day >= 1
    ]
    delivered = session.patient.delivery_date
    if delivered is not None:
        for weeks in config.postpartum_weeks or []:
            day = (delivered + timedelta(weeks=weeks) - given).days
            if day < 1 or any(abs(day - p.day) < config.window_days for p in points):
                continue
            points.append(Point(FollowUp.Anchor.DELIVERY, weeks, day))
    return sorted(points, key=lambda p: p.day)


# --- 1. Scheduling at discharge -----------------------------------------------------------------


def on_discharge(sender, session: InfusionSession, **kwargs) -> None:
    schedule(session)


def schedule(session: InfusionSession) -> list[FollowUp]:
    """Call inside the discharge's transaction. Returns the new rows (none twice)."""
    config = FollowUpSettings.objects.current()
    patient = session.patient
    for earlier in FollowUp.objects.pending().filter(patient=patient).exclude(session=session):
        _withdraw(earlier, "a later infusion replaced it")
    zone = her_time_zone(session)
    given = infusion_day(session)
    made = []
    for point in points_for(session, config):
        opens = opening(given + timedelta(days=point.day), config.send_hour, zone)
        follow_up, created = FollowUp.objects.get_or_create(
            session=session,
            anchor=point.anchor,
            offset=point.offset,
            defaults={
                "patient": patient,
                "day": point.day,
                "instrument": config.instrument,
                "language": patient.language or "en",
                "time_zone": zone,
                "opens_at": opens,
                "closes_at": opens + timedelta(days=config.window_days),
            },
        )
        if created:
            made.append(follow_up)
    return made


# --- 2. The sweep -------------------------------------------------------------------------------


def link(token: str, language: str) -> str:
    with translation.override(language):
        return settings.SITE_URL + reverse("followup:answer", args=[token])


def _withdraw(follow_up: FollowUp, reason: str) -> bool:
    moved = (
        FollowUp.objects.pending()
        .filter(pk=follow_up.pk)
        .update(status=FollowUp.Status.WITHDRAWN, closed_at=timezone.now())
    )
    if moved:
        withdraw(follow_up)
        record(
            Action.UPDATE,
            follow_up,
            patient=follow_up.patient_id,
            detail={"status": "withdrawn", "why": reason},
        )
    return bool(moved)


def withdraw_cancelled() -> int:
    """Follow-ups of an infusion whose appointment was cancelled after all."""
    gone = FollowUp.objects.pending().filter(session__appointment__status="cancelled")
    withdrawn = 0
    for follow_up in gone:
        with transaction.atomic():
            withdrawn += _withdraw(follow_up, "the infusion was cancelled")
    return withdrawn


def close_windows(now: datetime) -> int:
    """Mark missed what closed unanswered; a miss right after another miss of the same
    infusion asks staff to call her."""
    missed = 0
    for follow_up in FollowUp.objects.pending().filter(closes_at__lte=now).order_by("opens_at"):
        with transaction.atomic():
            previous = (
                FollowUp.objects.filter(session=follow_up.session, opens_at__lt=follow_up.opens_at)
                .exclude(status=FollowUp.Status.WITHDRAWN)
                .order_by("-opens_at")
                .values_list("status", flat=True)
                .first()
            )
            call = previous == FollowUp.Status.MISSED
            if (
                FollowUp.objects.pending()
                .filter(pk=follow_up.pk)
                .update(status=FollowUp.Status.MISSED, closed_at=now, call_needed=call)
            ):
                missed += 1
                withdraw(follow_up)
                record(
                    Action.UPDATE,
                    follow_up,
                    patient=follow_up.patient_id,
                    detail={"status": "missed", "call_needed": call},
                )
    return missed


def send_due(now: datetime) -> int:
    """Send every invitation whose hour has come and whose window is open."""
    config = FollowUpSettings.objects.current()
    sent = 0
    due = (
        FollowUp.objects.filter(status=FollowUp.Status.DUE, opens_at__lte=now, closes_at__gt=now)
        .exclude(session__appointment__status="cancelled")
        .select_related("patient")
    )
    for follow_up in due:
        with transaction.atomic():
            sent += _send(follow_up, now, config)
    return sent


def _send(follow_up: FollowUp, now: datetime, config: FollowUpSettings) -> bool:
    patient = follow_up.patient
    if not patient.email and not patient.phone:
        return False  # nothing to send to: the window closes as missed and staff call her
    token, token_digest = new_token()
    claimed = FollowUp.objects.filter(pk=follow_up.pk, status=FollowUp.Status.DUE).update(
        status=FollowUp.Status.SENT, sent_at=now, token_digest=token_digest
    )
    if not claimed:
        return False
    context = {
        "link": link(token, follow_up.language),
        "clinic": Clinic.objects.current(),
        "closes_at": follow_up.closes_at,
        "time_zone": follow_up.time_zone,
    }

    def queue(template: str, dedupe_key: str, send_at: datetime | None = None) -> None:
        """By email and by text, to whichever she gave us: the text is short, a phone's way."""
        common: dict[str, Any] = {
            "template": template,
            "context": context,
            "language": follow_up.language,
            "about": follow_up,
            "about_version": WHILE_OPEN,
            "send_at": send_at,
        }
        if patient.email:
            queue_email(to=patient.email, dedupe_key=dedupe_key, **common)
        if patient.phone:
            text = {**common, "template": f"{template}_text"}
            queue_text(to=patient.phone, dedupe_key=f"{dedupe_key}:text", **text)

    queue("follow_up_invitation", f"follow-up:{follow_up.pk}")
    remind_at = now + timedelta(hours=config.reminder_hours)
    if remind_at < follow_up.closes_at:
        queue("follow_up_reminder", f"follow-up-reminder:{follow_up.pk}", remind_at)
    record(Action.UPDATE, follow_up, patient=patient.pk, detail={"status": "sent"})
    return True


def sweep(now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    return {
        "withdrawn": withdraw_cancelled(),
        "missed": close_windows(now),
        "sent": send_due(now),
    }


# --- 3. Her answers -----------------------------------------------------------------------------


class LinkClosed(Exception):
    pass


def open_link(token: str, now: datetime | None = None) -> FollowUp:
    """The follow-up her link opens, or ``LinkClosed`` for a link that is unknown, answered,
    withdrawn, missed or past its window."""
    now = now or timezone.now()
    if not token or len(token) > 100:
        raise LinkClosed
    follow_up = (
        FollowUp.objects.filter(token_digest=digest(token))
        .select_related("patient", "session__appointment")
        .first()
    )
    if (
        follow_up is None
        or follow_up.status != FollowUp.Status.SENT
        or now >= follow_up.closes_at
        or follow_up.session.appointment.status == "cancelled"
    ):
        raise LinkClosed
    return follow_up


def keep_draft(follow_up: FollowUp, instrument: Instrument, data) -> dict[str, str]:
    """Keep what she has answered so far (valid positions only), to show again when she comes
    back within the window. An answer above zero on a self-harm item reaches on-call at once,
    finished or not. Returns the kept answers."""
    kept = {}
    for item in instrument.items:
        value = data.get(f"q{item.number}", "")
        if value.isdigit() and int(value) < len(item.options):
            kept[f"q{item.number}"] = value
    FollowUp.objects.filter(pk=follow_up.pk, status=FollowUp.Status.SENT).update(draft=kept)
    record(
        Action.UPDATE,
        follow_up,
        patient=follow_up.patient_id,
        detail={"by": "patient", "draft": len(kept)},
    )
    if draft_alerts(instrument, kept):
        alert_on_call(
            template="follow_up_alert",
            context={"queue_url": settings.SITE_URL + reverse("backoffice:queue")},
            dedupe_key=f"follow-up-draft-alert:{follow_up.pk}",
            about=follow_up,
        )
    return kept


def draft_alerts(instrument: Instrument, kept: dict[str, str]) -> bool:
    return any(
        item.safety and f"q{item.number}" in kept
        and item.options[int(kept[f"q{item.number}"])].score > 0
        for item in instrument.items
    )  # fmt: skip


# --- Her progress, behind a date only she knows ---------------------------------------------------

PROGRESS_TRIES = 5  # wrong dates before her link no longer opens her progress


def progress_link(token: str, now: datetime | None = None) -> FollowUp:
    """The answered follow-up whose link may show her progress: until its window closes, and
    not once the wrong dates have locked it. ``LinkClosed`` otherwise."""
    now = now or timezone.now()
    if not token or len(token) > 100:
        raise LinkClosed
    follow_up = (
        FollowUp.objects.filter(token_digest=digest(token)).select_related("patient").first()
    )
    if (
        follow_up is None
        or follow_up.status != FollowUp.Status.ANSWERED
        or now >= follow_up.closes_at
        or follow_up.progress_failures >= PROGRESS_TRIES
    ):
        raise LinkClosed
    return follow_up


def is_her(follow_up: FollowUp, said: date) -> bool:
    """Whether ``said`` is her date of birth or her baby's. A wrong date is counted (and
    audited); enough of them lock the link's progress page."""
    patient = follow_up.patient
    if said in {d for d in (patient.date_of_birth, patient.delivery_date) if d is not None}:
        return True
    FollowUp.objects.filter(pk=follow_up.pk).update(progress_failures=F("progress_failures") + 1)
    record(
        Action.VIEW,
        follow_up,
        patient=follow_up.patient_id,
        detail={"by": "patient", "page": "progress", "check": "wrong date"},
    )
    return False


def instrument_for(follow_up: FollowUp) -> Instrument | None:
    return get_instrument(follow_up.instrument, follow_up.language) or get_instrument(
        follow_up.instrument, "en"
    )


def _band_rank(instrument: Instrument, code: str) -> int:
    ordered = sorted(instrument.bands, key=lambda band: band.min)
    return next((n for n, band in enumerate(ordered) if band.code == code), -1)


def is_worsening(follow_up: FollowUp, screen: Screening, config: FollowUpSettings) -> bool:
    """A rise of the director's points from her best score since the infusion, or a move into
    a higher band than her last answer since then (same instrument)."""
    since = follow_up.session.stopped_at or follow_up.session.started_at
    earlier = list(
        Screening.objects.filter(
            patient=follow_up.patient, instrument=screen.instrument, created_at__gte=since
        )
        .exclude(pk=screen.pk)
        .order_by("created_at", "pk")
        .values_list("total", "band")
    )
    if not earlier:
        return False
    points = config.points_for(screen.instrument)
    best = min(total for total, _ in earlier)
    if points is not None and screen.total - best >= points:
        return True
    instrument = get_instrument(screen.instrument, "en")
    if config.worsening_on_higher_band and instrument is not None:
        return _band_rank(instrument, screen.band) > _band_rank(instrument, earlier[-1][1])
    return False


def answer(follow_up: FollowUp, scored: ScoredAnswers) -> FollowUp:
    """Store her answers as hers and close the follow-up; ``LinkClosed`` if it closed since she
    opened the page (answered in another tab, or the window ended)."""
    config = FollowUpSettings.objects.current()
    with transaction.atomic():
        follow_up = (
            FollowUp.objects.select_for_update()
            .select_related("session", "patient")
            .get(pk=follow_up.pk)
        )
        now = timezone.now()
        if follow_up.status != FollowUp.Status.SENT or now >= follow_up.closes_at:
            raise LinkClosed
        screen = save_screening(
            scored=scored,
            risk_factors=[],
            channel=Screening.Channel.FOLLOW_UP,
            patient=follow_up.patient,
        )
        follow_up.status = FollowUp.Status.ANSWERED
        follow_up.answered_at = now
        follow_up.screening = screen
        follow_up.draft = {}
        follow_up.worsening = is_worsening(follow_up, screen, config)
        follow_up.save(update_fields=["status", "answered_at", "screening", "worsening", "draft"])
        withdraw(follow_up)  # her reminder, if it has not gone yet
        if screen.safety_alert:
            alert_on_call(
                template="follow_up_alert",
                context={"queue_url": settings.SITE_URL + reverse("backoffice:queue")},
                dedupe_key=f"follow-up-alert:{follow_up.pk}",
                about=follow_up,
            )
    return follow_up


# --- Staff --------------------------------------------------------------------------------------


def handle(patient, *, by, note: str) -> int:
    """Someone reached her about her follow-up (a self-harm answer, worsening, or two
    unanswered) and says what was done: every item of hers waiting leaves the queue."""
    with transaction.atomic():
        waiting = list(
            FollowUp.objects.waiting_for_staff()
            .filter(patient=patient)
            .select_for_update(of=("self",))
        )
        now = timezone.now()
        for follow_up in waiting:
            follow_up.handled_at, follow_up.handled_by, follow_up.handled_note = now, by, note
            follow_up.save(update_fields=["handled_at", "handled_by", "handled_note"])
    return len(waiting)
