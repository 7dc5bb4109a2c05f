"""The chart's treatment-plan actions: what exists, and the next step for this person."""

from django import template

from perinatal.booking.models import Appointment
from perinatal.plans.models import TreatmentPlan

register = template.Library()


@register.inclusion_tag("plans/_plan_actions.html")
def plan_actions(patient, staff_can):
    """Her plans' versions and states (one query), and whether an infusion
    is booked (one query)."""
    from perinatal.plans.sources import plans_of

    plans = [{"pk": p.pk, "version": p.version, "status": p.status} for p in plans_of(patient)]
    draft = next((p for p in plans if p["status"] == TreatmentPlan.Status.DRAFT), None)
    signed = next((p for p in plans if p["status"] == TreatmentPlan.Status.SIGNED), None)
    booked = (
        signed is not None and Appointment.objects.booked().filter(plan__patient=patient).exists()
    )
    return {
        "patient": patient,
        "staff_can": staff_can,
        "draft": draft,
        "signed": signed,
        "booked": booked,
    }
