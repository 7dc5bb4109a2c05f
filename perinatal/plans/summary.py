"""The treatment plan told in plain sentences, for other apps that write about the patient.

``for_letter`` feeds the care-plan letter to her OB (``perinatal.obcare``): the latest signed
plan as (heading, text) pairs or, before any is signed, her draft as the plan proposed: her OB
clears a plan before it is signed (``perinatal.pathway.gates``).
"""

from django.utils import dateformat, timezone
from django.utils.text import capfirst

from perinatal.lib.datestyles import DAY
from perinatal.plans.models import TreatmentPlan


def latest_signed(patient) -> TreatmentPlan | None:
    return (
        TreatmentPlan.objects.signed()
        .filter(patient=patient)
        .select_related("protocol", "follow_up", "signed_by")
        .order_by("-version")
        .first()
    )


def proposed(patient) -> TreatmentPlan | None:
    return (
        TreatmentPlan.objects.filter(patient=patient, status=TreatmentPlan.Status.DRAFT)
        .select_related("protocol", "follow_up")
        .first()
    )


def for_letter(patient) -> list[tuple[str, str]]:
    plan = latest_signed(patient) or proposed(patient)
    if plan is None:
        return []
    treatment = (
        f"Ketamine {plan.describe_dose()}. "
        f"Planned dose {plan.dose_mg:f} mg for a weight of {plan.weight_kg:f} kg."
    )
    # capfirst, not capitalize: a month's name keeps its capital ("15 Dec 2026").
    timing = capfirst(plan.describe_timing()) + "."
    if plan.timing_rationale:
        timing += f" {plan.timing_rationale.strip()}"
    lactation = capfirst(plan.describe_lactation()) + "."
    if plan.lactation_notes:
        lactation += f" {plan.lactation_notes.strip()}"
    if plan.signed_by is not None and plan.signed_at is not None:
        signer = plan.signed_by.get_full_name() or plan.signed_by.get_username()
        signed_on = dateformat.format(timezone.localdate(plan.signed_at), DAY)
        status = ("Signed", f"Version {plan.version}, signed by {signer} on {signed_on}.")
    else:
        status = (
            "Proposed",
            f"Version {plan.version}, not yet signed: we sign it once you have cleared it.",
        )
    return [
        ("Treatment plan" if plan.is_signed else "Proposed treatment plan", treatment),
        ("Timing", timing),
        ("Breastfeeding", lactation),
        (
            "On the day",
            "An adult escort will take her home (no driving that day), and childcare is arranged.",
        ),
        (
            "Follow-up",
            f"Questionnaires on days {plan.follow_up.days_text} after the infusion "
            f"({plan.follow_up.name}).",
        ),
        status,
    ]
