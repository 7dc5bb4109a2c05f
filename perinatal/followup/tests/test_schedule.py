"""Follow-up that runs itself: the plan's days become questionnaires opening at the clinic's
hour on her own clock, across daylight-saving changes; the sweep sends each at its hour, reminds
once, marks the unanswered missed and withdraws what a cancelled infusion left."""

import zoneinfo
from datetime import date, timedelta

import pytest
import time_machine

from perinatal.booking.services import cancel
from perinatal.followup import services
from perinatal.followup.models import FollowUp, FollowUpSettings
from perinatal.followup.tests.helpers import infusion_given, link_in
from perinatal.notify.delivery import deliver_due
from perinatal.notify.models import Message

pytestmark = pytest.mark.django_db

ZONES = ["America/New_York", "America/Los_Angeles", "Europe/Madrid"]


def by_day(session) -> dict[int, FollowUp]:
    return {f.day: f for f in FollowUp.objects.filter(session=session, anchor="infusion")}


@pytest.mark.parametrize("zone", ZONES)
def test_each_questionnaire_opens_at_ten_on_her_clock_on_its_day_across_dst(
    day_clinic, clinician, nurse, second_nurse, zone
):
    session = infusion_given(clinician, nurse, second_nurse, zone=zone)
    follow_ups = by_day(session)
    assert sorted(follow_ups) == [1, 7, 14, 30, 42, 90, 180]  # the plan's default schedule
    expected = {1: date(2026, 10, 20), 7: date(2026, 10, 26), 14: date(2026, 11, 2)}
    offsets = set()
    for day, on in expected.items():
        local = follow_ups[day].opens_at.astimezone(zoneinfo.ZoneInfo(zone))
        assert (local.date(), local.hour, local.minute) == (on, 10, 0)
        closes = follow_ups[day].closes_at.astimezone(zoneinfo.ZoneInfo(zone))
        assert (closes.date(), closes.hour) == (on + timedelta(days=3), 10)
        assert follow_ups[day].time_zone == zone
        offsets.add(local.utcoffset())
    # Days 1 and 14 sit on either side of her zone's change: the same wall-clock hour is a
    # different instant, which a fixed offset would get wrong.
    assert len(offsets) == 2


def test_without_a_zone_of_her_own_the_infusions_location_sets_the_clock(
    day_clinic, clinician, nurse, second_nurse
):
    session = infusion_given(clinician, nurse, second_nurse)
    first = by_day(session)[1]
    assert first.time_zone == session.appointment.time_zone
    local = first.opens_at.astimezone(zoneinfo.ZoneInfo(first.time_zone))
    assert (local.date(), local.hour) == (date(2026, 10, 20), 10)


@pytest.mark.parametrize("unknown", ["Mars/Olympus_Mons", "../../etc/passwd"])
def test_a_zone_this_machine_does_not_know_falls_back_to_the_location(
    day_clinic, clinician, nurse, second_nurse, unknown
):
    session = infusion_given(clinician, nurse, second_nurse, zone=unknown)
    assert by_day(session)[1].time_zone == session.appointment.time_zone


def test_the_directors_hour_and_window_are_used(day_clinic, clinician, nurse, second_nurse):
    FollowUpSettings.objects.update(send_hour=18, window_days=5)
    session = infusion_given(clinician, nurse, second_nurse, zone="Europe/Madrid")
    first = by_day(session)[1]
    madrid = zoneinfo.ZoneInfo("Europe/Madrid")
    assert first.opens_at.astimezone(madrid).hour == 18
    # Five days on her clock: the window crosses Madrid's change on 25 October, so it closes
    # at 18:00 local on the 25th, five days and one hour after it opened.
    closes = first.closes_at.astimezone(madrid)
    assert (closes.date(), closes.hour) == (date(2026, 10, 25), 18)
    assert first.closes_at - first.opens_at == timedelta(days=5, hours=1)


