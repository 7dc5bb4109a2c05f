from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from perinatal.notify.services import alert_on_call
from perinatal.patients.models import Patient
from perinatal.screening.instruments import ScoredAnswers, get_instrument
from perinatal.screening.models import CallbackRequest, Screening


def public_instrument(language: str):
    """The instrument the public self-screen uses in this language, or None.

    None when the clinic switched the public self-screen off, or when no validated wording of
    the instrument is loaded for the language (the page then offers the clinic's phone).
    """
    code = settings.PERINATAL_PUBLIC_INSTRUMENT
    if not code or code == "off":
        return None
    return get_instrument(code, language)


def save_screening(
    *,
    scored: ScoredAnswers,
    risk_factors: list[str],
    channel: str,
    replaces: str | None = None,
    attach_digest: str = "",
    patient=None,
) -> Screening:
    """Store a scored screen; ``replaces`` drops this visitor's earlier answers to the same form
    (she changed her answers) unless staff already hold that screen through a call-back."""
    fields = {
        "instrument": scored.instrument.code,
        "instrument_version": scored.instrument.version,
        "language": scored.instrument.language,
        "answers": scored.answer_record(),
        "item_scores": list(scored.item_scores),
        "total": scored.total,
        "band": scored.band.code,
        "safety_alert": scored.safety_alert,
        "risk_factors": sorted(risk_factors),
        "channel": channel,
        "attach_digest": attach_digest,
        "patient": patient,  # filled in by her at the clinic: hers from the start
    }
    if not replaces:
        # One INSERT commits by itself; a transaction around it would cost two more round trips.
        return Screening.objects.create(**fields)
    with transaction.atomic():
        Screening.objects.filter(
            public_id=replaces, instrument=scored.instrument.code, callbacks__isnull=True
        ).delete()
        return Screening.objects.create(**fields)


def request_callback(
    *, first_name: str, phone: str, language: str, screening: Screening | None, urgent: bool
) -> CallbackRequest:
    """Store the request and, in the same transaction, queue the alert to the on-call address.

    The alert says only that a request is waiting and where to see it: no name, number or answers.
    """
    with transaction.atomic():
        callback = CallbackRequest.objects.create(
            first_name=first_name,
            phone=phone,
            language=language,
            screening=screening,
            urgent=urgent or bool(screening and screening.safety_alert),
        )
        # Still stored and listed for staff if the alert has nowhere to go.
        alert_on_call(
            template="callback_alert",
            context={
                "urgent": callback.urgent,
                "requested_at": timezone.localtime(callback.created_at),
                "queue_url": settings.SITE_URL + reverse("backoffice:queue"),
            },
            dedupe_key=f"callback-alert:{callback.public_id}",
            about=callback,
        )
    return callback


def record_callback(
    callback: CallbackRequest, *, status: str, note: str, patient: Patient | None, user
) -> CallbackRequest:
    """Record what came of a call-back: its state, a dated note added to earlier ones, and
    (once staff know who she is) her record, which her attached screen then joins too."""
    now = timezone.now()
    with transaction.atomic():
        callback = CallbackRequest.objects.select_for_update().get(pk=callback.pk)
        callback.status = status
        callback.handled_by = user
        callback.handled_at = now
        changed = ["status", "handled_by", "handled_at"]
        if note.strip():
            signed = f"{timezone.localtime(now):%Y-%m-%d %H:%M} {user.get_full_name() or user}"
            entry = f"[{signed}] {note.strip()}"
            callback.staff_note = f"{callback.staff_note}\n{entry}".strip()
            changed.append("staff_note")
        if patient is not None and patient.pk != callback.patient_id:
            callback.patient = patient
            changed.append("patient")
            screening = callback.screening
            if screening is not None and screening.patient_id is None:
                screening.patient = patient
                screening.save(update_fields=["patient"])
        callback.save(update_fields=changed)
    return callback
