"""Turning a booking into a patient record.

A booking made with consent to be contacted finds the patient it belongs to, or starts a new
record. Only an exact match of email and name is taken as the same person; an email or phone
that matches a record with another name is put to staff as a possible duplicate, because two
sisters can share a phone and a mother can book for a friend.
"""

from typing import cast

from django.db import IntegrityError, transaction
from django.db.models import Field, Q
from django.utils import timezone

from perinatal.audit.log import record
from perinatal.audit.models import Action
from perinatal.patients.models import (
    OBSTETRIC_FIELDS,
    SUPPORT_FIELDS,
    MergeSuggestion,
    Patient,
)
from perinatal.patients.signals import merging, started_from_booking


def patient_for_booking(appointment) -> Patient:
    same = (
        Patient.objects.current()
        .filter(email__iexact=appointment.email, name__iexact=appointment.name.strip())
        .order_by("id")
        .first()
    )
    if same is not None:
        return same
    patient = Patient.objects.create(
        name=appointment.name.strip(),
        email=appointment.email,
        phone=appointment.phone,
        language=appointment.language,
        stage=appointment.stage,
        due_date=appointment.key_date if appointment.stage == Patient.Stage.PREGNANT else None,
        delivery_date=appointment.key_date
        if appointment.stage == Patient.Stage.POSTPARTUM
        else None,
        contact_consent_at=appointment.contact_consent_at,
        contact_consent_text=appointment.contact_consent_text,
    )
    started_from_booking.send(Patient, patient=patient, appointment=appointment)
    suggest_duplicates(patient)
    return patient


def suggest_duplicates(patient: Patient) -> list[MergeSuggestion]:
    """Open a suggestion for each other current record sharing her email or phone."""
    matches = Q(email__iexact=patient.email) if patient.email else Q(pk__in=[])
    if patient.phone:
        matches |= Q(phone=patient.phone)
    suggestions = []
    for other in Patient.objects.current().filter(matches).exclude(pk=patient.pk)[:10]:
        reasons = []
        if patient.email and other.email.lower() == patient.email.lower():
            reasons.append("email")
        if patient.phone and other.phone == patient.phone:
            reasons.append("phone")
        suggestion, _ = MergeSuggestion.objects.get_or_create(
            patient=patient, candidate=other, defaults={"reason": " and ".join(reasons)}
        )
        suggestions.append(suggestion)
    return suggestions


class MergeRefused(Exception):
    """The records cannot be merged as asked; the message is fit to show to staff."""


class AlreadyDecided(Exception):
    """Someone else decided this suggestion first."""


# Filled on the kept record from the merged one where the kept record has nothing, so a merge
# never loses a date of birth or a support person one of the two bookings gave.
FILLED_ON_MERGE = [
    "date_of_birth",
    "email",
    "phone",
    *OBSTETRIC_FIELDS,
    *SUPPORT_FIELDS,
    "contact_consent_at",
    "contact_consent_text",
]


def patient_links():
    """Every foreign key from another model to Patient, hidden ones included (``+`` related
    names, many-to-many tables), found from the model registry so that an app added later is
    merged too. Suggestions and ``merged_into`` are handled by the merge itself."""
    for relation in Patient._meta.get_fields(include_hidden=True):
        if not relation.auto_created or relation.concrete:
            continue
        if not (relation.one_to_many or relation.one_to_one):
            continue
        if relation.related_model in (Patient, MergeSuggestion):
            continue
        yield relation


def merge_patients(*, drop: Patient, keep: Patient, user, suggestion=None) -> dict[str, int]:
    """Make ``drop`` part of ``keep``; returns how many rows of each model moved.

    In one transaction: lock both records (in id order, so two merges cannot deadlock); move
    every row pointing at ``drop`` to ``keep`` with a plain UPDATE (signed records refuse
    ``save()``, and only their owner changes, not their content), after the apps that keep
    one-per-patient rows have settled those (``signals.merging``); settle the other open
    suggestions that name ``drop``; fill what ``keep`` lacks; mark ``drop`` merged. A row that
    still cannot move (a one-per-patient record both have) refuses the whole merge.
    """
    if drop.pk == keep.pk:
        raise MergeRefused("A record cannot be merged into itself.")
    now = timezone.now()
    with transaction.atomic():
        locked = {
            p.pk: p for p in Patient.objects.select_for_update().filter(pk__in=[drop.pk, keep.pk])
        }
        if drop.pk not in locked or keep.pk not in locked:
            raise MergeRefused("One of the records no longer exists.")
        drop, keep = locked[drop.pk], locked[keep.pk]
        if drop.merged_into_id or keep.merged_into_id:
            raise MergeRefused("One of the records was already merged into another.")
        settled = merging.send(Patient, drop=drop, keep=keep)
        moved: dict[str, int] = {}  # rows moved, by model label
        for relation in patient_links():
            model, name = relation.related_model, relation.field.name
            try:
                with transaction.atomic():
                    count = model._base_manager.filter(**{name: drop}).update(**{name: keep})
            except IntegrityError:
                raise MergeRefused(
                    f"Both records have a {model._meta.verbose_name} that a patient can have "
                    "only once. Settle that first, then merge."
                ) from None
            if count:
                moved[model._meta.label_lower] = moved.get(model._meta.label_lower, 0) + count
        repointed = Patient.objects.filter(merged_into=drop).update(merged_into=keep)
        if repointed:
            moved["patients.patient"] = repointed
        _settle_suggestions(drop, keep, user, now, decided=suggestion)
        filled = [field for field in FILLED_ON_MERGE if _fill(keep, drop, field)]
        if filled:
            keep.save(update_fields=[*filled, "updated_at"])
        filled += [name for _, names in settled for name in names or []]
        drop.merged_into = keep
        drop.save(update_fields=["merged_into", "updated_at"])
        record(
            Action.UPDATE,
            keep,
            patient=keep,
            detail={"merge": "kept", "merged_record": drop.pk, "moved": moved, "filled": filled},
        )
        record(Action.UPDATE, drop, patient=drop, detail={"merge": "merged", "into": keep.pk})
    return moved


