"""What happens on the infusion day, one step at a time, each refusing what its rule forbids.

Every step locks the session row, so two devices at the same chair cannot both start, stop or
discharge. A refusal raises ``Refused`` with every reason at once; nothing is written then.
Once discharged the session is locked (``Locked``).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from perinatal.booking.models import Appointment
from perinatal.infusion import next_day, signals
from perinatal.infusion.dose import Dose, DoseRefused, work_out
from perinatal.infusion.models import (
    Addendum,
    AdverseEvent,
    DaySettings,
    InfusionEvent,
    InfusionSession,
    Observation,
    Phase,
    VialUse,
)
from perinatal.lib.records import Locked
from perinatal.pathway import gates
from perinatal.screening.services import save_screening


class Refused(Exception):
    def __init__(self, reasons: list[str] | str):
        self.reasons = [reasons] if isinstance(reasons, str) else list(reasons)
        super().__init__(" ".join(self.reasons))


def _locked(session: InfusionSession) -> InfusionSession:
    fresh = InfusionSession.objects.select_for_update().get(pk=session.pk)
    if fresh.is_locked:
        raise Locked("The session was signed at discharge; add an addendum instead.")
    return fresh


# --- Limits -------------------------------------------------------------------------------------


def outside_start_limits(obs: Observation, day: DaySettings) -> list[str]:
    reasons = []
    if obs.systolic > day.start_systolic_max or obs.diastolic > day.start_diastolic_max:
        reasons.append(
            f"Blood pressure {obs.systolic}/{obs.diastolic} is above the start limit of "
            f"{day.start_systolic_max}/{day.start_diastolic_max}."
        )
    return reasons + outside_action_limits(obs, day)


def outside_action_limits(obs: Observation, day: DaySettings) -> list[str]:
    """Each limit of the director's this reading passes, in words."""
    found = []
    if obs.systolic > day.act_systolic_above or obs.diastolic > day.act_diastolic_above:
        found.append(
            f"Blood pressure {obs.systolic}/{obs.diastolic} above "
            f"{day.act_systolic_above}/{day.act_diastolic_above}."
        )
    if obs.heart_rate > day.act_heart_rate_above:
        found.append(f"Heart rate {obs.heart_rate} above {day.act_heart_rate_above}.")
    if obs.heart_rate < day.act_heart_rate_below:
        found.append(f"Heart rate {obs.heart_rate} below {day.act_heart_rate_below}.")
    if obs.spo2 < day.act_spo2_below:
        found.append(f"SpO₂ {obs.spo2} % below {day.act_spo2_below} %.")
    if obs.resp_rate < day.act_resp_rate_below:
        found.append(f"Breathing {obs.resp_rate} a minute, below {day.act_resp_rate_below}.")
    if obs.sedation is not None and obs.sedation <= day.act_sedation_at_or_below:
        found.append(
            f"{day.sedation.name} {obs.sedation}, at or below {day.act_sedation_at_or_below}."
        )
    if obs.dissociation is not None and obs.dissociation > day.act_dissociation_above:
        found.append(
            f"{day.dissociation.name} {obs.dissociation}, above {day.act_dissociation_above}."
        )
    return found


def waiting_for_action(session: InfusionSession) -> Observation | None:
    """The last reading, if it passed a limit and nobody has yet said what was done."""
    last = session.observations.order_by("-at", "-pk").first()
    if last is not None and last.outside and not last.action_note.strip():
        return last
    return None


# --- Check-in ----------------------------------------------------------------------------------


@dataclass
class Baseline:
    systolic: int
    diastolic: int
    heart_rate: int
    spo2: int
    resp_rate: int


def check_in(appointment: Appointment, *, by, baseline: Baseline, **fields) -> InfusionSession:
    """Open the day's record: the checks of ``fields`` (see ``InfusionSession``), the baseline
    observation, and every gate of the pathway asked again."""
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if InfusionSession.objects.filter(appointment=appointment).exists():
            raise Refused("She is checked in already.")
        plan, patient_id = appointment.plan, appointment.patient_id
        if plan is None or patient_id is None or appointment.status != Appointment.Status.BOOKED:
            raise Refused("This is not a booked infusion.")
        reasons = []
        if not fields.get("identity_confirmed"):
            reasons.append("Confirm two identifiers: her full name and date of birth.")
        if not (fields.get("escort_name") or "").strip():
            reasons.append("Name the adult who takes her home.")
        if not fields.get("breastfeeding_read_back"):
            reasons.append("Read her breastfeeding plan back to her.")
        if fields.get("pregnancy") == InfusionSession.Pregnancy.PREGNANT:
            reasons.append("She may be pregnant: the infusion does not go ahead today.")
        if timezone.localdate(appointment.starts_at) != timezone.localdate():
            reasons.append("This infusion is not booked for today.")
        planned = plan.escort_name.strip()
        escort = (fields.get("escort_name") or "").strip()
        differs = escort and planned and escort.casefold() != planned.casefold()
        if differs and not (fields.get("check_in_notes") or "").strip():
            reasons.append(
                f"Her plan names {planned} as her escort: note who {escort} is before "
                "she is checked in."
            )
        if reasons:
            raise Refused(reasons)
        session = InfusionSession.objects.create(
            appointment=appointment,
            patient_id=patient_id,
            plan=plan,
            checked_in_by=by,
            **fields,
        )
        Observation.objects.create(
            session=session,
            phase=Phase.BASELINE,
            recorded_by=by,
            at=session.checked_in_at,
            **baseline.__dict__,
        )
    return session


