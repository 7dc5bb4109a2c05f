"""Demo outcomes: twelve fictional mothers whose infusions were given over the past months, so
the outcome dashboard shows real shapes on a new demo clinic.

Each is made by the real services with the clock set back to her day (``time_machine``, used
here and in tests only): her consultation, consents, OB letter and plan that morning, her
infusion and discharge, then each follow-up questionnaire on its day, answered or left to be
missed. Her answers are invented but plausible: most improve, some relapse, one does not
respond. Loading again adds nothing.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.utils import timezone

from perinatal.followup import services as follow_ups
from perinatal.followup.models import FollowUp
from perinatal.infusion import next_day
from perinatal.infusion import services as day
from perinatal.infusion.models import AdverseEvent, DaySettings, InfusionEvent, NextDayCheck
from perinatal.ops.demo.infusion_day import CALM, book_at, check_in
from perinatal.patients.models import Patient
from perinatal.screening.instruments import get_instrument

VITALS: dict[str, Any] = dict(CALM)

# Name, email, phone, weeks since the birth at the infusion, days ago of the infusion, her EPDS
# on the day, and her EPDS at each follow-up day (missing: she did not answer).
COHORT: list[tuple[str, str, str, int, int, int, dict[int, int]]] = [
    ("Amara Nwosu", "amara.nwosu@example.org", "+16175550160", 3, 200, 22,
     {1: 15, 7: 9, 14: 8, 30: 7, 42: 6, 90: 7, 180: 6}),
    ("Beatriz Santos", "beatriz.santos@example.org", "+16175550161", 6, 190, 19,
     {1: 14, 7: 10, 14: 9, 30: 9, 42: 8, 90: 12}),
    ("Chloe Martin", "chloe.martin@example.org", "+16175550162", 10, 185, 24,
     {1: 20, 7: 18, 14: 17, 30: 19, 42: 18, 90: 17, 180: 16}),
    ("Dana Whitfield", "dana.whitfield@example.org", "+16175550163", 14, 170, 17,
     {1: 10, 7: 7, 14: 6, 42: 5, 90: 6}),
    ("Esi Mensah", "esi.mensah@example.org", "+16175550164", 20, 160, 21,
     {1: 13, 7: 9, 30: 11, 42: 14, 90: 16}),
    ("Farah Haddad", "farah.haddad@example.org", "+16175550165", 5, 150, 18,
     {1: 12, 7: 8, 14: 7, 30: 6, 42: 7, 90: 6}),
    ("Greta Lindqvist", "greta.lindqvist@example.org", "+16175550166", 30, 140, 20,
     {7: 11, 14: 10, 30: 9, 42: 9}),
    ("Hana Sato", "hana.sato@example.org", "+16175550167", 8, 120, 23,
     {1: 16, 7: 10, 14: 9, 30: 8, 42: 7, 90: 8}),
    ("Imani Brooks", "imani.brooks@example.org", "+16175550168", 12, 100, 16,
     {1: 12, 7: 9, 14: 10, 30: 12, 42: 13}),
    ("Julia Novak", "julia.novak@example.org", "+16175550169", 4, 80, 25,
     {1: 18, 7: 12, 14: 11, 30: 10, 42: 9}),
    ("Kavya Rao", "kavya.rao@example.org", "+16175550170", 18, 60, 19,
     {1: 11, 7: 8, 14: 7, 30: 8, 42: 7}),
    ("Lucia Ferrari", "lucia.ferrari@example.org", "+16175550171", 7, 45, 20,
     {1: 13, 7: 9, 14: 8, 30: 7}),
]  # fmt: skip


def load_demo_cohort(make_mother) -> int:
    """``make_mother(mother, clinician)`` brings a mother to a signed plan (the demo patients'
    own path); the rest happens here, each step at its own time. Returns how many were added."""
    try:
        import time_machine  # the demo's history only; never imported by the running clinic
    except ImportError:  # installed without the development tools: no cohort, the rest loads
        return 0

    User = get_user_model()
    clinician, nurse = User.objects.get(username="clinician"), User.objects.get(username="nurse")
    zone = ZoneInfo(timezone.get_current_timezone_name())
    today = timezone.now()
    added = 0
    for name, email, phone, weeks, days_ago, baseline, answers in COHORT:
        if Patient.objects.filter(email__iexact=email).exists():
            continue
        given = _weekday(timezone.localdate() - timedelta(days=days_ago))
        morning = datetime.combine(given, time(8, 30), tzinfo=zone)
        with time_machine.travel(morning, tick=False) as clock:
            mother = {"name": name, "email": email, "phone": phone, "weeks": weeks}
            patient = make_mother(mother, clinician)
            plan = patient.treatment_plans.signed().get()
            appointment = book_at(plan, clinician, morning + timedelta(minutes=30))
            if appointment is None:
                continue
            clock.move_to(appointment.starts_at)
            session = _infusion(
                appointment, nurse, clinician, baseline, clock, nausea=added % 4 == 1
            )
            _next_day(session, clock, headache=added % 3 == 0, nausea=added % 4 == 1)
            for follow_up in FollowUp.objects.filter(
                session__appointment=appointment, anchor=FollowUp.Anchor.INFUSION
            ).order_by("opens_at"):
                if follow_up.opens_at + timedelta(hours=2) > today:
                    break  # not asked yet
                clock.move_to(follow_up.opens_at + timedelta(hours=2))
                follow_ups.sweep()
                if follow_up.day in answers:
                    follow_up.refresh_from_db()
                    follow_ups.answer(follow_up, _epds(answers[follow_up.day]))
        added += 1
    follow_ups.sweep()  # today: what closed unanswered is marked missed
    return added


def _weekday(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def _epds(total: int):
    """Her EPDS at ``total``, the self-harm item at zero."""
    instrument = get_instrument("epds", "en")
    assert instrument is not None
    positions, left = [], total
    for item in instrument.items:
        want = 0 if item.safety else min(left, 3)
        left -= want
        positions.append(next(n for n, o in enumerate(item.options) if o.score == want))
    return instrument.score(positions)


def _infusion(appointment, nurse, clinician, baseline: int, clock, *, nausea: bool):
    """Her day from check-in to discharge: today's questionnaire is her baseline."""
    plan = appointment.plan
    session = check_in(appointment, nurse)
    day.day_questionnaire(session, _epds(baseline))
    clock.shift(timedelta(minutes=15))
    session = day.prepare(session, by=nurse, weight_kg=Decimal("68.0"), concentration=Decimal(10))
    assert session.dose_mg is not None and session.volume_ml is not None
    session = day.verify(
        session, by=clinician, dose_mg=session.dose_mg, volume_ml=session.volume_ml
    )
    vial = day.open_vial(
        session,
        by=nurse,
        concentration_mg_per_ml=Decimal(10),
        lot="DEMO-K24",
        expiry=timezone.localdate() + timedelta(days=300),
        drawn_mg=Decimal(50),
    )
    session = day.start(session, by=nurse)
    clock.shift(timedelta(minutes=10))
    day.observe(session, by=nurse, **VITALS, sedation=4)
    if nausea:
        event = day.adverse_event(
            session, by=nurse, kind=AdverseEvent.Kind.NAUSEA, action="Ondansetron 4 mg IV."
        )
        clock.shift(timedelta(minutes=25))
        day.resolve(event)
        clock.shift(timedelta(minutes=5))
    else:
        clock.shift(timedelta(minutes=30))
    session = day.change(session, by=nurse, kind=InfusionEvent.Kind.STOP)
    day.close_vial(vial, given_mg=session.dose_mg, wasted_mg=Decimal(50) - session.dose_mg,
                   witness=clinician)  # fmt: skip
    clock.shift(timedelta(minutes=DaySettings.objects.current().recovery_minutes + 5))
    day.observe(session, by=nurse, **VITALS, sedation=5)
    return day.discharge(
        session,
        by=clinician,
        ticked=DaySettings.objects.current().checklist(),
        escort=plan.escort_name,
    )


def _next_day(session, clock, *, headache: bool, nausea: bool) -> None:
    """She answers the next day's check-in: how she feels, and what side effects she had."""
    check = session.next_day
    clock.move_to(check.send_at + timedelta(hours=1))
    effects: dict[str, str] = {}
    if headache:
        effects[NextDayCheck.SideEffect.HEADACHE.value] = NextDayCheck.Lasted.HOURS.value
    if nausea:
        effects[NextDayCheck.SideEffect.NAUSEA.value] = NextDayCheck.Lasted.EVENING.value
    item = next_day.self_harm_item(check.language)
    never = next(n for n, option in enumerate(item.options) if option.score == 0)
    next_day.answer(
        check,
        next_day.Answers(
            side_effects=effects, mood=NextDayCheck.Mood.BETTER, self_harm_position=never
        ),
    )
