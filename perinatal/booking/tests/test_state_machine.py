"""Random sequences of booking, moving (by patients and by staff) and cancelling never leave two
appointments of one clinician overlapping, and every refusal is a clear booking error."""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    invariant,
    rule,
    run_state_machine_as_test,
)

from perinatal.booking import services
from perinatal.booking.models import Appointment, AppointmentEvent
from perinatal.booking.tests.helpers import DENVER, NOW, Setup, person
from perinatal.notify.models import Message

DAY = datetime(2026, 6, 3, tzinfo=DENVER).date()
# Every 5 minutes from 8:55 to 12:00: on and off the 15-minute grid, inside and outside hours.
TIMES = [
    datetime.combine(DAY, time(8, 55), tzinfo=DENVER) + timedelta(minutes=5 * n) for n in range(38)
]
REFUSALS = (services.SlotTaken, services.NotOffered, services.NotBooked)


def overlaps(rows) -> list:
    clashes = []
    for i, a in enumerate(rows):
        for b in rows[i + 1 :]:
            if (
                a.clinician_id == b.clinician_id
                and a.starts_at < b.blocked_until
                and b.starts_at < a.blocked_until
            ):
                clashes.append((a, b))
    return clashes


class Bookings(RuleBasedStateMachine):
    appointments = Bundle("appointments")

    def __init__(self):
        super().__init__()
        Appointment.objects.all().delete()
        Message.objects.all().delete()
        self.booked = 0

    @rule(target=appointments, kind=st.sampled_from(["video", "room"]), when=st.sampled_from(TIMES))
    def book(self, kind, when):
        consultation = self.context.video if kind == "video" else self.context.room
        where = {} if kind == "video" else {"location": self.context.denver}
        try:
            appointment, created = services.book(consultation, when, person(), via="web", **where)
        except REFUSALS:
            return None
        assert created and appointment.starts_at == when
        self.booked += 1
        return appointment.pk

    @rule(pk=appointments, when=st.sampled_from(TIMES))
    def patient_moves(self, pk, when):
        if pk is None:
            return
        try:
            moved = services.reschedule(Appointment.objects.get(pk=pk), when)
        except REFUSALS:
            return
        assert moved.starts_at == when

    @rule(pk=appointments, when=st.sampled_from(TIMES), other=st.booleans())
    def staff_moves(self, pk, when, other):
        """Staff may pick any time and either clinician; only the overlap rule stops them."""
        if pk is None:
            return
        appointment = Appointment.objects.get(pk=pk)
        clinician = self.context.clinicians[other]
        try:
            moved = services.reschedule(
                appointment, when, actor=AppointmentEvent.Actor.STAFF, clinician=clinician
            )
        except REFUSALS:
            return
        assert (moved.starts_at, moved.clinician) == (when, clinician)

    @rule(pk=consumes(appointments))
    def cancel(self, pk):
        if pk is None:
            return
        appointment = Appointment.objects.get(pk=pk)
        was_booked = appointment.is_booked
        services.cancel(appointment)
        self.booked -= was_booked

    @invariant()
    def never_overlapping(self):
        rows = list(Appointment.objects.booked())
        assert overlaps(rows) == []
        assert len(rows) == self.booked
        for row in rows:
            assert row.ends_at - row.starts_at == timedelta(minutes=row.duration_minutes)
            assert row.blocked_until - row.ends_at == timedelta(minutes=row.buffer_minutes)


@pytest.mark.django_db
def test_no_sequence_of_changes_double_books():
    context = Setup()
    context.clinic.slot_step_minutes = 15
    context.clinic.change_notice_hours = 0
    context.clinic.save()
    context.denver = context.location("America/Denver", "Denver")
    context.clinicians = [
        context.clinician(name, context.denver, hours=[(2, 9, 12)]) for name in ("Dr A", "Dr B")
    ]
    context.video = context.consultation(*context.clinicians, minutes=30, buffer=10)
    context.room = context.consultation(
        *context.clinicians, mode="in_person", minutes=45, buffer=15
    )
    Bookings.context = context
    with time_machine.travel(NOW, tick=False):
        run_state_machine_as_test(
            Bookings,
            settings=settings(
                max_examples=60,
                stateful_step_count=25,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow],
            ),
        )
