"""Queueing a message: render it now, store it, and wake a worker once the transaction commits."""

import logging
from datetime import datetime

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from perinatal.notify.models import Message

logger = logging.getLogger(__name__)


def render_email(name: str, context: dict) -> tuple[str, str, str]:
    """The triplet ``emails/<name>_subject.txt``, ``_body.txt`` and ``_body.html``."""
    subject = render_to_string(f"emails/{name}_subject.txt", context)
    subject = " ".join(subject.split())  # one line, whatever the template's whitespace
    text = render_to_string(f"emails/{name}_body.txt", context)
    html = render_to_string(f"emails/{name}_body.html", context)
    return subject, text, html


def queue_email(
    *,
    to: str,
    template: str,
    context: dict,
    language: str = "en",
    dedupe_key: str = "",
    calendar: str = "",
    precondition: str = "",
    send_at: datetime | None = None,
) -> Message | None:
    """Store an email in the outbox; returns None when ``dedupe_key`` was queued before.

    Call it inside the transaction that causes the message, so both commit or neither does.
    A message with a future ``send_at`` waits for the worker's sweep; ``precondition`` is
    checked again just before it goes (see ``perinatal.notify.preconditions``).
    """
    with translation.override(language):
        subject, text, html = render_email(template, context)
    try:
        with transaction.atomic():
            message = Message.objects.create(
                template=template,
                to=to,
                subject=subject,
                body_text=text,
                body_html=html,
                dedupe_key=dedupe_key,
                calendar=calendar,
                precondition=precondition,
                next_attempt_at=send_at or timezone.now(),
            )
    except IntegrityError:
        if dedupe_key and Message.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        raise
    if send_at and send_at > timezone.now():
        return message  # the periodic sweep sends it when its time comes
    from perinatal.notify.tasks import send_message

    transaction.on_commit(lambda: send_message.enqueue(message.pk))
    return message


def alert_on_call(*, template: str, context: dict, dedupe_key: str, about: str) -> Message | None:
    """Tell the clinic's on-call address (else its main one) that something urgent waits.

    Alerts say where to look, never who or what: the templates carry no patient details. With
    no address to send to, the gap is logged (``about`` names the record, without PHI).
    """
    from perinatal.clinic.models import Clinic

    clinic = Clinic.objects.current()
    to = clinic.oncall_email or clinic.email
    if not to:
        logger.error("%s stored, but no clinic address to alert", about)
        return None
    return queue_email(
        to=to, template=template, context={**context, "clinic": clinic}, dedupe_key=dedupe_key
    )


def withdraw(precondition: str) -> int:
    """Cancel the waiting messages that depend on ``precondition``; returns how many."""
    return Message.objects.filter(precondition=precondition, status=Message.Status.PENDING).update(
        status=Message.Status.CANCELLED, last_error="withdrawn: no longer applies"
    )
