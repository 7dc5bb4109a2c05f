"""The infusion day told to her OB: a summary of the signed session record, drafted after
discharge and sent through the OB letter loop (her consent to share, a private link, the
OB marks it read). It asks the OB for nothing; the care-plan letter did that before."""

from datetime import timedelta

from django.utils import timezone
from django.utils.formats import date_format

from perinatal.infusion.models import InfusionSession
from perinatal.obcare import services as letters
from perinatal.obcare.models import CarePlanLetter, ob_of


class NotReady(Exception):
    """Why a summary cannot be drafted, in words staff can act on."""


def _time(value) -> str:
    return date_format(timezone.localtime(value), "F j, Y, g:i a")


def _range(values: list[int], unit: str) -> str:
    return f"{min(values)} to {max(values)}{unit}" if values else "not recorded"


def sections(session: InfusionSession) -> list[tuple[str, str]]:
    """What happened, as (heading, text): the dose, the readings, what went wrong and what was
    done, discharge, breastfeeding, and what comes next. Three queries."""
    started, stopped, signer = session.started_at, session.stopped_at, session.discharged_by
    if started is None or stopped is None or signer is None:
        raise NotReady("The summary can be written once her discharge is signed.")
    plan = session.plan
    observations = list(session.observations.all())
    adverse = list(session.adverse_events.all())
    minutes = round((stopped - started).total_seconds() / 60)
    day = [
        f"Date: {date_format(timezone.localdate(started), 'F j, Y')}",
        f"Protocol: {plan.protocol}",
        f"Weight on the day: {session.weight_kg} kg",
        f"Dose: {session.dose_mg} mg ({session.dose_mg_per_kg} mg/kg), checked by two staff",
        f"Infusion: started {_time(started)}, stopped after {minutes} minutes",
    ]
    readings = [
        "Blood pressure: "
        + (
            f"systolic {_range([o.systolic for o in observations], '')}, diastolic "
            f"{_range([o.diastolic for o in observations], ' mmHg')}"
            if observations
            else "not recorded"
        ),
        f"Heart rate: {_range([o.heart_rate for o in observations], ' per minute')}",
        f"Oxygen saturation: lowest {min((o.spo2 for o in observations), default='—')}%",
    ]
    # Each score on the scale it was taken on: lower is more sedated, higher more dissociated.
    sedation: dict[str, list[int]] = {}
    dissociation: dict[str, list[int]] = {}
    for o in observations:
        if o.sedation is not None:
            sedation.setdefault(o.sedation_scale_name, []).append(o.sedation)
        if o.dissociation is not None:
            dissociation.setdefault(o.dissociation_scale_name, []).append(o.dissociation)
    for name, scores in sedation.items():
        readings.append(f"Sedation ({name}, lower is deeper): lowest {min(scores)}")
    for name, scores in dissociation.items():
        readings.append(f"Dissociation ({name}, higher is more): highest {max(scores)}")
    acted = [o for o in observations if o.action]
    for o in acted:
        readings.append(f"{_time(o.at)}: {o.get_action_display().lower()}: {o.action_note}")
    events = [
        f"{a.get_kind_display()} at {_time(a.at)}{f' ({a.detail})' if a.detail else ''}: "
        f"{a.action}; "
        + (f"resolved {_time(a.resolved_at)}" if a.resolved_at else "not resolved at discharge")
        for a in adverse
    ] or ["None recorded."]
    leaving = [
        f"Discharged {_time(session.discharged_at)} by "
        f"{signer.get_full_name() or signer.get_username()}, "
        f"home with {session.escort_at_discharge}.",
        "She was told not to drive until the next day.",
    ]
    if session.discharge_notes:
        leaving.append(session.discharge_notes)
    milk = str(plan.get_lactation_display())
    if plan.discard_hours:
        until = stopped + timedelta(hours=plan.discard_hours)
        milk += f": express and discard until {_time(until)}"
    if plan.lactation_notes:
        milk += f"\n{plan.lactation_notes}"
    after = [
        "We check on her the next day"
        + (
            f", and she answers questionnaires on days {plan.follow_up.days_text} after the "
            "infusion."
            if plan.follow_up_id
            else "."
        ),
    ]
    return [
        ("The infusion", "\n".join(day)),
        ("Observations", "\n".join(readings)),
        ("Adverse events", "\n".join(events)),
        ("Discharge", "\n".join(leaving)),
        ("Breastfeeding", milk),
        ("What happens next", "\n".join(after)),
    ]


def blocked(session: InfusionSession) -> str:
    """Why no summary can be drafted now, or "" when one can."""
    if not session.is_locked:
        return "The summary can be written once her discharge is signed."
    if not letters.consent_signed(session.patient):
        return (
            "She has not signed the consent to share information with her OB, so no summary "
            "can go to her OB until she does."
        )
    if ob_of(session.patient).obstetrician_id is None:
        return "Link her OB from the directory (on her chart) before writing a summary."
    return ""


def draft(session: InfusionSession, *, by) -> CarePlanLetter:
    """A draft summary for her OB from a discharged session; staff check it, then send it."""
    reason = blocked(session)
    if reason:
        raise NotReady(reason)
    try:
        return letters.draft_summary(patient=session.patient, author=by, sections=sections(session))
    except letters.CannotSend as refusal:
        raise NotReady(str(refusal)) from refusal


def drafted_for(session: InfusionSession) -> list[CarePlanLetter]:
    """The summaries written about this session's day (drafted after its discharge)."""
    if not session.discharged_at:
        return []
    return list(
        CarePlanLetter.objects.filter(
            patient=session.patient_id,
            kind=CarePlanLetter.Kind.INFUSION_SUMMARY,
            created_at__gte=session.discharged_at,
        ).order_by("created_at")
    )
