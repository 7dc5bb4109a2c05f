"""Her OB is a row of this app's, kept in step with her record: started from the booking that
started the record, carried over when two records are merged, and shown by the staff API."""

import pytest
import time_machine

from perinatal.audit.models import Action, AuditEvent
from perinatal.backoffice.tests.helpers import NOW, Clinic
from perinatal.obcare.models import Obstetrician, PatientOb
from perinatal.obcare.tests.helpers import an_ob, set_ob
from perinatal.patients import services
from perinatal.patients.models import MergeSuggestion
from tests.harness import make_patient, sign_in_as


@pytest.fixture
def clinic_day(db):
    with time_machine.travel(NOW, tick=False):
        yield Clinic()


def test_the_ob_she_names_when_booking_starts_her_ob_row(clinic_day):
    named = clinic_day.book(ob_name="Dr Okafor", ob_practice="Mile High OB").patient
    unnamed = clinic_day.book(name="Bea Example", email="bea@example.org").patient

    her_ob = PatientOb.objects.get(patient=named)
    assert (her_ob.obstetrician, her_ob.name_given, her_ob.practice_given) == (
        None,
        "Dr Okafor",
        "Mile High OB",
    )
    assert not PatientOb.objects.filter(patient=unnamed).exists()
    assert AuditEvent.objects.filter(
        action=Action.CREATE, model="obcare.patientob", patient_id=named.pk
    ).exists()


def test_a_merge_fills_the_kept_records_ob_from_the_merged_one(clinic_day):
    kept = clinic_day.book(ob_name="Dr Okafor").patient
    merged = clinic_day.book(
        name="Annie Example", phone="+16175550166", ob_name="Dr O.", ob_practice="Mile High OB"
    ).patient
    ob = an_ob(name="Dr Ada Okafor")
    set_ob(merged, ob)

    services.decide_merge(MergeSuggestion.objects.get(), keep=kept, user=None)

    her_ob = PatientOb.objects.get()  # the merged record's row went, its answers kept
    assert her_ob.patient == kept
    assert (her_ob.obstetrician, her_ob.name_given, her_ob.practice_given) == (
        ob,
        "Dr Okafor",  # what the kept record had stays
        "Mile High OB",
    )
    event = AuditEvent.objects.get(action=Action.UPDATE, patient_id=kept.pk, detail__merge="kept")
    assert event.detail["filled"] == ["ob.obstetrician", "ob.practice_given"]
    assert "obcare.patientob" not in event.detail["moved"]


def test_a_merge_moves_the_merged_records_ob_when_the_kept_one_has_none(clinic_day):
    kept = clinic_day.book().patient
    merged = clinic_day.book(
        name="Annie Example", phone="+16175550166", ob_name="Dr Okafor"
    ).patient

    moved = services.decide_merge(MergeSuggestion.objects.get(), keep=kept, user=None)

    assert PatientOb.objects.get().patient == kept
    assert moved["obcare.patientob"] == 1
    assert not PatientOb.objects.filter(patient=merged).exists()


def test_the_chart_shows_her_ob_from_the_directory_or_as_she_gave_it(client, staff, clinic_day):
    patient = clinic_day.book(ob_name="Dr Okafor", ob_practice="Mile High OB").patient
    sign_in_as(client, "clinician")

    assert "as she gave it" in client.get(f"/staff/patients/{patient.public_id}/").text

    set_ob(
        patient,
        Obstetrician.objects.create(
            name="Dr Ada Okafor", practice="Mile High OB", fax="+13035550111"
        ),
    )
    html = client.get(f"/staff/patients/{patient.public_id}/").text
    assert "Dr Ada Okafor (Mile High OB)" in html
    assert "fax (303) 555-0111" in html
    assert "as she gave it" not in html


@pytest.mark.parametrize("linked", [True, False])
def test_the_staff_api_gives_her_ob_from_the_directory_or_as_she_named_them(
    client, staff, clinic, linked
):
    patient = make_patient()
    set_ob(patient, an_ob() if linked else None, name_given="Dr Chen", practice_given="Bay OB")
    sign_in_as(client, "front_desk")

    ob = client.get(f"/api/v1/staff/patients/{patient.public_id}").json()["obstetrician"]

    if linked:
        assert (ob["name"], ob["fax"], ob["in_directory"]) == (
            "Dr. Laura Chen",
            "+16175550112",
            True,
        )
    else:
        assert (ob["name"], ob["practice"], ob["in_directory"]) == ("Dr Chen", "Bay OB", False)


def test_the_staff_api_gives_no_ob_for_a_patient_without_one(client, staff, clinic):
    patient = make_patient()
    sign_in_as(client, "front_desk")
    assert client.get(f"/api/v1/staff/patients/{patient.public_id}").json()["obstetrician"] is None
