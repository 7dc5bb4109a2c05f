"""Staff pages for the OB directory and care-plan letters, and the OB's own page for a letter."""

from functools import wraps

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_POST

from perinatal.accounts.access import staff_view
from perinatal.accounts.roles import Can, can
from perinatal.audit.log import record
from perinatal.audit.models import Action
from perinatal.clinic.models import Clinic
from perinatal.lib.ratelimit import retry_after
from perinatal.obcare import services
from perinatal.obcare.forms import (
    AnswerForm,
    DirectorySearchForm,
    LetterDraftForm,
    LinkObForm,
    ObstetricianForm,
    PatientObForm,
)
from perinatal.obcare.models import CarePlanLetter, LetterLocked, Obstetrician, ob_of
from perinatal.obcare.pdf import answer_text, recipient_lines, render_pdf
from perinatal.patients.access import get_patient_for
from perinatal.patients.models import Patient

DIRECTORY_PAGE_SIZE = 50
MATCHES_SHOWN = 20


def chart_url(patient: Patient) -> str:
    return reverse("backoffice:chart", args=[patient.public_id])


def get_letter(public_id) -> CarePlanLetter:
    return get_object_or_404(
        CarePlanLetter.objects.select_related("patient", "obstetrician", "created_by"),
        public_id=public_id,
    )


# --- The OB directory ---------------------------------------------------------------------------


def search_directory(query: str, *, active_only: bool = False):
    obs = Obstetrician.objects.all()
    if active_only:
        obs = obs.filter(is_active=True)
    for word in query.split():
        obs = obs.filter(Q(name__icontains=word) | Q(practice__icontains=word) | Q(npi=word))
    return obs


@staff_view(Can.EDIT_OB_DIRECTORY)
def directory(request):
    form = DirectorySearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    page = Paginator(search_directory(query), DIRECTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "obcare/directory.html",
        {"nav": "obs", "form": form, "query": query, "page": page},
    )


@staff_view(Can.EDIT_OB_DIRECTORY)
def ob_new(request):
    form = ObstetricianForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ob = form.save()
        messages.success(request, f"{ob} added to the directory.")
        return redirect("obcare:directory")
    return render(request, "obcare/ob_form.html", {"nav": "obs", "form": form, "ob": None})


@staff_view(Can.EDIT_OB_DIRECTORY)
def ob_edit(request, public_id):
    ob = get_object_or_404(Obstetrician, public_id=public_id)
    form = ObstetricianForm(request.POST or None, instance=ob)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"{ob} saved.")
        return redirect("obcare:directory")
    return render(request, "obcare/ob_form.html", {"nav": "obs", "form": form, "ob": ob})


# --- Linking a patient's OB ---------------------------------------------------------------------


def link(request, patient: Patient, ob: Obstetrician):
    her_ob = ob_of(patient)
    her_ob.obstetrician = ob
    her_ob.save(update_fields=["obstetrician"] if her_ob.pk else None)  # audited: tracked
    messages.success(request, f"{ob} is now linked as her OB.")
    return redirect(chart_url(patient))


@staff_view(Can.EDIT_PATIENTS)
def link_ob(request, public_id):
    """Match the OB she named when booking to the directory, or add a new entry from it."""
    patient = get_patient_for(request.user, public_id)
    if request.method == "POST":
        form = LinkObForm(request.POST)
        if form.is_valid():
            return link(request, patient, form.cleaned_data["obstetrician"])
        messages.error(request, "Choose an OB from the list.")
    record(Action.VIEW, patient, patient=patient)
    her_ob = ob_of(patient)
    given = her_ob.name_given.strip()
    search = DirectorySearchForm(request.GET or None, initial={"q": given})
    query = search.cleaned_data["q"].strip() if search.is_valid() else given
    matches = list(search_directory(query, active_only=True)[:MATCHES_SHOWN]) if query else []
    new_form = None
    if can(request.user, Can.EDIT_OB_DIRECTORY):
        new_form = ObstetricianForm(
            initial={"name": her_ob.name_given, "practice": her_ob.practice_given}
        )
    return render(
        request,
        "obcare/link_ob.html",
        {
            "nav": "patients",
            "patient": patient,
            "her_ob": her_ob,
            "search": search,
            "query": query,
            "matches": matches,
            "new_form": new_form,
            "chart_url": chart_url(patient),
        },
    )


