"""Calling back: the clinician sees the request and (being clinical staff) her screen, records
the outcome and links her record; front desk cannot open it."""

import pytest

from perinatal.audit.models import Action, AuditEvent
from perinatal.backoffice.tests.helpers import callback, screened
from perinatal.screening.models import CallbackRequest
from tests.harness import sign_in_as


@pytest.fixture
def urgent_call(db, frozen):
    return callback(urgent=True, first_name="Dora", screening=screened(self_harm=True))


def test_the_clinician_sees_who_to_call_and_what_she_answered(client, staff, urgent_call):
    sign_in_as(client, "clinician")

    response = client.get(f"/staff/callbacks/{urgent_call.public_id}/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "Urgent call-back" in html and "Dora" in html
    assert 'href="tel:+16175550199"' in html
    assert "EPDS" in html
    assert f"<strong>{urgent_call.screening.total}</strong> of 30" in html
    assert "The thought of harming myself has occurred to me" in html
    assert "self-harm item above zero" in html
    assert "988" in html  # the crisis lines to give her
    assert AuditEvent.objects.filter(
        action=Action.VIEW, model="screening.callbackrequest", object_id=str(urgent_call.pk)
    ).exists()


def test_recording_the_call_links_her_record_and_her_screen(client, staff, urgent_call, clinic_day):
    user = sign_in_as(client, "nurse")
    patient = clinic_day.book(phone=urgent_call.phone).patient

    page = client.get(f"/staff/callbacks/{urgent_call.public_id}/").content.decode()
    assert "same phone" in page  # her record is offered without searching

    response = client.post(
        f"/staff/callbacks/{urgent_call.public_id}/",
        {
            "status": "done",
            "note": "Spoke with her; safe, seeing us tomorrow.",
            "patient": patient.pk,
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/staff/queue/"
    urgent_call.refresh_from_db()
    assert urgent_call.status == CallbackRequest.Status.DONE
    assert urgent_call.handled_by == user
    assert urgent_call.patient == patient
    assert urgent_call.staff_note.endswith("Spoke with her; safe, seeing us tomorrow.")
    urgent_call.screening.refresh_from_db()
    assert urgent_call.screening.patient == patient
    update = AuditEvent.objects.get(
        action=Action.UPDATE, model="screening.callbackrequest", object_id=str(urgent_call.pk)
    )
    assert update.patient_id == patient.pk
    assert "staff_note" in update.detail["fields"]
    assert "Spoke with her" not in str(update.detail)


def test_a_second_note_is_added_not_written_over(client, staff, urgent_call):
    sign_in_as(client, "clinician")
    url = f"/staff/callbacks/{urgent_call.public_id}/"

    client.post(url, {"status": "calling", "note": "No answer, voicemail left.", "patient": ""})
    client.post(url, {"status": "done", "note": "Reached her at 10.", "patient": ""})

    urgent_call.refresh_from_db()
    assert "No answer, voicemail left." in urgent_call.staff_note
    assert "Reached her at 10." in urgent_call.staff_note
    assert urgent_call.status == CallbackRequest.Status.DONE


def test_marking_it_done_needs_a_note_and_keeps_what_was_chosen(client, staff, urgent_call):
    sign_in_as(client, "clinician")

    response = client.post(
        f"/staff/callbacks/{urgent_call.public_id}/",
        {"status": "done", "note": "  ", "patient": ""},
    )

    assert response.status_code == 200
    assert "Write a short note of the call" in response.content.decode()
    assert 'value="done" id="id_status_0" required checked' in response.content.decode()
    urgent_call.refresh_from_db()
    assert urgent_call.status == CallbackRequest.Status.NEW


def test_searching_for_her_record_from_the_call_back(client, staff, urgent_call, clinic_day):
    clinic_day.book(name="Dora Lopez", email="dora@example.org", phone="+16175550177")
    sign_in_as(client, "clinician")

    html = client.get(f"/staff/callbacks/{urgent_call.public_id}/?q=dora").content.decode()

    assert "Dora Lopez" in html
    search = AuditEvent.objects.get(action=Action.SEARCH)
    assert search.detail == {"results": 1}


def test_front_desk_and_outsiders_cannot_open_a_call_back(client, staff, urgent_call):
    sign_in_as(client, "front_desk")
    assert client.get(f"/staff/callbacks/{urgent_call.public_id}/").status_code == 404

    sign_in_as(client, "clinician")
    assert client.get("/staff/callbacks/999999/").status_code == 404
