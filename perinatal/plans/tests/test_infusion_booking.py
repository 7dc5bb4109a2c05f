"""Booking the infusion day from a signed plan: a clinician and a chair, neither twice."""

from datetime import timedelta

import pytest
from django.test import Client

from perinatal.audit.models import Action, AuditEvent
from perinatal.booking import services as booking
from perinatal.booking.models import Appointment, AppointmentEvent, ConsultationType
from perinatal.booking.slots import find_slots
from perinatal.booking.tests.helpers import person
from perinatal.lib.backoffice import OTHER
from perinatal.notify.models import Message
from perinatal.obcare.tests.helpers import an_ob, set_ob
from perinatal.pathway.tests import helpers as pathway_helpers
from perinatal.plans.sources import infusions_to_book
from perinatal.plans.tests.helpers import (
    a_patient,
    boston,
    chairs,
    clinicians,
    draft_plan,
    infusion_type,
    local_start,
    signed_plan,
    when_fields,
)
from tests.harness import assert_queue_counts_agree, chart_section_html, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(patient, clinician):
    return signed_plan(patient, clinician)


def book(client, plan, start, *, chair, clinician, location=None):
    location = location or boston()
    fields = {**when_fields(location, start), "chair": chair.pk, "clinician": clinician.pk}
    return client.post(f"/staff/plans/{plan.public_id}/book/", fields)


def test_front_desk_books_the_infusion_and_she_is_emailed(client, plan, front_desk_user):
    sign_in(client, front_desk_user)
    start = local_start(boston())
    page = client.get(f"/staff/plans/{plan.public_id}/book/", when_fields(boston(), start))
    assert page.status_code == 200
    found = page.context["found"]
    assert [c.name for c in found.free_chairs] == ["Chair 1", "Chair 2"]
    assert len(found.free_clinicians) == 2
    chair, doctor = chairs(boston())[0], clinicians(boston())[0]

    response = book(client, plan, start, chair=chair, clinician=doctor)

    appointment = Appointment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/staff/appointments/{appointment.public_id}/"
    assert (appointment.via, appointment.plan, appointment.chair) == ("staff", plan, chair)
    assert (appointment.patient, appointment.clinician) == (plan.patient, doctor)
    assert appointment.starts_at == start
    assert appointment.duration_minutes == infusion_type().duration_minutes
    assert appointment.ends_at == start + timedelta(minutes=infusion_type().duration_minutes)
    assert (appointment.name, appointment.email) == ("Ana Example", "ana@example.org")
    assert appointment.time_zone == "America/New_York"
    assert appointment.confirmed_by == front_desk_user  # staff booked it: nothing to confirm
    event = appointment.events.get()
    assert (event.kind, event.actor, event.user) == ("booked", "staff", front_desk_user)
    # She changes it by calling, not online: the clinic arranged the chair and her escort.
    assert booking.can_change_online(appointment) is False
    her_page = Client().get(f"/appointment/{booking.issue_manage_link(appointment)}/").text
    assert "The clinic arranged this appointment with you, so it is changed by phone." in her_page
    assert "Change the time" not in her_page and "too close" not in her_page

    email = Message.objects.get(template="infusion_booked")
    assert email.to == "ana@example.org"
    assert email.subject == "Your appointment is booked"
    assert "ketamine" not in email.subject.lower() and "infusion" not in email.subject.lower()
    assert "BEGIN:VCALENDAR" in email.calendar
    assert Message.objects.filter(template="appointment_reminder").count() == 2
    assert AuditEvent.objects.filter(
        action=Action.CREATE, model="booking.appointment", patient_id=plan.patient_id
    ).exists()


def test_the_infusion_day_names_her_ob_as_her_chart_has_it(client, plan, clinician):
    sign_in(client, clinician)
    set_ob(plan.patient, an_ob(name="Dr Ada Okafor", practice="Mile High OB"), name_given="Dr O.")
    start = local_start(boston())

    book(client, plan, start, chair=chairs(boston())[0], clinician=clinicians(boston())[0])

    appointment = Appointment.objects.get()
    assert (appointment.ob_name, appointment.ob_practice) == ("Dr Ada Okafor", "Mile High OB")


def test_a_taken_chair_is_refused_with_what_is_free_instead(client, plan, clinician, staff):
    sign_in(client, clinician)
    start = local_start(boston())
    chair, other_chair = chairs(boston())
    first, second = clinicians(boston())
    assert book(client, plan, start, chair=chair, clinician=first).status_code == 302
    someone_else = signed_plan(a_patient(name="Bea Other", email="bea@example.org"), clinician)

    # Another clinician, the same chair, an hour later: the chair is still in use.
    response = book(client, someone_else, start + timedelta(hours=1), chair=chair, clinician=second)

    assert response.status_code == 409
    assert response.context["problems"] == ["The chair is taken then."]
    found = response.context["found"]
    assert found.free_chairs == [other_chair] and found.free_clinicians == [second]
    html = response.content.decode()
    assert "Free at that time: " in html and "Chair 2" in html
    assert Appointment.objects.filter(plan=someone_else).count() == 0
    assert Message.objects.filter(template="infusion_booked").count() == 1


def test_a_clinician_cannot_give_two_infusions_at_once(client, plan, clinician):
    sign_in(client, clinician)
    start = local_start(boston())
    chair, other_chair = chairs(boston())
    doctor = clinicians(boston())[0]
    book(client, plan, start, chair=chair, clinician=doctor)
    someone_else = signed_plan(a_patient(name="Bea Other", email="bea@example.org"), clinician)

    response = book(client, someone_else, start, chair=other_chair, clinician=doctor)

    assert response.status_code == 409
    assert response.context["problems"] == ["The clinician is taken then."]
    assert Appointment.objects.count() == 1


