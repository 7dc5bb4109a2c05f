"""What the manage link opens, and the emails that carry it, may tell whoever holds them.

A phone is shared and an email is forwarded: a page or a message reachable by the link alone
shows the crisis lines to everyone, alike, and never what she answered on her self-screen. A
cancelled appointment no longer carries its video link.
"""

import re

import pytest

from perinatal.booking import services
from perinatal.booking.tests.helpers import AT_TEN, person, screened
from perinatal.notify.models import Message

ANSWER_WORDS = ("You said", "harming yourself has come", "self-harm", "Usted nos dijo")
LINES = ("988", "1-833-TLC-MAMA", "911")


@pytest.fixture
def video(setup, frozen):
    denver = setup.location("America/Denver", "Denver")
    clinician = setup.clinician("Dr Video", denver, hours=[(d, 9, 17) for d in range(5)])
    return setup.consultation(clinician, mode="video", minutes=30, slug="video")


@pytest.fixture
def urgent_and_calm(video):
    urgent, _ = services.book(
        video, AT_TEN, person(), via="web", screening=screened(self_harm=True)
    )
    calm, _ = services.book(
        video,
        AT_TEN.replace(hour=11),
        person(email="bea@example.org", phone="+16175550124"),
        via="web",
        screening=screened(self_harm=False),
    )
    assert urgent.urgent and not calm.urgent
    return urgent, calm


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def help_section(html: str) -> str:
    (section,) = re.findall(r'<section class="crisis".*?</section>', html, re.S)
    return section


def link_pages(appointment) -> list[str]:
    base = f"/appointment/{appointment.manage_token}/"
    return [base, base + "change/", base + "cancel/", base + f"change/?start={AT_TEN_LATER}"]


AT_TEN_LATER = "2026-06-03T21:00:00Z"  # Wednesday 15:00 in Denver, free for both


def test_the_cancellation_email_does_not_carry_the_video_link(video, frozen):
    appointment, _ = services.book(video, AT_TEN, person(), via="web")
    assert appointment.video_url
    booked = Message.objects.get(template="appointment_booked")
    assert appointment.video_url in booked.body_text  # while booked, it does

    services.cancel(appointment)

    cancelled = Message.objects.get(template="appointment_cancelled")
    assert appointment.video_url not in cancelled.body_text
    assert appointment.video_url not in cancelled.body_html
    assert appointment.video_url not in cancelled.calendar
    assert "METHOD:CANCEL" in cancelled.calendar


def test_a_cancelled_appointments_calendar_file_has_no_video_link(client, video):
    appointment, _ = services.book(video, AT_TEN, person(), via="web")
    services.cancel(appointment)
    ics = client.get(f"/appointment/{appointment.manage_token}/calendar.ics")
    assert ics.status_code == 200
    assert appointment.video_url not in ics.content.decode()
