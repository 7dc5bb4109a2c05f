"""The pathway's steps as pages: sign a plan, book its infusion day, re-confirm a flagged one.

Each asks ``pathway.services``, which asks the gates; a refusal lists every gate that does not
hold, with a link to the page that fixes it.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from perinatal.accounts.access import staff_view
from perinatal.accounts.roles import Can
from perinatal.audit.log import record
from perinatal.audit.models import Action
from perinatal.booking.models import Appointment, Clinician, ConsultationType
from perinatal.lib.gates import GateClosed
from perinatal.pathway import services
from perinatal.plans import services as plans
from perinatal.plans.forms import ChooseForm, WhenForm
from perinatal.plans.models import InfusionChair, TreatmentPlan
from perinatal.plans.views import plan_for


@staff_view(Can.WRITE_PLANS)
@require_POST
def sign_plan(request, public_id):
    plan = plan_for(request.user, public_id)
    try:
        services.sign_plan(plan, user=request.user)
    except plans.SignRefused as refusal:
        for reason in refusal.reasons:
            messages.error(request, reason)
    else:
        messages.success(request, f"Plan version {plan.version} signed.")
    return redirect("plans:plan", plan.public_id)


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
def book_infusion(request, public_id):
    """Step one (GET): where and when; the page then lists who and what is free. Step two
    (POST): book with the clinician and chair chosen; a clash lists what is free instead, a
    closed gate what stands in the way."""
    plan = plan_for(request.user, public_id)
    if not plan.is_signed or not plans.current_plan(plan):
        messages.error(request, "Only the signed plan in force can be booked.")
        return redirect("plans:plan", plan.public_id)
    asked = request.POST if request.method == "POST" else (request.GET if request.GET else None)
    when = WhenForm(asked, initial=_initial_when(plan), plan=plan)
    found = choose = None
    problems: list[str] = []
    blocked: tuple = ()
    status = 200
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
                except plans.InfusionClash as clash:
                    problems.append(str(clash))
                    found = clash.availability
                    status = 409
                except GateClosed as closed:
                    problems += closed.reasons
                    blocked = closed.blocked
                    status = 409
                except plans.NotBookable as refusal:
                    problems.append(str(refusal))
                else:
                    messages.success(request, "Infusion booked; she has been emailed.")
                    return redirect("schedule:appointment", appointment.public_id)
            else:
                problems.append("Choose a clinician and a chair.")
        if found is None:
            found = plans.availability(
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
            "blocked": [b for b in blocked if b.fix_url],
            "zone": when.cleaned_data["location"].time_zone if found else "",
        },
        status=status,
    )


@staff_view(Can.WRITE_PLANS)
@require_POST
def reconfirm(request, public_id):
    """A clinician re-confirms a flagged infusion, saying what was checked."""
    appointment = get_object_or_404(
        Appointment.objects.filter(plan__isnull=False, patient__isnull=False),
        public_id=public_id,
    )
    try:
        services.reconfirm(appointment, user=request.user, note=request.POST.get("note", ""))
    except GateClosed as closed:
        for reason in closed.reasons:
            messages.error(request, reason)
    except services.NothingToConfirm:
        messages.info(request, "This infusion is not flagged: nothing to re-confirm.")
    else:
        messages.success(request, "Infusion re-confirmed.")
    return redirect("schedule:appointment", appointment.public_id)
