"""What consultations add to a patient's timeline and to the staff work queue."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from perinatal.accounts.models import User
from perinatal.accounts.roles import Can
from perinatal.consult.models import ConsultationNote
from perinatal.lib.backoffice import (
    OTHER,
    QueueCount,
    QueueItem,
    TimelineEntry,
)

# A draft left unsigned this long shows in the work queue.
STALE_DRAFT = timedelta(days=1)


def _url(note) -> str:
    return reverse("consult:note", args=[note.public_id])


# What the timeline and the chart's panel show of a note: who wrote and signed it, when, and
# the decision. Not the note itself: that is a click away.
NOTE_SUMMARY = (
    "public_id",
    "patient_id",
    "status",
    "created_at",
    "signed_at",
    *(f"{who}__{name}" for who in ("clinician", "signed_by") for name in User.NAME_FIELDS),
    "assessment__decision",
    "assessment__reasons",
    "assessment__decided_at",
)


def notes_of(patient) -> list[ConsultationNote]:
    """Her notes with their decisions and addenda (``NOTE_SUMMARY``): two queries."""
    return list(
        ConsultationNote.objects.filter(patient=patient)
        .select_related("assessment", "clinician", "signed_by")
        .only(*NOTE_SUMMARY)
        .prefetch_related("addenda")
    )


def consultation_timeline(patient, limit=None) -> list[TimelineEntry]:
    """Each note (draft or signed), its decision and its addenda."""
    entries = []
    for note in notes_of(patient):
        url = _url(note)
        if note.signed_at is not None:  # signed: a constraint keeps the status and time together
            entries.append(
                TimelineEntry(
                    at=note.signed_at,
                    kind="note",
                    title="Consultation note signed",
                    capability=Can.SEE_CLINICAL,
                    detail=f"by {note.signed_by}",
                    url=url,
                )
            )
            assessment = getattr(note, "assessment", None)
            if assessment is not None and assessment.is_signed:
                entries.append(
                    TimelineEntry(
                        at=assessment.decided_at,
                        kind="decision",
                        title=f"Eligibility: {assessment.get_decision_display()}",
                        capability=Can.SEE_CLINICAL,
                        detail=assessment.reasons[:200],
                        url=url,
                    )
                )
        else:
            entries.append(
                TimelineEntry(
                    at=note.created_at,
                    kind="note",
                    title="Consultation note started (draft)",
                    capability=Can.SEE_CLINICAL,
                    detail=f"by {note.clinician}",
                    url=url,
                )
            )
        entries += [
            TimelineEntry(
                at=addendum.signed_at,
                kind="note",
                title="Addendum to a consultation note",
                capability=Can.SEE_CLINICAL,
                url=f"{url}#addenda",
            )
            for addendum in note.addenda.all()
        ]
    return entries


def _stale_drafts():
    """Drafts started more than a day ago and still unsigned."""
    return ConsultationNote.objects.drafts().filter(created_at__lt=timezone.now() - STALE_DRAFT)


def unsigned_notes(limit: int) -> list[QueueItem]:
    drafts = (
        _stale_drafts()
        .select_related("patient", "clinician")
        .only(
            "public_id",
            "created_at",
            "patient__name",
            "patient__public_id",
            *(f"clinician__{name}" for name in User.NAME_FIELDS),
        )
        .order_by("created_at", "pk")
    )
    return [
        QueueItem(
            priority=OTHER,
            at=note.created_at,
            kind="note",
            title=f"Unsigned consultation note: {note.patient}",
            capability=Can.WRITE_NOTES,
            url=_url(note),
            patient_public_id=note.patient.public_id,
            detail=f"Draft by {note.clinician}",
        )
        for note in drafts[:limit]
    ]


KIND_NAMES = {
    "note": "Consultation notes left unsigned",
}


def unsigned_note_counts() -> list[QueueCount]:
    return [QueueCount("note", OTHER, Can.WRITE_NOTES, _stale_drafts().count())]


def chart_section(patient, staff_can) -> dict | None:
    """The chart's consultation panel: her notes, for clinical staff (two queries)."""
    if "chart.clinical" not in staff_can:
        return None
    return {"notes": notes_of(patient)}
