"""Sending one outbox message, safely when several workers run and any of them may be killed.

Steps for ``deliver(pk)``:

1. Claim: one conditional UPDATE moves the row to SENDING with a lease, only if it is due
   (PENDING and its time has come, or SENDING with an expired lease). Two workers racing for
   the same row cannot both see a row count of 1.
2. Ask the message whether it is still wanted (``Message.still_wanted``: a reminder for an
   appointment that moved is not); if not, mark it CANCELLED. Otherwise send over SMTP with a
   Message-ID derived from the row, outside any transaction.
3. Record the outcome with another conditional UPDATE that names the attempt we claimed, so a
   worker whose lease expired cannot overwrite the result of the worker that took over. A
   failed try waits for its next time (``backoff``); the caller may pass ``retry`` to schedule a
   job for that time (``perinatal.notify.tasks`` does), else the periodic sweep finds it.

A worker killed before the SMTP server accepted the message leaves a SENDING row whose lease
expires; the next sweep sends it again. The one window that can repeat a message is a kill
between the server's acceptance and step 3; the repeat carries the same Message-ID.
"""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import MIMEPart

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db.models import F
from django.utils import timezone

from perinatal.notify import texts
from perinatal.notify.models import Message, backoff

logger = logging.getLogger(__name__)


def claim(pk: int) -> Message | None:
    now = timezone.now()
    lease = timedelta(seconds=settings.PERINATAL_OUTBOX_LEASE_SECONDS)
    claimed = (
        Message.objects.due(now)
        .filter(pk=pk)
        .update(
            status=Message.Status.SENDING,
            lease_expires_at=now + lease,
            attempts=F("attempts") + 1,
        )
    )
    if claimed != 1:
        return None
    return Message.objects.get(pk=pk)


def calendar_part(ics: str) -> MIMEPart:
    """An .ics attachment whose content type carries the METHOD, as calendar clients expect."""
    method = next(
        (line.split(":", 1)[1].strip() for line in ics.splitlines() if line.startswith("METHOD:")),
        "PUBLISH",
    )
    part = MIMEPart()
    part.set_content(
        ics,
        subtype="calendar",
        charset="utf-8",
        params={"method": method},
        disposition="attachment",
        filename="appointment.ics",
    )
    return part


def _send_email(message: Message) -> None:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        to=[message.to],
        headers={"Message-ID": message.message_id_header},
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    if message.calendar:
        email.attach(calendar_part(message.calendar))
    with mailers.default as connection:
        connection.send_messages([email])


def _send_text(message: Message) -> None:
    texts.backend().send(to=message.to, body=message.body_text, message_id=str(message.public_id))


Retry = Callable[[int, datetime], object]


def deliver(pk: int, *, retry: Retry | None = None) -> str:
    """Try to send one message; returns its state afterwards ("skipped" if not ours to send).

    After a failed try that will be tried again, ``retry(pk, when)`` is called, if given.
    """
    message = claim(pk)
    if message is None:
        return "skipped"
    ours = Message.objects.filter(pk=pk, status=Message.Status.SENDING, attempts=message.attempts)
    if not message.still_wanted():
        ours.update(
            status=Message.Status.CANCELLED,
            lease_expires_at=None,
            last_error="withdrawn at send time: no longer applies",
        )
        return Message.Status.CANCELLED
    try:
        if message.channel == Message.Channel.TEXT:
            _send_text(message)
        else:
            _send_email(message)
    except Exception as exc:  # any transport failure is retried; the reason is kept for staff
        reason = f"{type(exc).__name__}: {exc}"[:300]
        logger.warning(
            "message %s attempt %s failed: %s",
            message.public_id,
            message.attempts,
            type(exc).__name__,
        )
        if message.attempts >= settings.PERINATAL_OUTBOX_MAX_ATTEMPTS:
            ours.update(status=Message.Status.FAILED, last_error=reason, lease_expires_at=None)
            return Message.Status.FAILED
        retry_at = timezone.now() + backoff(message.attempts)
        ours.update(
            status=Message.Status.PENDING,
            last_error=reason,
            next_attempt_at=retry_at,
            lease_expires_at=None,
        )
        if retry is not None:
            retry(pk, retry_at)
        return Message.Status.PENDING
    ours.update(
        status=Message.Status.SENT, sent_at=timezone.now(), lease_expires_at=None, last_error=""
    )
    return Message.Status.SENT


def deliver_due(limit: int = 200, *, retry: Retry | None = None) -> int:
    """The sweep: send what is due, however it came to be left behind. Returns how many sent."""
    ids = list(
        Message.objects.due(timezone.now())
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(deliver(pk, retry=retry) == Message.Status.SENT for pk in ids)