@staff_view(Can.EDIT_PATIENTS)
@require_POST
def link_new_ob(request, public_id):
    if not can(request.user, Can.EDIT_OB_DIRECTORY):
        raise Http404
    patient = get_patient_for(request.user, public_id)
    form = ObstetricianForm(request.POST)
    if form.is_valid():
        return link(request, patient, form.save())
    record(Action.VIEW, patient, patient=patient)
    return render(
        request,
        "obcare/link_ob.html",
        {
            "nav": "patients",
            "patient": patient,
            "her_ob": ob_of(patient),
            "search": DirectorySearchForm(),
            "query": "",
            "matches": [],
            "new_form": form,
            "chart_url": chart_url(patient),
        },
        status=400,
    )


@staff_view(Can.EDIT_PATIENTS)
def edit_ob(request, public_id):
    """Her OB as staff keep it: choose the directory entry, or correct what she named."""
    patient = get_patient_for(request.user, public_id)
    her_ob = ob_of(patient)
    form = PatientObForm(request.POST or None, instance=her_ob)
    if request.method == "POST" and form.is_valid():
        if form.has_changed():
            changed = form.changed_data if her_ob.pk else None
            form.save(commit=False).save(update_fields=changed)  # audited: tracked
            messages.success(request, "Saved.")
        else:
            messages.info(request, "Nothing was changed.")
        return redirect(chart_url(patient))
    record(Action.VIEW, patient, patient=patient, detail={"page": "edit_ob"})
    return render(
        request,
        "obcare/edit_ob.html",
        {"nav": "patients", "patient": patient, "form": form, "chart_url": chart_url(patient)},
    )


# --- Letters, for staff -------------------------------------------------------------------------


@staff_view(Can.SEND_OB_LETTERS)
def letter_new(request, public_id):
    patient = get_patient_for(request.user, public_id)
    if ob_of(patient).obstetrician is None:
        messages.warning(request, "Link her OB from the directory before writing a letter.")
        return redirect("obcare:link_ob", patient.public_id)
    form = LetterDraftForm(
        request.POST or None, initial={"respond_by": services.default_respond_by()}
    )
    if request.method == "POST" and form.is_valid():
        letter = services.draft_letter(
            patient=patient,
            author=request.user,
            respond_by=form.cleaned_data["respond_by"],
            covering_note=form.cleaned_data["covering_note"],
        )
        messages.success(request, "Draft saved. Check it, then send it to her OB.")
        return redirect("obcare:letter", public_id=letter.public_id)
    record(Action.VIEW, patient, patient=patient)
    respond_by = (form.cleaned_data.get("respond_by") if form.is_bound else None) or (
        services.default_respond_by()
    )
    return render(
        request,
        "obcare/letter_new.html",
        {
            "nav": "patients",
            "patient": patient,
            "form": form,
            "sections": services.compose_sections(
                patient, respond_by=respond_by, author=request.user
            ),
            "gaps": services.chart_gaps(patient),
            "consent_signed": services.consent_signed(patient),
            "chart_url": chart_url(patient),
        },
    )


def render_letter(request, letter: CarePlanLetter, *, form=None, status=200):
    record(Action.VIEW, letter, patient=letter.patient_id)
    may_send = can(request.user, Can.SEND_OB_LETTERS)
    consent_signed = None
    if letter.status == CarePlanLetter.Status.DRAFTED or letter.is_awaiting_answer:
        consent_signed = services.consent_signed(letter.patient)
    if form is None and may_send and not letter.is_locked:
        form = LetterDraftForm(instance=letter)
    now = timezone.now()
    return render(
        request,
        "obcare/letter.html",
        {
            "nav": "patients",
            "letter": letter,
            "patient": letter.patient,
            "events": letter.events.select_related("by"),
            "form": form,
            "may_send": may_send,
            "consent_signed": consent_signed,
            "recipient": recipient_lines(letter),
            "answer": answer_text(letter),
            "link_expired": letter.is_awaiting_answer and letter.link_expired(now),
            "overdue": letter.answer_overdue(now, Clinic.objects.current().ob_reminder_days),
            "chart_url": chart_url(letter.patient),
        },
        status=status,
    )


@staff_view(Can.SEE_CLINICAL)
def letter(request, public_id):
    return render_letter(request, get_letter(public_id))


@staff_view(Can.SEND_OB_LETTERS)
@require_POST
def letter_edit(request, public_id):
    letter = get_letter(public_id)
    form = LetterDraftForm(request.POST, instance=get_letter(public_id))
    if not form.is_valid():
        return render_letter(request, letter, form=form, status=400)
    try:
        services.edit_draft(
            letter,
            by=request.user,
            respond_by=form.cleaned_data.get("respond_by"),
            covering_note=form.cleaned_data["covering_note"],
            recompose="refresh" in request.POST,
        )
    except LetterLocked:
        messages.error(request, "This letter was already sent; it can no longer be changed.")
    else:
        messages.success(request, "Draft saved.")
    return redirect("obcare:letter", public_id=letter.public_id)