def keep_apart(suggestion: MergeSuggestion, *, user) -> MergeSuggestion:
    with transaction.atomic():
        suggestion = MergeSuggestion.objects.select_for_update().get(pk=suggestion.pk)
        if suggestion.status != MergeSuggestion.Status.OPEN:
            raise AlreadyDecided
        _decide(suggestion, MergeSuggestion.Status.KEPT_APART, user, timezone.now())
    return suggestion


def decide_merge(suggestion: MergeSuggestion, *, keep: Patient, user) -> dict[str, int]:
    """Merge the suggestion's other record into ``keep`` (one of its two)."""
    with transaction.atomic():
        suggestion = MergeSuggestion.objects.select_for_update().get(pk=suggestion.pk)
        if suggestion.status != MergeSuggestion.Status.OPEN:
            raise AlreadyDecided
        pair = {suggestion.patient_id, suggestion.candidate_id}
        if keep.pk not in pair:
            raise MergeRefused("Choose one of the two records to keep.")
        (drop_id,) = pair - {keep.pk}
        return merge_patients(drop=Patient(pk=drop_id), keep=keep, user=user, suggestion=suggestion)


def _decide(suggestion, status, user, now):
    suggestion.status = status
    suggestion.decided_by = user
    suggestion.decided_at = now
    suggestion.save(update_fields=["status", "decided_by", "decided_at"])


def _settle_suggestions(drop, keep, user, now, *, decided):
    """The decided suggestion is done; others naming ``drop`` now name ``keep`` (or close, when
    they are about the same two people)."""
    naming_drop = MergeSuggestion.objects.select_for_update().filter(
        Q(patient=drop) | Q(candidate=drop), status=MergeSuggestion.Status.OPEN
    )
    for suggestion in naming_drop:
        other = ({suggestion.patient_id, suggestion.candidate_id} - {drop.pk}).pop()
        if other == keep.pk or (decided is not None and suggestion.pk == decided.pk):
            _decide(suggestion, MergeSuggestion.Status.MERGED, user, now)
            continue
        pair = Q(patient_id=keep.pk, candidate_id=other) | Q(patient_id=other, candidate_id=keep.pk)
        if MergeSuggestion.objects.filter(pair).exists():
            suggestion.delete()
            continue
        if suggestion.patient_id == drop.pk:
            suggestion.patient = keep
        else:
            suggestion.candidate = keep
        suggestion.save(update_fields=["patient", "candidate"])


def _fill(keep, drop, field) -> bool:
    attribute = cast(Field, Patient._meta.get_field(field)).attname  # a column of her record
    if getattr(keep, attribute) not in (None, "") or getattr(drop, attribute) in (None, ""):
        return False
    setattr(keep, attribute, getattr(drop, attribute))
    return True


# Facts a signed clinical record states, carried into her record with where they came from.
FACT_FIELDS = ("stage", "delivery_date", "delivery", "breastfeeding", "weight_kg")


def record_facts(patient: Patient, facts: dict, *, source: str, on) -> list[str]:
    """Carry the ``facts`` a signed record gave (empty values are not facts) into her record,
    each with its ``source`` and date; returns the fields changed. The save is audited."""
    patient = Patient.objects.select_for_update().get(pk=patient.pk)
    if facts.get("stage") == Patient.Stage.POSTPARTUM and not facts.get("delivery_date"):
        facts = {**facts, "stage": None}  # "had the baby" goes with the day she did
    changed = []
    for name in FACT_FIELDS:
        value = facts.get(name)
        if value in (None, ""):
            continue
        if getattr(patient, name) != value:
            setattr(patient, name, value)
            changed.append(name)
        patient.fact_sources[name] = {"source": source, "on": on.isoformat()}
    patient.save()
    return changed
