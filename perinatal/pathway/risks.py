"""What a clinician must see first on any page about her: recent self-harm answers, an open
urgent call-back, a hard stop, a withdrawn consent. Four queries."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from perinatal.consents.models import ConsentWithdrawal
from perinatal.consult.summary import latest_decision
from perinatal.pathway.gates import _day
from perinatal.pathway.models import GateSettings
from perinatal.screening.models import CallbackRequest, Screening


@dataclass(frozen=True)
class Risk:
    text: str
    clinical: bool  # only for staff who see clinical details


def risks_of(patient) -> list[Risk]:
    days = GateSettings.objects.current().risk_self_harm_days
    found: list[Risk] = []
    # Her screens and those her call-backs link, by id: an index lookup each, where an OR
    # across the join made the database read every recent screen of the clinic.
    hers = (
        Screening.objects.filter(patient=patient)
        .values("pk")
        .union(CallbackRequest.objects.filter(patient=patient).values("screening_id"), all=True)
    )
    screen = (
        Screening.objects.filter(
            pk__in=hers,
            safety_alert=True,
            created_at__gte=timezone.now() - timedelta(days=days),
        )
        .order_by("-created_at")
        .only("created_at")
        .first()
    )
    if screen is not None:
        found.append(
            Risk(f"Self-harm answered positive on a screen of {_day(screen.created_at)}.", False)
        )
    if CallbackRequest.objects.filter(
        patient=patient,
        urgent=True,
        status__in=[CallbackRequest.Status.NEW, CallbackRequest.Status.CALLING],
    ).exists():
        found.append(Risk("An urgent call-back is open.", False))
    decision = latest_decision(patient)
    if decision is not None:
        stops = [a["text"] for a in decision.present_hard_stops] + [
            f["drug"] for f in decision.note.medication_flags if f.get("severity") == "hard_stop"
        ]
        if stops:
            found.append(Risk(f"Hard stop: {'; '.join(stops)}.", True))
    for withdrawal in ConsentWithdrawal.objects.filter(patient=patient).select_related("signed"):
        found.append(
            Risk(
                f"Consent withdrawn on {_day(withdrawal.withdrawn_at)}: "
                f"{withdrawal.signed.get_kind_display()}.",
                False,
            )
        )
    return found
