"""Back after booking: the browser shows the form again, filled in, and she presses the button.

What a browser does is played out with the test client: Back refetches the form page (it is
``no-store``), the refilled fields are posted again with whatever key that page carries.
"""

import re

import pytest
from django.test import Client

from perinatal.audit.models import Action, AuditEvent
from perinatal.booking.models import Appointment
from perinatal.booking.tests.test_pages import form_data, text, with_screen_in_session
from perinatal.notify.models import Message
from tests.harness import appointment_linked_from

TEN = "2026-06-03T16:00:00Z"  # Wednesday 10:00 in Denver
ELEVEN = "2026-06-03T17:00:00Z"
ZONE = "America/New_York"


@pytest.fixture
def two_rooms(setup, frozen):
    """Two clinicians free at the same times, as in Boston: a second booking of 10:00 would
    quietly go to the other one."""
    denver = setup.location("America/Denver", "Denver")
    hours = [(d, 9, 12) for d in range(5)]
    clinicians = [setup.clinician(name, denver, hours=hours) for name in ("Dr Room", "Dr Other")]
    setup.consultation(*clinicians, mode="in_person", minutes=45, slug="in-person")
    return f"/book/in-person/{denver.public_id}/details/"


@pytest.fixture
def one_room(setup, frozen):
    """One clinician, as in Denver: once 10:00 is hers, the page offers 11:00 instead."""
    denver = setup.location("America/Denver", "Denver")
    clinician = setup.clinician("Dr Room", denver, hours=[(d, 9, 12) for d in range(5)])
    setup.consultation(clinician, mode="in_person", minutes=45, slug="in-person")
    return f"/book/in-person/{denver.public_id}/details/"


def open_form(client, url, start=TEN):
    """The form page as the browser fetches it (first visit, or Back after booking)."""
    page = client.get(url, {"start": start, "tz": ZONE})
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    return re.search(r'name="idempotency_key" value="([^"]+)"', page.content.decode())[1]


def book_through_the_page(client, url, **typed):
    key = open_form(client, url)
    response = client.post(url, form_data(start=TEN, idempotency_key=key, **typed))
    assert response.status_code == 302
    client.get(response["Location"])  # she sees her appointment
    return response["Location"]


def test_back_and_the_refilled_form_return_her_first_booking(client, two_rooms):
    first = book_through_the_page(client, two_rooms)
    key = open_form(client, two_rooms)  # Back: the page comes again, refilled
    again = client.post(two_rooms, form_data(start=TEN, idempotency_key=key))
    assert again.status_code == 302
    assert appointment_linked_from(again["Location"]) == appointment_linked_from(first)
    assert Appointment.objects.count() == 1


def test_a_double_tap_on_the_refilled_form_still_books_once(client, two_rooms):
    book_through_the_page(client, two_rooms)
    key = open_form(client, two_rooms)
    client.post(two_rooms, form_data(start=TEN, idempotency_key=key))
    client.post(two_rooms, form_data(start=TEN, idempotency_key=key))
    assert Appointment.objects.count() == 1


def test_the_time_offered_after_back_does_not_book_a_second_silently(client, one_room):
    book_through_the_page(client, one_room)
    key = open_form(client, one_room)  # Back: 10:00 is hers now, so 11:00 is offered
    response = client.post(one_room, form_data(start=ELEVEN, idempotency_key=key))
    assert response.status_code == 200
    page = text(response)
    assert "If you already have a consultation booked with this email and phone" in page
    assert Appointment.objects.count() == 1


def test_she_may_still_book_another_when_she_says_so(client, one_room):
    book_through_the_page(client, one_room)
    key = open_form(client, one_room)
    asked = client.post(one_room, form_data(start=ELEVEN, idempotency_key=key))
    assert 'name="another" value="1"' in asked.content.decode()
    booked = client.post(one_room, form_data(start=ELEVEN, idempotency_key=key, another="1"))
    assert booked.status_code == 302
    # Back and the button again: the second booking is returned, not a third made.
    again = client.post(one_room, form_data(start=ELEVEN, idempotency_key=key, another="1"))
    assert appointment_linked_from(again["Location"]) == appointment_linked_from(booked["Location"])
    assert Appointment.objects.count() == 2


def details_sent():
    """The emails to Ana that carry her appointment's details (not its reminders)."""
    return Message.objects.filter(to="ana@example.org", template="appointment_booked")


def _second_try(client, url, **first) -> tuple[int, str, int]:
    """This browser booked 10:00 for someone (``first``: what was typed unlike Ana), then Ana
    asks for 11:00 on it: the status, the page (its per-browser tokens masked) and how many
    emails with her appointment's details went to Ana."""
    book_through_the_page(client, url, **first)
    before = details_sent().count()
    key = open_form(client, url, start=ELEVEN)
    response = client.post(url, form_data(start=ELEVEN, idempotency_key=key))
    page = response.content.decode().replace(key, "KEY")
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", page)
    page = re.sub(r'nonce="[^"]+"', "NONCE", page)
    return response.status_code, page, details_sent().count() - before


def test_the_page_reads_the_same_whether_or_not_she_has_a_booking(two_rooms):
    # Nothing booked for Ana: the page, and no email.
    status_without, page_without, emails_without = _second_try(
        Client(), two_rooms, name="Bea", email="bea@example.org", phone="617 555 0100"
    )
    # This browser booked 10:00 for Ana herself: the same page, and her details go to her
    # email again.
    status_with, page_with, emails_with = _second_try(Client(), two_rooms)
    assert status_with == status_without == 200
    assert page_with == page_without
    assert (emails_without, emails_with) == (0, 1)
    assert Appointment.objects.count() == 2
    sent = details_sent().latest("pk")
    appointment = Appointment.objects.get(email="ana@example.org")
    assert appointment_linked_from(sent.body_text) == appointment
    assert AuditEvent.objects.filter(
        action=Action.SEND, object_id=str(appointment.pk), patient_id=appointment.patient_id
    ).exists()


def test_her_details_are_sent_again_at_most_once_a_day(client, one_room):
    book_through_the_page(client, one_room)
    key = open_form(client, one_room, start=ELEVEN)
    for _try in range(3):
        client.post(one_room, form_data(start=ELEVEN, idempotency_key=key))
    assert details_sent().count() == 2  # booked, sent again


def test_a_browser_that_booked_nothing_is_not_asked(client, one_room):
    key = open_form(client, one_room)
    assert client.post(one_room, form_data(start=TEN, idempotency_key=key)).status_code == 302


def test_the_question_is_asked_in_spanish(client, one_room):
    book_through_the_page(client, one_room)
    key = open_form(client, one_room)
    response = client.post("/es" + one_room, form_data(start=ELEVEN, idempotency_key=key))
    assert "¿Ya tiene una cita?" in text(response)
    assert "Reservar también este horario" in text(response)


def test_after_a_worrying_screen_the_question_keeps_the_crisis_lines(client, one_room):
    with_screen_in_session(client, self_harm=True)
    book_through_the_page(client, one_room)
    key = open_form(client, one_room)
    response = client.post(one_room, form_data(start=ELEVEN, idempotency_key=key))
    assert "Have you booked already?" in text(response)
    assert "You deserve help right now" in text(response)
