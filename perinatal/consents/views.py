"""The pages behind a consent link: read and sign the forms, then keep a printable copy.

The token in the address is the only key. Pages are in the language the forms were written in,
never cached or indexed, and a link that can no longer be used says why (HTTP 410) and how to
reach the clinic. Forms opened on a clinic tablet go back to the staff page once signed.
"""

import ipaddress

from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_http_methods

from perinatal.audit.log import record
from perinatal.audit.models import Action
from perinatal.clinic.pagecache import private_page
from perinatal.consents import services
from perinatal.consents.forms import SignForm
from perinatal.consents.models import Method
from perinatal.lib.ratelimit import client_address, rate_limited


def _respond(request, template, context, status=200):
    # The language switch would only reload the same forms: they exist in one language.
    response = render(request, template, {**context, "language_links": []}, status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    # Links from these pages (her clinic's phone, the crisis lines) name no token to anyone.
    # Not "no-referrer": under it browsers send "Origin: null" with the form, which CSRF refuses.
    response["Referrer-Policy"] = "same-origin"
    return response


def _in_her_language(request, bundle, name, token):
    """A redirect to this page in the forms' language, or None when already there."""
    if translation.get_language() == bundle.language:
        return None
    with translation.override(bundle.language):
        return HttpResponseRedirect(reverse(name, args=[token]))


def _closed(request, bundle, token):
    return _respond(
        request,
        "consents/closed.html",
        {
            "reason": bundle.closed_reason(),
            "copy_open": bundle.copy_open(),
            "token": token,
        },
        status=410,
    )


def _address(request) -> str | None:
    try:
        return str(ipaddress.ip_address(client_address(request)))
    except ValueError:
        return None


@private_page
@require_http_methods(["GET", "HEAD", "POST"])
@rate_limited("manage")
def sign(request, token):
    bundle = services.bundle_for(token)
    if request.method != "POST" and (
        moved := _in_her_language(request, bundle, "consent:sign", token)
    ):
        return moved
    to_sign = bundle.to_sign
    if not to_sign:
        return _closed(request, bundle, token)
    form = SignForm(request.POST or None, requests=to_sign)
    if request.method == "POST" and form.is_valid():
        try:
            services.sign(
                bundle=bundle,
                request_ids=form.chosen(),
                signer_name=form.cleaned_data["signer_name"],
                ip=_address(request),
                user_agent=request.headers.get("User-Agent", ""),
            )
        except services.LinkClosed:
            return _closed(request, services.bundle_for(token), token)
        if bundle.channel == Method.TABLET:
            return redirect("consents:tablet_done", bundle.patient.public_id)
        return redirect("consent:done", token)
    if request.method != "POST":
        record(Action.VIEW, to_sign[0], patient=bundle.patient, detail={"forms": len(to_sign)})
    return _respond(
        request,
        "consents/sign.html",
        {
            "form": form,
            "forms": [(r, form.agree_field(r)) for r in to_sign],
            "already_signed": bundle.signed,
            "expires_at": min(r.expires_at for r in to_sign),
        },
        status=400 if form.is_bound else 200,
    )


@private_page
def done(request, token):
    bundle = services.bundle_for(token)
    if moved := _in_her_language(request, bundle, "consent:done", token):
        return moved
    if not bundle.signed:
        return redirect("consent:sign", token)
    if not bundle.copy_open():
        return _closed(request, bundle, token)
    return _respond(
        request,
        "consents/done.html",
        {"signed": bundle.signed, "still_open": bundle.to_sign, "token": token},
    )


@private_page
def copy(request, token):
    """Her printable copy of what she signed through this link, for a while after signing."""
    bundle = services.bundle_for(token)
    if moved := _in_her_language(request, bundle, "consent:copy", token):
        return moved
    if not bundle.copy_open():
        return _closed(request, bundle, token)
    signed = bundle.signed
    for signature in signed:
        record(Action.EXPORT, signature, patient=signature.patient_id, detail={"copy": "patient"})
    return _respond(request, "consents/copy.html", {"signed": signed, "token": token})
