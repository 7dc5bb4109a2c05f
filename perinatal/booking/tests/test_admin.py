"""Staff moving or cancelling in the admin go through the same rules as patients."""

import zoneinfo
from datetime import datetime, timedelta

import pytest
import time_machine

from perinatal.booking import services
from perinatal.booking.models import Appointment
from perinatal.booking.tests.helpers import AT_TEN, NOW, person
from perinatal.notify.models import Message
from tests.harness import sign_in


@pytest.fixture
def clinic_admin(staff):
    """Bookings in the admin are the medical director's: both factors, and a role that both
    manages the schedule and configures something (never the administrator's)."""
    return staff("director", username="director")


@pytest.fixture
def two_bookings(setup, clinic_admin, client):
    with time_machine.travel(NOW, tick=False):
        denver = setup.location("America/Denver", "Denver")
        clinician = setup.clinician("Dr Solo", denver, hours=[(2, 9, 17)])
        consultation = setup.consultation(clinician, minutes=30, buffer=10)
        first, _ = services.book(consultation, AT_TEN, person(), via="web")
        second, _ = services.book(
            consultation, AT_TEN + timedelta(hours=2), person(name="Urgent Case"), via="web"
        )
        Appointment.objects.filter(pk=second.pk).update(urgent=True)
        sign_in(client, clinic_admin)
        yield first, second, client


def change(client, appointment, when: datetime):
    local = when.astimezone(zoneinfo.ZoneInfo(appointment.time_zone))  # the location's time
    return client.post(
        f"/admin/booking/appointment/{appointment.pk}/change/",
        {
            "clinician": appointment.clinician_id,
            "starts_at_0": local.strftime("%Y-%m-%d"),
            "starts_at_1": local.strftime("%H:%M:%S"),
            "events-TOTAL_FORMS": "1",
            "events-INITIAL_FORMS": "1",
            "events-MIN_NUM_FORMS": "0",
            "events-MAX_NUM_FORMS": "1000",
            "events-0-id": appointment.events.get().pk,
            "events-0-appointment": appointment.pk,
        },
    )


def test_urgent_bookings_come_first(two_bookings):
    _first, _second, client = two_bookings
    page = client.get("/admin/booking/appointment/").content.decode()
    assert page.index("Urgent Case") < page.index("Ana Example")


def test_staff_cannot_move_one_appointment_onto_another(two_bookings):
    first, second, client = two_bookings
    with time_machine.travel(NOW, tick=False):
        response = change(client, first, second.starts_at + timedelta(minutes=15))
    assert response.status_code == 200
    assert "already has an appointment then" in response.content.decode()
    page = response.content.decode()
    assert "(America/Denver)" in page
    typed = (second.starts_at + timedelta(minutes=15)).astimezone(
        zoneinfo.ZoneInfo("America/Denver")
    )
    assert f'value="{typed:%H:%M:%S}"' in page  # shown back in the location's time
    first.refresh_from_db()
    assert (first.starts_at, first.sequence) == (AT_TEN, 0)


def test_a_staff_move_is_sent_to_the_patient_like_any_change(two_bookings, clinic_admin):
    first, _second, client = two_bookings
    new_time = AT_TEN + timedelta(minutes=50)  # off the patients' grid: staff may
    with time_machine.travel(NOW, tick=False):
        response = change(client, first, new_time)
    assert response.status_code == 302, response.content.decode()[:3000]
    first.refresh_from_db()
    assert (first.starts_at, first.sequence) == (new_time, 1)
    assert first.events.last().user == clinic_admin
    assert Message.objects.filter(template="appointment_changed").count() == 1


def test_staff_cancel_action_emails_the_patient(two_bookings):
    first, _second, client = two_bookings
    with time_machine.travel(NOW, tick=False):
        client.post(
            "/admin/booking/appointment/",
            {"action": "cancel_selected", "_selected_action": [first.pk]},
        )
    first.refresh_from_db()
    assert first.status == Appointment.Status.CANCELLED
    assert Message.objects.filter(template="appointment_cancelled").count() == 1


def test_the_outbox_says_which_appointment_each_email_is_about(two_bookings, staff):
    first, second, client = two_bookings
    Message.objects.update(dedupe_key="")  # nothing left to read it from but the real fields
    sign_in(client, staff("admin"))

    page = client.get("/admin/notify/message/").text

    for appointment in (first, second):
        link = f'<a href="/admin/booking/appointment/{appointment.pk}/change/">'
        reminders = Message.objects.filter(about_id=appointment.pk, about_version=0).count()
        assert reminders == 2  # 24 h and 2 h before
        assert page.count(f"{link}appointment {appointment.pk} (version 0)</a>") == reminders
        assert page.count(f"{link}appointment {appointment.pk}</a>") == 1  # the confirmation
