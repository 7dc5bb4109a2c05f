"""Every look at a note and every change to one lands in the audit log, naming the patient."""

import pytest

from perinatal.audit.log import tracked_models
from perinatal.audit.models import Action, AuditEvent
from perinatal.consult.models import (
    Addendum,
    ConsultationNote,
    EligibilityAssessment,
    EligibilityCriterion,
    InteractingDrug,
)
from perinatal.consult.tests.helpers import note_data

pytestmark = pytest.mark.django_db


def events(action, model) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action, model=f"consult.{model}"))


def test_every_consult_model_is_audited():
    tracked = tracked_models()
    for model in (
        ConsultationNote,
        EligibilityAssessment,
        Addendum,
        EligibilityCriterion,
        InteractingDrug,
    ):
        assert model in tracked, model


def test_create_update_view_and_sign_are_audited_with_the_patient(signed_in, clinician, patient):
    client = signed_in(clinician)
    client.post(f"/staff/patients/{patient.public_id}/consultations/new/", note_data())
    note = ConsultationNote.objects.get()
    assert [e.patient_id for e in events(Action.CREATE, "consultationnote")] == [patient.pk]
    assert [e.patient_id for e in events(Action.CREATE, "eligibilityassessment")] == [patient.pk]
    created = events(Action.CREATE, "consultationnote")[0]
    assert (created.actor_id, created.object_id) == (clinician.pk, str(note.pk))

    client.post(f"/staff/consultations/{note.public_id}/", note_data(goals="Rest"))
    assert len(events(Action.UPDATE, "consultationnote")) == 1

    before = len(events(Action.VIEW, "consultationnote"))
    client.get(f"/staff/consultations/{note.public_id}/")
    viewed = events(Action.VIEW, "consultationnote")
    assert len(viewed) == before + 1
    assert (viewed[0].patient_id, viewed[0].object_id) == (patient.pk, str(note.pk))

    client.post(f"/staff/consultations/{note.public_id}/sign/")
    assert [e.patient_id for e in events(Action.SIGN, "consultationnote")] == [patient.pk]
    assert [e.patient_id for e in events(Action.SIGN, "eligibilityassessment")] == [patient.pk]

    client.post(f"/staff/consultations/{note.public_id}/addendum/", {"text": "Spoke to her OB."})
    assert len(events(Action.CREATE, "addendum")) == 1
    assert len(events(Action.SIGN, "addendum")) == 1
    assert all(e.detail.get("text") is None for e in AuditEvent.objects.all())


def test_opening_the_new_note_form_is_a_view_of_the_patient(signed_in, clinician, patient):
    signed_in(clinician).get(f"/staff/patients/{patient.public_id}/consultations/new/")
    viewed = AuditEvent.objects.get(action=Action.VIEW, model="patients.patient")
    assert viewed.patient_id == patient.pk


def test_a_refused_visit_leaves_no_view_event(signed_in, staff, patient):
    signed_in(staff("front_desk")).get(f"/staff/patients/{patient.public_id}/consultations/new/")
    assert not AuditEvent.objects.filter(action=Action.VIEW).exists()
