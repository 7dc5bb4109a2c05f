"""The audit log's pages: search, export and a patient's access history, for those who oversee
access only; reading the log is itself logged."""

import csv
import io
import uuid
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from perinatal.audit.log import record
from perinatal.audit.models import Action, AuditEvent
from perinatal.audit.search import PAGE_SIZE
from perinatal.patients.models import Patient
from tests.harness import sign_in

JUNE = datetime(2026, 6, 10, 15, tzinfo=UTC)
JULY = datetime(2026, 7, 10, 15, tzinfo=UTC)


@pytest.fixture
def director(staff, client):
    director = staff("director")
    sign_in(client, director)
    return director


@pytest.fixture
def patient(db):
    return Patient.objects.create(name="Alma Example", stage=Patient.Stage.POSTPARTUM)


@pytest.fixture
def another_patient(db):
    return Patient.objects.create(name="Bea Other", stage=Patient.Stage.PREGNANT)


def _views(patient, user, count, at=JUNE):
    with time_machine.travel(at, tick=False):
        for _ in range(count):
            record(Action.VIEW, patient, patient=patient, user=user)


def _listed(response) -> list[AuditEvent]:
    return [row["event"] for row in response.context["rows"]]


def test_searching_by_person_patient_action_and_dates(
    client, director, staff, patient, another_patient
):
    nurse, clinician = staff("nurse"), staff("clinician")
    _views(patient, nurse, 2, at=JUNE)
    _views(another_patient, clinician, 1, at=JULY)

    by_person = _listed(client.get("/staff/audit/", {"person": "NURSE"}))
    assert {e.actor_label for e in by_person} == {"nurse"} and len(by_person) == 2

    by_patient = _listed(client.get("/staff/audit/", {"patient": another_patient.pk}))
    assert {e.patient_id for e in by_patient} == {another_patient.pk}
    assert Action.VIEW in {e.action for e in by_patient}

    views = _listed(client.get("/staff/audit/", {"action": "view", "model": "patients.patient"}))
    assert len(views) == 3

    june = _listed(
        client.get(
            "/staff/audit/", {"action": "view", "since": "2026-06-01", "until": "2026-06-30"}
        )
    )
    assert [e.actor_label for e in june] == ["nurse", "nurse"]

    backwards = client.get("/staff/audit/", {"since": "2026-07-01", "until": "2026-06-01"})
    assert backwards.status_code == 200
    assert _listed(backwards) == []
    assert "before its start" in backwards.content.decode()


def test_failed_sign_ins_are_found_under_the_username_tried(client, director):
    record(Action.SIGN_IN_FAILED, detail={"username": "nurse", "step": "password"})
    found = _listed(client.get("/staff/audit/", {"person": "nurse"}))
    assert [e.action for e in found] == [Action.SIGN_IN_FAILED]


def test_each_search_is_itself_logged_without_its_values(client, director, patient):
    client.get("/staff/audit/", {"person": "nurse", "patient": patient.pk, "page": "2"})
    event = AuditEvent.objects.filter(action=Action.SEARCH).get()
    assert (event.actor_id, event.patient_id) == (director.pk, patient.pk)
    assert event.detail == {"filters": ["patient", "person"], "page": 2}


def test_a_page_holds_fifty_and_links_to_older_ones(client, director, patient):
    _views(patient, director, PAGE_SIZE + 5)

    first = client.get("/staff/audit/", {"action": "view"})
    second = client.get("/staff/audit/", {"action": "view", "page": 2})

    assert len(_listed(first)) == PAGE_SIZE
    assert "?action=view&amp;page=2" in first.content.decode()
    assert len(_listed(second)) == 5
    assert "Older events" not in second.content.decode()
    assert {e.pk for e in _listed(first)}.isdisjoint(e.pk for e in _listed(second))


def _queries(client, path, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path, params).status_code == 200
    return len(queries)


def test_the_log_reads_in_the_same_few_queries_however_long_it_is(
    client, director, staff, patient, django_assert_max_num_queries
):
    nurse = staff("nurse")
    _views(patient, nurse, 2)
    client.get("/staff/audit/")  # warm: the session's first request writes its clocks
    few = _queries(client, "/staff/audit/", {"action": "view"})
    history_few = _queries(client, f"/staff/patients/{patient.public_id}/access/", {})

    _views(patient, nurse, PAGE_SIZE + 20)
    with django_assert_max_num_queries(few):
        client.get("/staff/audit/", {"action": "view"})
    assert _queries(client, "/staff/audit/", {"action": "view", "page": 2}) == few
    assert _queries(client, f"/staff/patients/{patient.public_id}/access/", {}) == history_few


