"""What letters add to a patient's timeline and to the work queue (one query each)."""

from datetime import timedelta
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from perinatal.accounts.models import User
from perinatal.accounts.roles import Can
from perinatal.clinic.models import Clinic
from perinatal.lib.backoffice import (
    OB_LETTER,
    OTHER,
    URGENT,
    QueueCount,
    QueueItem,
    TimelineEntry,
)
from perinatal.obcare.models import CarePlanLetter, LetterEvent, ob_of
from perinatal.obcare.services import long_date

Status = CarePlanLetter.Status
Kind = LetterEvent.Kind

# Editing a draft is not part of her story; everything else about a letter is.
TIMELINE_KINDS = [k for k in Kind.values if k not in (Kind.EDITED, Kind.REFRESHED)]


def event_title(event: LetterEvent) -> str:
    ob = event.letter.obstetrician.name
    titles: dict[str, str] = {
        Kind.DRAFTED: f"Care-plan letter to {ob} drafted",
        Kind.SENT: f"Care-plan letter sent to {ob}",
        Kind.RESENT: f"Care-plan letter sent again to {ob}",
        Kind.OPENED: f"{ob} opened the care-plan letter",
        Kind.ACKNOWLEDGED: f"{ob}'s office acknowledged the care-plan letter",
        Kind.CLEARED: f"{ob}'s office cleared the care plan",
        Kind.CONCERNS: f"{ob}'s office raised concerns about the care plan",
        Kind.REMINDED: "No answer from the OB yet: staff reminded",
        Kind.REVIEWED: "The OB's answer was reviewed",
    }
    return titles.get(event.kind, event.get_kind_display())


# What a timeline entry says of a letter's event: its title (``event_title``), who acted
# (``LetterEvent.actor``) and the OB's answer.
EVENT_SUMMARY = (
    "at",
    "kind",
    "letter",
    "by",
    "by_label",
    *(f"by__{name}" for name in User.NAME_FIELDS),
    "letter__public_id",
    "letter__response_text",
    "letter__obstetrician__name",
)


def letter_timeline(patient, limit=None) -> list[TimelineEntry]:
    events = (
        LetterEvent.objects.filter(letter__patient=patient, kind__in=TIMELINE_KINDS)
        .select_related("letter__obstetrician", "by")
        .only(*EVENT_SUMMARY)
        .order_by("at", "id")
    )
    entries = []
    for event in events:
        detail = f"By {event.actor}." if event.actor else ""
        if event.kind in (Kind.CLEARED, Kind.CONCERNS) and event.letter.response_text:
            detail = f"{event.actor}: {event.letter.response_text}"
        entries.append(
            TimelineEntry(
                at=event.at,
                kind="letter",
                title=event_title(event),
                capability=Can.SEE_CLINICAL,
                detail=detail,
                url=reverse("obcare:letter", args=[event.letter.public_id]),
            )
        )
    return entries


def _waiting_for_staff() -> dict[str, Q]:
    """Concerns from an OB come first of all; clearances wait for a clinician to read them;
    letters without an answer after the clinic's waiting time come back to staff."""
    wait = Clinic.objects.current().ob_reminder_days
    unreviewed = Q(reviewed_at__isnull=True)
    return {
        "concerns": Q(status=Status.CONCERNS) & unreviewed,
        "cleared": Q(status=Status.CLEARED) & unreviewed,
        "no_answer": Q(
            kind=CarePlanLetter.Kind.CARE_PLAN,
            status__in=CarePlanLetter.AWAITING_ANSWER,
            sent_at__lte=timezone.now() - timedelta(days=wait),
        ),
    }


def letter_queue(limit: int) -> list[QueueItem]:
    """Every letter with concerns, and the oldest ``limit`` of the others: three queries."""
    wanted = _waiting_for_staff()
    letters = (
        CarePlanLetter.objects.select_related("patient", "obstetrician")
        .only(
            "public_id",
            "status",
            "sent_at",
            "responded_at",
            "response_text",
            "responder_name",
            "patient__name",
            "patient__public_id",
            "obstetrician__name",
        )
        .order_by("sent_at", "id")
    )
    items = []
    for letter in [
        *letters.filter(wanted["concerns"]),
        *letters.filter(wanted["cleared"]).order_by("responded_at", "id")[:limit],
        *letters.filter(wanted["no_answer"])[:limit],
    ]:
        who = letter.responder_name or letter.obstetrician.name
        what: dict[str, Any]  # the fields of the queue item that depend on the letter's state
        if letter.status == Status.CONCERNS:
            what = {
                "priority": URGENT,
                "at": letter.responded_at,
                "kind": "ob_concerns",
                "title": f"Concerns from the OB: {letter.patient.name}",
                "detail": f"{who}: {letter.response_text}",
                "badges": ("OB concerns",),
            }
        elif letter.status == Status.CLEARED:
            what = {
                "priority": OTHER,
                "at": letter.responded_at,
                "kind": "ob_cleared",
                "title": f"Review OB clearance: {letter.patient.name}",
                "detail": f"Cleared by {who} on {long_date(letter.responded_at)}.",
            }
        else:
            what = {
                "priority": OB_LETTER,
                "at": letter.sent_at,
                "kind": "ob_no_answer",
                "title": f"No answer from OB: {letter.patient.name}",
                "detail": f"Sent to {letter.obstetrician.name} on {long_date(letter.sent_at)}.",
                "badges": ("no answer from OB",),
            }
        items.append(
            QueueItem(
                **what,
                capability=Can.SEND_OB_LETTERS,
                url=reverse("obcare:letter", args=[letter.public_id]),
                patient_public_id=letter.patient.public_id,
            )
        )
    return items


KIND_NAMES = {
    "ob_concerns": "OB letters with concerns",
    "ob_cleared": "OB letters cleared, to review",
    "ob_no_answer": "OB letters without an answer",
}


def letter_counts() -> list[QueueCount]:
    """Letters with concerns, clearances to review and letters without an answer: one query."""
    counts = CarePlanLetter.objects.aggregate(
        **{name: Count("pk", filter=condition) for name, condition in _waiting_for_staff().items()}
    )
    return [
        QueueCount("ob_concerns", URGENT, Can.SEND_OB_LETTERS, counts["concerns"]),
        QueueCount("ob_cleared", OTHER, Can.SEND_OB_LETTERS, counts["cleared"]),
        QueueCount("ob_no_answer", OB_LETTER, Can.SEND_OB_LETTERS, counts["no_answer"]),
    ]


def chart_section(patient, staff_can) -> dict:
    """The chart's OB panel: her OB, and for clinical staff the date and state of each
    care-plan letter (one query each)."""
    letters = []
    if "chart.clinical" in staff_can:
        letters = list(patient.ob_letters.only("public_id", "kind", "created_at", "status"))
    return {"ob": ob_of(patient), "letters": letters}
