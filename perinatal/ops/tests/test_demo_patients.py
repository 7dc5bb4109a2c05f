"""The demo opens on a back office with patients in it: one at each step of the pathway, made by
the same services staff use, fictional, and loaded once however often the demo is."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from perinatal.audit.models import Action, AuditEvent
from perinatal.booking.models import Appointment
from perinatal.clinic.models import Clinic
from perinatal.consents.models import ConsentRequest, SignedConsent
from perinatal.consult.models import ConsultationNote
from perinatal.infusion.board import today
from perinatal.infusion.models import InfusionSession
from perinatal.ops.demo.outcomes import COHORT
from perinatal.outcomes import report
from perinatal.outcomes.cohort import Window
from perinatal.patients.models import Patient
from perinatal.plans.models import TreatmentPlan
from perinatal.screening.models import CallbackRequest
from tests.harness import sign_in_as

pytestmark = pytest.mark.django_db
COHORT_EMAILS = [mother[1] for mother in COHORT]


def load_demo():
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 (closed with the run)


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Patient,
            CallbackRequest,
            Appointment,
            ConsultationNote,
            ConsentRequest,
            SignedConsent,
            TreatmentPlan,
        )
    }


def test_the_demo_has_a_patient_at_each_step_of_the_pathway():
    load_demo()
    now = timezone.now()

    callback = CallbackRequest.objects.get()
    assert callback.status == "new" and callback.patient_id is None

    booked = Appointment.objects.get(consultation_type__slug="free-video-consultation")
    assert booked.starts_at > now and booked.is_booked and booked.patient_id

    signed_notes = ConsultationNote.objects.filter(status=ConsultationNote.Status.SIGNED).exclude(
        patient__email__in=COHORT_EMAILS
    )
    assert signed_notes.count() == 5  # the note, consents and plan steps, and today's two
    only_a_note = signed_notes.exclude(patient__consent_requests__isnull=False).get().patient
    assert not TreatmentPlan.objects.filter(patient=only_a_note).exists()

    waiting = ConsentRequest.objects.filter(status=ConsentRequest.Status.SENT)
    assert waiting.values("patient").distinct().count() == 1
    assert {r.template.kind for r in waiting} == {"treatment", "ob_sharing", "telehealth"}

    plan = TreatmentPlan.objects.exclude(patient__infusion_sessions__isnull=False).get()
    assert plan.is_signed
    assert SignedConsent.objects.filter(patient=plan.patient).count() == 3
    assert plan.patient_id not in waiting.values_list("patient", flat=True)

    # Made the way real ones are: every record's creation is in the audit log.
    for patient in Patient.objects.all():
        assert AuditEvent.objects.filter(
            action=Action.CREATE, model="patients.patient", object_id=str(patient.pk)
        ).exists()
    assert AuditEvent.objects.filter(action=Action.SIGN, model="plans.treatmentplan").exists()


def test_the_demo_has_a_live_infusion_day():
    load_demo()
    board = today(timezone.now())
    stages = {row.stage for place in board for row in place["rows"] if row.appointment}
    assert stages == {"checked_in", "infusing"}
    infusing = InfusionSession.objects.get(started_at__isnull=False, discharged_at__isnull=True)
    assert infusing.verified_by_id != infusing.prepared_by_id
    assert infusing.observations.count() == 2


def test_the_demo_has_a_cohort_whose_follow_up_is_done():
    load_demo()
    yesterday = timezone.localdate() - timedelta(days=1)  # today's board is not a cohort
    found = report.build(Window(yesterday - timedelta(days=365), yesterday), "epds")
    assert found.overall.infusions == len(COHORT) == found.overall.with_baseline
    day_7 = next(day for day in found.overall.days if day.day == 7)
    assert 0 < day_7.response.count < day_7.response.of
    assert any(day.missed for day in found.overall.days)
    lasting = found.overall.durability[0]
    assert lasting.responders and 0 < lasting.still <= lasting.followed
    effects = {effect.name: effect for effect in found.effects}
    assert effects["Nausea or vomiting"].median_minutes == 25
    assert effects["Headache"].lasted == {"A few hours": effects["Headache"].sessions.count}


def test_the_demo_patients_are_plainly_fictional():
    load_demo()
    for patient in Patient.objects.all():
        assert patient.email.endswith("@example.org")
        assert patient.phone.startswith("+1") and patient.phone[5:8] == "555", patient.phone
    assert CallbackRequest.objects.get().phone[5:8] == "555"


def test_loading_the_demo_twice_does_not_duplicate_the_patients():
    load_demo()
    first = counts()
    assert first["Patient"] >= 4
    load_demo()
    assert counts() == first


def test_the_back_office_shows_them_at_once(client):
    load_demo()
    sign_in_as(client, "clinician", "another-clinician")
    queue = client.get("/staff/queue/").text
    assert "Call-back: Rosa" in queue
    found = client.get("/staff/patients/", {"q": "example.org"})
    assert found.status_code == 200


def test_a_real_clinic_is_never_given_demo_patients():
    Clinic.objects.create(name="Real Clinic", phone="+16175550100", email="desk@example.org")
    load_demo()
    assert counts()["Patient"] == 0 and counts()["CallbackRequest"] == 0
