"""What consultation tests share: a patient, a complete note as posted, and signing one."""

from datetime import date

from perinatal.consult.models import EligibilityCriterion
from perinatal.patients.models import Patient
from tests import harness


def make_patient(**fields) -> Patient:
    values = {
        "name": "Maria Lopez",
        "email": "maria@example.org",
        "phone": "",
        "delivery_date": date(2026, 10, 1),
        "delivery": Patient.Delivery.CAESAREAN_DONE,
        "breastfeeding": Patient.Breastfeeding.YES,
    }
    return harness.make_patient(**(values | fields))


def criterion(text_starts: str) -> EligibilityCriterion:
    return EligibilityCriterion.objects.get(text__startswith=text_starts)


def note_data(**overrides) -> dict:
    """What a clinician posts for a complete note: every checklist item absent, "eligible".
    ``present=[criterion, ...]`` marks items present; a value None leaves a field out."""
    present = overrides.pop("present", [])
    data = {
        "stage": "postpartum",
        "delivery_date": "2026-10-01",
        "delivery": "cs_done",
        "breastfeeding": "no",
        "self_harm_history": "no",
        "suicide_attempt_history": "no",
        "bipolar_history": "no",
        "mania_history": "no",
        "psychosis_history": "no",
        "family_bipolar_psychosis": "unknown",
        "current_psychotic_symptoms": "no",
        "alcohol": "rarely",
        "current_medications": "Sertraline 50 mg daily\nPrenatal vitamin",
        "systolic": "118",
        "diastolic": "76",
        "hypertension_history": "none",
        "preeclampsia_history": "none",
        "weight_kg": "68.5",
        "goals": "To enjoy time with my baby again",
        "clinical_summary": "Moderate postpartum depression, no psychotic features.",
        "decision": "eligible",
        "reasons": "No hard stops; moderate PPD after two SSRIs without response.",
    }
    for item in EligibilityCriterion.objects.active():
        data[f"present_{item.pk}"] = "present" if item in present else "absent"
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
