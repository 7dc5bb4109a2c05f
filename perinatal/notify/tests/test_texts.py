"""Text messages through the outbox: stored with their cause, deduplicated, sent by the
configured backend, retried when the provider fails, as email is."""

import pytest
from django.db import transaction

from perinatal.notify.delivery import deliver
from perinatal.notify.models import Message
from perinatal.notify.services import queue_text

pytestmark = pytest.mark.django_db
PHONE = "+16175550123"


class Down:
    def send(self, *, to, body, message_id):
        raise ConnectionError("provider unreachable")


def text(**overrides):
    fields = {
        "to": PHONE,
        "template": "follow_up_reminder_text",
        "context": {"clinic": {"name": "Harbor"}, "link": "https://example.org/x/"},
        "dedupe_key": "reminder:1",
    }
    with transaction.atomic():
        return queue_text(**{**fields, **overrides})


def test_a_text_is_stored_once_and_written_by_the_file_backend(settings, tmp_path):
    settings.PERINATAL_TEXT_DIR = tmp_path
    first = text()
    assert first is not None and first.channel == "text" and first.subject == ""
    assert "Harbor: a reminder" in first.body_text and first.body_text.endswith("/x/")
    assert text() is None  # the same dedupe key again: nothing new
    assert deliver(first.pk) == "sent"
    assert (tmp_path / f"{first.public_id}.txt").read_text().startswith(f"To: {PHONE}\n")


def test_a_failing_provider_is_retried_and_the_reason_kept(settings):
    settings.PERINATAL_TEXT_BACKEND = "perinatal.notify.tests.test_texts.Down"
    queued = text(dedupe_key="reminder:2")
    assert deliver(queued.pk) == "pending"
    queued.refresh_from_db()
    assert queued.status == Message.Status.PENDING and "ConnectionError" in queued.last_error