def test_a_clinicians_consultation_blocks_an_infusion_at_that_time(client, plan, clinician):
    in_person = ConsultationType.objects.get(slug="free-in-person-consultation")
    slot = find_slots(
        in_person,
        start=local_start(boston()),
        end=local_start(boston()) + timedelta(days=7),
        location=boston(),
    )[0]
    consultation, _ = booking.book(
        in_person, slot.start, person(email="carla@example.org"), via="web", location=boston()
    )
    sign_in(client, clinician)

    response = book(
        client,
        plan,
        slot.start - timedelta(hours=1),  # the infusion day would run into the consultation
        chair=chairs(boston())[0],
        clinician=consultation.clinician,
    )

    assert response.status_code == 409
    assert response.context["problems"] == ["The clinician is taken then."]
    assert not Appointment.objects.filter(plan=plan).exists()
    free = response.context["found"].free_clinicians
    assert consultation.clinician not in free and len(free) == 1


def test_another_chair_and_another_clinician_at_the_same_time_is_fine(client, plan, clinician):
    sign_in(client, clinician)
    start = local_start(boston())
    (chair, other_chair), (first, second) = chairs(boston()), clinicians(boston())
    someone_else = signed_plan(a_patient(name="Bea Other", email="bea@example.org"), clinician)

    assert book(client, plan, start, chair=chair, clinician=first).status_code == 302
    assert book(client, someone_else, start, chair=other_chair, clinician=second).status_code == 302

    assert Appointment.objects.booked().filter(starts_at=start).count() == 2
    page = client.get(f"/staff/plans/{plan.public_id}/book/", when_fields(boston(), start))
    assert page.context["found"].free_chairs == []
    assert "No clinician and chair are both free then" in page.content.decode()
    assert page.context["found"].later  # other times are offered


def test_only_the_signed_plan_in_force_can_be_booked(client, patient, clinician):
    draft = draft_plan(patient, clinician)
    sign_in(client, clinician)
    start = local_start(boston())
    chair, doctor = chairs(boston())[0], clinicians(boston())[0]

    response = book(client, draft, start, chair=chair, clinician=doctor)
    assert (
        response.status_code == 302 and response["Location"] == f"/staff/plans/{draft.public_id}/"
    )
    assert not Appointment.objects.exists()


def test_a_chair_from_another_location_is_refused(client, plan, clinician):
    sign_in(client, clinician)
    denver_chair = chairs(boston().clinic.locations.get(name__startswith="Denver"))[0]
    response = book(
        client,
        plan,
        local_start(boston()),
        chair=denver_chair,
        clinician=clinicians(boston())[0],
    )
    assert response.status_code == 200
    assert response.context["problems"] == ["Choose a clinician and a chair."]
    assert not Appointment.objects.exists()


def test_her_record_must_have_what_the_appointment_copies(client, plan, clinician):
    plan.patient.phone = ""
    plan.patient.save()
    sign_in(client, clinician)
    emails_before = Message.objects.count()

    response = book(
        client,
        plan,
        local_start(boston()),
        chair=chairs(boston())[0],
        clinician=clinicians(boston())[0],
    )

    assert response.status_code == 200
    assert response.context["problems"] == ["Add her mobile phone to the chart first."]
    assert not Appointment.objects.exists()
    assert Message.objects.count() == emails_before


def test_a_signed_plan_waits_in_the_queue_until_its_infusion_is_booked(client, plan, clinician):
    (item,) = infusions_to_book(25)
    assert_queue_counts_agree()
    assert (item.priority, item.kind, item.patient_public_id) == (
        OTHER,
        "infusion_to_book",
        plan.patient.public_id,
    )
    assert item.url == f"/staff/plans/{plan.public_id}/book/"
    sign_in(client, clinician)
    book(
        client,
        plan,
        local_start(boston()),
        chair=chairs(boston())[0],
        clinician=clinicians(boston())[0],
    )
    assert infusions_to_book(25) == []
    assert_queue_counts_agree()
    # Cancelled, it waits again.
    booking.cancel(Appointment.objects.get(), actor=AppointmentEvent.Actor.STAFF, user=clinician)
    assert len(infusions_to_book(25)) == 1


def test_the_chart_shows_the_plan_and_the_next_step_to_each_role(
    patient, clinician, front_desk_user
):

    from perinatal.accounts.roles import capabilities

    def actions(user):
        """The panel as a page shows it: each page reads the patient afresh."""
        fresh = type(patient).objects.get(pk=patient.pk)
        return chart_section_html("plans/_chart_actions.html", fresh, capabilities(user))

    assert "Write a treatment plan" in actions(clinician)
    assert actions(front_desk_user).strip() == ""
    plan = draft_plan(patient, clinician)
    assert "draft, version 1" in actions(clinician)
    assert actions(front_desk_user).strip() == ""

    pathway_helpers.sign(plan, clinician)
    assert "Change the treatment plan" in actions(clinician)
    front = actions(front_desk_user)
    assert "Treatment plan signed" in front and f"/staff/plans/{plan.public_id}/book/" in front


def test_the_appointment_menu_offers_only_types_fit_for_an_infusion_day(
    client, plan, front_desk_user
):
    sign_in(client, front_desk_user)

    page = client.get(f"/staff/plans/{plan.public_id}/book/")

    offered = [str(label) for _value, label in page.context["when"].fields["visit_type"].choices]
    assert offered == [infusion_type().name]
    # The mothers' free consultations (booked online, shorter than an infusion day) are not.
    assert "Free consultation in person" not in page.content.decode()
