"""Booking, moving and cancelling through the services: the rules every path shares."""

from datetime import datetime, timedelta

import pytest
from icalendar import Calendar

from perinatal.booking import services
from perinatal.booking.models import Appointment, AppointmentEvent
from perinatal.booking.tests.helpers import AT_ELEVEN, AT_TEN, DENVER, NOW, person, screened
from perinatal.notify import delivery
from perinatal.notify.models import Message
from tests.harness import appointment_linked_from


@pytest.fixture
def one_clinician(setup, frozen):
    denver = setup.location("America/Denver", "Denver")
    clinician = setup.clinician("Dr Solo", denver, hours=[(d, 9, 17) for d in range(5)])
    return setup.consultation(clinician, mode="in_person", minutes=45, buffer=15), denver


def book(consultation, location, when=AT_TEN, **kwargs):
    return services.book(
        consultation, when, person(**kwargs.pop("who", {})), via="web", location=location, **kwargs
    )


def reminders_of(appointment, status=Message.Status.PENDING):
    return Message.objects.filter(
        template="appointment_reminder",
        about_id=appointment.pk,
        status=status,
    )


def test_booking_keeps_what_was_agreed_when_the_setup_changes(one_clinician):
    consultation, denver = one_clinician
    appointment, created = book(consultation, denver)
    assert created
    assert (appointment.starts_at, appointment.ends_at) == (AT_TEN, AT_TEN + timedelta(minutes=45))
    assert appointment.blocked_until == appointment.ends_at + timedelta(minutes=15)
    clinician = appointment.clinician
    consultation.duration_minutes, consultation.name = 90, "Renamed"
    consultation.save()
    clinician.name = "Dr Renamed"
    clinician.save()
    denver.name, denver.address = "Moved", "Elsewhere"
    denver.save()
    appointment.refresh_from_db()
    assert (appointment.type_name, appointment.clinician_name) == ("in_person 45", "Dr Solo")
    assert (appointment.location_name, appointment.location_address) == (
        "Denver",
        "1 Denver Street",
    )
    assert appointment.duration_minutes == 45
    assert appointment.time_zone == "America/Denver"


def test_the_same_idempotency_key_books_once(one_clinician):
    consultation, denver = one_clinician
    first, created = book(consultation, denver, idempotency_key="tap-once-123")
    again, created_again = book(consultation, denver, idempotency_key="tap-once-123")
    assert created and not created_again
    assert again.pk == first.pk
    assert Appointment.objects.count() == 1
    assert Message.objects.filter(template="appointment_booked").count() == 1


def test_a_taken_slot_is_refused_with_the_next_free_times(one_clinician):
    consultation, denver = one_clinician
    book(consultation, denver)
    with pytest.raises(services.SlotTaken) as taken:
        book(consultation, denver, who={"email": "other@example.org"})
    assert Appointment.objects.count() == 1
    # 10:00 + 45 minutes + 15 minutes of buffer: the next start is 11:00.
    assert taken.value.next_free[0].start == AT_ELEVEN
    assert all(s.start >= AT_TEN for s in taken.value.next_free)


def test_a_time_never_offered_is_not_a_race(one_clinician):
    consultation, denver = one_clinician
    with pytest.raises(services.NotOffered):
        book(consultation, denver, when=datetime(2026, 6, 3, 3, tzinfo=DENVER))  # 3 am
    with pytest.raises(services.NotOffered):
        book(consultation, denver, when=AT_TEN + timedelta(minutes=7))  # off the 30-minute grid
    with pytest.raises(services.NotOffered):
        book(consultation, None)  # in person needs a place


def test_any_free_clinician_takes_the_slot_until_none_is_left(setup, frozen):
    denver = setup.location("America/Denver", "Denver")
    a = setup.clinician("Dr A", denver, hours=[(2, 9, 17)])
    b = setup.clinician("Dr B", denver, hours=[(2, 9, 17)])
    consultation = setup.consultation(a, b)
    first, _ = services.book(consultation, AT_TEN, person(), via="api")
    second, _ = services.book(consultation, AT_TEN, person(), via="api")
    assert {first.clinician, second.clinician} == {a, b}
    with pytest.raises(services.SlotTaken):
        services.book(consultation, AT_TEN, person(), via="api")


