"""Back-office pages for consultation notes: start one from the chart, fill in and save the draft,
review and sign it with the eligibility decision, and add addenda once it is signed.

Reading a note needs ``Can.SEE_CLINICAL`` (nurses read notes); writing needs
``Can.WRITE_NOTES`` and signing also ``Can.DECIDE_ELIGIBILITY``. Anyone else gets 404.
"""

from typing import cast
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Field
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.text import capfirst

from perinatal.accounts.access import staff_view
from perinatal.accounts.roles import Can, can
from perinatal.audit.log import record
from perinatal.audit.models import Action
from perinatal.consult import services
from perinatal.consult.forms import (
    NOTE_FIELDSETS,
    AddendumForm,
    ConsultationNoteForm,
    EligibilityForm,
    appointment_label,
)
from perinatal.consult.models import (
    ConsultationNote,
    EligibilityCriterion,
    InteractingDrug,
    Locked,
)
from perinatal.patients.access import get_patient_for


def get_note_for(user, public_id) -> ConsultationNote:
    """The note ``public_id`` names if ``user`` may read clinical notes, else 404."""
    if not can(user, Can.SEE_CLINICAL):
        raise Http404
    return get_object_or_404(
        ConsultationNote.objects.select_related(
            "patient", "clinician", "signed_by", "appointment", "assessment__decided_by"
        ),
        public_id=public_id,
    )


@staff_view(Can.WRITE_NOTES)
def new(request, public_id):
    patient = get_patient_for(request.user, public_id)
    appointment = None
    if request.method == "GET" and "appointment" in request.GET:
        try:  # the chart links the note to the appointment it is for; a mangled link, to none
            named = UUID(request.GET["appointment"])
        except ValueError:
            named = None
        appointment = patient.appointments.filter(public_id=named).first() if named else None
    note = services.new_note(patient=patient, clinician=request.user, appointment=appointment)
    return _edit(request, note)


@staff_view(Can.SEE_CLINICAL)
def note(request, public_id):
    note = get_note_for(request.user, public_id)
    if not can(request.user, Can.WRITE_NOTES):
        if request.method == "POST":
            raise Http404
        return _show(request, note)
    if note.is_signed:
        if request.method == "POST":
            messages.error(request, "This note is signed and cannot be edited: add an addendum.")
            return _show(request, note, status=409)
        return _show(request, note)
    return _edit(request, note)


def _edit(request, note: ConsultationNote):
    """The draft form: note fields, medication flags, checklist and decision, one page."""
    can_decide = can(request.user, Can.DECIDE_ELIGIBILITY)
    criteria = list(EligibilityCriterion.objects.active())
    assessment = getattr(note, "assessment", None) if note.pk else None
    stored_answers = assessment.answers if assessment else []
    drugs = InteractingDrug.objects.active()
    if request.method == "POST":
        flags = drugs.flag(request.POST.get("current_medications", ""))
        note_form = ConsultationNoteForm(request.POST, instance=note, patient=note.patient)
        checklist = EligibilityForm(
            request.POST,
            criteria=criteria,
            answers=stored_answers,
            medication_flags=flags,
            can_decide=can_decide,
        )
        if note_form.is_valid() and checklist.is_valid():
            try:
                services.save_draft(
                    note=note_form.save(commit=False),
                    answers=checklist.answers(),
                    decision=checklist.cleaned_data.get("decision") if can_decide else None,
                    reasons=checklist.cleaned_data.get("reasons") if can_decide else None,
                )
            except Locked:
                messages.error(request, "This note was signed meanwhile; changes not saved.")
                return redirect("consult:note", note.public_id)
            except ValidationError as refused:
                # The model refused what the form let through (the configuration changed
                # between the two checks): show it on the page rather than fail.
                checklist.add_error(None, refused.messages)
            else:
                messages.success(request, "Draft saved.")
                if "review" in request.POST and can_decide:
                    return redirect("consult:sign", note.public_id)
                return redirect("consult:note", note.public_id)
    else:
        flags = note.flags() if note.pk else drugs.flag(note.current_medications)
        note_form = ConsultationNoteForm(instance=note, patient=note.patient)
        checklist = EligibilityForm(
            initial={"decision": assessment.decision, "reasons": assessment.reasons}
            if assessment
            else None,
            criteria=criteria,
            answers=stored_answers,
            medication_flags=flags,
            can_decide=can_decide,
        )
    record(Action.VIEW, note if note.pk else note.patient, patient=note.patient_id)
    changes = services.checklist_changes(assessment, criteria) if assessment else []
    return render(
        request,
        "consult/note_form.html",
        {
            "nav": "patients",
            "note": note,
            "patient": note.patient,
            "note_form": note_form,
            "checklist": checklist,
            "forms": [note_form, checklist],
            "flags": flags,
            "checklist_changes": changes,
            "can_decide": can_decide,
        },
    )


