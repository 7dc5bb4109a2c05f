"""What follow-up hands the back office: the work queue's items (a self-harm answer first, then
worsening, then two invitations in a row unanswered), their counts, and the chart's panel of her
follow-up questionnaires. Each function runs a fixed number of queries."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from perinatal.accounts.roles import Can
from perinatal.followup.models import FollowUp
from perinatal.lib.backoffice import TO_CONFIRM, URGENT, QueueCount, QueueItem

SELF_HARM = Q(screening__safety_alert=True)
WORSENING = Q(worsening=True) & ~SELF_HARM
NO_ANSWER = Q(call_needed=True)

KIND_NAMES = {
    "follow_up_self_harm": "Self-harm answers to a follow-up questionnaire",
    "follow_up_worsening": "Follow-up scores getting worse",
    "follow_up_no_answer": "Two follow-up questionnaires in a row unanswered",
}


def _waiting():
    return FollowUp.objects.filter(handled_at__isnull=True)


def _item(follow_up, *, priority, kind, title, detail, at, badge) -> QueueItem:
    return QueueItem(
        priority=priority,
        at=at,
        kind=kind,
        title=f"{title}: {follow_up.patient.name}",
        detail=detail,
        capability=Can.SEE_QUEUE,
        link_capability=Can.SEE_CLINICAL,
        url=reverse("backoffice:chart", args=[follow_up.patient.public_id]) + "#follow-up",
        patient_public_id=follow_up.patient.public_id,
        badges=(badge,),
    )


def follow_up_queue(limit: int) -> list[QueueItem]:
    """Every self-harm answer (urgent), then the oldest ``limit`` worsening scores and the
    oldest ``limit`` calls to make: three queries."""
    now = timezone.now()
    rows = _waiting().select_related("patient")
    items = [
        _item(
            f,
            priority=URGENT,
            kind="follow_up_self_harm",
            title="Self-harm answer to a follow-up questionnaire",
            detail="Call her now.",
            at=f.answered_at or now,
            badge="self-harm",
        )
        for f in rows.filter(SELF_HARM).order_by("answered_at", "pk")
    ]
    items += [
        _item(
            f,
            priority=TO_CONFIRM,
            kind="follow_up_worsening",
            title="Follow-up score worse",
            detail=f"Day {f.day} after her infusion: worse than her best since.",
            at=f.answered_at or now,
            badge="worsening",
        )
        for f in rows.filter(WORSENING).order_by("answered_at", "pk")[:limit]
    ]
    items += [
        _item(
            f,
            priority=TO_CONFIRM,
            kind="follow_up_no_answer",
            title="Two follow-ups unanswered: call",
            detail="She has not answered two questionnaires in a row.",
            at=f.closed_at or now,
            badge="call",
        )
        for f in rows.filter(NO_ANSWER).order_by("closed_at", "pk")[:limit]
    ]
    return items


def follow_up_counts() -> list[QueueCount]:
    counts = _waiting().aggregate(
        urgent=Count("pk", filter=SELF_HARM),
        worse=Count("pk", filter=WORSENING),
        silent=Count("pk", filter=NO_ANSWER),
    )
    return [
        QueueCount("follow_up_self_harm", URGENT, Can.SEE_QUEUE, counts["urgent"]),
        QueueCount("follow_up_worsening", TO_CONFIRM, Can.SEE_QUEUE, counts["worse"]),
        QueueCount("follow_up_no_answer", TO_CONFIRM, Can.SEE_QUEUE, counts["silent"]),
    ]


def chart_section(patient, staff_can) -> dict | None:
    """Her follow-up questionnaires (clinical staff) and, for whoever records calls, the form
    that says she was reached about what waits in the queue: one query."""
    clinical = Can.SEE_CLINICAL in staff_can
    if not clinical and Can.HANDLE_CALLBACKS not in staff_can:
        return None
    rows = list(
        FollowUp.objects.filter(patient=patient)
        .select_related("screening")
        .order_by("opens_at", "pk")
    )
    if not rows:
        return None
    waiting = [
        f
        for f in rows
        if f.handled_at is None
        and (f.worsening or f.call_needed or (f.screening and f.screening.safety_alert))
    ]
    return {"follow_ups": rows if clinical else [], "waiting": len(waiting)}
