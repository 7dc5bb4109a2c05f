"""What a signed note says of her becomes her record's, with its source, and the plan starts
from it."""

from decimal import Decimal

import pytest
from django.utils import timezone

from perinatal.audit.models import Action, AuditEvent
from perinatal.consult.models import ConsultationNote
from perinatal.consult.tests.helpers import note_data
from perinatal.patients.models import Patient
from tests.harness import sign_in

pytestmark = pytest.mark.django_db


def test_signed_facts_flow_into_her_record_with_their_source(client, clinic, staff):
    patient = Patient.objects.create(name="Ana Example", stage="pregnant", email="a@example.org")
    clinician = staff("clinician")
    sign_in(client, clinician)
    client.post(
        f"/staff/patients/{patient.public_id}/consultations/new/",
        note_data(delivery="cs_done", breastfeeding="no", weight_kg="68.0"),
    )
    note = ConsultationNote.objects.get()
    patient.refresh_from_db()
    assert patient.weight_kg is None  # a draft says nothing yet

    client.post(f"/staff/consultations/{note.public_id}/sign/")

    patient.refresh_from_db()
    assert (patient.stage, str(patient.delivery_date), patient.delivery) == (
        "postpartum",
        "2026-10-01",
        "cs_done",
    )
    assert (patient.breastfeeding, patient.weight_kg) == ("no", Decimal("68.0"))
    today = timezone.localdate().strftime("%-d %b %Y")
    assert patient.sources["weight_kg"] == f"from the consultation of {today}"
    assert AuditEvent.objects.filter(
        action=Action.UPDATE, model="patients.patient", patient_id=patient.pk
    ).exists()

    chart = client.get(f"/staff/patients/{patient.public_id}/").content.decode()
    assert f'68.0 kg <span class="small">(from the consultation of {today})</span>' in chart
    assert "Caesarean" in chart and "not recorded" not in chart.split("Weight")[1][:80]

    plan_form = client.get(f"/staff/patients/{patient.public_id}/plans/new/")
    assert plan_form.context["form"].initial.get("weight_kg") == Decimal("68.0") or (
        plan_form.context["form"].instance.weight_kg == Decimal("68.0")
    )
