"""Real worker processes send follow-up invitations through a real SMTP server: workers killed
mid-send lose none and send none twice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from perinatal.followup.models import FollowUp
from perinatal.followup.tests.helpers import infusion_given
from perinatal.notify.models import Message
from tests.harness import Workers


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_killed_workers_lose_no_invitation_and_send_none_twice(
    smtp_server, day_clinic, clinician, nurse, second_nurse
):
    session = infusion_given(clinician, nurse, second_nurse)
    # Her schedule's rows are in the autumn; replace them with twelve open now.
    FollowUp.objects.filter(session=session).delete()
    now = timezone.now()
    total = 12
    for n in range(1, total + 1):
        FollowUp.objects.create(
            patient=session.patient,
            session=session,
            anchor="infusion",
            offset=n,
            day=n,
            instrument="epds",
            time_zone="America/New_York",
            opens_at=now - timedelta(minutes=n),
            closes_at=now + timedelta(days=3),
        )

    workers = Workers(smtp_server.port, count=2)
    kill_on = {2, 6, 9}  # these delivery attempts die before the server accepts

    attempts = {"n": 0}

    def kill_sender_mid_send(message, peer):
        attempts["n"] += 1
        if attempts["n"] in kill_on:
            assert workers.kill_sender(peer[1])
            return False
        return True

    smtp_server.handler.before_accept = kill_sender_mid_send
    invitations = Message.objects.filter(template="follow_up_invitation")
    workers.supervise(
        until=lambda: invitations.filter(status=Message.Status.SENT).count() == total,
        seconds=120,
    )

    assert workers.kills >= len(kill_on)
    assert invitations.count() == total  # one invitation per follow-up, however many sweeps
    assert set(invitations.values_list("about_id", flat=True)) == set(
        FollowUp.objects.values_list("pk", flat=True)
    )
    assert set(FollowUp.objects.values_list("status", flat=True)) == {"sent"}
    expected = sorted(m.message_id_header for m in invitations)
    # The day's own emails (the booking, the next-day check) arrive too; count the invitations.
    received = sorted(
        m["Message-ID"] for m in smtp_server.handler.messages if m["Message-ID"] in expected
    )
    assert received == expected  # every invitation once: none lost, none twice
