"""Possible duplicates: staff compare the two records and decide; a merge moves everything to
the kept record in one go and loses nothing; "different people" keeps both."""

from datetime import date

import pytest

from perinatal.audit.models import Action, AuditEvent
from perinatal.backoffice.tests.helpers import callback, count_queries, screened_for
from perinatal.booking.models import Appointment
from perinatal.patients import services
from perinatal.patients.models import MergeSuggestion, Patient
from perinatal.screening.models import CallbackRequest, Screening
from tests.harness import sign_in_as


@pytest.fixture
def twins(clinic_day):
    """Ana booked twice, once with a nickname: two records and a suggestion about them."""
    ana = clinic_day.book().patient
    clinic_day.book()
    nickname = clinic_day.book(name="Annie Example", phone="+16175550166").patient
    nickname.date_of_birth = date(1994, 8, 2)
    nickname.save()
    screened_for(ana, 1, 1)
    screened_for(nickname, 3, 3)
    call = callback(urgent=False, phone=nickname.phone)
    call.patient = nickname
    call.save()
    return ana, nickname, MergeSuggestion.objects.get()


def test_the_decision_page_shows_both_records_side_by_side(client, staff, twins):
    ana, nickname, suggestion = twins
    sign_in_as(client, "front_desk")

    response = client.get(f"/staff/merges/{suggestion.public_id}/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "Ana Example" in html and "Annie Example" in html
    assert "Appointments: 2" in html and "Appointments: 1" in html
    assert f"merge into the record of Ana Example (record {ana.pk}" in html
    assert "Different people" in html
    views = AuditEvent.objects.filter(action=Action.VIEW, model="patients.patient")
    assert set(views.values_list("patient_id", flat=True)) == {ana.pk, nickname.pk}


def test_merging_moves_everything_and_loses_nothing(client, staff, twins):
    ana, nickname, suggestion = twins
    user = sign_in_as(client, "front_desk")
    before = {
        "appointments": set(Appointment.objects.values_list("pk", flat=True)),
        "screens": set(
            Screening.objects.filter(patient__isnull=False).values_list("pk", flat=True)
        ),
        "callbacks": set(CallbackRequest.objects.values_list("pk", flat=True)),
    }

    response = client.post(f"/staff/merges/{suggestion.public_id}/", {"decision": f"keep-{ana.pk}"})

    assert response.status_code == 302
    assert response["Location"] == f"/staff/patients/{ana.public_id}/"
    assert set(ana.appointments.values_list("pk", flat=True)) == before["appointments"]
    assert set(ana.screenings.values_list("pk", flat=True)) == before["screens"]
    assert set(ana.callbacks.values_list("pk", flat=True)) == before["callbacks"]
    nickname.refresh_from_db()
    ana.refresh_from_db()
    assert nickname.merged_into == ana
    assert ana.date_of_birth == date(1994, 8, 2)  # filled from the merged record
    assert ana.name == "Ana Example"  # what the kept record had stays
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.decided_by) == (MergeSuggestion.Status.MERGED, user)
    kept = AuditEvent.objects.get(action=Action.UPDATE, patient_id=ana.pk, detail__merge="kept")
    assert kept.detail["moved"] == {
        "booking.appointment": 1,
        "screening.screening": 1,
        "screening.callbackrequest": 1,
    }
    assert kept.detail["filled"] == ["date_of_birth"]
    assert AuditEvent.objects.filter(patient_id=nickname.pk, detail__merge="merged").exists()
    # Her old chart opens the kept one and says so; search finds only the kept record.
    old_chart = client.get(f"/staff/patients/{nickname.public_id}/").content.decode()
    assert "The record you opened was merged into this one" in old_chart
    assert f"/staff/patients/{ana.public_id}/edit/" in old_chart
    assert [p.pk for p in Patient.objects.search("example")] == [ana.pk]


def test_different_people_stay_apart(client, staff, twins):
    ana, nickname, suggestion = twins
    sign_in_as(client, "nurse")

    response = client.post(f"/staff/merges/{suggestion.public_id}/", {"decision": "apart"})

    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == MergeSuggestion.Status.KEPT_APART
    assert Patient.objects.current().count() == 2
    assert nickname.appointments.count() == 1
    assert AuditEvent.objects.filter(
        action=Action.UPDATE, model="patients.mergesuggestion", object_id=str(suggestion.pk)
    ).exists()
    # Decided: the page no longer offers the choice, and a late second decision changes nothing.
    late = client.post(f"/staff/merges/{suggestion.public_id}/", {"decision": f"keep-{ana.pk}"})
    assert late.status_code == 302
    nickname.refresh_from_db()
    assert nickname.merged_into is None


def test_other_suggestions_follow_the_merged_record(clinic_day):
    ana = clinic_day.book().patient
    annie = clinic_day.book(name="Annie Example", phone="+16175550166").patient
    third = clinic_day.book(
        name="Third Person", email="third@example.org", phone=annie.phone
    ).patient
    about_annie = MergeSuggestion.objects.get(patient=third, candidate=annie)
    first = MergeSuggestion.objects.get(patient=annie, candidate=ana)

    services.decide_merge(first, keep=ana, user=None)

    about_annie.refresh_from_db()
    assert (about_annie.patient, about_annie.candidate) == (third, ana)
    assert about_annie.status == MergeSuggestion.Status.OPEN


def test_any_model_pointing_at_a_patient_is_found_for_merging():
    found = {relation.related_model._meta.label_lower for relation in services.patient_links()}

    assert {"booking.appointment", "screening.screening", "screening.callbackrequest"} <= found
    assert "patients.patient" not in found and "patients.mergesuggestion" not in found


def test_the_list_of_suggestions_runs_the_same_queries_for_one_or_thirty(client, staff, db):
    def pair(n):
        first = Patient.objects.create(
            name=f"First {n}", email=f"p{n}@example.org", stage="pregnant"
        )
        second = Patient.objects.create(
            name=f"Second {n}", email=f"p{n}@example.org", stage="pregnant"
        )
        MergeSuggestion.objects.create(patient=second, candidate=first, reason="email")

    pair(0)
    sign_in_as(client, "front_desk")
    client.get("/staff/merges/")
    one = count_queries(client, "/staff/merges/")
    for n in range(1, 30):
        pair(n)

    assert count_queries(client, "/staff/merges/") == one


def test_roles_without_merging_get_404(client, staff, twins):
    sign_in_as(client, "admin")

    assert client.get("/staff/merges/").status_code == 404
    assert client.get(f"/staff/merges/{twins[2].public_id}/").status_code == 404
