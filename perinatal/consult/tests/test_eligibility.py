"""The eligibility checklist: a hard stop cannot be overridden by anyone, through the page or the
model; a caution present needs a reason; a decision needs its reasons and every item answered."""

import pytest
from django.core.exceptions import ValidationError

from perinatal.consult import services
from perinatal.consult.models import (
    ConsultationNote,
    EligibilityAssessment,
    EligibilityCriterion,
    InteractingDrug,
    Severity,
)
from perinatal.consult.tests.helpers import criterion, note_data

pytestmark = pytest.mark.django_db


def new_url(patient) -> str:
    return f"/staff/patients/{patient.public_id}/consultations/new/"


def answers(present=(), reasons=None) -> list[dict]:
    reasons = reasons or {}
    return [
        {
            **item.snapshot(),
            "present": item in present,
            "reason": reasons.get(item.pk, ""),
        }
        for item in EligibilityCriterion.objects.active()
    ]


def draft(patient, user, **fields) -> ConsultationNote:
    note = services.new_note(patient=patient, clinician=user)
    for name in ConsultationNote.REQUIRED_ANSWERS:
        setattr(note, name, "no")
    for name, value in fields.items():
        setattr(note, name, value)
    note.save()
    return note


# --- Through the page ------------------------------------------------------------------------


