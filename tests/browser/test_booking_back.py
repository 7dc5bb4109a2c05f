"""Back after booking, in Chromium on a phone: the browser shows the form again, refilled, and
she presses the button once more.

Nothing is frozen: the demo clinic offers video times from 12 hours ahead with more than one
clinician, so a second booking of the same time would quietly go to another one.
"""

import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from perinatal.booking.models import Appointment, ConsultationType
from perinatal.booking.slots import find_slots
from tests.harness import appointment_linked_from

pytestmark = pytest.mark.browser

VIDEO = "free-video-consultation"
DENVER = "America/Denver"
EMAIL = "ana.example@example.org"
CONSENT = "The clinic may contact me by email, text message and phone about this consultation."


def _free_starts(count: int) -> list[datetime]:
    """``count`` free times, the first offered by more than one clinician: booked once, it is
    still free, so the refilled form asks for it again rather than for the next time."""
    consultation = ConsultationType.objects.get(slug=VIDEO)
    now = timezone.now()
    slots = find_slots(consultation, start=now + timedelta(days=2), end=now + timedelta(days=21))
    shared = next((slot for slot in slots if len(slot.options) > 1), None)
    assert shared is not None, "no video time in the demo clinic has two clinicians"
    others = [slot.start for slot in slots if slot.start > shared.start]
    assert len(others) >= count - 1, "the demo clinic offers too few video times"
    return [shared.start, *others[: count - 1]]


def _details_url(start: datetime) -> str:
    return f"/book/{VIDEO}/details/?start={start:%Y-%m-%dT%H:%M:%SZ}&tz={DENVER}"


def _fill_details(page):
    page.get_by_label("Your name").fill("Ana Example")
    page.get_by_label("Email", exact=True).fill(EMAIL)
    page.get_by_label("Mobile phone").fill("617 555 0123")
    page.get_by_label("I am pregnant").check()
    page.get_by_label(re.compile(r"^Due date")).fill(
        (timezone.localdate() + timedelta(days=60)).isoformat()
    )
    page.get_by_label(CONSENT).check()


def test_back_and_the_refilled_form_book_nothing_new(
    new_context, assert_no_axe_violations, assert_fits_phone
):
    ten, eleven = _free_starts(2)
    page = new_context(timezone_id=DENVER).new_page()
    page.goto(_details_url(ten))
    _fill_details(page)
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are booked")
    booked = urlsplit(page.url).path
    (appointment,) = Appointment.objects.all()

    # Back: Chromium shows the form again with her answers refilled; she presses the button.
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your details")
    expect(page.get_by_label("Email", exact=True)).to_have_value(EMAIL)
    page.get_by_role("button", name="Book this time").click()

    # The page she saw after booking, for the same appointment: nothing new was booked.
    expect(page.get_by_role("heading", level=1)).to_have_text("You are booked")
    assert appointment_linked_from(urlsplit(page.url).path) == appointment_linked_from(booked)
    assert list(Appointment.objects.all()) == [appointment]

    # Another time from the same phone: asked first, nothing booked.
    page.goto(_details_url(eleven))
    _fill_details(page)
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Have you booked already?")
    assert_no_axe_violations(page)
    assert_fits_phone(page)
    assert list(Appointment.objects.all()) == [appointment]

    # She means it: the second is booked, once.
    page.get_by_role("button", name="Book this time as well").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are booked")
    second = Appointment.objects.exclude(pk=appointment.pk).get()
    assert second.starts_at == eleven
    assert appointment_linked_from(urlsplit(page.url).path) == second
