"""What the infusion day adds to her chart: a timeline entry per session and the chart's panel
of her infusion days (one query each)."""

from django.urls import reverse

from perinatal.accounts.roles import Can
from perinatal.infusion.models import InfusionSession
from perinatal.lib.backoffice import TimelineEntry


def sessions_of(patient) -> list[InfusionSession]:
    return list(
        InfusionSession.objects.filter(patient=patient)
        .select_related("appointment", "discharged_by")
        .order_by("-checked_in_at")
    )


def _summary(session: InfusionSession) -> str:
    parts = []
    if session.dose_mg is not None:
        parts.append(
            f"{session.dose_mg} mg ({session.dose_mg_per_kg} mg/kg at {session.weight_kg} kg)"
        )
    if session.discharged_at:
        parts.append(f"discharged by {session.discharged_by} with {session.escort_at_discharge}")
    else:
        parts.append(str(session.get_stage_display()))
    return "; ".join(parts)


def infusion_days(patient, limit=None) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            at=session.started_at or session.checked_in_at,
            kind="infusion",
            title="Infusion given" if session.started_at else "Checked in for the infusion",
            detail=_summary(session),
            capability=Can.SEE_CLINICAL,
            url=reverse("infusion:record", args=[session.appointment.public_id]),
        )
        for session in sessions_of(patient)[:limit]
    ]


def chart_section(patient, staff_can) -> dict | None:
    if "chart.clinical" not in staff_can:
        return None
    found = sessions_of(patient)
    return {"sessions": [(s, _summary(s)) for s in found]} if found else None