@pytest.mark.parametrize("decision", ["eligible", "needs_ob"])
def test_a_present_hard_stop_refuses_a_permissive_decision(signed_in, clinician, patient, decision):
    psychosis = criterion("Current psychosis or mania")
    response = signed_in(clinician).post(
        new_url(patient), note_data(present=[psychosis], decision=decision)
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "A hard stop is present (Current psychosis or mania)" in page
    assert "cannot be overridden" in page
    assert not ConsultationNote.objects.exists()


def test_the_medical_director_cannot_override_a_hard_stop_either(signed_in, staff, patient):
    pregnant = criterion("Pregnant")
    response = signed_in(staff("director")).post(
        new_url(patient), note_data(present=[pregnant], reasons="I accept the risk.")
    )
    assert response.status_code == 200
    assert "A hard stop is present" in response.content.decode()
    assert not ConsultationNote.objects.exists()


def test_a_present_hard_stop_with_not_eligible_is_saved(signed_in, clinician, patient):
    psychosis = criterion("Current psychosis or mania")
    response = signed_in(clinician).post(
        new_url(patient),
        note_data(present=[psychosis], decision="not_eligible", reasons="Active mania."),
    )
    assert response.status_code == 302
    assessment = EligibilityAssessment.objects.get()
    assert assessment.decision == "not_eligible"
    assert [a["text"] for a in assessment.present_hard_stops] == ["Current psychosis or mania"]


def test_a_hard_stop_drug_in_the_medications_refuses_eligible(signed_in, clinician, patient):
    response = signed_in(clinician).post(
        new_url(patient), note_data(current_medications="Theophylline 200 mg twice daily")
    )
    assert response.status_code == 200
    assert "Theophylline and aminophylline (Theophylline 200 mg twice daily)" in (
        response.content.decode()
    )
    assert not ConsultationNote.objects.exists()


def test_a_caution_present_needs_a_written_reason(signed_in, clinician, patient):
    breastfeeding = criterion("Breastfeeding")
    client = signed_in(clinician)
    response = client.post(new_url(patient), note_data(present=[breastfeeding]))
    assert response.status_code == 200
    assert "A caution marked present needs a written reason." in response.content.decode()
    assert not ConsultationNote.objects.exists()

    response = client.post(
        new_url(patient),
        note_data(
            present=[breastfeeding],
            **{f"reason_{breastfeeding.pk}": "Pump and discard for 12 h; sertraline continues."},
        ),
    )
    assert response.status_code == 302
    (caution,) = EligibilityAssessment.objects.get().present_cautions
    assert caution["reason"] == "Pump and discard for 12 h; sertraline continues."


def test_a_decision_needs_reasons(signed_in, clinician, patient):
    response = signed_in(clinician).post(new_url(patient), note_data(reasons="  "))
    assert response.status_code == 200
    assert "Write the reasons for the decision." in response.content.decode()
    assert not ConsultationNote.objects.exists()


def test_a_decision_needs_every_item_answered(signed_in, clinician, patient):
    pregnant = criterion("Pregnant")
    response = signed_in(clinician).post(
        new_url(patient), note_data(**{f"present_{pregnant.pk}": None})
    )
    assert response.status_code == 200
    assert "Answer every checklist item before recording a decision." in (response.content.decode())


def test_a_draft_may_leave_the_checklist_and_decision_for_later(signed_in, clinician, patient):
    data = {k: v for k, v in note_data(decision="", reasons="").items()}
    data = {k: v for k, v in data.items() if not k.startswith("present_")}
    response = signed_in(clinician).post(new_url(patient), data)
    assert response.status_code == 302
    assessment = EligibilityAssessment.objects.get()
    assert assessment.decision == ""
    assert all(a["present"] is None for a in assessment.answers)


def test_the_bipolar_and_psychosis_screen_needs_an_explicit_answer(signed_in, clinician, patient):
    client = signed_in(clinician)
    response = client.post(new_url(patient), note_data(bipolar_history=None))
    assert response.status_code == 200
    assert not ConsultationNote.objects.exists()
    response = client.post(new_url(patient), note_data(bipolar_history="unknown"))
    assert response.status_code == 302
    assert ConsultationNote.objects.get().bipolar_history == "unknown"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"systolic": "400"}, "Ensure this value is less than or equal to 260."),
        ({"diastolic": "130", "systolic": "120"}, "The diastolic must be lower than the systolic."),
        ({"diastolic": ""}, "Enter both numbers of the blood pressure, or neither."),
        ({"weight_kg": "7"}, "Ensure this value is greater than or equal to 30."),
    ],
)
def test_implausible_blood_pressure_and_weight_are_refused_and_typing_is_kept(
    signed_in, clinician, patient, fields, message
):
    response = signed_in(clinician).post(
        new_url(patient), note_data(goals="Sleep through one night", **fields)
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert "Sleep through one night" in page  # what she typed is still there
    assert not ConsultationNote.objects.exists()


# --- Through the model and the service --------------------------------------------------------


def test_the_model_refuses_eligible_with_a_present_hard_stop(clinician, patient):
    note = draft(patient, clinician)
    psychosis = criterion("Current psychosis or mania")
    with pytest.raises(ValidationError, match="cannot be overridden"):
        EligibilityAssessment.objects.create(
            note=note, answers=answers([psychosis]), decision="eligible", reasons="Override."
        )
    with pytest.raises(ValidationError, match="cannot be overridden"):
        services.save_draft(
            note=note, answers=answers([psychosis]), decision="needs_ob", reasons="Override."
        )
    assert not EligibilityAssessment.objects.exists()


def test_the_model_refuses_eligible_with_a_hard_stop_drug(clinician, patient):
    note = draft(patient, clinician, current_medications="aminophylline")
    with pytest.raises(ValidationError, match="Theophylline and aminophylline"):
        EligibilityAssessment.objects.create(
            note=note, answers=answers(), decision="eligible", reasons="Fine."
        )


def test_the_model_refuses_a_caution_without_a_reason(clinician, patient):
    note = draft(patient, clinician)
    with pytest.raises(ValidationError, match="Give a reason for the caution"):
        EligibilityAssessment.objects.create(
            note=note, answers=answers([criterion("History of bipolar")])
        )


def test_signing_refuses_a_hard_stop_written_around_the_model(clinician, patient):
    """Even a row changed behind save()'s back (a bulk update) cannot be signed as eligible."""
    note = draft(patient, clinician)
    assessment = EligibilityAssessment.objects.create(
        note=note, answers=answers(), decision="not_eligible", reasons="Psychosis."
    )
    psychosis = criterion("Current psychosis or mania")
    EligibilityAssessment.objects.filter(pk=assessment.pk).update(
        answers=answers([psychosis]), decision="eligible"
    )
    with pytest.raises(ValidationError, match="cannot be overridden"):
        services.sign(note=note, user=clinician)
    note.refresh_from_db()
    assert not note.is_signed


def test_a_drug_made_a_hard_stop_after_the_draft_blocks_signing(clinician, patient):
    note = draft(patient, clinician, current_medications="Lamotrigine 100 mg")
    services.save_draft(note=note, answers=answers(), decision="eligible", reasons="Fine.")
    InteractingDrug.objects.filter(name="Lamotrigine").update(severity=Severity.HARD_STOP)
    with pytest.raises(ValidationError, match="Lamotrigine"):
        services.sign(note=note, user=clinician)
