"""The page behind her follow-up link, and the staff's note that they reached her.

The token in the address is the only key: an unknown, answered, withdrawn or expired link gets
one page that says the link no longer works, with the crisis lines and the clinic's phone, and
never says whose it was. Her questionnaire is the self-screen's instrument in her language, with
its citation and licence; a self-harm answer shows the crisis lines at once."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.http import require_http_methods, require_POST

from perinatal.accounts.access import staff_view
from perinatal.accounts.roles import Can
from perinatal.audit.log import record
from perinatal.audit.models import Action
from perinatal.clinic.pagecache import private_page
from perinatal.followup import services
from perinatal.lib.ratelimit import rate_limited
from perinatal.patients.access import get_patient_for
from perinatal.screening.content import crisis_resources
from perinatal.screening.forms import ScreeningForm


def _respond(request, template, context, status=200):
    response = render(request, template, {**context, "language_links": []}, status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"  # "no-referrer" makes browsers fail CSRF
    return response


def _closed(request):
    language = translation.get_language() or "en"
    return _respond(
        request,
        "followup/closed.html",
        {"crisis_resources": crisis_resources(language)},
        status=410,
    )


@private_page
@require_http_methods(["GET", "HEAD", "POST"])
@rate_limited("manage")
def answer(request, token):
    try:
        found = services.open_link(token)
    except services.LinkClosed:
        return _closed(request)
    instrument = services.instrument_for(found)
    if instrument is None:  # the director's instrument is not loaded here: nothing to ask
        return _closed(request)
    with translation.override(found.language):
        form = ScreeningForm(
            request.POST or None,
            initial=found.draft,  # what she answered before she left, if she did
            instrument=instrument,
            language=found.language,
        )
        crisis = False
        if request.method == "POST" and ("later" in request.POST or not form.is_valid()):
            kept = services.keep_draft(found, instrument, request.POST)
            crisis = services.draft_alerts(instrument, kept)
            if "later" in request.POST:
                return _respond(
                    request,
                    "followup/later.html",
                    {
                        "crisis": crisis,
                        "crisis_resources": crisis_resources(found.language),
                        "closes_at": found.closes_at,
                    },
                )
        elif request.method == "POST":
            try:
                answered = services.answer(found, instrument.score(form.positions()))
            except services.LinkClosed:
                return _closed(request)
            return _respond(
                request,
                "followup/thanks.html",
                {
                    "crisis": answered.screening.safety_alert,
                    "crisis_resources": crisis_resources(found.language),
                    "token": token,
                },
            )
        record(Action.VIEW, found, patient=found.patient_id, detail={"by": "patient"})
        return _respond(
            request,
            "followup/answer.html",
            {
                "form": form,
                "instrument": instrument,
                "crisis": crisis,
                "crisis_resources": crisis_resources(found.language),
            },
            status=400 if form.is_bound else 200,
        )


@staff_view(Can.HANDLE_CALLBACKS)
@require_POST
def handled(request, public_id):
    """Someone reached her about her follow-up and says what was done."""
    patient = get_patient_for(request.user, public_id)
    note = request.POST.get("note", "").strip()
    if not note:
        messages.error(request, "Write what was done (who you spoke to, what you agreed).")
    else:
        count = services.handle(patient, by=request.user, note=note)
        messages.success(
            request,
            f"Recorded; {count} follow-up item(s) left the work queue."
            if count
            else "Nothing of hers was waiting.",
        )
    return redirect("backoffice:chart", patient.public_id)
