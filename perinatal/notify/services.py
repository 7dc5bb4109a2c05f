"""Queueing a message: render it now, store it, and wake a worker once the transaction commits."""

import logging
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from perinatal.notify.models import Message
from perinatal.notify.tasks import send_message

logger = logging.getLogger(__name__)


def render_email(name: str, context: dict) -> tuple[str, str, str]:
    """The triplet ``emails/<name>_subject.txt``, ``_body.txt`` and ``_body.html``."""
    subject = " ".join(
        render_to_string(f"emails/{name}_subject.txt", context).split()
    )  # one line, whatever the template's whitespace
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
    about: models.Model | None = None,
    about_version: int | None = None,
    send_at: datetime | None = None,
) -> Message | None:
    """Store an email in the outbox; returns None when ``dedupe_key`` was queued before.

    Call it inside the transaction that causes the message, so both commit or neither does.
    ``about`` is the record the message is about (staff see it in the outbox, the chart finds
    it). A message with a future ``send_at`` waits for the worker's sweep. With
    ``about_version`` it is sent only if, just before it goes, ``about.still_wants(message)``
    still says yes (see ``Message.still_wanted``); ``about`` must then have that method.
    """
    with translation.override(language):
        subject, text, html = render_email(template, context)
    return _store(
        Message(
            template=template,
            to=to,
            subject=subject,
            body_text=text,
            body_html=html,
            dedupe_key=dedupe_key,
            calendar=calendar,
            about=about,
            about_version=about_version,
        ),
        send_at,
    )


def queue_text(
    *,
    to: str,
    template: str,
    context: dict,
    language: str = "en",
    dedupe_key: str = "",
    about: models.Model | None = None,
    about_version: int | None = None,
    send_at: datetime | None = None,
) -> Message | None:
    """Store a text message in the outbox, as ``queue_email`` stores an email: the body is
    ``templates/texts/<template>.txt``; ``to`` is a phone number in E.164."""
    with translation.override(language):
        body = render_to_string(f"texts/{template}.txt", context).strip()
    return _store(
        Message(
            channel=Message.Channel.TEXT,
            template=template,
            to=to,
            subject="",
            body_text=body,
            dedupe_key=dedupe_key,
            about=about,
            about_version=about_version,
        ),
        send_at,
    )


def _store(message: Message, send_at: datetime | None) -> Message | None:
    """Save ``message`` (None if its dedupe key was queued before) and hand it to the worker
    once the transaction commits, or leave it to the sweep when its time is later."""
    if message.about_version is not None and not hasattr(message.about, "still_wants"):
        raise TypeError("A conditional message needs an about-object with still_wants().")
    message.next_attempt_at = send_at or timezone.now()
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        if message.dedupe_key and Message.objects.filter(dedupe_key=message.dedupe_key).exists():
            return None
        raise
    if send_at and send_at > timezone.now():
        return message  # the periodic sweep sends it when its time comes
    transaction.on_commit(lambda: send_message.enqueue(message.pk))
    return message


def alert_on_call(
    *, template: str, context: dict, dedupe_key: str, about: models.Model
) -> Message | None:
    """Tell the clinic's on-call address (else its main one) that something urgent waits.

    Alerts say where to look, never who or what: the templates carry no patient details. With
    no address to send to, the gap is logged, naming ``about`` by kind and number (no PHI).
    """
    from perinatal.clinic.models import Clinic

    clinic = Clinic.objects.current()
    to = clinic.oncall_email or clinic.email
    if not to:
        logger.error(
            "%s %s stored, but no clinic address to alert", about._meta.verbose_name, about.pk
        )
        return None
    return queue_email(
        to=to,
        template=template,
        context={**context, "clinic": clinic},
        dedupe_key=dedupe_key,
        about=about,
    )


def withdraw(about: models.Model) -> int:
    """Cancel the waiting conditional messages about ``about`` (the reminders of an appointment
    that moved or was cancelled); returns how many. Call it before queueing the new ones.

    A message a worker already holds (SENDING) is passed over: its check at send time stops it.
    """
    return Message.objects.filter(
        about_type=ContentType.objects.get_for_model(about),
        about_id=about.pk,
        about_version__isnull=False,
        status=Message.Status.PENDING,
    ).update(status=Message.Status.CANCELLED, last_error="withdrawn: no longer applies")
