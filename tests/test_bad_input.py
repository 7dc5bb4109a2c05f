"""Bad input found by hand gets a clear answer, never a server error, and is not stored.

The sweep over every staff form is ``test_hostile_input``; these are the cases found by probing,
each pinned where it was found.
"""

import pytest

from perinatal.booking.models import Appointment
from perinatal.obcare.services import draft_letter
from perinatal.obcare.tests.helpers import an_ob, set_ob
from perinatal.screening.models import CallbackRequest
from tests.harness import make_patient, make_staff, sign_in

pytestmark = pytest.mark.django_db


def test_a_control_character_in_any_form_gets_a_page_that_says_so(client, clinic):
    response = client.post(
        "/call-back/",
        "first_name=Ana%1B&phone=617+555+0123",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert b"invisible control character" in response.content
    assert not CallbackRequest.objects.exists()


def test_a_control_character_in_a_query_string_gets_the_same_page(client, clinic):
    response = client.get("/book/free-video-consultation/", {"tz": "America/New_York\x00"})
    assert response.status_code == 400
    assert b"invisible control character" in response.content


def test_a_name_on_two_lines_is_refused_by_the_form(client, clinic):
    response = client.post("/call-back/", {"first_name": "Ana\r\nBob", "phone": "617 555 0123"})
    assert response.status_code == 200
    assert b"Please keep this on one line." in response.content
    assert not CallbackRequest.objects.exists()


@pytest.fixture
def clinician(client, clinic):
    user = make_staff("clinician", username="bad-input-clinician")
    sign_in(client, user)
    return user


@pytest.mark.parametrize("born", ["0001-01-01", "1899-12-31"])
def test_an_implausible_date_of_birth_is_refused(client, clinician, born):
    patient = make_patient()
    page = client.get(f"/staff/patients/{patient.public_id}/edit/")
    form = page.context["form"]
    data = {
        name: ("" if value is None else value)
        for name, value in ((f, form[f].value()) for f in form.fields)
    }
    data["date_of_birth"] = born
    response = client.post(f"/staff/patients/{patient.public_id}/edit/", data)
    assert response.status_code == 200
    assert "date_of_birth" in response.context["form"].errors
    patient.refresh_from_db()
    assert patient.date_of_birth is None or patient.date_of_birth.year >= 1900


def test_a_respond_by_date_years_away_is_refused(client, clinician):
    patient = make_patient()
    set_ob(patient, an_ob(name="Dr Lee", practice="Back Bay OB", email="lee@ob.example"))
    letter = draft_letter(patient=patient, author=clinician)
    response = client.post(
        f"/staff/ob-letters/{letter.public_id}/edit/",
        {"respond_by": "9999-12-31", "covering_note": "Thanks"},
    )
    assert response.status_code == 400
    assert "respond_by" in response.context["form"].errors
    letter.refresh_from_db()
    assert letter.respond_by.year < 9999


def test_moving_an_appointment_to_the_end_of_the_calendar_is_refused(client, clinician):
    from tests.test_staff_access import _appointment_for

    appointment = _appointment_for(make_patient())
    response = client.post(
        f"/staff/appointments/{appointment.public_id}/move/",
        {"date": "9999-12-31", "time": "10:00", "clinician": appointment.clinician_id},
    )
    assert response.status_code == 200
    assert "date" in response.context["move_form"].errors
    assert Appointment.objects.get(pk=appointment.pk).starts_at == appointment.starts_at


def test_an_out_of_range_patient_number_in_the_audit_filter_matches_nothing(client, clinic):
    sign_in(client, make_staff("director", username="bad-input-director"))
    response = client.get("/staff/audit/", {"patient": "99999999999999999999"})
    assert response.status_code == 200
    assert "patient" in response.context["form"].errors


def test_dates_at_the_ends_of_the_calendar_are_clamped_in_the_audit_filter(client, clinic):
    sign_in(client, make_staff("director", username="bad-input-director"))
    wide = {"since": "0001-01-01", "until": "9999-12-31"}
    page = client.get("/staff/audit/", wide)
    assert page.status_code == 200 and page.context["form"].is_valid()
    export = client.get("/staff/audit/export/", wide)
    assert export.status_code == 200
    assert b"".join(export.streaming_content).startswith(b"at,")


def test_a_nul_in_the_staff_api_search_finds_as_if_it_were_not_there(client, clinic):
    make_patient(name="Beatrix Canarytwo")
    sign_in(client, make_staff("clinician", username="api-searcher"))
    response = client.get("/api/v1/staff/patients", {"q": "Beatrix\x00 Canary"})
    assert response.status_code == 200
    assert [row["name"] for row in response.json()["results"]] == ["Beatrix Canarytwo"]
