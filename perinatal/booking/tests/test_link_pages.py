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
    base = f"/appointment/{services.issue_manage_link(appointment)}/"
    return [base, base + "change/", base + "cancel/", base + f"change/?start={AT_TEN_LATER}"]


AT_TEN_LATER = "2026-06-03T21:00:00Z"  # Wednesday 15:00 in Denver, free for both


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_link_pages_never_say_what_she_answered_and_show_everyone_the_lines(
    client, urgent_and_calm, language
):
    urgent, calm = urgent_and_calm
    prefix = "/es" if language == "es" else ""
    for url_urgent, url_calm in zip(link_pages(urgent), link_pages(calm), strict=True):
        seen_urgent = client.get(prefix + url_urgent)
        seen_calm = client.get(prefix + url_calm)
        assert seen_urgent.status_code == seen_calm.status_code == 200, url_urgent
        for word in ANSWER_WORDS:
            assert word not in text(seen_urgent), (url_urgent, word)
        for line in LINES:
            assert line in help_section(seen_urgent.content.decode()), (url_urgent, line)
        # Nothing on the page tells an urgent booking from a calm one.
        assert help_section(seen_urgent.content.decode()) == help_section(
            seen_calm.content.decode()
        )


def test_the_page_after_moving_or_cancelling_says_nothing_of_her_answer(client, urgent_and_calm):
    urgent, _ = urgent_and_calm
    base = f"/appointment/{services.issue_manage_link(urgent)}/"
    moved = client.post(base + "change/", {"start": AT_TEN_LATER}, follow=True)
    assert "has moved" in text(moved)
    cancelled = client.post(base + "cancel/", follow=True)
    assert "is cancelled" in text(cancelled)
    for page in (moved, cancelled):
        for word in ANSWER_WORDS:
            assert word not in text(page)
        for line in LINES:
            assert line in help_section(page.content.decode())


def test_right_after_booking_her_own_page_shows_the_lines_but_not_her_answer(client, video):
    """The strong wording stays on the pages of her own session (the screen's result, the
    details form); the page she lands on after booking is the link's page, reachable again by
    anyone with the email, so it speaks as it does to everyone."""
    screening = screened(self_harm=True)
    session = client.session
    session["screening"] = str(screening.public_id)
    session.save()
    details = client.get("/book/video/details/", {"start": "2026-06-03T16:00:00Z"})
    assert "You said" in text(details)
    response = client.post(
        "/book/video/details/",
        {
            "start": "2026-06-03T16:00:00Z",
            "tz": "America/Denver",
            "idempotency_key": "key-for-this-form-9",
            "name": "Ana Example",
            "email": "ana@example.org",
            "phone": "617 555 0123",
            "stage": "postpartum",
            "key_date": "2026-04-02",
            "language": "en",
            "consent": "on",
            "attach_screening": "on",
        },
        follow=True,
    )
    assert "You are booked" in text(response)
    assert "You said" not in text(response)
    assert "988" in help_section(response.content.decode())


def test_no_appointment_email_says_what_she_answered(urgent_and_calm):
    urgent, _ = urgent_and_calm
    services.reschedule(urgent, AT_TEN.replace(hour=15))
    services.cancel(urgent)
    messages = Message.objects.filter(to=urgent.email)
    assert {m.template for m in messages} >= {
        "appointment_booked",
        "appointment_changed",
        "appointment_cancelled",
        "appointment_reminder",
    }
    for message in messages:
        for word in ANSWER_WORDS:
            assert word not in message.subject + message.body_text + message.body_html
        for line in LINES:
            assert line in message.body_text and line in message.body_html, message.template


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
    ics = client.get(f"/appointment/{services.issue_manage_link(appointment)}/calendar.ics")
    assert ics.status_code == 200
    assert appointment.video_url not in ics.content.decode()