def start_problems(session: InfusionSession, now: datetime | None = None) -> list[str]:
    """Why the infusion may not start now; empty when it may."""
    problems = []
    flag = gates.flag_of(gates.evidence(session.patient), session.appointment)
    if flag is not None:
        problems += list(flag.reasons)
        if flag.gates_hold:
            problems.append("A clinician must re-confirm this infusion first.")
    if not session.fasted:
        problems.append("She has not fasted as the protocol asks.")
    if session.verified_at is None:
        problems.append("The dose has not been checked by a second person.")
    if not session.vials.exists():
        problems.append("Record the vial the dose is drawn from.")
    baseline = session.observations.filter(phase=Phase.BASELINE).order_by("-at").first()
    if baseline is None:
        problems.append("Record her baseline observations.")
    elif session.go_ahead_at is None:
        problems += outside_start_limits(baseline, DaySettings.objects.current())
    if waiting_for_action(session):
        problems.append("Say what was done about the last reading outside the limits.")
    today = todays_screen(session)
    if today is None:
        problems.append("She has not filled in today's questionnaire on the tablet.")
    elif today.safety_alert and session.go_ahead_at is None:
        problems.append(
            "Her questionnaire today has a self-harm answer: a clinician sees her now and records "
            "a decision before the infusion."
        )
    return problems


def todays_screen(session: InfusionSession):
    """The questionnaire she filled in on the tablet since she checked in, newest first."""
    return (
        session.patient.screenings.filter(channel="clinic", created_at__gte=session.checked_in_at)
        .order_by("-created_at")
        .first()
    )


def day_questionnaire(session: InfusionSession, scored):
    """Store the questionnaire she filled in on the tablet as hers."""
    if session.is_locked:
        raise Locked("The session was signed at discharge.")
    return save_screening(scored=scored, risk_factors=[], channel="clinic", patient=session.patient)


def go_ahead(session: InfusionSession, *, by, note: str) -> InfusionSession:
    """A clinician's recorded decision to start although the baseline is outside the limits."""
    if not note.strip():
        raise Refused("Write why it is safe to go ahead.")
    with transaction.atomic():
        session = _locked(session)
        session.go_ahead_by, session.go_ahead_at, session.go_ahead_note = by, timezone.now(), note
        session.save(update_fields=["go_ahead_by", "go_ahead_at", "go_ahead_note"])
    return session


# --- The dose and its vials ---------------------------------------------------------------------


def dose_for(session: InfusionSession, weight_kg: Decimal, concentration: Decimal) -> Dose:
    plan, protocol = session.plan, session.plan.protocol
    try:
        return work_out(
            weight_kg=weight_kg,
            mg_per_kg=plan.dose_mg_per_kg,
            max_mg_per_kg=protocol.max_mg_per_kg,
            max_mg=protocol.max_mg,
            concentration_mg_per_ml=concentration,
            minutes=plan.infusion_minutes,
        )
    except DoseRefused as refusal:
        raise Refused(str(refusal)) from refusal


def prepare(
    session: InfusionSession, *, by, weight_kg: Decimal, concentration: Decimal
) -> InfusionSession:
    """Weigh her, work out the dose; any earlier check is void once the numbers change."""
    dose = dose_for(session, weight_kg, concentration)
    with transaction.atomic():
        session = _locked(session)
        if session.started_at:
            raise Refused("The infusion has started: the dose can no longer change.")
        session.weight_kg = dose.weight_kg
        session.dose_mg_per_kg = dose.mg_per_kg
        session.dose_mg = dose.mg
        session.concentration_mg_per_ml = dose.concentration_mg_per_ml
        session.volume_ml = dose.volume_ml
        session.infusion_minutes = dose.minutes
        session.rate_ml_per_hour = dose.rate_ml_per_hour
        session.prepared_by, session.prepared_at = by, timezone.now()
        session.verified_by = session.verified_at = None
        session.save()
    return session


