"""Reminders sent by real worker processes, killed mid-batch, to a real SMTP server.

Twenty bookings queue their confirmations and 24 h / 2 h reminders; two are cancelled and two
moved, which withdraws their reminders and queues new emails. Time passing is simulated by making
the waiting reminders due; the withdrawn ones are put back as a worker killed holding them would
have left them (SENDING, lease run out: ``withdraw`` passes over a row a worker holds), so only
the check at send time can stop them. Two workers send it all while the SMTP server kills the
sending worker several times mid-batch, and a supervisor loop restarts them.
"""

from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.db.models import F
from django.utils import timezone

from perinatal.booking import services
from perinatal.booking.models import Appointment, ConsultationType
from perinatal.booking.slots import find_slots
from perinatal.booking.tests.helpers import person
from perinatal.notify.models import Message
from tests.harness import Workers

BOOKINGS = 20
REMINDER = "appointment_reminder"


def free_starts(consultation: ConsultationType, count: int, *, after) -> list:
    """``count`` free start times from ``after`` on, an hour or more apart, so that booking one
    leaves the next free."""
    slots = find_slots(consultation, start=after, end=after + timedelta(days=21))
    starts: list[datetime] = []
    for slot in slots:
        if not starts or slot.start >= starts[-1] + timedelta(hours=1):
            starts.append(slot.start)
    assert len(starts) >= count
    return starts[:count]


def message_ids(**filters) -> set[str]:
    return {m.message_id_header for m in Message.objects.filter(**filters)}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_killed_workers_send_each_reminder_once_and_none_that_moved(clinic, smtp_server):
    video = ConsultationType.objects.get(slug="free-video-consultation")
    in_two_days = timezone.now() + timedelta(days=2)  # past every notice rule
    appointments = [
        services.book(
            video, start, person(name=f"Mother {n}", email=f"mother{n}@example.org"), via="web"
        )[0]
        for n, start in enumerate(free_starts(video, BOOKINGS, after=in_two_days))
    ]
    cancelled, moved = appointments[:2], appointments[2:4]
    for appointment in cancelled:
        services.cancel(appointment)
    later = max(a.starts_at for a in appointments) + timedelta(days=1)
    for appointment, start in zip(moved, free_starts(video, 2, after=later), strict=True):
        services.reschedule(appointment, start)
    appointments = list(Appointment.objects.filter(pk__in=[a.pk for a in appointments]))
    assert [a.sequence for a in appointments].count(1) == 4

    # What must arrive, worked out from the appointments rather than from the outbox's states.
    hours_before = settings.PERINATAL_REMINDER_HOURS  # 24 and 2
    should_go, must_not = [], []
    for a in appointments:
        should_go.append(f"appointment:{a.public_id}:0")  # booked
        if a.sequence:
            should_go.append(f"appointment:{a.public_id}:1")  # cancelled, or moved
            must_not += [f"reminder:{a.public_id}:0:{hours}" for hours in hours_before]
        if a.is_booked:
            should_go += [f"reminder:{a.public_id}:{a.sequence}:{hours}" for hours in hours_before]
    expected = message_ids(dedupe_key__in=should_go)
    stale = message_ids(dedupe_key__in=must_not)
    reminders_due = (BOOKINGS - 2) * len(hours_before)  # 36: none for the 2 cancelled
    assert len(expected) == len(should_go) == BOOKINGS + 4 + reminders_due  # 60
    assert len(stale) == len(must_not) == 4 * len(hours_before)  # 8
    assert Message.objects.count() == len(expected) + len(stale)

    # Time passes: every reminder still waiting is due now …
    now = timezone.now()
    waiting = Message.objects.filter(template=REMINDER, status=Message.Status.PENDING)
    assert waiting.update(next_attempt_at=now - timedelta(minutes=1)) == reminders_due
    # … and the withdrawn ones are back as a killed worker would have left them.
    withdrawn = Message.objects.filter(template=REMINDER, status=Message.Status.CANCELLED)
    assert set(withdrawn.values_list("dedupe_key", flat=True)) == set(must_not)
    withdrawn.update(
        status=Message.Status.SENDING,
        attempts=F("attempts") + 1,
        lease_expires_at=now - timedelta(seconds=1),
        last_error="",
    )

    workers = Workers(smtp_server.port, count=2)
    # Deliveries (counted separately for reminders, which only the sweep's batches send, and the
    # rest) on which the SMTP server kills the worker sending, before accepting the message.
    kill_on = {"reminder": {2, 9, 17, 26, 33}, "other": {4, 15}}
    attempts = {"reminder": 0, "other": 0}
    missed_kills = []

    def kill_sender_mid_send(message, peer):
        kind = "reminder" if message["Subject"].startswith("Reminder") else "other"
        attempts[kind] += 1
        if attempts[kind] not in kill_on[kind]:
            return True
        if not workers.kill_sender(peer[1]):
            missed_kills.append((kind, attempts[kind]))
            return True
        return False  # the sender is dead: nobody records this attempt, its lease runs out

    smtp_server.handler.before_accept = kill_sender_mid_send
    unfinished = Message.objects.filter(status__in=[Message.Status.PENDING, Message.Status.SENDING])
    workers.supervise(until=lambda: not unfinished.exists(), seconds=150)

    received = [m["Message-ID"] for m in smtp_server.handler.messages]
    states = dict(Message.objects.values_list("dedupe_key", "status"))
    assert not unfinished.exists(), states
    assert missed_kills == []
    assert workers.kills == sum(len(n) for n in kill_on.values())
    assert sorted(received) == sorted(expected)  # each once: none lost, none twice …
    assert not stale & set(received)  # … and none for a cancelled appointment or an old time
    assert {states[key] for key in should_go} == {Message.Status.SENT}
    assert {states[key] for key in must_not} == {Message.Status.CANCELLED}
    assert len(received) == len(expected) == 60