def test_postpartum_anchors_come_only_with_a_delivery_date_and_after_the_infusion(
    day_clinic, clinician, nurse, second_nurse
):
    # Delivered 2 September: 6 weeks is 14 October (before the infusion, dropped); 13 weeks is
    # 2 December (day 44: within the window of day 42, not sent twice); 26 weeks is 3 March.
    session = infusion_given(clinician, nurse, second_nurse, delivery_date=date(2026, 9, 2))
    anchored = FollowUp.objects.filter(session=session, anchor="delivery")
    assert [(f.offset, f.day) for f in anchored] == [(26, 135)]


def test_the_sweep_sends_each_invitation_at_its_hour_in_her_language_and_reminds_once(
    day_clinic, clinician, nurse, second_nurse
):
    session = infusion_given(clinician, nurse, second_nurse, zone="America/Los_Angeles")
    first = by_day(session)[1]
    with time_machine.travel(first.opens_at - timedelta(minutes=1), tick=False) as clock:
        assert services.sweep()["sent"] == 0
        assert not Message.objects.filter(template="follow_up_invitation").exists()
        clock.move_to(first.opens_at)
        assert services.sweep()["sent"] == 1
        assert services.sweep()["sent"] == 0  # a second sweep sends nothing twice
        invitation = Message.objects.get(template="follow_up_invitation")
        assert invitation.to == session.patient.email
        assert session.patient.name not in invitation.subject + invitation.body_text
        first.refresh_from_db()
        assert first.status == "sent" and first.token_digest not in invitation.body_text
        assert deliver_due() >= 1
        reminder = Message.objects.get(template="follow_up_reminder")
        assert reminder.next_attempt_at == first.opens_at + timedelta(hours=48)
        clock.move_to(reminder.next_attempt_at + timedelta(minutes=1))
        deliver_due()
        reminder.refresh_from_db()
        assert reminder.status == "sent"
        assert Message.objects.filter(template="follow_up_reminder").count() == 1


def test_her_spanish_invitation_opens_the_spanish_page(
    client, day_clinic, clinician, nurse, second_nurse
):
    session = infusion_given(clinician, nurse, second_nurse, language="es")
    first = by_day(session)[1]
    with time_machine.travel(first.opens_at, tick=False):
        services.sweep()
        invitation = Message.objects.get(template="follow_up_invitation")
        assert invitation.subject.startswith("¿Cómo se siente?")
        link = link_in(invitation)
        assert link.startswith("/es/")
        page = client.get(link).content.decode()
        assert "Cómo se siente ahora" in page and "Enviar mis respuestas" in page


def test_no_reminder_once_she_has_answered(client, day_clinic, clinician, nurse, second_nurse):
    from perinatal.followup.tests.helpers import epds_answers

    session = infusion_given(clinician, nurse, second_nurse, zone="America/New_York")
    first = by_day(session)[1]
    with time_machine.travel(first.opens_at, tick=False) as clock:
        services.sweep()
        link = link_in(Message.objects.get(template="follow_up_invitation"))
        clock.shift(timedelta(hours=3))
        assert client.post(link, epds_answers(total_from_items=5)).status_code == 200
        reminder = Message.objects.get(template="follow_up_reminder")
        assert reminder.status == "cancelled"
        clock.shift(timedelta(hours=48))
        deliver_due()
        reminder.refresh_from_db()
        assert reminder.status == "cancelled" and reminder.sent_at is None


def test_a_reminder_a_worker_already_holds_is_stopped_at_send_time(
    day_clinic, clinician, nurse, second_nurse
):
    """Answered after the reminder was claimed but before it went: the check just before
    sending stops it."""
    from perinatal.screening.instruments import get_instrument

    session = infusion_given(clinician, nurse, second_nurse)
    first = by_day(session)[1]
    with time_machine.travel(first.opens_at, tick=False) as clock:
        services.sweep()
        reminder = Message.objects.get(template="follow_up_reminder")
        clock.move_to(reminder.next_attempt_at)
        Message.objects.filter(pk=reminder.pk).update(
            status="sending", lease_expires_at=reminder.next_attempt_at + timedelta(minutes=5)
        )  # a worker has claimed it
        epds = get_instrument("epds", "en")
        assert epds is not None
        services.answer(first, epds.score([0] * len(epds.items)))
        reminder.refresh_from_db()
        assert reminder.status == "sending"  # withdrawing passes over a claimed message...
        assert reminder.still_wanted() is False  # ...and the check before sending stops it


