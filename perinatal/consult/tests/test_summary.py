"""What other apps read: the latest signed decision, the letter paragraphs, the chart timeline
and the work queue."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from perinatal.consult import services
from perinatal.consult.models import ConsultationNote
from perinatal.consult.sources import consultation_timeline, unsigned_notes
from perinatal.consult.summary import for_letter, latest_decision
from perinatal.consult.tests.helpers import criterion, make_patient, note_data
from tests.harness import assert_queue_counts_agree

pytestmark = pytest.mark.django_db


def write(client, patient, **fields) -> ConsultationNote:
    response = client.post(
        f"/staff/patients/{patient.public_id}/consultations/new/", note_data(**fields)
    )
    assert response.status_code == 302 and "/staff/consultations/" in response.url
    return ConsultationNote.objects.filter(patient=patient).latest("pk")


def test_nothing_signed_gives_nothing(signed_in, clinician, patient):
    assert for_letter(patient) == [] and latest_decision(patient) is None
    write(signed_in(clinician), patient)
    assert for_letter(patient) == [] and latest_decision(patient) is None


def test_the_letter_quotes_the_latest_signed_decision_and_its_reasons(
    signed_in, clinician, patient
):
    client = signed_in(clinician)
    with time_machine.travel(timezone.now() - timedelta(days=10)):
        old = write(client, patient, decision="not_eligible", reasons="Pregnant still.")
        services.sign(note=old, user=clinician)
    client = signed_in(clinician)  # ten days on, the old session has timed out
    breastfeeding = criterion("Breastfeeding")
    new = write(
        client,
        patient,
        decision="needs_ob",
        reasons="Postpartum hypertension: her OB should clear it first.",
        present=[breastfeeding],
        current_medications="Lorazepam 0.5 mg",
        breastfeeding_plan="Pump before the infusion.",
        **{f"reason_{breastfeeding.pk}": "Expressing milk ahead."},
    )
    write(client, patient, decision="eligible", reasons="A later draft, not signed.")
    services.sign(note=new, user=clinician)

    assert latest_decision(patient).note == new
    sections = dict(for_letter(patient))
    assert sections["Eligibility decision"] == (
        "Eligible for IV ketamine once her obstetric provider has cleared it."
    )
    assert sections["Reasons"] == "Postpartum hypertension: her OB should clear it first."
    assert sections["Cautions noted"] == "Breastfeeding: Expressing milk ahead."
    assert (
        "Lorazepam 0.5 mg (Benzodiazepines, Caution)"
        in sections["Medications that interact with ketamine"]
    )
    assert sections["Blood pressure at the consultation"] == "118/76 mmHg"
    assert sections["Breastfeeding plan"] == "Pump before the infusion."
    assert "Addenda" not in sections

    services.add_addendum(note=new, author=clinician, text="OB phoned: BP now normal.")
    assert "OB phoned: BP now normal." in dict(for_letter(patient))["Addenda"]


def test_another_patients_notes_are_not_hers(signed_in, clinician, patient):
    other = make_patient(name="Ana Ruiz", email="ana@example.org")
    services.sign(note=write(signed_in(clinician), other), user=clinician)
    assert latest_decision(patient) is None and for_letter(patient) == []


def test_the_timeline_shows_notes_decisions_and_addenda_in_two_queries(
    signed_in, clinician, patient, django_assert_num_queries
):
    client = signed_in(clinician)
    signed = write(client, patient)
    services.sign(note=signed, user=clinician)
    services.add_addendum(note=signed, author=clinician, text="x")
    write(client, patient)
    with django_assert_num_queries(2):
        entries = consultation_timeline(patient)
    assert sorted(e.title for e in entries) == [
        "Addendum to a consultation note",
        "Consultation note signed",
        "Consultation note started (draft)",
        "Eligibility: Eligible",
    ]
    assert {e.capability for e in entries} == {"chart.clinical"}


def test_drafts_older_than_a_day_wait_in_the_queue(
    signed_in, clinician, patient, django_assert_num_queries
):
    client = signed_in(clinician)
    with time_machine.travel(timezone.now() - timedelta(days=2)):
        stale = write(client, patient)
        signed = write(client, patient)
        services.sign(note=signed, user=clinician)
    write(signed_in(clinician), patient)  # started today: not yet a worry
    with django_assert_num_queries(1):
        items = unsigned_notes(25)
    assert [item.url for item in items] == [f"/staff/consultations/{stale.public_id}/"]
    assert (
        items[0].patient_public_id == patient.public_id and items[0].capability == "consult.write"
    )
    assert_queue_counts_agree()
