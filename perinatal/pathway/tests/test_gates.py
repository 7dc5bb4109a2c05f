"""Every gate refusing, through the service and through the pages; the flag on a booked
infusion whose evidence changed; and the verdict plans and booking insist on."""

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from perinatal.booking import services as booking_services
from perinatal.booking.models import Appointment
from perinatal.consents.models import Kind, SignedConsent
from perinatal.consents.services import withdraw
from perinatal.consult.models import EligibilityAssessment
from perinatal.lib.gates import GateClosed, Step, Verdict
from perinatal.ops.demo.patients import sign_eligible_note
from perinatal.pathway import gates, services
from perinatal.pathway.models import GateSettings, Reconfirmation
from perinatal.pathway.sources import flagged, flagged_counts
from perinatal.pathway.tests.helpers import consent, make_ready, ob_answers
from perinatal.patients.models import Patient
from perinatal.plans import services as plans
from perinatal.plans.tests.helpers import (
    boston,
    chairs,
    clinicians,
    draft_plan,
    infusion_type,
    local_start,
    signed_plan,
    when_fields,
)
from tests.harness import sign_in


def refusals_of_signing(plan, clinician) -> list[str]:
    with pytest.raises(plans.SignRefused) as refused:
        services.sign_plan(plan, user=clinician)
    plan.refresh_from_db()
    assert not plan.is_signed
    return refused.value.reasons


def book(plan, clinician, *, days=9, seat=0):
    location = boston()
    return services.book_infusion(
        plan,
        visit_type=infusion_type(),
        location=location,
        start=local_start(location, days=days),
        clinician=clinicians(location)[seat],
        chair=chairs(location)[seat],
        user=clinician,
    )


def refusals_of_booking(plan, clinician, **when) -> list[str]:
    with pytest.raises(GateClosed) as refused:
        book(plan, clinician, **when)
    assert not Appointment.objects.filter(plan=plan).exists()
    return refused.value.reasons


def settings(**fields) -> GateSettings:
    current = GateSettings.objects.current()
    for name, value in fields.items():
        setattr(current, name, value)
    current.save()
    return current


# --- Signing a plan -------------------------------------------------------------------------


def test_a_plan_is_not_signed_without_an_eligible_signed_consultation(client, patient, clinician):
    consent(patient, clinician)
    plan = draft_plan(patient, clinician)

    assert "No consultation with an eligibility decision is signed." in refusals_of_signing(
        plan, clinician
    )
    # Through the page too: the reasons are shown, nothing is signed.
    sign_in(client, clinician)
    page = client.post(f"/staff/plans/{plan.public_id}/sign/", follow=True).content.decode()
    assert "No consultation with an eligibility decision is signed." in page
    plan.refresh_from_db()
    assert not plan.is_signed

    # A signed "not eligible" decision refuses as well.
    note = sign_eligible_note(patient, clinician)
    EligibilityAssessment.objects.filter(note=note).update(
        decision=EligibilityAssessment.Decision.NOT_ELIGIBLE
    )
    assert any("“not eligible”" in reason for reason in refusals_of_signing(plan, clinician))


def test_a_plan_is_not_signed_with_a_hard_stop_present(patient, clinician):
    make_ready(patient, clinician)
    plan = draft_plan(patient, clinician)
    assessment = EligibilityAssessment.objects.get(note__patient=patient)
    answers = assessment.answers
    stop = next(a for a in answers if a["kind"] == "hard_stop")
    stop["present"] = True
    # However it got there (a record from before a rule, a change behind the services' back),
    # a hard stop in the signed record stops the plan.
    EligibilityAssessment.objects.filter(pk=assessment.pk).update(answers=answers)

    reasons = refusals_of_signing(plan, clinician)

    assert any(reason.startswith("A hard stop is present") for reason in reasons)
    assert stop["text"] in " ".join(reasons)


def test_a_plan_is_not_signed_without_the_treatment_consent_in_force(patient, clinician):
    make_ready(patient, clinician)
    plan = draft_plan(patient, clinician)
    treatment = SignedConsent.objects.get(patient=patient, kind=Kind.TREATMENT)
    withdraw(signed=treatment, how="phone", by=clinician)

    assert "Her consent to off-label IV ketamine treatment is not in force." in (
        refusals_of_signing(plan, clinician)
    )

    consent(patient, clinician, Kind.TREATMENT)  # she signs it again
    assert services.sign_plan(plan, user=clinician).is_signed


