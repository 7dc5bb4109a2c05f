"""Treatment plan pages: write and sign a plan from the chart, and book its infusion day.

Clinical staff see the whole plan. Front desk sees only that a plan is signed and what booking
the day needs (planned timing, escort and childcare arranged), never the dose or the
breastfeeding plan, and never a draft.
"""

from django.contrib import messages
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from perinatal.accounts.access import staff_view
from perinatal.accounts.roles import Can, can
from perinatal.audit.log import record
from perinatal.audit.models import Action
from perinatal.booking.models import Appointment
from perinatal.patients.access import get_patient_for
from perinatal.patients.models import Patient
from perinatal.plans import services
from perinatal.plans.forms import PlanForm
from perinatal.plans.models import (
    FollowUpSchedule,
    Locked,
    Protocol,
    TreatmentPlan,
)


def plan_for(user, public_id) -> TreatmentPlan:
    """The plan ``user`` may open, or 404: clinical staff any plan, front desk signed ones."""
    plan = get_object_or_404(
        TreatmentPlan.objects.select_related(
            "patient", "protocol", "follow_up", "signed_by", "created_by"
        ),
        public_id=public_id,
    )
    if can(user, Can.SEE_CLINICAL) or (plan.is_signed and can(user, Can.BOOK_INFUSION)):
        return plan
    raise Http404


def _first_plan(patient: Patient) -> TreatmentPlan:
    """A blank plan with the clinic's defaults and what the chart already knows."""
    plan = TreatmentPlan(
        patient=patient,
        protocol=Protocol.objects.default(),
        follow_up=FollowUpSchedule.objects.default(),
        escort_name=patient.support_name,
        escort_phone=patient.support_phone,
    )
    if patient.weight_kg is not None:  # as her signed consultation recorded it
        plan.weight_kg = patient.weight_kg
    if patient.breastfeeding == Patient.Breastfeeding.NO:
        plan.lactation = TreatmentPlan.Lactation.NOT_BREASTFEEDING
    return plan


@staff_view(Can.WRITE_PLANS)
def new_plan(request, public_id):
    """A new plan, or the next version of her signed one (carrying over what it said)."""
    patient = get_patient_for(request.user, public_id)
    draft = patient.treatment_plans.filter(status=TreatmentPlan.Status.DRAFT).first()
    if draft is not None:
        messages.info(request, "She has a draft plan already: carry on with it here.")
        return redirect("plans:plan", draft.public_id)
    latest = patient.treatment_plans.signed().order_by("-version").first()
    plan = services.draft_from(latest) if latest else _first_plan(patient)
    form = PlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.save_draft(form.save(commit=False), user=request.user)
        except IntegrityError:  # someone else started her draft a moment ago
            draft = patient.treatment_plans.filter(status=TreatmentPlan.Status.DRAFT).first()
            if draft is None:
                raise
            messages.warning(request, "Someone else started a draft just now: here it is.")
            return redirect("plans:plan", draft.public_id)
        messages.success(request, "Draft saved. Sign it once everything is confirmed.")
        return redirect("plans:plan", plan.public_id)
    record(Action.VIEW, patient, patient=patient, detail={"page": "new plan"})
    return render(
        request,
        "plans/edit.html",
        {"nav": "patients", "patient": patient, "form": form, "plan": plan, "previous": latest},
    )


@staff_view(Can.BOOK_INFUSION)
def plan(request, public_id):
    plan = plan_for(request.user, public_id)
    clinical = can(request.user, Can.SEE_CLINICAL)
    editable = not plan.is_signed and can(request.user, Can.WRITE_PLANS)
    form = None
    if editable:
        form = PlanForm(request.POST or None, instance=plan)
        if request.method == "POST" and form.is_valid():
            try:
                services.save_draft(form.save(commit=False), user=request.user)
            except Locked:
                messages.error(request, "This plan was signed meanwhile; nothing was changed.")
                return redirect("plans:plan", plan.public_id)
            messages.success(request, "Draft saved.")
            return redirect("plans:plan", plan.public_id)
    elif request.method == "POST":
        raise Http404
    versions = (
        list(plan.patient.treatment_plans.select_related("signed_by").order_by("-version"))
        if clinical
        else []
    )
    infusions = list(
        Appointment.objects.filter(plan__patient=plan.patient_id)
        .select_related("chair")
        .order_by("-starts_at")
    )
    record(Action.VIEW, plan, patient=plan.patient_id)
    return render(
        request,
        "plans/plan.html",
        {
            "nav": "patients",
            "plan": plan,
            "patient": plan.patient,
            "clinical": clinical,
            "form": form,
            "versions": versions,
            "in_force": plan.is_signed and services.current_plan(plan),
            "missing": plan.missing_for_signing() if not plan.is_signed else [],
            "infusions": infusions,
        },
    )
