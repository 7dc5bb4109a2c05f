"""When the OB does not answer: the letter comes back to the work queue, and staff get one email."""

import zoneinfo
from datetime import datetime, timedelta

import pytest
import time_machine
from django_tasks_db.models import DBTaskResult

from perinatal.lib.backoffice import OB_LETTER
from perinatal.lib.worker import PERIODIC_TASKS, enqueue_periodic
from perinatal.notify.models import Message
from perinatal.obcare.models import CarePlanLetter
from perinatal.obcare.services import remind_unanswered
from perinatal.obcare.sources import letter_queue
from perinatal.obcare.tasks import remind_unanswered_letters
from perinatal.obcare.tests.helpers import PHI, a_patient, an_ob, draft, send, sign_ob_sharing
from tests.harness import assert_queue_counts_agree, sign_in

pytestmark = pytest.mark.django_db

SENT_AT = datetime(2026, 6, 1, 15, 0, tzinfo=zoneinfo.ZoneInfo("America/New_York"))


@pytest.fixture
def sent_letter(client, clinic, staff):
    """A letter sent at SENT_AT; the clinic waits its default five days for an answer."""
    clinician = staff("clinician")
    patient = a_patient(ob=an_ob())
    with time_machine.travel(SENT_AT, tick=False):
        sign_ob_sharing(patient, by=clinician)
        sign_in(client, clinician)
        letter = draft(client, patient)
        token = send(client, letter)
    letter.refresh_from_db()
    return letter, token


def reminders():
    return Message.objects.filter(template="ob_no_answer")


def test_staff_are_reminded_once_when_the_ob_has_not_answered_in_time(sent_letter, clinic):
    letter, _ = sent_letter
    assert clinic.ob_reminder_days == 5
    with time_machine.travel(SENT_AT + timedelta(days=5, seconds=-1), tick=False):
        assert remind_unanswered() == 0
        assert letter_queue(25) == []
    with time_machine.travel(SENT_AT + timedelta(days=5), tick=False):
        assert remind_unanswered() == 1
        assert remind_unanswered() == 0
        (item,) = letter_queue(25)
        assert (item.priority, item.kind) == (OB_LETTER, "ob_no_answer")
        assert "no answer from OB" in item.badges
        assert_queue_counts_agree()
    with time_machine.travel(SENT_AT + timedelta(days=12), tick=False):
        assert remind_unanswered_letters.call() == 0  # through the worker's task, still once
    (email,) = reminders()
    assert email.to == clinic.email
    assert f"/staff/ob-letters/{letter.public_id}/" in email.body_text
    for text in (email.subject, email.body_text, email.body_html):
        for leak in [*PHI, "Chen", letter.obstetrician.practice]:
            assert leak not in text, leak
    assert list(letter.events.filter(kind="reminded").values_list("at", flat=True)) == [
        SENT_AT + timedelta(days=5)
    ]


def test_the_waiting_time_is_the_clinics_to_set(sent_letter, clinic):
    clinic.ob_reminder_days = 2
    clinic.save()
    with time_machine.travel(SENT_AT + timedelta(days=2), tick=False):
        assert remind_unanswered() == 1


def test_an_answered_letter_brings_no_reminder(client, sent_letter):
    letter, token = sent_letter
    with time_machine.travel(SENT_AT + timedelta(days=1), tick=False):
        client.post(
            f"/ob/letters/{token}/answer/",
            {"response": "cleared", "name": "Laura Chen", "role": "OB"},
        )
    with time_machine.travel(SENT_AT + timedelta(days=30), tick=False):
        assert remind_unanswered() == 0
    letter.refresh_from_db()
    assert letter.status == CarePlanLetter.Status.CLEARED
    assert not reminders().exists()


def test_a_draft_is_never_chased(client, clinic, staff):
    clinician = staff("clinician")
    sign_in(client, clinician)
    with time_machine.travel(SENT_AT, tick=False):
        draft(client, a_patient(ob=an_ob()))
    with time_machine.travel(SENT_AT + timedelta(days=30), tick=False):
        assert remind_unanswered() == 0
        assert letter_queue(25) == []


def test_the_worker_sweep_runs_the_reminders(db):
    assert "perinatal.obcare.tasks.remind_unanswered_letters" in PERIODIC_TASKS
    enqueue_periodic()
    enqueue_periodic()  # one waiting job is enough
    assert (
        DBTaskResult.objects.filter(
            task_path="perinatal.obcare.tasks.remind_unanswered_letters"
        ).count()
        == 1
    )
