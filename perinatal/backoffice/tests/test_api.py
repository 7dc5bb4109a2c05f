"""The staff API: both factors or 401; the wrong role, an unknown id or a merged id get 404;
clinical fields only for clinical staff."""

import uuid

import pytest

from perinatal.audit.models import Action, AuditEvent
from perinatal.backoffice.tests.helpers import callback, screened, screened_for
from perinatal.patients.models import Patient
from tests.harness import sign_in_as


@pytest.fixture
def ana(clinic_day):
    patient = clinic_day.book(screening=screened(self_harm=True)).patient
    screened_for(patient, 2, 2, 2)
    return patient


def test_without_signing_in_the_answer_is_401(client, ana):
    for url in (
        "/api/v1/staff/patients?q=ana",
        f"/api/v1/staff/patients/{ana.public_id}",
        "/api/v1/staff/queue",
    ):
        response = client.get(url)
        assert response.status_code == 401, url
        assert response.json()["error"]["code"] == "unauthenticated"


def test_a_password_without_the_second_factor_is_not_enough(client, staff, ana):
    client.force_login(staff("clinician", username="half-signed-in"))

    assert client.get(f"/api/v1/staff/patients/{ana.public_id}").status_code == 401
    assert client.get("/api/v1/staff/queue").status_code == 401


def test_a_role_without_the_capability_gets_404(client, staff, ana):
    sign_in_as(client, "admin")

    for url in (
        "/api/v1/staff/patients?q=ana",
        f"/api/v1/staff/patients/{ana.public_id}",
        "/api/v1/staff/queue",
    ):
        assert client.get(url).status_code == 404, url


def test_an_unknown_id_gets_404_and_a_merged_one_answers_with_the_kept_record(client, staff, ana):
    merged = Patient.objects.create(name="Ana E.", stage="postpartum", merged_into=ana)
    sign_in_as(client, "clinician")

    assert client.get(f"/api/v1/staff/patients/{uuid.uuid4()}").status_code == 404
    assert client.get("/api/v1/staff/patients/999999").status_code == 422  # not an id at all
    answer = client.get(f"/api/v1/staff/patients/{merged.public_id}")
    assert (answer.status_code, answer.json()["id"]) == (200, str(ana.public_id))
    assert client.get(f"/api/v1/staff/patients/{ana.public_id}").json()["id"] == str(ana.public_id)


def test_clinical_staff_get_her_screens(client, staff, ana):
    sign_in_as(client, "clinician")

    response = client.get(f"/api/v1/staff/patients/{ana.public_id}")

    body = response.json()
    assert response["Cache-Control"] == "no-store, private"
    assert (body["name"], body["phone"], body["stage"]) == (
        "Ana Example",
        "+16175550123",
        "postpartum",
    )
    screens = body["clinical"]["screens"]
    assert [s["total"] for s in screens] == [6, screens[1]["total"]]
    assert screens[1]["safety_alert"] is True
    assert AuditEvent.objects.filter(action=Action.VIEW, patient_id=ana.pk).count() == 1


def test_front_desk_gets_contacts_and_no_clinical_field(client, staff, ana):
    callback(urgent=True, screening=screened(self_harm=True))
    sign_in_as(client, "front_desk")

    patient = client.get(f"/api/v1/staff/patients/{ana.public_id}").json()
    queue = client.get("/api/v1/staff/queue").json()

    assert patient["clinical"] is None
    assert patient["email"] == "ana@example.org"
    text = str(patient) + str(queue)
    for clinical in ("total", "band", "safety_alert", "EPDS", "self-harm"):
        assert clinical not in text
    assert [item["kind"] for item in queue[:2]] == ["callback", "urgent_booking"]
    assert queue[0]["url"] == ""  # front desk cannot open a call-back


def test_search_returns_current_records_with_a_count(client, staff, ana):
    Patient.objects.create(name="Ana E.", stage="postpartum", merged_into=ana)
    sign_in_as(client, "front_desk")

    body = client.get("/api/v1/staff/patients", {"q": "ana"}).json()

    assert body["count"] == 1
    assert [row["id"] for row in body["results"]] == [str(ana.public_id)]
    assert AuditEvent.objects.get(action=Action.SEARCH).detail == {"results": 1, "api": True}