def test_ob_clearance_is_required_when_the_clinic_says_so(patient, clinician):
    sign_eligible_note(patient, clinician)
    consent(patient, clinician)
    plan = draft_plan(patient, clinician)
    assert GateSettings.objects.current().ob_clearance_before_plan  # the shipped default

    assert "Her OB has not cleared the treatment since her consultation." in (
        refusals_of_signing(plan, clinician)
    )
    ob_answers(patient, clinician, response="concerns")
    assert any("concerns" in r for r in refusals_of_signing(plan, clinician))

    settings(ob_clearance_before_plan=False)
    assert services.sign_plan(plan, user=clinician).is_signed


def test_a_decision_needing_ob_clearance_needs_it_whatever_the_setting(patient, clinician):
    settings(ob_clearance_before_plan=False)
    note = sign_eligible_note(patient, clinician)
    EligibilityAssessment.objects.filter(note=note).update(
        decision=EligibilityAssessment.Decision.NEEDS_OB_CLEARANCE
    )
    consent(patient, clinician)
    plan = draft_plan(patient, clinician)

    assert "Her OB has not cleared the treatment since her consultation." in (
        refusals_of_signing(plan, clinician)
    )
    ob_answers(patient, clinician)
    assert services.sign_plan(plan, user=clinician).is_signed


def test_a_consultation_holds_for_the_clinics_window_only(patient, clinician):
    settings(consultation_valid_days=30)
    with time_machine.travel(timezone.now() - timedelta(days=31)):
        make_ready(patient, clinician)
    plan = draft_plan(patient, clinician)

    assert any("see her again" in reason for reason in refusals_of_signing(plan, clinician))


def test_plans_refuses_to_sign_without_the_pathways_verdict(patient, clinician):
    make_ready(patient, clinician)
    plan = draft_plan(patient, clinician)
    other = draft_plan(Patient.objects.create(name="Ana Other", stage="postpartum"), clinician)

    with pytest.raises(plans.SignRefused):
        plans.sign(plan, user=clinician, verdict=None)
    with pytest.raises(plans.SignRefused):  # a verdict for another patient's plan
        plans.sign(plan, user=clinician, verdict=gates.for_signing(other))
    with pytest.raises(plans.SignRefused):  # a verdict for another step
        plans.sign(plan, user=clinician, verdict=Verdict(Step.BOOK_INFUSION, patient.pk, plan.pk))
    plan.refresh_from_db()
    assert not plan.is_signed


# --- Booking the infusion ---------------------------------------------------------------------


def test_an_infusion_is_not_booked_while_she_is_pregnant_on_the_day(patient, clinician):
    plan = signed_plan(patient, clinician)
    patient.stage, patient.delivery_date = Patient.Stage.PREGNANT, None
    patient.due_date = timezone.localdate() + timedelta(days=20)
    patient.save()

    assert any(
        r.startswith("Her delivery is not recorded") for r in refusals_of_booking(plan, clinician)
    )
    # Recorded as after the infusion's day (a typing slip, or the plan booked too early).
    patient.delivery_date = timezone.localdate() + timedelta(days=12)
    patient.save()
    reasons = refusals_of_booking(plan, clinician, days=9)
    assert any("after" in r for r in reasons), reasons

    patient.stage, patient.delivery_date = Patient.Stage.POSTPARTUM, timezone.localdate()
    patient.save()
    assert book(plan, clinician).plan == plan


def test_an_infusion_needs_her_ob_told_and_the_plan_in_force(patient, clinician):
    settings(ob_clearance_before_plan=False)
    sign_eligible_note(patient, clinician)
    consent(patient, clinician)
    plan = signed_plan(patient, clinician)  # no letter was needed to sign

    assert "No care-plan letter has been sent to her OB since her consultation." in (
        refusals_of_booking(plan, clinician)
    )
    ob_answers(patient, clinician)
    newer = signed_plan(patient, clinician, weight_kg="70")
    with pytest.raises(plans.NotBookable, match="Only the signed plan in force"):
        book(plan, clinician)
    assert book(newer, clinician).plan == newer