def verify(session: InfusionSession, *, by, dose_mg: Decimal, volume_ml: Decimal):
    """The second person checks the dose independently: they work it out themselves and type
    what they found; it must match what was prepared."""
    with transaction.atomic():
        session = _locked(session)
        if session.prepared_at is None:
            raise Refused("Nothing has been prepared to check.")
        if by.pk == session.prepared_by_id:
            raise Refused("The second check must be made by someone else, as themselves.")
        if Decimal(dose_mg) != session.dose_mg or Decimal(volume_ml) != session.volume_ml:
            raise Refused(
                "Your figures do not match what was prepared: work the dose out again together "
                "before anything is drawn."
            )
        session.verified_by, session.verified_at = by, timezone.now()
        session.save(update_fields=["verified_by", "verified_at"])
    return session


def open_vial(session: InfusionSession, *, by, **fields) -> VialUse:
    with transaction.atomic():
        session = _locked(session)
        if fields["expiry"] < timezone.localdate():
            raise Refused("That vial is past its expiry date: do not use it.")
        return VialUse.objects.create(session=session, recorded_by=by, **fields)


def close_vial(vial: VialUse, *, given_mg: Decimal, wasted_mg: Decimal, witness) -> VialUse:
    """What of the vial went to her and what was wasted; waste is witnessed by another person.
    The ledger must balance: drawn = given + wasted."""
    with transaction.atomic():
        vial = VialUse.objects.select_for_update().get(pk=vial.pk)
        if vial.closed_at:
            raise Refused("This vial's record is closed already.")
        if given_mg < 0 or wasted_mg < 0:
            raise Refused("Amounts cannot be negative.")
        if given_mg + wasted_mg != vial.drawn_mg:
            raise Refused(
                f"Given ({given_mg} mg) and wasted ({wasted_mg} mg) must add up to the "
                f"{vial.drawn_mg} mg drawn."
            )
        if wasted_mg > 0 and witness is None:
            raise Refused("Waste must be witnessed by a second person.")
        if witness is not None and witness.pk == vial.recorded_by_id:
            raise Refused("The witness must be someone other than who drew the dose.")
        vial.given_mg, vial.wasted_mg = given_mg, wasted_mg
        vial.waste_witness = witness if wasted_mg > 0 else None
        vial.closed_at = timezone.now()
        vial.save()
    return vial


# --- The infusion ------------------------------------------------------------------------------


def start(session: InfusionSession, *, by, now: datetime | None = None) -> InfusionSession:
    now = now or timezone.now()
    with transaction.atomic():
        session = _locked(session)
        if session.started_at:
            raise Refused("The infusion has started already.")
        problems = start_problems(session, now)
        if problems:
            raise Refused(problems)
        session.started_at = now
        session.save(update_fields=["started_at"])
        InfusionEvent.objects.create(
            session=session,
            kind=InfusionEvent.Kind.START,
            at=now,
            by=by,
            rate_ml_per_hour=session.rate_ml_per_hour,
        )
    return session


def change(session: InfusionSession, *, by, kind: str, rate=None, note: str = ""):
    """Pause, resume, change the rate or stop."""
    now = timezone.now()
    with transaction.atomic():
        session = _locked(session)
        if not session.started_at or session.stopped_at:
            raise Refused("The infusion is not running.")
        if kind == InfusionEvent.Kind.RATE and (rate is None or rate <= 0):
            raise Refused("Give the new rate in mL per hour.")
        if kind == InfusionEvent.Kind.RATE and rate > (session.rate_ml_per_hour or 0):
            raise Refused("The rate may only go down from the checked rate.")
        InfusionEvent.objects.create(
            session=session, kind=kind, at=now, by=by, rate_ml_per_hour=rate, note=note
        )
        if kind == InfusionEvent.Kind.STOP:
            session.stopped_at = now
            session.save(update_fields=["stopped_at"])
    return session


