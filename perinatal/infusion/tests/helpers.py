"""An infusion booked through the pathway, and the day walked through the services."""

from datetime import timedelta
from decimal import Decimal

from perinatal.infusion import services
from perinatal.pathway import services as pathway
from perinatal.plans.tests.helpers import (
    a_patient,
    boston,
    chairs,
    clinicians,
    infusion_type,
    local_start,
    signed_plan,
)

CALM = {"systolic": 122, "diastolic": 78, "heart_rate": 76, "spo2": 98, "resp_rate": 14}


def booked_infusion(clinician, *, seat=0, days=9, patient=None, plan_fields=None):
    """A signed plan's infusion, booked ``days`` ahead on chair ``seat`` at the first location."""
    plan = signed_plan(patient or a_patient(), clinician, **(plan_fields or {}))
    return book(plan, clinician, seat=seat, days=days)


def book(plan, clinician, *, seat=0, days=9):
    location = boston()
    return pathway.book_infusion(
        plan,
        visit_type=infusion_type(),
        location=location,
        start=local_start(location, days=days, hour=9 + seat),
        clinician=clinicians(location)[seat % len(clinicians(location))],
        chair=chairs(location)[seat],
        user=clinician,
    )


def check_in_fields(appointment, **overrides):
    plan = appointment.plan
    return {
        "identity_confirmed": True,
        "escort_name": plan.escort_name,
        "escort_phone": plan.escort_phone,
        "childcare_by": "Her mother",
        "fasted": True,
        "pregnancy": "not_pregnant",
        "breastfeeding_read_back": True,
        **overrides,
    }


def checked_in(appointment, nurse, **overrides):
    return services.check_in(
        appointment,
        by=nurse,
        baseline=services.Baseline(**CALM),
        **check_in_fields(appointment, **overrides),
    )


def questionnaire(session, *, self_harm: int = 0):
    """Today's EPDS on the tablet: every item at the answer scoring 0, item 10 at ``self_harm``."""
    from perinatal.screening.instruments import get_instrument

    epds = get_instrument("epds", "en")
    assert epds is not None
    positions = [
        next(n for n, o in enumerate(item.options) if o.score == (self_harm if item.safety else 0))
        for item in epds.items
    ]
    return services.day_questionnaire(session, epds.score(positions))


def ready_to_start(appointment, nurse, checker, *, weight="70.0", concentration="10"):
    """Checked in, today's questionnaire filled in, dose worked out and checked by ``checker``,
    a vial drawn."""
    session = checked_in(appointment, nurse)
    questionnaire(session)
    session = services.prepare(
        session, by=nurse, weight_kg=Decimal(weight), concentration=Decimal(concentration)
    )
    session = services.verify(
        session, by=checker, dose_mg=session.dose_mg, volume_ml=session.volume_ml
    )
    services.open_vial(
        session,
        by=nurse,
        concentration_mg_per_ml=Decimal(concentration),
        lot="K2026A",
        expiry=appointment.starts_at.date() + timedelta(days=200),
        drawn_mg=session.dose_mg + Decimal("5"),
    )
    return session


def discharged(appointment, nurse, checker, clinician, traveller):
    """The whole day through the services, the clock moved on by ``traveller`` (time_machine)."""
    from perinatal.infusion.models import DaySettings, InfusionEvent

    session = services.start(ready_to_start(appointment, nurse, checker), by=nurse)
    traveller.shift(timedelta(minutes=40))
    session = services.change(session, by=nurse, kind=InfusionEvent.Kind.STOP)
    vial = session.vials.get()
    services.close_vial(vial, given_mg=session.dose_mg, wasted_mg=Decimal(5), witness=checker)
    traveller.shift(timedelta(minutes=125))
    services.observe(session, by=nurse, **CALM)
    return services.discharge(
        session,
        by=clinician,
        ticked=DaySettings.objects.current().checklist(),
        escort=appointment.plan.escort_name,
    )