def test_the_booking_page_lists_each_closed_gate_with_its_fix(client, patient, clinician):
    plan = signed_plan(patient, clinician)
    Patient.objects.filter(pk=patient.pk).update(delivery_date=None, stage="pregnant")
    sign_in(client, clinician)
    location = boston()

    response = client.post(
        f"/staff/plans/{plan.public_id}/book/",
        {
            **when_fields(location, local_start(location)),
            "clinician": clinicians(location)[0].pk,
            "chair": chairs(location)[0].pk,
        },
    )

    assert response.status_code == 409
    page = response.content.decode()
    assert "Her delivery is not recorded" in page
    assert f'href="/staff/patients/{patient.public_id}/edit/"' in page
    assert not Appointment.objects.filter(plan=plan).exists()


def test_plans_refuses_to_book_without_the_pathways_verdict(patient, clinician):
    plan = signed_plan(patient, clinician)
    location = boston()
    with pytest.raises(GateClosed):
        plans.book_infusion(
            plan,
            visit_type=infusion_type(),
            location=location,
            start=local_start(location),
            clinician=clinicians(location)[0],
            chair=chairs(location)[0],
            user=clinician,
            verdict=gates.for_signing(plan),
        )
    assert not Appointment.objects.exists()


# --- After booking ------------------------------------------------------------------------------


def test_a_withdrawn_consent_flags_the_booked_infusion_and_stops_it(client, patient, clinician):
    plan = signed_plan(patient, clinician)
    appointment = book(plan, clinician)
    assert flagged(25) == [] and flagged_counts()[0].count == 0

    treatment = SignedConsent.objects.get(patient=patient, kind=Kind.TREATMENT)
    withdraw(signed=treatment, how="phone", by=clinician)

    (item,) = flagged(25)
    assert (item.priority, item.kind, item.patient_public_id) == (
        0,
        "infusion_flagged",
        patient.public_id,
    )
    assert "Her consent to off-label IV ketamine treatment is not in force." in item.detail
    assert flagged_counts()[0].count == 1
    # The gates do not hold, so it cannot be re-confirmed; only cancelled.
    with pytest.raises(GateClosed):
        services.reconfirm(appointment, user=clinician, note="Spoke to her.")
    sign_in(client, clinician)
    page = client.get(f"/staff/appointments/{appointment.public_id}/").content.decode()
    assert "This infusion may not start" in page and "Re-confirm the infusion" not in page

    # She signs again: the gates hold, but the infusion stays flagged until a clinician looks.
    consent(patient, clinician, Kind.TREATMENT)
    (flag,) = gates.flagged_infusions()
    assert flag.gates_hold and any("withdrew" in r for r in flag.reasons)
    page = client.get(f"/staff/appointments/{appointment.public_id}/").content.decode()
    assert "Re-confirm the infusion" in page
    response = client.post(
        f"/staff/appointments/{appointment.public_id}/reconfirm/",
        {"note": "She signed again on the phone; still wants it."},
        follow=True,
    )
    assert "Infusion re-confirmed." in response.content.decode()
    assert Reconfirmation.objects.get().confirmed_by == clinician
    assert flagged(25) == []


def test_a_newer_decision_against_treatment_flags_the_infusion(patient, clinician):
    plan = signed_plan(patient, clinician)
    book(plan, clinician)
    note = sign_eligible_note(patient, clinician)
    EligibilityAssessment.objects.filter(note=note).update(
        decision=EligibilityAssessment.Decision.NOT_ELIGIBLE
    )

    (flag,) = gates.flagged_infusions()
    assert not flag.gates_hold
    assert any("not eligible" in reason for reason in flag.reasons)


@pytest.mark.parametrize("role", ["front_desk", "nurse"])
def test_only_a_clinician_who_writes_plans_re_confirms(client, patient, clinician, staff, role):
    plan = signed_plan(patient, clinician)
    appointment = book(plan, clinician)
    withdraw(
        signed=SignedConsent.objects.get(patient=patient, kind=Kind.TREATMENT),
        how="phone",
        by=clinician,
    )
    consent(patient, clinician, Kind.TREATMENT)
    with pytest.raises(GateClosed):
        services.reconfirm(appointment, user=staff(role), note="Checked.")
    sign_in(client, staff(role, username=f"{role}-2"))
    response = client.post(
        f"/staff/appointments/{appointment.public_id}/reconfirm/", {"note": "Checked."}
    )
    assert response.status_code == 404
    assert not Reconfirmation.objects.exists()


