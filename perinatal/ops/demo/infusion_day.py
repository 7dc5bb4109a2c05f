"""Demo infusion day: two more fictional mothers whose infusions are today, in two chairs at
different stages (one checked in and waiting for her dose to be checked, one infusing with her
first observations taken), so the day board is live on a new demo clinic.

Made by the infusion day's services, as staff would: the nurse checks them in and works out the
dose, the clinician checks it, the nurse records the vial and starts. Their day is the day the
demo is first loaded; loading again adds nothing.
"""

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from perinatal.booking.models import Appointment, Clinician
from perinatal.infusion import services as day
from perinatal.pathway import services as pathway
from perinatal.patients.models import Patient
from perinatal.plans import services as plans
from perinatal.plans.models import InfusionChair, Protocol
from perinatal.screening.instruments import get_instrument

DAY_MOTHERS: list[dict] = [
    {
        "name": "Grace Okoye",
        "email": "grace.okoye@example.org",
        "phone": "+16175550157",
        "weeks": 9,
        "starts_in_minutes": 10,
        "stage": "checked in",
    },
    {
        "name": "Sofia Ramirez",
        "email": "sofia.ramirez@example.org",
        "phone": "+16175550158",
        "weeks": 11,
        "starts_in_minutes": -25,
        "stage": "infusing",
    },
]
CALM: dict[str, int] = {
    "systolic": 118,
    "diastolic": 74,
    "heart_rate": 72,
    "spo2": 98,
    "resp_rate": 14,
}


def load_demo_day(make_mother) -> int:
    """``make_mother(mother, clinician)`` brings a mother to a signed plan (the demo patients'
    own path); this books today's infusion and walks her day to her stage."""
    User = get_user_model()
    clinician, nurse = User.objects.get(username="clinician"), User.objects.get(username="nurse")
    added = 0
    for seat, mother in enumerate(DAY_MOTHERS):
        if Patient.objects.filter(email__iexact=mother["email"]).exists():
            continue
        patient = make_mother(mother, clinician)
        plan = patient.treatment_plans.signed().get()
        start = timezone.now() + timedelta(minutes=mother["starts_in_minutes"])
        appointment = book_at(plan, clinician, start, seat=seat)
        if appointment is not None:
            _walk(appointment, nurse, clinician, mother["stage"])
            added += 1
    return added


def book_at(plan, clinician, start, seat: int = 0) -> Appointment | None:
    """Her infusion at ``start`` (to the minute) in the ``seat``-th free chair, or None."""
    visit = Protocol.objects.default().visit_type
    start = start.replace(second=0, microsecond=0)
    for chair in InfusionChair.objects.filter(is_active=True).order_by("location__name", "name")[
        seat:
    ]:
        for free in Clinician.objects.filter(locations=chair.location, is_active=True):
            try:
                return pathway.book_infusion(
                    plan,
                    visit_type=visit,
                    location=chair.location,
                    start=start,
                    clinician=free,
                    chair=chair,
                    user=clinician,
                )
            except (plans.InfusionClash, plans.NotBookable):  # taken then: try the next
                continue
    return None


def check_in(appointment: Appointment, nurse):
    """She arrives as her plan said: escort, childcare, fasting, breastfeeding plan read back."""
    plan = appointment.plan
    assert plan is not None  # booked from her plan
    return day.check_in(
        appointment,
        by=nurse,
        baseline=day.Baseline(**CALM),
        identity_confirmed=True,
        escort_name=plan.escort_name,
        escort_phone=plan.escort_phone,
        childcare_by=plan.childcare_by,
        fasted=True,
        pregnancy="not_pregnant",
        breastfeeding_read_back=True,
    )


def _walk(appointment: Appointment, nurse, clinician, stage: str) -> None:
    session = check_in(appointment, nurse)
    epds = get_instrument("epds", "en")
    assert epds is not None
    calm = [next(n for n, o in enumerate(i.options) if o.score == 0) for i in epds.items]
    day.day_questionnaire(session, epds.score(calm))
    session = day.prepare(session, by=nurse, weight_kg=Decimal("67.5"), concentration=Decimal(10))
    if stage == "checked in":
        return
    assert session.dose_mg is not None and session.volume_ml is not None  # just prepared
    session = day.verify(
        session, by=clinician, dose_mg=session.dose_mg, volume_ml=session.volume_ml
    )
    day.open_vial(
        session,
        by=nurse,
        concentration_mg_per_ml=Decimal(10),
        lot="DEMO-K24",
        expiry=timezone.localdate() + timedelta(days=300),
        drawn_mg=Decimal(50),
    )
    session = day.start(session, by=nurse)
    day.observe(
        session,
        by=nurse,
        systolic=131,
        diastolic=80,
        heart_rate=78,
        spo2=97,
        resp_rate=14,
        sedation=4,
    )
