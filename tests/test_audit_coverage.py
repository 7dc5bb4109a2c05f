"""Every model holding patient data is audited on every save and delete.

Patient data is found, not listed: the Patient model, and any model with a foreign key to a
model already found (a signature belongs to a request, which belongs to a patient). A new
model that points at any of them fails here until its app calls ``perinatal.audit.log.track``.
"""

from django.apps import apps

from perinatal.audit.log import tracked_models
from perinatal.patients.models import Patient

# Models that point at patient data without holding any of their own. Empty today; an entry
# needs a reason beside it.
NOT_PATIENT_DATA: set[str] = set()


def _patient_data_models() -> set[type]:
    found = {Patient}
    ours = [m for m in apps.get_models() if m.__module__.startswith("perinatal.")]
    grew = True
    while grew:
        grew = False
        for model in ours:
            if model in found or model._meta.label_lower in NOT_PATIENT_DATA:
                continue
            targets = {f.related_model for f in model._meta.fields if f.many_to_one or f.one_to_one}
            if targets & found:
                found.add(model)
                grew = True
    return found


def test_every_model_holding_patient_data_is_audited():
    untracked = sorted(m._meta.label for m in _patient_data_models() if m not in tracked_models())
    assert untracked == []


def test_the_search_finds_the_records_of_every_stage_of_her_care():
    labels = {m._meta.label for m in _patient_data_models()}
    assert {
        "patients.Patient",
        "booking.Appointment",
        "screening.Screening",
        "consult.ConsultationNote",
        "consents.SignedConsent",
        "obcare.CarePlanLetter",
        "plans.TreatmentPlan",
    } <= labels
