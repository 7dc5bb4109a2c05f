"""Queueing a message: render it now, store it, and wake a worker once the transaction commits."""

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation

from perinatal.notify.models import Message


def render_email(name: str, context: dict) -> tuple[str, str, str]:
    """The triplet ``emails/<name>_subject.txt``, ``_body.txt`` and ``_body.html``."""
    subject = render_to_string(f"emails/{name}_subject.txt", context)
    subject = " ".join(subject.split())  # one line, whatever the template's whitespace
    text = render_to_string(f"emails/{name}_body.txt", context)
    html = render_to_string(f"emails/{name}_body.html", context)
    return subject, text, html


def queue_email(
    *, to: str, template: str, context: dict, language: str = "en", dedupe_key: str = ""
) -> Message | None:
    """Store an email in the outbox; returns None when ``dedupe_key`` was queued before.

    Call it inside the transaction that causes the message, so both commit or neither does.
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
            )
    except IntegrityError:
        if dedupe_key and Message.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        raise
    from perinatal.notify.tasks import send_message

    transaction.on_commit(lambda: send_message.enqueue(message.pk))
    return message
