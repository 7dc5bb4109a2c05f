"""Back-office consent pages: send forms, open them on the clinic tablet, print, withdraw.

Everything here needs ``Can.SEND_CONSENTS``. Each page that shows a patient's consents writes
one audit event; printing one writes an EXPORT.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from perinatal.accounts.access import staff_view
from perinatal.accounts.roles import Can
from perinatal.audit.log import record
from perinatal.audit.models import Action
from perinatal.consents import services
from perinatal.consents.forms import SendForm, WithdrawForm
from perinatal.consents.models import (
    DEFAULT_NOTE,
    ConsentRequest,
    ConsentTemplate,
    Kind,
    Method,
    SignedConsent,
)
from perinatal.patients.access import get_patient_for


def consent_rows(patient) -> list[dict]:
    """One row per form: what is in force and what was last sent."""
    status = services.status_by_kind(patient)
    rows = []
    for kind, label in Kind.choices:
        signed = status["signed"].get(kind)
        latest = status["requests"].get(kind)
        if signed is not None:
            state, badge = "Signed", "ok"
        elif latest is None:
            state, badge = "Not sent", ""
        elif latest.status == ConsentRequest.Status.WITHDRAWN:
            state, badge = "Withdrawn", "urgent"
        elif latest.is_open():
            state, badge = "Waiting for her signature", "warn"
        else:
            state, badge = "Link expired — send again", "warn"
        rows.append(
            {
                "kind": kind,
                "label": label,
                "signed": signed,
                "latest": latest,
                "state": state,
                "badge": badge,
            }
        )
    return rows


@staff_view(Can.SEND_CONSENTS)
def patient_consents(request, public_id):
    patient = get_patient_for(request.user, public_id)
    history = (
        ConsentRequest.objects.filter(patient=patient)
        .select_related("template", "created_by", "signed__withdrawal__recorded_by")
        .order_by("-created_at", "-id")
    )
    active = ConsentTemplate.objects.active_for(patient.language)
    rows = [{**row, "template": active.get(row["kind"])} for row in consent_rows(patient)]
    record(Action.VIEW, patient, patient=patient, detail={"page": "consents"})
    return render(
        request,
        "consents/patient.html",
        {
            "nav": "patients",
            "patient": patient,
            "rows": rows,
            "history": history,
            "form": SendForm(initial={"kinds": [k for k in Kind.values]}),
            "default_note": DEFAULT_NOTE,
        },
    )


@staff_view(Can.SEND_CONSENTS)
@require_POST
def send(request, public_id):
    """Email her a private link, or open the forms here for her to sign on this tablet."""
    patient = get_patient_for(request.user, public_id)
    form = SendForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose at least one form, then how she will sign.")
        return redirect("consents:patient", patient.public_id)
    if patient.merged_into_id:
        messages.error(request, "This record was merged: send the forms from the kept record.")
        return redirect("consents:patient", patient.public_id)
    channel = form.cleaned_data["channel"]
    try:
        token, requests = services.send_forms(
            patient=patient, kinds=form.cleaned_data["kinds"], by=request.user, channel=channel
        )
    except services.CannotSend as problem:
        messages.error(request, str(problem))
        return redirect("consents:patient", patient.public_id)
    if channel == Method.TABLET:
        return redirect(services.sign_url(token, requests[0].template.language))
    days = ConsentRequest.lifetime(Method.LINK).days
    forms = ngettext("%(count)d form", "%(count)d forms", len(requests)) % {"count": len(requests)}
    messages.success(
        request,
        ngettext(
            "Email with a private link queued (%(forms)s); it works for %(days)d day.",
            "Email with a private link queued (%(forms)s); it works for %(days)d days.",
            days,
        )
        % {"forms": forms, "days": days},
    )
    return redirect("consents:patient", patient.public_id)


@staff_view(Can.SEND_CONSENTS)
def tablet_done(request, public_id):
    """Where the tablet comes back to after she signs."""
    patient = get_patient_for(request.user, public_id)
    messages.success(request, "Signing on the tablet is finished. Check below what she signed.")
    return redirect("consents:patient", patient.public_id)


@staff_view(Can.SEND_CONSENTS)
def printable(request, public_id):
    signed = get_object_or_404(
        SignedConsent.objects.select_related(
            "patient", "witnessed_by", "withdrawal__recorded_by", "request__created_by"
        ),
        request__public_id=public_id,
    )
    record(Action.EXPORT, signed, patient=signed.patient_id, detail={"format": "print"})
    return render(
        request,
        "consents/printable.html",
        {"nav": "patients", "signed": signed, "patient": signed.patient},
    )


@staff_view(Can.SEND_CONSENTS)
@require_http_methods(["GET", "HEAD", "POST"])
def withdraw(request, public_id):
    signed = get_object_or_404(
        SignedConsent.objects.select_related("patient"), request__public_id=public_id
    )
    if signed.is_withdrawn:
        messages.warning(request, "That consent was already withdrawn.")
        return redirect("consents:patient", signed.patient.public_id)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.withdraw(signed=signed, how=form.cleaned_data["how"], by=request.user)
        messages.success(request, f"Withdrawal recorded: {signed.get_kind_display()}.")
        return redirect("consents:patient", signed.patient.public_id)
    record(Action.VIEW, signed, patient=signed.patient_id, detail={"page": "withdraw"})
    return render(
        request,
        "consents/withdraw.html",
        {"nav": "patients", "signed": signed, "patient": signed.patient, "form": form},
    )


@staff_view(Can.SEND_CONSENTS)
@require_POST
def stop_asking(request, public_id):
    consent_request = get_object_or_404(
        ConsentRequest.objects.select_related("template"), public_id=public_id
    )
    if services.stop_asking(consent_request):
        messages.success(
            request, f"Stopped asking for the {consent_request.template.get_kind_display()} form."
        )
    return redirect("consents:patient", consent_request.patient.public_id)