def observe(
    session: InfusionSession, *, by, at: datetime | None = None, **values: Any
) -> Observation:
    """One set of observations. A reading past the director's limits needs an action note
    (``action`` and ``action_note``) before the next one is taken."""
    at = at or timezone.now()
    with transaction.atomic():
        session = _locked(session)
        if at < session.checked_in_at:
            raise Refused("That time is before she checked in.")
        if at > timezone.now() + timedelta(minutes=1):
            raise Refused("That time is in the future.")
        if waiting_for_action(session):
            raise Refused("Say what was done about the last reading outside the limits first.")
        phase = (
            Phase.RECOVERY
            if session.stopped_at
            else Phase.DURING
            if session.started_at
            else Phase.BASELINE
        )
        day = DaySettings.objects.current()
        obs = Observation(session=session, at=at, phase=phase, recorded_by=by, **values)
        for score, scale in ((obs.sedation, day.sedation), (obs.dissociation, day.dissociation)):
            if score is not None and not scale.contains(score):
                raise Refused(f"{scale.name} runs {scale.low} to {scale.high}.")
        if obs.sedation is not None:
            obs.sedation_scale = day.sedation_scale
        if obs.dissociation is not None:
            obs.dissociation_scale = day.dissociation_scale
        obs.outside = outside_action_limits(obs, day)
        obs.save()
    return obs


def act_on(observation: Observation, *, by, action: str, note: str) -> Observation:
    if not note.strip():
        raise Refused("Write what was done.")
    with transaction.atomic():
        _locked(observation.session)
        observation.action, observation.action_note = action, note
        observation.save(update_fields=["action", "action_note"])
    return observation


def adverse_event(session: InfusionSession, *, by, **fields) -> AdverseEvent:
    with transaction.atomic():
        session = _locked(session)
        return AdverseEvent.objects.create(session=session, recorded_by=by, **fields)


def resolve(event: AdverseEvent, *, at: datetime | None = None) -> AdverseEvent:
    with transaction.atomic():
        _locked(event.session)
        event.resolved_at = at or timezone.now()
        event.save(update_fields=["resolved_at"])
    return event


# --- Observation schedule and discharge --------------------------------------------------------


def next_observation_due(session: InfusionSession, now: datetime | None = None):
    """When the next set of observations is due, or None once she has left."""
    if session.discharged_at:
        return None
    day = DaySettings.objects.current()
    last = session.observations.order_by("-at").values_list("at", flat=True).first()
    every = day.after_every_minutes if session.stopped_at else day.during_every_minutes
    anchor = max(filter(None, [last, session.started_at, session.stopped_at]), default=None)
    return (anchor or session.checked_in_at) + timedelta(minutes=every)


def discharge_problems(
    session: InfusionSession, *, ticked: list[str], escort: str, now: datetime | None = None
) -> list[str]:
    now = now or timezone.now()
    day = DaySettings.objects.current()
    problems = []
    if session.stopped_at is None:
        return ["The infusion has not been stopped."]
    ready_at = session.stopped_at + timedelta(minutes=day.recovery_minutes)
    if now < ready_at:
        minutes = int((ready_at - now).total_seconds() // 60) + 1
        problems.append(
            f"She has been observed for less than {day.recovery_minutes} minutes since the "
            f"infusion stopped: {minutes} more."
        )
    missing = [item for item in day.checklist() if item not in ticked]
    problems += [f"Not ticked: {item}." for item in missing]
    last = session.observations.order_by("-at", "-pk").first()
    if last is None or last.at < session.stopped_at:
        problems.append("Take a set of observations after the infusion.")
    elif last.outside:
        problems.append("Her last observations are outside the limits.")
    if waiting_for_action(session):
        problems.append("Say what was done about the last reading outside the limits.")
    if not escort.strip():
        problems.append("Name the adult she leaves with.")
    open_events = session.adverse_events.filter(resolved_at__isnull=True)
    problems += [f"Unresolved: {e.get_kind_display()}." for e in open_events]
    open_vials = session.vials.filter(closed_at__isnull=True)
    if open_vials.exists():
        problems.append("Close every vial's record: what was given and what was wasted.")
    return problems


def discharge(session: InfusionSession, *, by, ticked: list[str], escort: str, notes: str = ""):
    """The clinician signs her discharge; from then the session is locked."""
    now = timezone.now()
    with transaction.atomic():
        session = _locked(session)
        problems = discharge_problems(session, ticked=ticked, escort=escort, now=now)
        if problems:
            raise Refused(problems)
        session.checklist_ticked = list(ticked)
        session.escort_at_discharge = escort
        session.discharge_notes = notes
        session.discharged_at, session.discharged_by = now, by
        session.save()
        next_day.schedule(session)
        signals.discharged.send(sender=InfusionSession, session=session)
    return session


def add_addendum(session: InfusionSession, *, by, text: str) -> Addendum:
    """Add to a signed record; before discharge the record itself is still open to entries."""
    text = text.strip()
    if not text:
        raise Refused("Write the addendum.")
    with transaction.atomic():
        session = InfusionSession.objects.select_for_update().get(pk=session.pk)
        if not session.is_locked:
            raise Refused("The record is still open: enter this in the day's steps instead.")
        return Addendum.objects.create(session=session, author=by, text=text)
