"""Consent workflows that span several models: sending forms, signing them, withdrawing one.

Forms sent together share one private link: the link's token is stored only as a digest on
each request. Sending a form again retires the patient's older unsigned request for it, so an
old link says plainly that it was replaced instead of offering a text that is out of date.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation

from perinatal.audit.log import record
from perinatal.audit.models import Action
from perinatal.consents.models import (
    ConsentRequest,
    ConsentTemplate,
    ConsentWithdrawal,
    Method,
    SignedConsent,
)
from perinatal.lib.tokens import digest, new_token


def has_signed(patient, kind: str) -> bool:
    """She has signed a form of ``kind`` (any published version) and not withdrawn it."""
    return SignedConsent.objects.in_force().filter(patient=patient, kind=kind).exists()


class CannotSend(Exception):
    """Nothing was sent; the message says why, for staff."""


class LinkClosed(Exception):
    """The link's forms can no longer be signed; ``reason`` is signed, expired or withdrawn."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def sign_url(token: str, language: str) -> str:
    """The signing page's address in ``language`` (/consent/… or /es/consent/…)."""
    with translation.override(language):
        return reverse("consent:sign", args=[token])


def send_forms(
    *, patient, kinds: Sequence[str], by, channel: str
) -> tuple[str, list[ConsentRequest]]:
    """Ask ``patient`` to sign the current version of each of ``kinds``; returns the token.

    Steps, in one transaction: pick each form's active template in her language; retire her
    older unsigned requests for the same forms; store one request per form under one token
    digest; for a link, queue the email (no PHI: only the link) to go once this commits.
    """
    if not kinds:
        raise CannotSend("Choose at least one form.")
    if channel == Method.LINK and not patient.email:
        raise CannotSend("She has no email address on file: add one, or use the clinic tablet.")
    templates = []
    for kind in kinds:
        template = ConsentTemplate.objects.active(kind, patient.language)
        if template is None:
            raise CannotSend(f"No published version of the {kind} form.")
        templates.append(template)
    token, token_digest = new_token()
    now = timezone.now()
    with transaction.atomic():
        ConsentRequest.objects.filter(
            patient=patient, template__kind__in=kinds, status=ConsentRequest.Status.SENT
        ).update(status=ConsentRequest.Status.EXPIRED)
        requests = [
            ConsentRequest.objects.create(
                patient=patient,
                template=template,
                created_by=by,
                created_at=now,
                channel=channel,
                token_digest=token_digest,
                expires_at=now + ConsentRequest.lifetime(channel),
            )
            for template in templates
        ]
        record(
            Action.SEND,
            requests[0],
            patient=patient,
            detail={"forms": sorted(kinds), "channel": channel},
        )
        if channel == Method.LINK:
            _email_link(patient, token, token_digest)
    return token, requests


def _email_link(patient, token: str, token_digest: str) -> None:
    from perinatal.clinic.models import Clinic
    from perinatal.notify.services import queue_email

    language = patient.language
    queue_email(
        to=patient.email,
        template="consent_request",
        context={
            "link": settings.SITE_URL + sign_url(token, language),
            "clinic": Clinic.objects.current(),
            "days": ConsentRequest.lifetime(Method.LINK).days,
        },
        language=language,
        dedupe_key=f"consent-request:{token_digest}",
        about=patient,  # the link opens every form sent with it
    )


@dataclass
class Bundle:
    """The forms behind one link, as the signing pages need them."""

    requests: list[ConsentRequest]
    now: datetime

    @property
    def patient(self):
        return self.requests[0].patient

    @property
    def language(self) -> str:
        return self.requests[0].template.language

    @property
    def channel(self) -> str:
        return self.requests[0].channel

    @property
    def to_sign(self) -> list[ConsentRequest]:
        return [r for r in self.requests if r.is_open(self.now)]

    @property
    def signed(self) -> list[SignedConsent]:
        return [r.signed for r in self.requests if hasattr(r, "signed")]

    def closed_reason(self) -> str:
        """Why nothing is left to sign: withdrawn, signed, or expired (also replaced)."""
        statuses = {r.status for r in self.requests}
        if ConsentRequest.Status.WITHDRAWN in statuses:
            return "withdrawn"
        if statuses == {ConsentRequest.Status.SIGNED}:
            return "signed"
        return "expired"

    def copy_open(self) -> bool:
        """The patient's own printable copy stays reachable for a while after signing."""
        signed = self.signed
        if not signed or any(s.is_withdrawn for s in signed):
            return False
        last = max(s.signed_at for s in signed)
        return self.now < last + ConsentRequest.lifetime(self.channel)