def test_a_second_infusion_for_her_at_the_same_time_is_refused(patient, clinician):
    plan = signed_plan(patient, clinician)
    book(plan, clinician)

    # Another chair, another clinician, the same hour: free for them, not for her.
    with pytest.raises(GateClosed) as refused:
        book(plan, clinician, seat=1)

    assert any(r.startswith("She has another infusion on") for r in refused.value.reasons)
    assert Appointment.objects.filter(patient=patient).count() == 1


def test_the_database_keeps_her_infusions_apart_however_written(patient, clinician):
    """Behind the gate, the database: no two of her booked infusions closer than the
    protocol's interval (booking migration 0008), even written straight to the table."""
    plan = signed_plan(patient, clinician)
    first = book(plan, clinician, days=9)
    gap = timedelta(days=plan.protocol.min_days_between_infusions)
    assert first.patient_clear_at == first.ends_at + gap

    def copy_at(start):
        twin = Appointment.objects.get(pk=first.pk)
        twin.pk = twin.idempotency_key = None
        twin.public_id = uuid.uuid4()
        twin.chair, twin.clinician = chairs(boston())[1], clinicians(boston())[1]
        twin.starts_at = start
        twin.ends_at = start + (first.ends_at - first.starts_at)
        twin.blocked_until = twin.ends_at
        twin.patient_clear_at = twin.ends_at + gap
        twin.save(force_insert=True)
        return twin

    for start in (first.starts_at, first.ends_at + gap - timedelta(hours=1)):
        with pytest.raises(IntegrityError), transaction.atomic():
            copy_at(start)
    # Before her first one, but running into it with its own interval: refused too.
    with pytest.raises(IntegrityError), transaction.atomic():
        copy_at(first.starts_at - gap)
    assert copy_at(first.ends_at + gap).pk  # once the interval has passed
    booking_services.cancel(first, actor="staff", user=clinician)
    assert copy_at(first.starts_at).pk  # a cancelled one holds nothing


def test_a_hard_stop_named_in_an_addendum_stops_the_plan_and_flags_the_infusion(
    client, patient, clinician
):
    plan = signed_plan(patient, clinician)
    appointment = book(plan, clinician)
    note = EligibilityAssessment.objects.get(note__patient=patient).note
    sign_in(client, clinician)

    client.post(
        f"/staff/consultations/{note.public_id}/addendum/",
        {"text": "She called: started theophylline.", "hard_stop": "Takes theophylline"},
    )

    (flag,) = gates.flagged_infusions()
    assert flag.appointment == appointment and not flag.gates_hold
    assert any("Takes theophylline (addendum of" in r for r in flag.reasons)
    with pytest.raises(GateClosed):
        services.reconfirm(appointment, user=clinician, note="Checked.")
    newer = draft_plan(patient, clinician, weight_kg="70")
    assert any("Takes theophylline" in r for r in refusals_of_signing(newer, clinician))


def test_a_deferred_decision_holds_the_plan_without_ending_the_episode(patient, clinician):
    from perinatal.pathway import episode

    consent(patient, clinician)
    note = sign_eligible_note(patient, clinician)
    EligibilityAssessment.objects.filter(note=note).update(
        decision=EligibilityAssessment.Decision.DEFERRED
    )
    plan = draft_plan(patient, clinician)

    assert any("“deferred”" in r for r in refusals_of_signing(plan, clinician))
    current = episode.episode_of(gates.evidence(patient))
    assert current.stopped_reason == ""
    assert next(s for s in current.steps if s.key == "consultation").state == "blocked"


def test_no_other_path_signs_a_plan_or_books_an_infusion():
    """The pages above are the only way in: the admin cannot add an appointment or touch a
    plan, and the staff API has no route that signs or books."""
    from django.contrib import admin
    from django.urls import get_resolver

    from perinatal.api import api as public_api
    from perinatal.plans.models import TreatmentPlan

    assert TreatmentPlan not in admin.site._registry
    assert not admin.site._registry[Appointment].has_add_permission(None)
    assert any("api" in str(p.pattern) for p in get_resolver().url_patterns)  # it is mounted
    paths = " ".join(public_api.get_openapi_schema()["paths"])
    assert "/patients/" in paths  # the staff API is in this schema
    assert "plan" not in paths and "infusion" not in paths
