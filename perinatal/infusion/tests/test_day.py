"""The infusion day through its services: each step refuses what its rule forbids."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, transaction

from perinatal.audit.models import AuditEvent
from perinatal.consents.models import Kind, SignedConsent
from perinatal.consents.services import withdraw
from perinatal.infusion import services
from perinatal.infusion.models import DaySettings, InfusionEvent, InfusionSession, VialUse
from perinatal.infusion.tests.helpers import CALM, booked_infusion, checked_in, ready_to_start
from perinatal.lib.records import Locked

pytestmark = pytest.mark.django_db


@pytest.fixture
def appointment(day_clinic, clinician):
    return booked_infusion(clinician)


@pytest.fixture
def on_the_day(appointment):
    with time_machine.travel(appointment.starts_at - timedelta(minutes=10), tick=False) as t:
        yield t


def test_check_in_needs_two_identifiers_an_escort_and_the_breastfeeding_plan(
    appointment, nurse, on_the_day
):
    with pytest.raises(services.Refused) as refused:
        checked_in(appointment, nurse, identity_confirmed=False, breastfeeding_read_back=False)
    assert len(refused.value.reasons) == 2
    assert not InfusionSession.objects.exists()


def test_no_check_in_on_another_day(appointment, nurse):
    with pytest.raises(services.Refused, match="not booked for today"):
        checked_in(appointment, nurse)


def test_a_pregnancy_today_stops_the_day(appointment, nurse, on_the_day):
    with pytest.raises(services.Refused, match="pregnant"):
        checked_in(appointment, nurse, pregnancy="pregnant")


def test_an_escort_other_than_the_plans_needs_a_note(appointment, nurse, on_the_day):
    with pytest.raises(services.Refused, match="escort"):
        checked_in(appointment, nurse, escort_name="Someone Else")
    session = checked_in(
        appointment, nurse, escort_name="Someone Else", check_in_notes="Her sister, named by her"
    )
    assert session.escort_name == "Someone Else"


def test_the_whole_day_from_check_in_to_a_locked_record(
    appointment, nurse, second_nurse, clinician, on_the_day
):
    session = ready_to_start(appointment, nurse, second_nurse)
    assert services.start_problems(session) == []
    session = services.start(session, by=nurse)
    on_the_day.shift(timedelta(minutes=10))
    services.observe(session, by=nurse, **CALM, sedation=4, dissociation=3)
    on_the_day.shift(timedelta(minutes=30))
    session = services.change(session, by=nurse, kind=InfusionEvent.Kind.STOP)
    vial = session.vials.get()
    services.close_vial(vial, given_mg=session.dose_mg, wasted_mg=Decimal("5"), witness=clinician)
    checklist = DaySettings.objects.current().checklist()

    with pytest.raises(services.Refused, match="less than 120 minutes"):
        services.discharge(session, by=clinician, ticked=checklist, escort="Ben Example")
    on_the_day.shift(timedelta(minutes=121))
    services.observe(session, by=nurse, **CALM, sedation=5, dissociation=0)
    session = services.discharge(session, by=clinician, ticked=checklist, escort="Ben Example")

    assert session.is_locked
    with pytest.raises(Locked):
        services.observe(session, by=nurse, **CALM)
    assert AuditEvent.objects.filter(model="infusion.infusionsession").exists()
    assert AuditEvent.objects.filter(model="infusion.observation").count() >= 3


def test_the_gates_are_asked_again_at_the_start(appointment, nurse, second_nurse, on_the_day):
    session = ready_to_start(appointment, nurse, second_nurse)
    signed = SignedConsent.objects.get(patient=appointment.patient, kind=Kind.TREATMENT)
    withdraw(signed=signed, how="phone", by=nurse)
    problems = services.start_problems(session)
    assert any("consent" in p.lower() for p in problems), problems
    with pytest.raises(services.Refused):
        services.start(session, by=nurse)
    assert InfusionSession.objects.get().started_at is None


def test_a_baseline_above_the_start_limit_waits_for_a_clinicians_decision(
    appointment, nurse, second_nurse, clinician, on_the_day
):
    session = ready_to_start(appointment, nurse, second_nurse)
    baseline = session.observations.get()
    baseline.systolic, baseline.diastolic = 150, 95
    baseline.save()
    with pytest.raises(services.Refused, match="start limit"):
        services.start(session, by=nurse)
    with pytest.raises(services.Refused):
        services.go_ahead(session, by=clinician, note="  ")
    services.go_ahead(session, by=clinician, note="Her usual; rechecked after rest")
    assert services.start(session, by=nurse).started_at is not None


def test_the_dose_is_checked_by_another_person(appointment, nurse, on_the_day):
    session = checked_in(appointment, nurse)
    session = services.prepare(session, by=nurse, weight_kg=Decimal("70"), concentration=10)
    with pytest.raises(services.Refused, match="someone else"):
        services.verify(session, by=nurse, dose_mg=session.dose_mg, volume_ml=session.volume_ml)
    # The database keeps the rule whatever code writes.
    with pytest.raises(IntegrityError), transaction.atomic():
        InfusionSession.objects.filter(pk=session.pk).update(verified_by=nurse)


def test_a_second_check_with_other_figures_is_refused(appointment, nurse, second_nurse, on_the_day):
    session = checked_in(appointment, nurse)
    session = services.prepare(session, by=nurse, weight_kg=Decimal("70"), concentration=10)
    with pytest.raises(services.Refused, match="do not match"):
        services.verify(session, by=second_nurse, dose_mg=Decimal("40"), volume_ml=Decimal("4"))
    assert InfusionSession.objects.get().verified_at is None


def test_a_new_weight_voids_the_check(appointment, nurse, second_nurse, on_the_day):
    session = ready_to_start(appointment, nurse, second_nurse)
    session = services.prepare(session, by=nurse, weight_kg=Decimal("71"), concentration=10)
    assert session.verified_at is None
    assert "second person" in " ".join(services.start_problems(session))


def test_a_reading_outside_the_limits_needs_an_action_before_the_next(
    appointment, nurse, second_nurse, on_the_day
):
    session = services.start(ready_to_start(appointment, nurse, second_nurse), by=nurse)
    on_the_day.shift(timedelta(minutes=5))
    high = services.observe(session, by=nurse, **{**CALM, "systolic": 190, "diastolic": 105})
    assert high.outside
    with pytest.raises(services.Refused, match="what was done"):
        services.observe(session, by=nurse, **CALM)
    services.act_on(high, by=nurse, action="paused", note="Paused 10 minutes; clinician told")
    assert services.observe(session, by=nurse, **CALM).outside == []


def test_an_observation_before_check_in_is_refused(appointment, nurse, on_the_day):
    session = checked_in(appointment, nurse)
    with pytest.raises(services.Refused, match="before she checked in"):
        services.observe(session, by=nurse, at=session.checked_in_at - timedelta(minutes=1), **CALM)


def test_the_vial_ledger_balances_and_waste_is_witnessed(
    appointment, nurse, second_nurse, on_the_day
):
    session = ready_to_start(appointment, nurse, second_nurse)
    vial = session.vials.get()
    with pytest.raises(services.Refused, match="add up"):
        services.close_vial(vial, given_mg=Decimal("1"), wasted_mg=Decimal("1"), witness=None)
    with pytest.raises(services.Refused, match="witnessed"):
        services.close_vial(vial, given_mg=vial.drawn_mg - 5, wasted_mg=Decimal("5"), witness=None)
    with pytest.raises(services.Refused, match="someone other"):
        services.close_vial(vial, given_mg=vial.drawn_mg - 5, wasted_mg=Decimal("5"), witness=nurse)
    services.close_vial(
        vial, given_mg=vial.drawn_mg - 5, wasted_mg=Decimal("5"), witness=second_nurse
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        VialUse.objects.filter(pk=vial.pk).update(wasted_mg=Decimal("6"))


def test_an_expired_vial_is_refused(appointment, nurse, on_the_day):
    session = checked_in(appointment, nurse)
    with pytest.raises(services.Refused, match="expiry"):
        services.open_vial(
            session,
            by=nurse,
            concentration_mg_per_ml=Decimal("10"),
            lot="OLD1",
            expiry=appointment.starts_at.date() - timedelta(days=1),
            drawn_mg=Decimal("40"),
        )


def test_no_start_before_her_questionnaire_and_a_self_harm_answer_waits_for_a_clinician(
    appointment, nurse, second_nurse, clinician, on_the_day
):
    from perinatal.infusion.tests.helpers import questionnaire

    session = ready_to_start(appointment, nurse, second_nurse)
    session.patient.screenings.all().delete()
    assert "questionnaire" in " ".join(services.start_problems(session))
    questionnaire(session, self_harm=1)
    with pytest.raises(services.Refused, match="self-harm"):
        services.start(session, by=nurse)
    services.go_ahead(session, by=clinician, note="Seen her: passive thoughts, safety plan made")
    assert services.start(session, by=nurse).started_at is not None