def bundle_for(token: str) -> Bundle:
    """The requests behind ``token``, with their templates and signatures; 404 if none."""
    requests = list(
        ConsentRequest.objects.for_token(digest(token))
        .select_related("template", "patient", "signed__withdrawal", "created_by")
        .order_by("id")
    )
    if not requests:
        raise Http404
    return Bundle(requests=requests, now=timezone.now())


def sign(
    *,
    bundle: Bundle,
    request_ids: list[int],
    signer_name: str,
    ip: str | None,
    user_agent: str,
) -> list[SignedConsent]:
    """Sign the chosen open requests of ``bundle`` with the exact text each one showed.

    Each request moves from sent to signed with a conditional update, so two submissions of
    the same page (a double tap, two tabs) sign once: the second finds nothing to move and the
    whole signing is refused. A tablet signature is witnessed by the staff member who opened it.
    """
    chosen = [r for r in bundle.requests if r.pk in set(request_ids)]
    if not chosen:
        raise ValueError("no form chosen")
    now = timezone.now()
    signed = []
    with transaction.atomic():
        for consent_request in chosen:
            moved = ConsentRequest.objects.filter(
                pk=consent_request.pk, status=ConsentRequest.Status.SENT, expires_at__gt=now
            ).update(status=ConsentRequest.Status.SIGNED)
            if not moved:
                raise LinkClosed("signed")
            template = consent_request.template
            signature = SignedConsent.objects.create(
                request=consent_request,
                patient_id=consent_request.patient_id,
                template=template,
                kind=template.kind,
                version=template.version,
                language=template.language,
                title=template.title,
                body=template.body,
                confirmation=template.confirmation,
                signer_name=signer_name,
                signed_at=now,
                ip=ip,
                user_agent=user_agent[:300],
                method=consent_request.channel,
                witnessed_by=consent_request.created_by
                if consent_request.channel == Method.TABLET
                else None,
            )
            consent_request.status = ConsentRequest.Status.SIGNED
            consent_request.signed = signature
            record(
                Action.SIGN,
                signature,
                patient=consent_request.patient_id,
                detail={"form": template.kind, "version": template.version},
            )
            signed.append(signature)
    return signed


def withdraw(*, signed: SignedConsent, how: str, by) -> ConsentWithdrawal:
    """Record that she withdrew this consent; its request shows as withdrawn from now on."""
    with transaction.atomic():
        withdrawal = ConsentWithdrawal.objects.create(
            signed=signed, patient_id=signed.patient_id, how=how, recorded_by=by
        )
        ConsentRequest.objects.filter(pk=signed.request_id).update(
            status=ConsentRequest.Status.WITHDRAWN
        )
    return withdrawal


def stop_asking(consent_request: ConsentRequest) -> bool:
    """Close an unsigned request (she declined, or it is no longer needed): its link stops
    working and it leaves the work queue. False if it was no longer waiting."""
    return bool(
        ConsentRequest.objects.filter(
            pk=consent_request.pk, status=ConsentRequest.Status.SENT
        ).update(status=ConsentRequest.Status.EXPIRED)
    )


def requests_of(patient) -> list[ConsentRequest]:
    """Every form sent to her, oldest first, each with its template and, once signed, her
    signature and any withdrawal, without the forms' texts. One query."""
    return list(
        ConsentRequest.objects.filter(patient=patient)
        .select_related("template", "signed__withdrawal")
        .defer("template__body", "signed__body")
        .order_by("created_at", "id")
    )


def status_by_kind(patient) -> dict[str, dict]:
    """For each form: her signature in force (signed and not withdrawn), if any, and her latest
    request. Read from ``requests_of``: a signature always answers one of her requests."""
    latest_request: dict[str, ConsentRequest] = {}
    signatures = []
    for consent_request in reversed(requests_of(patient)):
        latest_request.setdefault(consent_request.template.kind, consent_request)
        signed = getattr(consent_request, "signed", None)
        if signed is not None and getattr(signed, "withdrawal", None) is None:
            signatures.append(signed)
    in_force: dict[str, SignedConsent] = {}
    for signature in sorted(signatures, key=lambda s: (s.signed_at, s.pk), reverse=True):
        in_force.setdefault(signature.kind, signature)
    return {"requests": latest_request, "signed": in_force}
