"""Editing her details: validated like the booking form, nothing typed is lost on a mistake,
and the change is audited with the names of the fields changed."""

from datetime import date

import pytest

from perinatal.audit.models import Action, AuditEvent
from perinatal.patients.models import Patient
from tests.harness import sign_in_as


@pytest.fixture
def ana(db):
    return Patient.objects.create(
        name="Ana Example",
        email="ana@example.org",
        phone="+16175550123",
        stage="pregnant",
        due_date=date(2026, 8, 10),
    )


def form_data(patient, **changes):
    data = {
        "name": patient.name,
        "date_of_birth": "",
        "email": patient.email,
        "phone": patient.phone,
        "language": patient.language,
        "stage": patient.stage,
        "due_date": patient.due_date.isoformat() if patient.due_date else "",
        "delivery_date": "",
        "delivery": "",
        "gestation_weeks_at_birth": "",
        "nicu_stay": "unknown",
        "breastfeeding": "",
        "support_name": "",
        "support_relation": "",
        "support_phone": "",
        "loaded_at": patient.updated_at.isoformat(),
    }
    return {**data, **changes}


def test_after_the_birth_staff_record_it_and_the_change_is_audited(client, staff, ana, frozen):
    sign_in_as(client, "front_desk")

    response = client.post(
        f"/staff/patients/{ana.public_id}/edit/",
        form_data(
            ana,
            stage="postpartum",
            delivery_date="2026-05-20",
            delivery="cs_done",
            gestation_weeks_at_birth="37",
            nicu_stay="false",
            breastfeeding="yes",
            support_name="Luis Example",
            support_phone="(617) 555-0177",
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == f"/staff/patients/{ana.public_id}/"
    ana.refresh_from_db()
    assert (ana.stage, ana.delivery_date, ana.delivery) == (
        "postpartum",
        date(2026, 5, 20),
        "cs_done",
    )
    assert (ana.gestation_weeks_at_birth, ana.nicu_stay, ana.breastfeeding) == (37, False, "yes")
    assert ana.support_phone == "+16175550177"
    event = AuditEvent.objects.get(action=Action.UPDATE, model="patients.patient")
    assert event.patient_id == ana.pk
    assert set(event.detail["fields"]) >= {
        "stage",
        "delivery_date",
        "support_phone",
    }
    assert "name" not in event.detail["fields"]


def test_a_bad_phone_is_explained_and_nothing_typed_is_lost(client, staff, ana):
    sign_in_as(client, "front_desk")

    response = client.post(
        f"/staff/patients/{ana.public_id}/edit/",
        form_data(ana, name="Ana María Example", phone="555-01", support_name="Luis Example"),
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "That does not look like a phone number" in html
    assert 'value="Ana María Example"' in html
    assert 'value="555-01"' in html
    assert 'value="Luis Example"' in html
    ana.refresh_from_db()
    assert ana.name == "Ana Example"
    assert not AuditEvent.objects.filter(action=Action.UPDATE).exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"due_date": ""}, "Give her due date"),
        ({"delivery": "vaginal"}, "She is marked as pregnant"),
        ({"stage": "postpartum", "due_date": ""}, "Give the delivery date"),
        ({"date_of_birth": "2030-01-01"}, "A date of birth must be in the past"),
        ({"date_of_birth": "31/12/1990"}, "Give the date as year-month-day"),
        ({"email": "ana-at-example"}, "Enter a valid email address"),
    ],
)
def test_inconsistent_details_get_a_clear_message(client, staff, ana, frozen, changes, message):
    sign_in_as(client, "nurse")

    response = client.post(f"/staff/patients/{ana.public_id}/edit/", form_data(ana, **changes))

    assert response.status_code == 200
    assert message in response.content.decode()


def test_a_change_made_meanwhile_is_not_overwritten_silently(client, staff, ana):
    sign_in_as(client, "front_desk")
    stale = form_data(ana, support_name="Luis Example")
    ana.email = "ana.new@example.org"
    ana.save()

    response = client.post(f"/staff/patients/{ana.public_id}/edit/", stale)

    assert response.status_code == 200
    assert "Someone else changed this record" in response.content.decode()
    assert 'value="Luis Example"' in response.content.decode()
    ana.refresh_from_db()
    assert ana.support_name == ""

    again = client.post(f"/staff/patients/{ana.public_id}/edit/", response.context["form"].data)
    assert again.status_code == 302


def test_roles_without_editing_get_404(client, staff, ana):
    sign_in_as(client, "admin")

    assert client.get(f"/staff/patients/{ana.public_id}/edit/").status_code == 404
