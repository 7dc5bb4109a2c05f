"""Treatment plan pages: write and sign a plan from the chart, and book its infusion day.

Clinical staff see the whole plan. Front desk sees only that a plan is signed and what booking
the day needs (planned timing, escort and childcare arranged), never the dose or the
breastfeeding plan, and never a draft.
"""

from django.contrib import messages
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from perinatal.accounts.access import staff_view
from perinatal.accounts.roles import Can, can
from perinatal.audit.log import record
from perinatal.audit.models import Action
from perinatal.booking.models import Appointment, Clinician, ConsultationType
from perinatal.patients.access import get_patient_for
from perinatal.patients.models import Patient
from perinatal.plans import services
from perinatal.plans.forms import ChooseForm, PlanForm, WhenForm
from perinatal.plans.models import (
    FollowUpSchedule,
    InfusionChair,
    Locked,
    Protocol,
    TreatmentPlan,
)


def plan_for(user, pk: int) -> TreatmentPlan:
    """The plan ``user`` may open, or 404: clinical staff any plan, front desk signed ones."""
    plan = get_object_or_404(
        TreatmentPlan.objects.select_related(
            "patient", "protocol", "follow_up", "signed_by", "created_by"
        ),
        pk=pk,
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
        return redirect("plans:plan", draft.pk)
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
            return redirect("plans:plan", draft.pk)
        messages.success(request, "Draft saved. Sign it once everything is confirmed.")
        return redirect("plans:plan", plan.pk)
    record(Action.VIEW, patient, patient=patient, detail={"page": "new plan"})
    return render(
        request,
        "plans/edit.html",
        {"nav": "patients", "patient": patient, "form": form, "plan": plan, "previous": latest},
    )


@staff_view(Can.BOOK_INFUSION)
def plan(request, pk: int):
    plan = plan_for(request.user, pk)
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
                return redirect("plans:plan", plan.pk)
            messages.success(request, "Draft saved.")
            return redirect("plans:plan", plan.pk)
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


@staff_view(Can.WRITE_PLANS)
@require_POST
def sign(request, pk: int):
    plan = plan_for(request.user, pk)
    try:
        services.sign(plan, user=request.user)
    except services.SignRefused as refusal:
        for reason in refusal.reasons:
            messages.error(request, reason)
    else:
        messages.success(request, f"Plan version {plan.version} signed.")
    return redirect("plans:plan", plan.pk)


def _initial_when(plan: TreatmentPlan) -> dict:
    location = (
        Appointment.objects.filter(patient=plan.patient_id, mode="in_person")
        .order_by("-starts_at")
        .values_list("location", flat=True)
        .first()
    )
    visit_type = plan.protocol.visit_type_id or (
        ConsultationType.objects.filter(mode=ConsultationType.Mode.IN_PERSON, is_active=False)
        .values_list("pk", flat=True)
        .first()
    )
    return {
        "location": location,
        "visit_type": visit_type,
        "date": plan.planned_date,
        "time": "09:00",
    }


@staff_view(Can.BOOK_INFUSION)
def book(request, pk: int):
    """Step one (GET): where and when; the page then lists who and what is free. Step two
    (POST): book with the clinician and chair chosen; a clash lists what is free instead."""
    plan = plan_for(request.user, pk)
    if not plan.is_signed or not services.current_plan(plan):
        messages.error(request, "Only the signed plan in force can be booked.")
        return redirect("plans:plan", plan.pk)
    asked = request.POST if request.method == "POST" else (request.GET if request.GET else None)
    when = WhenForm(asked, initial=_initial_when(plan), plan=plan)
    found = choose = None
    problems: list[str] = []
    clashed = False
    if when.is_valid():
        location, visit_type = when.cleaned_data["location"], when.cleaned_data["visit_type"]
        start = when.start()
        if request.method == "POST":
            choose = ChooseForm(
                request.POST,
                clinicians=Clinician.objects.filter(locations=location, is_active=True),
                chairs=InfusionChair.objects.filter(location=location, is_active=True),
            )
            if choose.is_valid():
                try:
                    appointment = services.book_infusion(
                        plan,
                        visit_type=visit_type,
                        location=location,
                        start=start,
                        clinician=choose.cleaned_data["clinician"],
                        chair=choose.cleaned_data["chair"],
                        user=request.user,
                    )
                except services.InfusionClash as clash:
                    problems.append(str(clash))
                    found = clash.availability
                    clashed = True
                except services.NotBookable as refusal:
                    problems.append(str(refusal))
                else:
                    messages.success(request, "Infusion booked; she has been emailed.")
                    return redirect("schedule:appointment", appointment.pk)
            else:
                problems.append("Choose a clinician and a chair.")
        if found is None:
            found = services.availability(
                location=location, visit_type=visit_type, start=start, later=5
            )
        choose = ChooseForm(
            clinicians=Clinician.objects.filter(pk__in=[c.pk for c in found.free_clinicians]),
            chairs=InfusionChair.objects.filter(pk__in=[c.pk for c in found.free_chairs]),
        )
    record(Action.VIEW, plan, patient=plan.patient_id, detail={"page": "book infusion"})
    return render(
        request,
        "plans/book.html",
        {
            "nav": "patients",
            "plan": plan,
            "patient": plan.patient,
            "when": when,
            "choose": choose,
            "found": found,
            "problems": problems,
            "zone": when.cleaned_data["location"].time_zone if found else "",
        },
        status=409 if clashed else 200,
    )