def _show(request, note: ConsultationNote, *, status: int = 200):
    record(Action.VIEW, note, patient=note.patient_id)
    context = _detail_context(request, note)
    return render(request, "consult/note_detail.html", context, status=status)


def note_sections(note: ConsultationNote) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(slug, legend, [(label, value shown)]) per group of the form, for reading a note."""
    sections = []
    for slug, legend, names in NOTE_FIELDSETS:
        rows = []
        for name in names:
            field = cast(Field, note._meta.get_field(name))  # a column, never a reverse relation
            value = getattr(note, name)
            if field.choices:
                value = getattr(note, f"get_{name}_display")() or "Not asked"
            elif hasattr(value, "strftime"):
                value = date_format(value, "M j, Y")
            elif name == "appointment" and value is not None:
                value = appointment_label(value)
            rows.append((str(capfirst(field.verbose_name)), "" if value is None else str(value)))
        sections.append((slug, legend, rows))
    return sections


def _detail_context(request, note: ConsultationNote) -> dict:
    assessment = getattr(note, "assessment", None)
    flags = note.flags()
    return {
        "sections": note_sections(note),
        "nav": "patients",
        "note": note,
        "patient": note.patient,
        "assessment": assessment,
        "flags": flags,
        "note_has_hard_stop": any(flag.is_hard_stop for flag in flags),
        "addenda": note.addenda.select_related("author"),
        "addendum_form": AddendumForm() if note.is_signed else None,
        "may_write": can(request.user, Can.WRITE_NOTES),
        "may_sign": can(request.user, Can.WRITE_NOTES)
        and can(request.user, Can.DECIDE_ELIGIBILITY),
    }


@staff_view(Can.WRITE_NOTES)
def sign(request, public_id):
    """Review the draft as it will be signed, then sign note and decision together."""
    if not can(request.user, Can.DECIDE_ELIGIBILITY):
        raise Http404
    note = get_note_for(request.user, public_id)
    if note.is_signed:
        messages.info(request, "This note is already signed.")
        return redirect("consult:note", note.public_id)
    status = 200
    if request.method == "POST":
        try:
            services.sign(note=note, user=request.user)
        except Locked:
            messages.info(request, "This note was already signed.")
            return redirect("consult:note", note.public_id)
        except ValidationError as refused:
            problems, status = refused.messages, 400
        else:
            messages.success(request, "Consultation note and eligibility decision signed.")
            return redirect("consult:note", note.public_id)
    else:
        problems = services.sign_problems(note)
    record(Action.VIEW, note, patient=note.patient_id)
    context = _detail_context(request, note) | {"problems": problems, "signing": True}
    return render(request, "consult/sign.html", context, status=status)


@staff_view(Can.WRITE_NOTES)
def addendum(request, public_id):
    note = get_note_for(request.user, public_id)
    if not note.is_signed:
        messages.info(request, "A draft is edited directly; addenda are for signed notes.")
        return redirect("consult:note", note.public_id)
    form = AddendumForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            services.add_addendum(
                note=note,
                author=request.user,
                text=form.cleaned_data["text"],
                hard_stop=form.cleaned_data["hard_stop"],
            )
        messages.success(request, "Addendum signed and added.")
        return redirect(reverse("consult:note", args=[note.public_id]) + "#addenda")
    record(Action.VIEW, note, patient=note.patient_id)
    return render(
        request,
        "consult/addendum.html",
        {"nav": "patients", "note": note, "patient": note.patient, "form": form},
    )
