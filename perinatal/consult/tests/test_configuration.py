"""The checklist and drug list ship as defaults for the medical director to review, are edited
only by people who configure clinical settings, and show their "default" label where used."""

import pytest

from perinatal.consult.models import EligibilityCriterion, InteractingDrug, Severity
from tests.harness import sign_in

pytestmark = pytest.mark.django_db


def test_the_default_checklist_is_present_and_labelled_for_review():
    items = {c.text.split(" (")[0]: c for c in EligibilityCriterion.objects.all()}
    hard_stops = {text for text, c in items.items() if c.kind == Severity.HARD_STOP}
    assert {
        "Current psychosis or mania",
        "Uncontrolled hypertension",
        "Significant arrhythmia or unstable cerebrovascular disease",
        "Takes theophylline or aminophylline",
        "Pregnant",
    } <= hard_stops
    cautions = {text for text, c in items.items() if c.kind == Severity.CAUTION}
    assert {
        "History of bipolar disorder",
        "Breastfeeding",
        "No escort for the treatment day",
        "Benzodiazepine dose above the clinic's limit",
    } <= cautions
    assert all(c.is_default and c.is_active and c.source for c in items.values())


def test_no_unverified_blood_pressure_limit_is_written_into_the_defaults():
    for item in EligibilityCriterion.objects.all():
        for number in ("140/90", "180/100", "160/100"):
            assert number not in item.text


def test_the_default_drug_list_is_labelled_and_unsourced_items_say_so():
    drugs = {d.name: d for d in InteractingDrug.objects.all()}
    assert all(d.is_default and "Default to review" in d.note for d in drugs.values())
    assert drugs["Theophylline and aminophylline"].severity == Severity.HARD_STOP
    for name in ("Lamotrigine", "MAO inhibitors"):
        assert drugs[name].source == ""
        assert "not sourced" in drugs[name].note


def test_the_form_marks_default_items_for_review(client, clinic, staff):
    from perinatal.consult.tests.helpers import make_patient

    patient = make_patient()
    sign_in(client, staff("clinician"))
    page = client.get(f"/staff/patients/{patient.public_id}/consultations/new/").content.decode()
    assert page.count("default — review before use") == EligibilityCriterion.objects.count()

    EligibilityCriterion.objects.update(is_default=False)
    page = client.get(f"/staff/patients/{patient.public_id}/consultations/new/").content.decode()
    assert "default — review before use" not in page


def test_the_medical_director_configures_the_checklist_in_the_admin(client, clinic, staff):
    sign_in(client, staff("director"))
    page = client.get("/admin/consult/eligibilitycriterion/")
    assert page.status_code == 200
    assert "default — review before use" in page.content.decode()
    assert client.get("/admin/consult/interactingdrug/").status_code == 200

    item = EligibilityCriterion.objects.get(text="Breastfeeding")
    client.post(
        "/admin/consult/eligibilitycriterion/",
        {"action": "mark_reviewed", "_selected_action": [item.pk]},
    )
    item.refresh_from_db()
    assert not item.is_default


@pytest.mark.parametrize("role", ["clinician", "nurse", "front_desk", "admin"])
def test_nobody_else_configures_it(client, clinic, staff, role):
    sign_in(client, staff(role))
    for url in ("/admin/consult/eligibilitycriterion/", "/admin/consult/interactingdrug/"):
        assert client.get(url, follow=True).status_code in (403, 404), url