@staff_view(Can.SEND_OB_LETTERS)
@require_POST
def letter_send(request, public_id):
    """Send a draft, or send a letter again with a new link (the old link stops working)."""
    letter = get_letter(public_id)
    again = letter.is_locked
    try:
        letter = services.send_letter(letter, by=request.user)
    except services.CannotSend as refusal:
        messages.error(request, str(refusal))
    else:
        verb = "Sent again, with a new link," if again else "Sent"
        messages.success(request, f"{verb} to {letter.sent_to}.")
    return redirect("obcare:letter", public_id=letter.public_id)


@staff_view(Can.SEND_OB_LETTERS)
@require_POST
def letter_review(request, public_id):
    letter = get_letter(public_id)
    if services.mark_reviewed(letter, by=request.user):
        messages.success(request, "Marked as reviewed; it has left the work queue.")
    return redirect("obcare:letter", public_id=letter.public_id)


@staff_view(Can.SEE_CLINICAL)
def letter_print(request, public_id):
    letter = get_letter(public_id)
    record(Action.EXPORT, letter, patient=letter.patient_id, detail={"format": "print"})
    return render(
        request,
        "obcare/letter_print.html",
        {
            "letter": letter,
            "recipient": recipient_lines(letter),
            "answer": answer_text(letter),
        },
    )


def pdf_response(letter: CarePlanLetter) -> HttpResponse:
    response = HttpResponse(render_pdf(letter), content_type="application/pdf")
    # The file name carries no name: downloads folders and browser histories are not private.
    response["Content-Disposition"] = f'attachment; filename="care-plan-letter-{letter.pk}.pdf"'
    return response


@staff_view(Can.SEE_CLINICAL)
def letter_pdf(request, public_id):
    letter = get_letter(public_id)
    record(Action.EXPORT, letter, patient=letter.patient_id, detail={"format": "pdf"})
    return pdf_response(letter)


# --- The OB's page ------------------------------------------------------------------------------


def ob_page(view):
    """For the pages a letter's link opens: counted against a rate limit (every method: the
    link is the only key), never cached or indexed, and never sending the link as a referrer
    to another site (same-origin: a POST from the page must still carry its Origin for CSRF)."""

    @wraps(view)
    def wrapped(request, token: str, *args, **kwargs):
        wait = retry_after(request, "ob_letter")
        if wait:
            response = render(
                request, "too_many_requests.html", {"wait_minutes": max(1, wait // 60)}, status=429
            )
            response["Retry-After"] = str(wait)
        else:
            letter, problem = services.letter_for_link(token)
            if letter is None and not problem:
                raise Http404
            if problem:
                response = render(request, "obcare/ob_gone.html", {"problem": problem}, status=410)
            else:
                response = view(request, letter, token, *args, **kwargs)
        add_never_cache_headers(response)
        response["Cache-Control"] = "no-store, private"
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "same-origin"
        return response

    return wrapped


def render_ob_letter(request, letter: CarePlanLetter, token: str, *, form=None, status=200):
    return render(
        request,
        "obcare/ob_letter.html",
        {
            "letter": letter,
            "token": token,
            "recipient": recipient_lines(letter),
            "answer": answer_text(letter),
            "form": form or AnswerForm(),
        },
        status=status,
    )


@ob_page
@require_GET
def ob_letter(request, letter: CarePlanLetter, token: str):
    # GET only: link checkers that send HEAD do not count as the OB opening the letter.
    if services.mark_opened(letter):
        letter.refresh_from_db()
    record(Action.VIEW, letter, patient=letter.patient_id, detail={"by": "ob"})
    return render_ob_letter(request, letter, token)


@ob_page
@require_POST
def ob_acknowledge(request, letter: CarePlanLetter, token: str):
    services.acknowledge(letter)
    return redirect("ob:letter", token=token)


@ob_page
@require_POST
def ob_respond(request, letter: CarePlanLetter, token: str):
    form = AnswerForm(request.POST)
    if not letter.is_awaiting_answer:
        return redirect("ob:letter", token=token)
    if not form.is_valid():
        return render_ob_letter(request, letter, token, form=form, status=400)
    data = form.cleaned_data
    services.respond(
        letter,
        services.Answer(
            response=data["response"],
            text=data["text"],
            name=data["name"].strip(),
            role=data["role"].strip(),
        ),
    )
    return redirect("ob:letter", token=token)


@ob_page
def ob_letter_pdf(request, letter: CarePlanLetter, token: str):
    record(Action.EXPORT, letter, patient=letter.patient_id, detail={"format": "pdf", "by": "ob"})
    return pdf_response(letter)
