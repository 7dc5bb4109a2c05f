"""Turning a booking into a patient record.

A booking made with consent to be contacted finds the patient it belongs to, or starts a new
record. Only an exact match of email and name is taken as the same person; an email or phone
that matches a record with another name is put to staff as a possible duplicate, because two
sisters can share a phone and a mother can book for a friend.
"""

from django.db.models import Q

from perinatal.patients.models import MergeSuggestion, Patient


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
        ob_name_given=appointment.ob_name,
        ob_practice_given=appointment.ob_practice,
        contact_consent_at=appointment.contact_consent_at,
        contact_consent_text=appointment.contact_consent_text,
    )
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
