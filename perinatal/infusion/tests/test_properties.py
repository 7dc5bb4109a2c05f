"""Properties of the day's safety rules, for any numbers: the dose never passes the protocol's
bounds, a vial's ledger is closed only when it balances, discharge is refused whenever an item is
missing or the observation is short, and the second checker is never the first."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perinatal.infusion import services
from perinatal.infusion.dose import DoseRefused, work_out
from perinatal.infusion.models import DaySettings, InfusionEvent
from perinatal.infusion.tests.helpers import CALM, booked_infusion, checked_in, ready_to_start


def decimals(low, high, places):
    return st.decimals(min_value=low, max_value=high, places=places, allow_nan=False)


@given(
    weight=decimals("1", "400", 1),
    mg_per_kg=decimals("0.01", "2.00", 2),
    max_mg_per_kg=decimals("0.01", "2.00", 2),
    max_mg=decimals("1", "300", 1),
    concentration=decimals("0.1", "100", 1),
    minutes=st.integers(min_value=1, max_value=240),
)
def test_the_dose_never_passes_the_protocols_bounds(
    weight, mg_per_kg, max_mg_per_kg, max_mg, concentration, minutes
):
    try:
        dose = work_out(
            weight_kg=weight,
            mg_per_kg=mg_per_kg,
            max_mg_per_kg=max_mg_per_kg,
            max_mg=max_mg,
            concentration_mg_per_ml=concentration,
            minutes=minutes,
        )
    except DoseRefused:
        assert (
            not Decimal(30) <= weight <= Decimal(250)
            or mg_per_kg > max_mg_per_kg
            or weight * mg_per_kg < Decimal("0.1")
        )
        return
    assert Decimal(30) <= weight <= Decimal(250) and mg_per_kg <= max_mg_per_kg
    assert 0 < dose.mg <= weight * max_mg_per_kg
    assert dose.mg <= max_mg
    assert dose.mg <= weight * mg_per_kg  # never more than the plan asks
    assert dose.volume_ml * concentration <= dose.mg  # the syringe never holds more
    assert dose.mg - dose.volume_ml * concentration < concentration * Decimal("0.01")


@pytest.fixture
def started(day_clinic, clinician, nurse, second_nurse):
    appointment = booked_infusion(clinician)
    with time_machine.travel(appointment.starts_at, tick=False) as traveller:
        session = services.start(ready_to_start(appointment, nurse, second_nurse), by=nurse)
        yield session, traveller


SLOW = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.mark.django_db
@SLOW
@given(given_mg=decimals("0", "200", 1), wasted_mg=decimals("0", "200", 1))
def test_a_vial_closes_only_when_its_ledger_balances(started, clinician, given_mg, wasted_mg):
    session, _ = started
    vial = session.vials.get()
    vial.refresh_from_db()
    if vial.closed_at:  # an earlier example closed it: open another
        vial = services.open_vial(
            session,
            by=vial.recorded_by,
            concentration_mg_per_ml=vial.concentration_mg_per_ml,
            lot=vial.lot,
            expiry=vial.expiry,
            drawn_mg=vial.drawn_mg,
        )
    try:
        closed = services.close_vial(
            vial, given_mg=given_mg, wasted_mg=wasted_mg, witness=clinician
        )
    except services.Refused:
        assert given_mg + wasted_mg != vial.drawn_mg
    else:
        assert closed.drawn_mg == closed.given_mg + closed.wasted_mg
        assert closed.wasted_mg == 0 or closed.waste_witness_id != closed.recorded_by_id


@pytest.mark.django_db
@SLOW
@given(
    minutes=st.integers(min_value=0, max_value=300),
    leave_out=st.sets(st.integers(min_value=0, max_value=4)),
    escort=st.sampled_from(["", "  ", "Ben Example"]),
)
def test_discharge_is_refused_while_anything_is_missing(
    started, clinician, nurse, minutes, leave_out, escort
):
    session, traveller = started
    session.refresh_from_db()
    if session.discharged_at:
        return  # an earlier example discharged her; the record is locked
    if session.stopped_at is None:
        session = services.change(session, by=nurse, kind=InfusionEvent.Kind.STOP)
        vial = session.vials.get()
        services.close_vial(vial, given_mg=vial.drawn_mg, wasted_mg=Decimal(0), witness=None)
    checklist = DaySettings.objects.current().checklist()
    ticked = [item for n, item in enumerate(checklist) if n not in leave_out]
    traveller.move_to(session.stopped_at + timedelta(minutes=minutes))
    services.observe(session, by=nurse, **CALM)
    complete = minutes >= 120 and len(ticked) == len(checklist) and bool(escort.strip())
    try:
        services.discharge(session, by=clinician, ticked=ticked, escort=escort)
    except services.Refused as refusal:
        assert not complete, refusal.reasons
    else:
        assert complete


@pytest.fixture
def prepared(day_clinic, clinician, nurse):
    appointment = booked_infusion(clinician)
    with time_machine.travel(appointment.starts_at, tick=False):
        yield checked_in(appointment, nurse)


@pytest.mark.django_db
@SLOW
@given(who=st.sampled_from(["nurse", "second_nurse", "clinician"]), preparer=st.booleans())
def test_the_second_checker_is_never_the_first(
    prepared, nurse, second_nurse, clinician, who, preparer
):
    people = {"nurse": nurse, "second_nurse": second_nurse, "clinician": clinician}
    first = nurse if preparer else second_nurse
    session = services.prepare(prepared, by=first, weight_kg=Decimal("64.2"), concentration=10)
    checker = people[who]
    try:
        done = services.verify(
            session, by=checker, dose_mg=session.dose_mg, volume_ml=session.volume_ml
        )
    except services.Refused:
        assert checker == first
    else:
        assert checker != first
        assert done.verified_by_id != done.prepared_by_id
