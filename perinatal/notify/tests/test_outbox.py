"""The outbox: durable rows, sent once by whoever claims them, retried when sending fails."""

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from perinatal.notify import delivery
from perinatal.notify.models import Message
from perinatal.notify.services import queue_email
from perinatal.notify.tasks import send_message
from perinatal.screening.models import CallbackRequest
from perinatal.screening.services import request_callback
from tests.harness import sign_in

pytestmark = pytest.mark.django_db


def queue(**kwargs):
    from perinatal.clinic.models import Clinic

    defaults = {
        "to": "oncall@example.org",
        "template": "callback_alert",
        "context": {
            "urgent": True,
            "requested_at": timezone.now(),
            "queue_url": "http://x/",
            "clinic": Clinic.objects.current(),
        },
    }
    return queue_email(**(defaults | kwargs))


def test_a_queued_message_is_sent_once_with_a_stable_message_id():
    message = queue()
    assert delivery.deliver(message.pk) == Message.Status.SENT
    assert delivery.deliver(message.pk) == "skipped"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == f"<{message.public_id}@perinatal.local>"
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Message.Status.SENT, 1)
    assert message.sent_at is not None


def test_queueing_wakes_a_worker_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = queue()
    job = DBTaskResult.objects.get(task_path="perinatal.notify.tasks.send_message")
    assert job.args_kwargs["args"] == [message.pk]


def test_a_message_rolls_back_with_what_caused_it(clinic):
    with pytest.raises(RuntimeError), transaction.atomic():
        request_callback(
            first_name="A", phone="+16175550100", language="en", screening=None, urgent=True
        )
        raise RuntimeError("the request failed after queueing")
    assert CallbackRequest.objects.count() == 0
    assert Message.objects.count() == 0


def test_the_same_message_is_never_queued_twice():
    assert queue(dedupe_key="reminder:1") is not None
    assert queue(dedupe_key="reminder:1") is None
    assert Message.objects.count() == 1


def test_only_one_worker_can_claim_a_message():
    message = queue()
    assert delivery.claim(message.pk) is not None
    assert delivery.claim(message.pk) is None


def test_a_message_whose_worker_vanished_is_claimed_again_after_its_lease():
    message = queue()
    delivery.claim(message.pk)
    Message.objects.filter(pk=message.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert delivery.deliver(message.pk) == Message.Status.SENT
    message.refresh_from_db()
    assert message.attempts == 2
    assert len(mail.outbox) == 1


def test_a_late_worker_cannot_overwrite_the_result_of_the_one_that_took_over():
    message = queue()
    first = delivery.claim(message.pk)
    Message.objects.filter(pk=message.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    delivery.deliver(message.pk)  # a second worker takes over and sends
    stale = Message.objects.filter(
        pk=message.pk, status=Message.Status.SENDING, attempts=first.attempts
    )
    assert stale.update(status=Message.Status.FAILED) == 0


@pytest.fixture
def unreachable_smtp(settings):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket closes
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 2},
        }
    }


def test_a_failed_send_is_kept_with_its_reason_and_retried_later(unreachable_smtp):
    message = queue()
    before = timezone.now()
    assert send_message.call(message.pk) == Message.Status.PENDING
    message.refresh_from_db()
    assert message.attempts == 1
    assert "ConnectionRefusedError" in message.last_error
    assert message.next_attempt_at >= before + timedelta(seconds=30)
    retry = DBTaskResult.objects.get(task_path="perinatal.notify.tasks.send_message")
    assert retry.run_after == message.next_attempt_at
    assert delivery.deliver(message.pk) == "skipped"  # not due yet


def test_it_gives_up_after_the_last_attempt_and_shows_it(unreachable_smtp, settings):
    settings.PERINATAL_OUTBOX_MAX_ATTEMPTS = 2
    message = queue()
    delivery.deliver(message.pk)
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert delivery.deliver(message.pk) == Message.Status.FAILED
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Message.Status.FAILED, 2)


def test_the_sweep_sends_whatever_is_due(smtp_mail):
    due = [queue() for _ in range(3)]
    later = queue()
    Message.objects.filter(pk=later.pk).update(next_attempt_at=timezone.now() + timedelta(hours=1))
    assert delivery.deliver_due() == 3
    received = {m["Message-ID"] for m in smtp_mail}
    assert received == {m.message_id_header for m in due}
    assert all(m["Subject"] == "URGENT: call-back request waiting" for m in smtp_mail)


def test_staff_see_every_message_and_its_state(client, staff):
    queue()
    sign_in(client, staff("admin"))
    html = client.get("/admin/notify/message/").text
    assert "callback_alert" in html and "waiting to send" in html


def test_the_outbox_in_the_admin_shows_no_recipient_body_or_link(client, staff):
    message = queue(
        to="rosa.private@example.org",
        context={
            "urgent": True,
            "requested_at": timezone.now(),
            "queue_url": "https://clinic.example/staff/queue/secret-token-123/",
            "clinic": None,
        },
    )
    Message.objects.filter(pk=message.pk).update(
        last_error="550 rosa.private@example.org: mailbox unavailable"
    )
    sign_in(client, staff("admin"))
    pages = [
        client.get("/admin/notify/message/"),
        client.get(f"/admin/notify/message/{message.pk}/change/"),
        client.get("/admin/notify/message/?q=rosa"),
    ]
    for page in pages:
        assert page.status_code == 200
        html = page.text
        assert "rosa.private" not in html
        assert "secret-token-123" not in html
        assert message.subject not in html
    assert "callback_alert" in pages[1].text  # what kind of message it is
    assert 'id="searchbar"' not in pages[0].text  # no finding a person by address


@pytest.mark.parametrize(
    ("urgent", "opening"),
    [(True, "An urgent call-back request arrived"), (False, "A call-back request arrived")],
)
def test_the_on_call_alert_reads_as_english(urgent, opening):
    from perinatal.clinic.models import Clinic

    message = queue(
        context={
            "urgent": urgent,
            "requested_at": timezone.now(),
            "queue_url": "http://x/",
            "clinic": Clinic.objects.current(),
        }
    )

    assert message.body_text.startswith(opening)
    assert opening in message.body_html.replace("<strong>", "").replace("</strong>", "")
    assert "A URGENT" not in message.body_text + message.body_html


def test_a_message_sent_only_while_something_holds_needs_something_to_ask(clinic):
    from perinatal.clinic.models import Clinic

    with pytest.raises(TypeError):  # a clinic has no still_wants(): nobody could answer
        queue(about=Clinic.objects.current(), about_version=1)
    assert Message.objects.count() == 0


def test_delivery_knows_nothing_of_the_tasks_that_run_it():
    """One way only: the tasks import delivery, and pass it how to schedule a retry."""
    tree = ast.parse(Path(delivery.__file__).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            imported |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
    assert not [name for name in imported if name.startswith("perinatal.notify.tasks")]