def test_rescheduling_keeps_the_link_and_uid_and_replaces_the_reminders(one_clinician):
    consultation, denver = one_clinician
    appointment, _ = book(consultation, denver)
    token, public_id = services.issue_manage_link(appointment), appointment.public_id
    old_reminders = list(reminders_of(appointment))
    assert len(old_reminders) == 2  # 24 h and 2 h before

    moved = services.reschedule(appointment, AT_ELEVEN)
    assert (moved.public_id, moved.sequence) == (public_id, 1)
    assert services.by_token(token) == moved  # the link she had still opens it
    assert moved.starts_at == AT_ELEVEN
    assert {m.pk for m in reminders_of(appointment, Message.Status.CANCELLED)} == {
        m.pk for m in old_reminders
    }
    new_reminders = reminders_of(appointment)
    assert sorted(m.next_attempt_at for m in new_reminders) == [
        AT_ELEVEN - timedelta(hours=24),
        AT_ELEVEN - timedelta(hours=2),
    ]
    assert Message.objects.filter(template="appointment_changed").count() == 1
    event = moved.events.get(kind=AppointmentEvent.Kind.RESCHEDULED)
    assert (event.previous_starts_at, event.starts_at) == (AT_TEN, AT_ELEVEN)


def test_rescheduling_into_a_taken_time_changes_nothing(one_clinician):
    consultation, denver = one_clinician
    mine, _ = book(consultation, denver)
    book(consultation, denver, when=AT_ELEVEN + timedelta(hours=1))
    with pytest.raises(services.SlotTaken):
        services.reschedule(mine, AT_ELEVEN + timedelta(hours=1))
    mine.refresh_from_db()
    assert (mine.starts_at, mine.sequence) == (AT_TEN, 0)
    assert reminders_of(mine).count() == 2
    assert not Message.objects.filter(template="appointment_changed").exists()


def test_cancelling_withdraws_reminders_and_is_harmless_twice(one_clinician):
    consultation, denver = one_clinician
    appointment, _ = book(consultation, denver)
    services.cancel(appointment)
    services.cancel(appointment)
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert appointment.sequence == 1
    assert reminders_of(appointment).count() == 0
    assert Message.objects.filter(template="appointment_cancelled").count() == 1
    # The time is free again.
    again, created = book(consultation, denver, who={"email": "next@example.org"})
    assert created and again.starts_at == AT_TEN


def test_inside_the_change_notice_only_staff_can_change(one_clinician, frozen, front_desk):
    consultation, denver = one_clinician
    appointment, _ = book(consultation, denver)
    frozen.move_to(AT_TEN - timedelta(hours=23))  # the clinic asks for 24 hours
    assert not services.can_change_online(appointment)
    with pytest.raises(services.TooLateToChange):
        services.reschedule(appointment, AT_ELEVEN)
    with pytest.raises(services.TooLateToChange):
        services.cancel(appointment)
    moved = services.reschedule(
        appointment, AT_ELEVEN, actor=AppointmentEvent.Actor.STAFF, user=front_desk
    )
    assert moved.starts_at == AT_ELEVEN
    assert moved.events.last().user == front_desk


def test_a_screen_with_a_self_harm_answer_makes_the_booking_urgent(one_clinician):
    consultation, denver = one_clinician
    positive, negative = screened(self_harm=True), screened(self_harm=False)
    urgent, _ = book(consultation, denver, screening=positive)
    calm, _ = book(consultation, denver, when=AT_ELEVEN, screening=negative)
    assert urgent.urgent and not calm.urgent
    (alert,) = Message.objects.filter(template="urgent_booking_alert")
    assert alert.to == "clinic@example.org"
    assert alert.subject.startswith("URGENT")
    for private in ("Ana", "617", "555", "June", "10:00"):
        assert private not in alert.subject + alert.body_text


