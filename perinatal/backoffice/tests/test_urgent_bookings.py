"""A booking whose screen flagged self-harm stays an urgent item in the work queue, whatever
happens to the appointment (confirmed, moved, cancelled by her or by the desk), until a
clinician closes it: an explicit, audited action that records who, when and what was done."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from perinatal.audit.models import Action, AuditEvent
from perinatal.backoffice.tests.helpers import TODAY_NINE, screened
from perinatal.booking import services
from perinatal.booking.models import Appointment, AppointmentEvent
from tests.harness import assert_queue_counts_agree, make_staff, sign_in_as


def queue_rows(client) -> list[str]:
    """Each item of the queue page as its text, in order."""
    html = client.get("/staff/queue/").content.decode()
    items = re.findall(r"<li(?: class=\"urgent\")?>(.*?)</li>", html, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]


@pytest.fixture
def eva(clinic_day):
    """Her screen had a self-harm answer; she booked for Wednesday, still hers to cancel."""
    return clinic_day.book(
        TODAY_NINE + timedelta(days=2),
        name="Eva Urgent",
        email="eva@example.org",
        phone="+16175550104",
        screening=screened(self_harm=True),
    )


def close_url(appointment) -> str:
    return f"/staff/appointments/{appointment.public_id}/close-urgent/"


def test_a_booking_she_cancels_stays_urgent_in_the_queue(client, staff, eva):
    services.cancel(eva, actor=AppointmentEvent.Actor.PATIENT)

    sign_in_as(client, "front_desk")
    rows = queue_rows(client)

    assert rows and rows[0].startswith("Urgent booking: Eva Urgent")
    assert "cancelled" in rows[0]
    assert_queue_counts_agree()


def test_a_booking_the_desk_cancels_or_confirms_stays_urgent(client, staff, eva, clinic_day):
    other = clinic_day.book(
        name="Uma Urgent",
        email="uma@example.org",
        phone="+16175550107",
        screening=screened(self_harm=True),
    )
    desk = sign_in_as(client, "front_desk")
    client.post(f"/staff/appointments/{eva.public_id}/confirm/")
    client.post(f"/staff/appointments/{other.public_id}/cancel/")
    assert Appointment.objects.get(pk=eva.pk).confirmed_by == desk
    assert Appointment.objects.get(pk=other.pk).status == Appointment.Status.CANCELLED

    rows = queue_rows(client)

    assert [row.split(" ")[2:4] for row in rows[:2]] == [["Eva", "Urgent"], ["Uma", "Urgent"]]
    assert all(row.startswith("Urgent booking:") for row in rows[:2])
    assert "to confirm" not in rows[0]
    assert_queue_counts_agree()


def test_a_clinician_closes_it_with_a_note_and_it_leaves_the_queue(client, staff, eva, frozen):
    services.cancel(eva, actor=AppointmentEvent.Actor.PATIENT)
    clinician = sign_in_as(client, "clinician")

    response = client.post(close_url(eva), {"note": "Reached her; safe, rebooking next week."})

    assert response.status_code == 302
    eva.refresh_from_db()
    assert eva.urgent  # what her screen said stays on the record
    assert eva.urgent_closed_at == timezone.now()
    assert eva.urgent_closed_by == clinician
    assert eva.urgent_close_note == "Reached her; safe, rebooking next week."
    assert not any("Eva Urgent" in row for row in queue_rows(client))
    (event,) = [
        event
        for event in AuditEvent.objects.filter(
            action=Action.UPDATE, model="booking.appointment", object_id=str(eva.pk)
        )
        if "urgent_closed_at" in (event.detail or {}).get("fields", [])
    ]
    assert event.actor_id == clinician.pk
    assert event.patient_id == eva.patient_id
    assert set(event.detail["fields"]) == {
        "urgent_closed_at",
        "urgent_closed_by",
        "urgent_close_note",
    }
    page = client.get(f"/staff/appointments/{eva.public_id}/").content.decode()
    assert "Reached her; safe, rebooking next week." in page
    assert clinician.get_username() in page or clinician.get_full_name() in page
    assert_queue_counts_agree()


def test_closing_an_urgent_flag_on_a_booking_leaves_it_to_confirm(client, staff, eva):
    sign_in_as(client, "clinician")
    client.post(close_url(eva), {"note": "Spoke with her."})

    rows = queue_rows(client)

    assert rows[0].startswith("New booking: Eva Urgent")
    assert "to confirm" in rows[0]
    assert_queue_counts_agree()


def test_closing_needs_a_note_and_changes_nothing_without_one(client, staff, eva):
    sign_in_as(client, "clinician")

    response = client.post(close_url(eva), {"note": "   "})

    assert response.status_code == 200
    assert "Say what was done" in response.content.decode()
    eva.refresh_from_db()
    assert eva.urgent_closed_at is None and eva.urgent_closed_by is None


@pytest.mark.parametrize("role", ["front_desk", "nurse"])
def test_only_a_clinician_may_close_it(client, staff, eva, role):
    sign_in_as(client, role)

    assert client.post(close_url(eva), {"note": "Called."}).status_code == 404

    eva.refresh_from_db()
    assert eva.urgent_closed_at is None


def test_the_service_refuses_a_user_who_may_not_close_it(staff, eva):
    with pytest.raises(PermissionDenied):
        services.close_urgent(appointment=eva, user=make_staff("front_desk"), note="Called.")
    eva.refresh_from_db()
    assert eva.urgent_closed_at is None


def test_closing_twice_keeps_the_first_close(client, staff, eva, frozen):
    first = sign_in_as(client, "clinician", "first")
    client.post(close_url(eva), {"note": "Reached her."})
    closed_at = Appointment.objects.get(pk=eva.pk).urgent_closed_at
    frozen.shift(600)
    sign_in_as(client, "director", "second")

    client.post(close_url(eva), {"note": "Again."})

    eva.refresh_from_db()
    assert (eva.urgent_closed_by, eva.urgent_closed_at) == (first, closed_at)
    assert eva.urgent_close_note == "Reached her."


def test_an_outsider_gets_404(client, staff, eva):
    sign_in_as(client, "clinician")
    assert client.post("/staff/appointments/999999/close-urgent/", {"note": "x"}).status_code == 404
