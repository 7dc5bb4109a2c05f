"""Consultation workflows that span the note, its assessment and the configuration: saving a
draft with its checklist, signing both at once, and adding an addendum."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from perinatal.audit.log import record
from perinatal.audit.models import Action
from perinatal.consult.models import (
    BINDINGS,
    Addendum,
    ConsultationNote,
    EligibilityAssessment,
    EligibilityCriterion,
    InteractingDrug,
    Locked,
)
from perinatal.patients.services import FACT_FIELDS, record_facts


def new_note(*, patient, clinician, appointment=None) -> ConsultationNote:
    """An unsaved draft whose obstetric status is copied from the patient record."""
    return ConsultationNote(
        patient=patient,
        clinician=clinician,
        appointment=appointment,
        stage=patient.stage,
        due_date=patient.due_date,
        delivery_date=patient.delivery_date,
        delivery=patient.delivery,
        breastfeeding=patient.breastfeeding,
    )


def save_draft(
    *, note: ConsultationNote, answers: list[dict], decision: str | None, reasons: str | None
) -> EligibilityAssessment:
    """Save a draft note and its assessment together. ``decision`` and ``reasons`` None keep
    the stored ones (for someone who may write notes but not decide eligibility).

    The note is saved first so that the assessment's check sees the medications as typed now;
    if the assessment is refused (a hard stop with a permissive decision) nothing is saved.
    """
    with transaction.atomic():
        note.save()
        assessment = getattr(note, "assessment", None) or EligibilityAssessment(note=note)
        assessment.note = note
        assessment.answers = answers
        if decision is not None:
            assessment.decision = decision
        if reasons is not None:
            assessment.reasons = reasons
        assessment.save()
    return assessment


def checklist_changes(assessment: EligibilityAssessment, criteria=None) -> list[str]:
    """How the checklist in use differs from the one this draft answered (empty if it does
    not): the medical director may have added, removed or reworded an item meanwhile."""
    criteria = list(EligibilityCriterion.objects.active() if criteria is None else criteria)
    answered = {a.get("criterion"): a for a in assessment.answers}
    changes = []
    for criterion in criteria:
        answer = answered.pop(criterion.pk, None)
        if answer is None:
            changes.append(f"New item: “{criterion.text}”.")
        elif (answer.get("text"), answer.get("kind")) != (criterion.text, criterion.kind):
            changes.append(f"Changed item: “{criterion.text}”.")
    changes += [f"Item no longer in use: “{a.get('text')}”." for a in answered.values()]
    return changes


def sign_problems(note: ConsultationNote, flags=None) -> list[str]:
    """What stands in the way of signing this draft now (empty when it may be signed)."""
    unanswered = note.unanswered()
    problems = [f"Answer “{question}” (unknown is an answer)." for question in unanswered]
    assessment = EligibilityAssessment.objects.filter(note=note).first()
    if assessment is None or not assessment.decision:
        return [*problems, "Record the eligibility decision before signing."]
    changes = checklist_changes(assessment)
    if changes:
        problems += [
            "The eligibility checklist changed since this draft was saved: answer it again.",
            *changes,
        ]
    if flags is None:
        flags = InteractingDrug.objects.active().flag(note.current_medications)
    problems += [m for messages in assessment.problems(flags).values() for m in messages]
    return problems + contradictions(note, assessment)


def made_present(note: ConsultationNote, answers: list[dict]) -> set[int]:
    """The checklist items (criterion ids) that the note's own answers make present."""
    bound = dict(
        EligibilityCriterion.objects.filter(pk__in=[a.get("criterion") for a in answers])
        .exclude(bound_to="")
        .values_list("pk", "bound_to")
    )
    return {
        pk
        for pk, binding in bound.items()
        if binding in BINDINGS
        and any(getattr(note, name, None) in values for name, values in BINDINGS[binding][1])
    }


def contradictions(note: ConsultationNote, assessment: EligibilityAssessment) -> list[str]:
    """Checklist items marked absent although the note's own answers make them present."""
    present = made_present(note, assessment.answers)
    bound = dict(EligibilityCriterion.objects.filter(pk__in=present).values_list("pk", "bound_to"))
    return [
        f"“{answer['text']}” is marked absent, but the note records "
        f"{BINDINGS[bound[answer['criterion']]][0]}: mark it present (with its reason), or "
        "correct the answer."
        for answer in assessment.answers
        if answer.get("criterion") in present and answer.get("present") is False
    ]


def sign(*, note: ConsultationNote, user) -> None:
    """Sign a draft note and its eligibility decision together, then lock both.

    Steps, inside one transaction with the note's row locked so two clinicians pressing "sign"
    at once cannot both succeed: re-read the note; refuse if already signed; check that the
    safety questions are answered, that the checklist answered is the one in use now and that
    the decision is complete and allowed with the medication flags as they are now (the drug
    list may have changed since the draft was saved); then mark both signed with conditional
    updates and write the SIGN audit events. Raises ``Locked`` if the note was signed
    meanwhile, ``ValidationError`` listing what stands in the way otherwise.
    """
    given = note
    with transaction.atomic():
        note = ConsultationNote.objects.select_for_update().get(pk=note.pk)
        if note.is_signed:
            raise Locked("This note is already signed.")
        flags = InteractingDrug.objects.active().flag(note.current_medications)
        problems = sign_problems(note, flags)
        if problems:
            raise ValidationError(problems)
        assessment = EligibilityAssessment.objects.get(note=note)

        now = timezone.now()
        updated = ConsultationNote.objects.filter(
            pk=note.pk, status=ConsultationNote.Status.DRAFT
        ).update(
            status=ConsultationNote.Status.SIGNED,
            signed_by=user,
            signed_at=now,
            updated_at=now,
            medication_flags=[f.as_dict() for f in flags],
        )
        if updated != 1:
            raise Locked("This note is already signed.")
        EligibilityAssessment.objects.filter(pk=assessment.pk, decided_at__isnull=True).update(
            decided_by=user, decided_at=now, updated_at=now
        )
        record(Action.SIGN, note, patient=note.patient_id, user=user)
        record(
            Action.SIGN, assessment, patient=note.patient_id, user=user, detail={"part": "decision"}
        )
        # What the signed note says of her becomes her record's, with its source.
        record_facts(
            note.patient,
            {name: getattr(note, name) for name in FACT_FIELDS},
            source="consultation",
            on=timezone.localdate(now),
        )
    given.refresh_from_db()


def add_addendum(*, note: ConsultationNote, author, text: str, hard_stop: str = "") -> Addendum:
    """Append a signed addendum to a signed note (audited as created and signed); a
    ``hard_stop`` named in it stops her plans and infusions (``perinatal.pathway.gates``)."""
    addendum = Addendum.objects.create(
        note=note, author=author, text=text, hard_stop=hard_stop.strip()
    )
    record(Action.SIGN, addendum, patient=note.patient_id, user=author)
    return addendum