def test_a_reminder_claimed_after_a_change_is_withdrawn_at_send_time(one_clinician, smtp_mail):
    consultation, denver = one_clinician
    appointment, _ = book(consultation, denver)
    stale = reminders_of(appointment).first()
    services.reschedule(appointment, AT_ELEVEN)
    # As if a worker had picked the reminder up just before the change withdrew it.
    Message.objects.filter(pk=stale.pk).update(status=Message.Status.PENDING, next_attempt_at=NOW)
    assert delivery.deliver(stale.pk) == Message.Status.CANCELLED
    assert not any(m["Subject"].startswith("Reminder") for m in smtp_mail)


def _calendar(email_message) -> tuple[str, Calendar]:
    part = next(p for p in email_message.walk() if p.get_content_type() == "text/calendar")
    return part.get_param("method"), Calendar.from_ical(part.get_content())


def test_emails_carry_one_calendar_event_through_its_life(one_clinician, smtp_mail):
    consultation, denver = one_clinician
    appointment, _ = book(consultation, denver, who={"name": "Rosa Private"})
    delivery.deliver_due()
    services.reschedule(appointment, AT_ELEVEN)
    delivery.deliver_due()
    services.cancel(appointment)
    delivery.deliver_due()

    assert [m["Subject"] for m in smtp_mail] == [
        "Your appointment is booked",
        "Your appointment has changed",
        "Your appointment is cancelled",
    ]
    events = []
    for message in smtp_mail:
        method, calendar = _calendar(message)
        (event,) = calendar.walk("VEVENT")
        assert calendar["METHOD"] == method
        events.append(
            (
                method,
                str(event["UID"]),
                int(event["SEQUENCE"]),
                event.decoded("DTSTART"),
                str(event["STATUS"]),
            )
        )
        assert event["DTSTART"].params["TZID"] == "America/Denver"
        assert "DTSTAMP" in event
        assert "Rosa" not in message["Subject"]
        assert appointment_linked_from(message.get_body(("plain",)).get_content()) == appointment
    uid = events[0][1]
    assert events == [
        ("REQUEST", uid, 0, AT_TEN, "CONFIRMED"),
        ("REQUEST", uid, 1, AT_ELEVEN, "CONFIRMED"),
        ("CANCEL", uid, 2, AT_ELEVEN, "CANCELLED"),
    ]


def test_each_reminder_goes_once_at_its_time(one_clinician, frozen, smtp_mail):
    consultation, denver = one_clinician
    book(consultation, denver)
    delivery.deliver_due()  # the confirmation
    frozen.move_to(AT_TEN - timedelta(hours=25))
    assert delivery.deliver_due() == 0
    frozen.move_to(AT_TEN - timedelta(hours=24))
    assert delivery.deliver_due() == 1
    assert delivery.deliver_due() == 0
    frozen.move_to(AT_TEN - timedelta(hours=2))
    assert delivery.deliver_due() == 1
    frozen.move_to(AT_TEN + timedelta(hours=2))
    assert delivery.deliver_due() == 0
    assert [m["Subject"] for m in smtp_mail] == [
        "Your appointment is booked",
        "Reminder: your appointment",
        "Reminder: your appointment",
    ]


def test_no_reminder_is_queued_for_a_time_already_past(setup, frozen):
    denver = setup.location("America/Denver", "Denver")
    consultation = setup.consultation(setup.clinician("Dr A", denver, hours=[(0, 9, 17)]))
    soon = datetime(2026, 6, 1, 9, tzinfo=DENVER)  # 3 hours from NOW
    appointment, _ = services.book(consultation, soon, person(), via="web")
    assert [m.next_attempt_at for m in reminders_of(appointment)] == [soon - timedelta(hours=2)]
