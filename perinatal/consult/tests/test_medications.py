"""Current medications are checked against the clinic's list of drugs that interact with
ketamine: whole words, any capitals, brand or generic names."""

import pytest

from perinatal.consult.models import ConsultationNote, InteractingDrug, Severity
from perinatal.consult.tests.helpers import note_data

pytestmark = pytest.mark.django_db


def flagged(medications: str) -> dict[str, str]:
    """drug name -> the line that named it."""
    return {f.drug: f.line for f in InteractingDrug.objects.active().flag(medications)}


def test_it_flags_benzodiazepines_by_generic_and_brand_name_in_any_case():
    assert flagged("LORAZEPAM 0.5 mg at night") == {"Benzodiazepines": "LORAZEPAM 0.5 mg at night"}
    assert flagged("ativan prn") == {"Benzodiazepines": "ativan prn"}
    assert "Benzodiazepines" in flagged("Sertraline 50 mg\nXanax XR 1 mg")


def test_it_flags_lamotrigine_theophylline_stimulants_opioids_and_maois():
    found = flagged(
        "Lamictal XR 100 mg\nTheophylline ER 300 mg\nAdderall 10 mg\n"
        "Tylenol with codeine #3\nPhenelzine 15 mg"
    )
    assert found == {
        "Lamotrigine": "Lamictal XR 100 mg",
        "Theophylline and aminophylline": "Theophylline ER 300 mg",
        "Sympathomimetics and stimulants": "Adderall 10 mg",
        "Opioids": "Tylenol with codeine #3",
        "MAO inhibitors": "Phenelzine 15 mg",
    }


def test_theophylline_is_a_hard_stop_and_hard_stops_come_first():
    flags = InteractingDrug.objects.active().flag("Clonazepam 0.5 mg\nAminophylline")
    assert [(f.drug, f.severity) for f in flags] == [
        ("Theophylline and aminophylline", Severity.HARD_STOP),
        ("Benzodiazepines", Severity.CAUTION),
    ]


def test_it_matches_whole_words_only():
    assert flagged("Prenatal vitamin\nSertraline 50 mg\nIron") == {}
    # "lamotrigine" is not the word "lam", nor is "Ativanol" the word "Ativan".
    InteractingDrug.objects.create(
        name="Lam", match_terms="lam", interaction="x", severity=Severity.CAUTION
    )
    assert flagged("Lamotrigine 25 mg\nAtivanol") == {"Lamotrigine": "Lamotrigine 25 mg"}


def test_a_drug_switched_off_is_not_flagged():
    InteractingDrug.objects.filter(name="Lamotrigine").update(is_active=False)
    assert flagged("Lamotrigine 25 mg") == {}


def test_the_note_page_shows_the_flags_with_the_interaction(signed_in, clinician, patient):
    client = signed_in(clinician)
    response = client.post(
        f"/staff/patients/{patient.public_id}/consultations/new/",
        note_data(current_medications="Sertraline 100 mg\nLorazepam 1 mg at night"),
    )
    note = ConsultationNote.objects.get()
    assert response.status_code == 302
    assert [f["drug"] for f in note.medication_flags] == ["Benzodiazepines"]

    page = client.get(f"/staff/consultations/{note.public_id}/").content.decode()
    assert "Interacting drugs in this medication list" in page
    assert "Lorazepam 1 mg at night" in page
    assert "Profound sedation and respiratory depression" in page


def test_a_form_sent_back_with_errors_shows_flags_for_the_medications_as_typed(
    signed_in, clinician, patient
):
    client = signed_in(clinician)
    response = client.post(
        f"/staff/patients/{patient.public_id}/consultations/new/",
        note_data(current_medications="Lamictal 200 mg", bipolar_history=None),
    )
    assert response.status_code == 200
    assert "Interacting drugs in this medication list" in response.content.decode()
    assert "Lamictal 200 mg" in response.content.decode()