def test_a_window_that_closes_unanswered_is_marked_missed(
    day_clinic, clinician, nurse, second_nurse
):
    session = infusion_given(clinician, nurse, second_nurse)
    first = by_day(session)[1]
    with time_machine.travel(first.opens_at, tick=False) as clock:
        services.sweep()
        clock.move_to(first.closes_at - timedelta(seconds=1))
        assert services.sweep()["missed"] == 0
        clock.move_to(first.closes_at)
        assert services.sweep()["missed"] == 1
    first.refresh_from_db()
    assert first.status == "missed" and first.closed_at == first.closes_at
    assert not first.call_needed  # one miss is not yet a call


def test_a_questionnaire_never_sent_is_still_marked_missed(
    day_clinic, clinician, nurse, second_nurse
):
    """No email address: nothing can go, and the miss is recorded, never dropped."""
    session = infusion_given(clinician, nurse, second_nurse)
    type(session.patient).objects.filter(pk=session.patient_id).update(email="")
    first = by_day(session)[1]
    with time_machine.travel(first.closes_at, tick=False):
        assert services.sweep() == {"withdrawn": 0, "missed": 1, "sent": 0}


def test_a_cancelled_infusion_withdraws_its_invitations(
    client, day_clinic, clinician, nurse, second_nurse
):
    session = infusion_given(clinician, nurse, second_nurse)
    first = by_day(session)[1]
    with time_machine.travel(first.opens_at, tick=False):
        services.sweep()
        link = link_in(Message.objects.get(template="follow_up_invitation"))
        cancel(session.appointment, actor="staff", user=clinician)
        assert services.sweep()["withdrawn"] == FollowUp.objects.filter(session=session).count()
        assert client.get(link).status_code == 410
    statuses = set(FollowUp.objects.filter(session=session).values_list("status", flat=True))
    assert statuses == {"withdrawn"}
    assert Message.objects.get(template="follow_up_reminder").status == "cancelled"


def test_a_later_infusion_replaces_what_the_earlier_one_had_waiting(
    day_clinic, clinician, nurse, second_nurse
):
    from perinatal.infusion.tests.helpers import book, discharged
    from perinatal.screening.instruments import get_instrument

    session = infusion_given(clinician, nurse, second_nurse)
    first, second = by_day(session)[1], by_day(session)[7]
    epds = get_instrument("epds", "en")
    assert epds is not None
    with time_machine.travel(first.opens_at + timedelta(hours=1), tick=False) as clock:
        services.sweep()
        services.answer(first, epds.score([0] * len(epds.items)))
        clock.move_to(second.opens_at)
        services.sweep()  # day 7 sent, its reminder waiting
        again = book(session.plan, clinician, days=14)
        clock.move_to(again.starts_at)
        repeat = discharged(again, nurse, second_nurse, clinician, clock)
    earlier = dict(FollowUp.objects.filter(session=session).values_list("day", "status"))
    assert earlier.pop(1) == "answered"  # what she answered stays hers
    assert set(earlier.values()) == {"withdrawn"}
    assert FollowUp.objects.filter(session=repeat, status="due").exists()
    reminder = Message.objects.get(template="follow_up_reminder", about_id=second.pk)
    assert reminder.status == "cancelled"


def test_the_worker_runs_the_sweep_on_its_schedule():
    from django.utils.module_loading import import_string

    from perinatal.lib.worker import PERIODIC_TASKS

    path = "perinatal.followup.tasks.sweep_follow_ups"
    assert path in PERIODIC_TASKS
    assert import_string(path).call() == {"withdrawn": 0, "missed": 0, "sent": 0}


def test_the_directors_settings_refuse_an_instrument_not_loaded_and_bad_weeks(db):
    from django.core.exceptions import ValidationError

    config = FollowUpSettings.objects.current()
    config.instrument = "madrs"
    config.postpartum_weeks = [13, 6]
    with pytest.raises(ValidationError) as refused:
        config.full_clean()
    assert {"instrument", "postpartum_weeks"} <= set(refused.value.message_dict)
    assert config.needs_review and "unverified" in config.source
