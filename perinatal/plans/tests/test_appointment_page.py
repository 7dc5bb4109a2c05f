"""The back office's appointment page: who sees it, and confirming, moving and cancelling."""

import zoneinfo
from datetime import timedelta

import pytest

from perinatal.audit.models import Action, AuditEvent
from perinatal.booking import services
from perinatal.booking.models import Appointment, ConsultationType
from perinatal.booking.slots import find_slots
from perinatal.booking.tests.helpers import person
from perinatal.notify.models import Message
from perinatal.pathway import services as pathway
from perinatal.plans.tests.helpers import boston, chairs, clinicians, local_start, signed_plan
from tests.harness import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(infusion_clinic) -> Appointment:
    """A video consultation she booked herself, not yet confirmed by staff; one Boston
    clinician gives them, so every video booking here is hers."""
    video = ConsultationType.objects.get(slug="free-video-consultation")
    video.clinicians.set(clinicians(boston())[:1])
    start = local_start(boston())
    slot = find_slots(video, start=start, end=start + timedelta(days=7))[0]
    appointment, _ = services.book(video, slot.start, person(), via="web")
    return appointment


def local(appointment, instant=None):
    return (instant or appointment.starts_at).astimezone(zoneinfo.ZoneInfo(appointment.time_zone))


@pytest.mark.parametrize("role", ["front_desk", "nurse", "clinician", "director"])
def test_the_schedule_roles_see_the_appointment_in_its_locations_time(client, staff, booked, role):
    sign_in(client, staff(role))
    response = client.get(f"/staff/appointments/{booked.public_id}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert local(booked).strftime("%H:%M") in html
    assert f'href="/staff/patients/{booked.patient.public_id}/"' in html
    assert "not confirmed yet" in html and "Confirm the booking" in html
    assert response["Cache-Control"] == "no-store, private"
    view = AuditEvent.objects.get(action=Action.VIEW, model="booking.appointment")
    assert (view.object_id, view.patient_id) == (str(booked.pk), booked.patient_id)


def test_the_administrator_and_unknown_appointments_get_404(client, staff, booked):
    sign_in(client, staff("admin"))
    for path in ("", "confirm/", "move/", "cancel/"):
        method = client.get if not path else client.post
        assert method(f"/staff/appointments/{booked.public_id}/{path}").status_code == 404, path
    sign_in(client, staff("front_desk"))
    assert client.get(f"/staff/appointments/{booked.pk + 1000}/").status_code == 404
    assert client.post(f"/staff/appointments/{booked.pk + 1000}/confirm/").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, booked):
    response = client.get(f"/staff/appointments/{booked.public_id}/")
    assert response.status_code == 302 and response["Location"].startswith("/staff/sign-in/")


def test_front_desk_confirms_a_new_booking(client, staff, booked):
    front = staff("front_desk")
    sign_in(client, front)

    response = client.post(f"/staff/appointments/{booked.public_id}/confirm/", follow=True)

    assert response.status_code == 200
    booked.refresh_from_db()
    assert booked.confirmed_by == front and booked.confirmed_at is not None
    assert "Confirm the booking" not in response.content.decode()
    change = AuditEvent.objects.get(action=Action.UPDATE, model="booking.appointment")
    assert change.detail == {"fields": ["confirmed_at", "confirmed_by"]}
    assert change.actor_id == front.pk and change.patient_id == booked.patient_id
    # Again: nothing changes, and no second event.
    first_confirmed = booked.confirmed_at
    client.post(f"/staff/appointments/{booked.public_id}/confirm/")
    booked.refresh_from_db()
    assert booked.confirmed_at == first_confirmed
    assert AuditEvent.objects.filter(action=Action.UPDATE).count() == 1


def test_staff_move_an_appointment_and_she_is_emailed(client, staff, booked):
    front = staff("front_desk")
    sign_in(client, front)
    new = local(booked) + timedelta(days=1, hours=2)

    response = client.post(
        f"/staff/appointments/{booked.public_id}/move/",
        {
            "date": new.date().isoformat(),
            "time": new.strftime("%H:%M"),
            "clinician": booked.clinician_id,
        },
    )

    assert response.status_code == 302
    booked.refresh_from_db()
    assert booked.starts_at == new and booked.sequence == 1
    event = booked.events.last()
    assert (event.kind, event.actor, event.user) == ("rescheduled", "staff", front)
    assert Message.objects.filter(template="appointment_changed", to=booked.email).count() == 1


def test_a_move_onto_a_taken_time_is_refused_with_free_times(client, staff, booked):
    video = booked.consultation_type
    other, _ = services.book(
        video,
        booked.starts_at + timedelta(hours=1),
        person(name="Bea Other", email="bea@example.org"),
        via="web",
    )
    sign_in(client, staff("clinician"))
    taken = local(other)

    response = client.post(
        f"/staff/appointments/{booked.public_id}/move/",
        {
            "date": taken.date().isoformat(),
            "time": taken.strftime("%H:%M"),
            "clinician": other.clinician_id,
        },
    )

    assert response.status_code == 409
    assert "is taken for part of that time" in response.content.decode()
    assert response.context["free"]
    before = booked.starts_at
    booked.refresh_from_db()
    assert booked.starts_at == before and booked.sequence == 0


def test_an_infusion_keeps_its_chair_when_moved_and_cannot_move_onto_a_busy_one(
    client, staff, patient, clinician
):
    chair = chairs(boston())[0]
    first, second = clinicians(boston())
    start = local_start(boston())
    from perinatal.plans.tests.helpers import a_patient, infusion_type

    def infusion(plan, when, doctor):
        return pathway.book_infusion(
            plan,
            visit_type=infusion_type(),
            location=boston(),
            start=when,
            clinician=doctor,
            chair=chair,
            user=clinician,
        )

    hers = infusion(signed_plan(patient, clinician), start, first)
    later = start + timedelta(days=1)
    infusion(signed_plan(a_patient(name="Bea", email="bea@example.org"), clinician), later, second)
    sign_in(client, staff("front_desk"))

    # Onto the next day, with her clinician free then but the chair taken: refused.
    response = client.post(
        f"/staff/appointments/{hers.public_id}/move/",
        {"date": later.date().isoformat(), "time": "10:00", "clinician": first.pk},
    )

    assert response.status_code == 409
    assert "or the chair is taken" in response.content.decode()
    hers.refresh_from_db()
    assert hers.starts_at == start and hers.chair == chair


def test_staff_cancel_and_she_is_emailed(client, staff, booked):
    nurse = staff("nurse")
    sign_in(client, nurse)

    response = client.post(f"/staff/appointments/{booked.public_id}/cancel/", follow=True)

    assert response.status_code == 200
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.CANCELLED
    event = booked.events.last()
    assert (event.kind, event.actor, event.user) == ("cancelled", "staff", nurse)
    assert Message.objects.filter(template="appointment_cancelled").count() == 1
    html = response.content.decode()
    assert "cancelled" in html and "Cancel the appointment" not in html
    # A cancelled appointment is neither confirmed nor moved.
    client.post(f"/staff/appointments/{booked.public_id}/confirm/")
    booked.refresh_from_db()
    assert booked.confirmed_at is None


def test_the_actions_need_a_post(client, staff, booked):
    sign_in(client, staff("front_desk"))
    for action in ("confirm", "move", "cancel"):
        assert client.get(f"/staff/appointments/{booked.public_id}/{action}/").status_code == 405