def test_the_csv_export_is_filtered_and_audited(client, director, staff, patient, another_patient):
    prankster = staff("nurse", username="-2+3")  # usernames may start with - + or @
    _views(patient, prankster, 3)
    _views(another_patient, prankster, 1)

    response = client.get("/staff/audit/export/", {"patient": patient.pk})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    views = [row for row in rows if row["action"] == "view"]
    assert len(views) == 3
    assert {row["patient"] for row in rows} == {str(patient.pk)}
    assert {row["person"] for row in views} == {"'-2+3"}  # never run as a formula
    export = AuditEvent.objects.get(action=Action.EXPORT)
    assert (export.actor_id, export.patient_id) == (director.pk, patient.pk)
    assert export.detail["filters"] == ["patient"]
    assert export.detail["rows"] == len(rows)


def test_a_patients_access_history_shows_who_when_and_from_where(
    client, director, staff, patient, another_patient
):
    nurse = staff("nurse")
    _views(patient, nurse, 2)
    _views(another_patient, nurse, 1)
    merged = Patient.objects.create(name="Alma E.", stage=Patient.Stage.POSTPARTUM)
    _views(merged, nurse, 1)
    Patient.objects.filter(pk=merged.pk).update(merged_into=patient)

    response = client.get(f"/staff/patients/{patient.public_id}/access/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Alma Example" in page
    listed = _listed(response)
    assert {e.patient_id for e in listed} == {patient.pk, merged.pk}
    assert sum(1 for e in listed if e.actor_label == "nurse") == 3
    own_look = AuditEvent.objects.filter(action=Action.VIEW, actor_id=director.pk).get()
    assert own_look.patient_id == patient.pk
    assert own_look.detail == {"page": "access history"}
    assert own_look in listed


def test_an_administrator_sees_the_history_without_the_patients_name(client, staff, patient):
    sign_in(client, staff("admin"))
    page = client.get(f"/staff/patients/{patient.public_id}/access/").content.decode()
    assert f"patient {patient.pk}" in page
    assert "Alma Example" not in page


@pytest.mark.parametrize("role", ["front_desk", "nurse", "clinician"])
def test_other_roles_get_404(client, staff, patient, role):
    sign_in(client, staff(role))
    assert client.get("/staff/audit/").status_code == 404
    assert client.get("/staff/audit/export/").status_code == 404
    assert client.get(f"/staff/patients/{patient.public_id}/access/").status_code == 404
    assert not AuditEvent.objects.filter(action__in=[Action.SEARCH, Action.EXPORT]).exists()


def test_an_unknown_patient_is_404_and_an_outsider_is_sent_to_sign_in(client, director, patient):
    assert client.get(f"/staff/patients/{uuid.uuid4()}/access/").status_code == 404
    client.logout()
    response = client.get(f"/staff/patients/{patient.public_id}/access/")
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/sign-in/")


def test_the_record_type_menu_offers_the_records_staff_care_about_by_name(client, director):
    page = client.get("/staff/audit/")
    choices = dict(page.context["form"].fields["model"].choices)

    assert choices["patients.patient"] == "Patient"
    assert choices["booking.appointment"] == "Appointment"
    assert choices["consult.consultationnote"] == "Consultation note"
    assert "axes.accessattemptexpiration" not in choices
    assert "contenttypes.contenttype" not in choices
    assert "sessions.session" not in choices
    assert len(choices) < 32  # the records of the pathway, not every table
    html = page.content.decode()
    assert "axes." not in html and "contenttypes." not in html


def test_events_show_the_patients_name_and_the_records_title(
    client, director, staff, patient, another_patient
):
    nurse = staff("nurse")
    record(Action.VIEW, patient, patient=patient, user=nurse)
    search = record(Action.SEARCH, model="patients.patient", user=nurse)

    html = client.get("/staff/audit/").content.decode()
    table = html[html.index("<table") :]

    assert f"patients.patient #{patient.pk}" not in table
    assert "patients.patient" not in table
    # The record: its type and its own title; the patient column: her name, linked to her history.
    assert "Patient: Alma Example" in table
    assert f'<a href="/staff/patients/{patient.public_id}/access/">Alma Example</a>' in table
    assert f">{patient.pk}</a>" not in table
    assert search.model == "patients.patient" and "<td>Patient</td>" in table


def test_an_administrator_sees_record_types_and_numbers_without_names(client, staff, patient):
    sign_in(client, staff("admin"))
    record(Action.VIEW, patient, patient=patient, user=staff("nurse"))

    html = client.get("/staff/audit/").content.decode()
    table = html[html.index("<table") :]

    assert "Alma Example" not in table
    assert f"Patient {patient.pk}" in table
