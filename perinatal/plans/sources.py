"""What plans add to the chart's timeline and to the work queue (one query each)."""

from django.db.models import Exists, OuterRef
from django.urls import reverse

from perinatal.accounts.roles import Can
from perinatal.booking.models import Appointment
from perinatal.lib.backoffice import (
    OTHER,
    QueueCount,
    QueueItem,
    TimelineEntry,
)
from perinatal.plans.models import TreatmentPlan


def plans_of(patient) -> list[TreatmentPlan]:
    """Her plans, newest version first: one query."""
    return list(
        TreatmentPlan.objects.filter(patient=patient)
        .only(
            "public_id",
            "version",
            "status",
            "created_at",
            "signed_at",
            "dose_mg_per_kg",
            "infusion_minutes",
            "dose_mg",
            "timing",
            "weeks_postpartum",
            "planned_date",
        )
        .order_by("-version")
    )


def plans(patient, limit=None) -> list[TimelineEntry]:
    """Every version of her plan: clinical, so for clinical staff only. Infusion appointments
    are listed with her other appointments (``perinatal.backoffice.timeline``)."""
    rows = plans_of(patient)
    return [
        TimelineEntry(
            at=plan.signed_at or plan.created_at,
            kind="plan",
            title=f"Treatment plan, version {plan.version}: "
            + ("signed" if plan.is_signed else "draft"),
            detail=f"{plan.describe_dose()}, {plan.dose_mg:f} mg · {plan.describe_timing()}",
            capability=Can.SEE_CLINICAL,
            url=reverse("plans:plan", args=[plan.public_id]),
        )
        for plan in rows
    ]


def _unbooked_plans():
    """Signed plans in force whose patient has no infusion booked."""
    newer = TreatmentPlan.objects.signed().filter(
        patient=OuterRef("patient"), version__gt=OuterRef("version")
    )
    booked = Appointment.objects.booked().filter(plan__patient=OuterRef("patient"))
    return TreatmentPlan.objects.signed().exclude(Exists(newer)).exclude(Exists(booked))


def infusions_to_book(limit: int) -> list[QueueItem]:
    waiting = (
        _unbooked_plans()
        .select_related("patient")
        .only(
            "patient",
            "patient__name",
            "patient__public_id",
            "public_id",
            "version",
            "signed_at",
            "timing",
            "weeks_postpartum",
            "planned_date",
        )
        .order_by("signed_at", "pk")
    )[:limit]
    return [
        QueueItem(
            priority=OTHER,
            at=plan.signed_at,
            kind="infusion_to_book",
            title=f"Infusion to book: {plan.patient.name}",
            detail=f"Plan signed; planned {plan.describe_timing()}",
            capability=Can.SEE_QUEUE,
            link_capability=Can.BOOK_INFUSION,
            url=reverse("pathway:book_infusion", args=[plan.public_id]),
            patient_public_id=plan.patient.public_id,
            badges=("to book",),
        )
        for plan in waiting
    ]


KIND_NAMES = {
    "infusion_to_book": "Infusion days to book",
}


def infusion_counts() -> list[QueueCount]:
    return [QueueCount("infusion_to_book", OTHER, Can.SEE_QUEUE, _unbooked_plans().count())]


def chart_section(patient, staff_can) -> dict | None:
    """The chart's plan panel: her plans' versions and states, and whether an infusion is
    booked (two queries), for clinical staff and those who book infusions."""
    if "chart.clinical" not in staff_can and "infusion.book" not in staff_can:
        return None
    plans = plans_of(patient)
    draft = next((p for p in plans if p.status == TreatmentPlan.Status.DRAFT), None)
    signed = next((p for p in plans if p.status == TreatmentPlan.Status.SIGNED), None)
    booked = (
        signed is not None and Appointment.objects.booked().filter(plan__patient=patient).exists()
    )
    return {"draft": draft, "signed": signed, "booked": booked}
