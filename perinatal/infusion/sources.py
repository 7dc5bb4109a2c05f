"""What the infusion day adds to her chart: a timeline entry per session and the chart's panel
of her infusion days (one query each)."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from perinatal.accounts.roles import Can
from perinatal.infusion.models import InfusionSession, NextDayCheck
from perinatal.lib.backoffice import TO_CONFIRM, URGENT, QueueCount, QueueItem, TimelineEntry


def sessions_of(patient) -> list[InfusionSession]:
    return list(
        InfusionSession.objects.filter(patient=patient)
        .select_related("appointment", "discharged_by")
        .order_by("-checked_in_at")
    )


def _summary(session: InfusionSession) -> str:
    parts = []
    if session.dose_mg is not None:
        parts.append(
            f"{session.dose_mg} mg ({session.dose_mg_per_kg} mg/kg at {session.weight_kg} kg)"
        )
    if session.discharged_at:
        parts.append(f"discharged by {session.discharged_by} with {session.escort_at_discharge}")
    else:
        parts.append(str(session.get_stage_display()))
    return "; ".join(parts)


def infusion_days(patient, limit=None) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            at=session.started_at or session.checked_in_at,
            kind="infusion",
            title="Infusion given" if session.started_at else "Checked in for the infusion",
            detail=_summary(session),
            capability=Can.SEE_CLINICAL,
            url=reverse("infusion:record", args=[session.appointment.public_id]),
        )
        for session in sessions_of(patient)[:limit]
    ]


def chart_section(patient, staff_can) -> dict | None:
    if "chart.clinical" not in staff_can:
        return None
    found = sessions_of(patient)
    return {"sessions": [(s, _summary(s)) for s in found]} if found else None


# --- The next-day check in the work queue ------------------------------------------------------


def _waiting_checks():
    return NextDayCheck.objects.filter(handled_at__isnull=True)


def _self_harm():
    return _waiting_checks().filter(self_harm_score__gt=0)


def _no_answer(now):
    return _waiting_checks().filter(answered_at__isnull=True, answer_by__lte=now)


def next_day_queue(limit: int) -> list[QueueItem]:
    """Every next-day answer with self-harm (urgent), and the oldest ``limit`` checks nobody
    answered by the clinic's hour (a call to make): two queries."""
    now = timezone.now()
    fields = ("patient", "session__appointment")
    urgent = _self_harm().select_related(*fields).order_by("answered_at")
    silent = _no_answer(now).select_related(*fields).order_by("answer_by")[:limit]
    items = []
    for check in urgent:
        items.append(
            QueueItem(
                priority=URGENT,
                at=check.answered_at or now,
                kind="next_day_self_harm",
                title=f"Self-harm answer the day after her infusion: {check.patient.name}",
                detail="Call her now.",
                capability=Can.SEE_QUEUE,
                link_capability=Can.SEE_CLINICAL,
                url=_record_url(check),
                patient_public_id=check.patient.public_id,
                badges=("self-harm",),
            )
        )
    for check in silent:
        items.append(
            QueueItem(
                priority=TO_CONFIRM,
                at=check.answer_by,
                kind="next_day_no_answer",
                title=f"No next-day answer: call {check.patient.name}",
                detail="She has not answered her check-in the day after her infusion.",
                capability=Can.SEE_QUEUE,
                link_capability=Can.SEE_CLINICAL,
                url=_record_url(check),
                patient_public_id=check.patient.public_id,
                badges=("call",),
            )
        )
    return items


def _record_url(check) -> str:
    return reverse("infusion:record", args=[check.session.appointment.public_id])


def next_day_counts() -> list[QueueCount]:
    now = timezone.now()
    counts = _waiting_checks().aggregate(
        urgent=Count("pk", filter=Q(self_harm_score__gt=0)),
        silent=Count("pk", filter=Q(answered_at__isnull=True, answer_by__lte=now)),
    )
    return [
        QueueCount("next_day_self_harm", URGENT, Can.SEE_QUEUE, counts["urgent"]),
        QueueCount("next_day_no_answer", TO_CONFIRM, Can.SEE_QUEUE, counts["silent"]),
    ]


KIND_NAMES = {
    "next_day_self_harm": "Self-harm answers the day after an infusion",
    "next_day_no_answer": "Next-day check-ins without an answer",
}
