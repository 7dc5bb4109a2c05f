"""A mother books a free consultation on her phone, then moves and cancels it from her email.

Nothing is frozen: the demo clinic offers weekday times from 12 hours ahead, and a patient may
change online until 24 hours before, so each test picks, from what the page offers, a time far
enough ahead to be changed. Emails go through the real outbox to a real SMTP server.
"""

import re
import zoneinfo
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import time as time_filter
from django.utils import timezone, translation
from icalendar import Calendar
from playwright.sync_api import expect

from perinatal.booking import services
from perinatal.booking.models import Appointment, ConsultationType
from perinatal.booking.slots import find_slots, slot_at
from perinatal.clinic.models import Location
from perinatal.notify.delivery import deliver_due
from perinatal.notify.models import Message
from tests.harness import appointment_linked_from

pytestmark = pytest.mark.browser

VIDEO = "free-video-consultation"
IN_PERSON = "free-in-person-consultation"
DENVER = "America/Denver"
EASTERN = "America/New_York"
DENVER_PLACE = "Denver — Cherry Creek"
# The clinic lets a patient change or cancel online until 24 hours before; an hour to spare.
CHANGEABLE = timedelta(hours=25)

NAME = "Ana Example"
EMAIL = "ana.example@example.org"
MOBILE = "617 555 0123"
MOBILE_E164 = "+16175550123"
OB_NAME = "Dr. June Whitaker"
OB_PRACTICE = "Back Bay Women's Health"
# Labels as patterns: the words around them may be polished without changing what they ask.
KEY_DATE_LABEL = re.compile(r"^Due date, or your baby.s birth date")
OB_NAME_LABEL = re.compile(r"obstetrician or midwife")
OB_PRACTICE_LABEL = re.compile(r"practice or hospital")
CONSENT = "The clinic may contact me by email, text message and phone about this consultation."


# --- Times as the pages should show them ----------------------------------------------------------


def _clock(instant: datetime, zone: str) -> str:
    """'9:30 a.m.': the time of day in ``zone``, as the English pages write it."""
    with translation.override("en"):
        return time_filter(instant.astimezone(zoneinfo.ZoneInfo(zone)), "TIME_FORMAT")


def _day(instant: datetime, zone: str, pattern: str = "l j F Y") -> str:
    with translation.override("en"):
        return date_filter(instant.astimezone(zoneinfo.ZoneInfo(zone)), pattern)


def _when(instant: datetime, zone: str) -> str:
    """'Tuesday 1 December 2026, 9:30 a.m.': how a booked or chosen time is written."""
    return f"{_day(instant, zone)}, {_clock(instant, zone)}"


def _in_denver(instant: datetime) -> re.Pattern:
    """The line giving the Denver clinic's own time: 'That is 1:30 p.m. on 26 November, local
    time in Denver — Cherry Creek.'"""
    clock, day = _clock(instant, DENVER), _day(instant, DENVER, "j F")
    return re.compile(rf"{re.escape(clock)} on {re.escape(day)}\b[^.]*{re.escape(DENVER_PLACE)}")


def _from(instant: datetime, zone: str) -> str:
    """The start of a span of time as the pages write it: the start, then an en dash."""
    return _when(instant, zone) + "\N{EN DASH}"


def _instant(url: str) -> datetime:
    return datetime.fromisoformat(parse_qs(urlsplit(url).query)["start"][0])


def _offered(page) -> list[tuple[datetime, str]]:
    """(start, href) of every time the page offers, in page order."""
    hrefs = page.locator("a.slot").evaluate_all(
        "(links) => links.map((a) => a.getAttribute('href'))"
    )
    return [(_instant(href), href) for href in hrefs]


def _slot_link(page, href: str):
    return page.locator(f'a.slot[href="{href}"]')


def _changeable_slot(page, avoid=()):
    """The first offered time far enough ahead to change online later; (start, its link).

    The page lists one day at a time: when the day shown has none, the next day is picked."""
    now = timezone.now()
    for _day in range(5):
        for start, href in _offered(page):
            if start - now >= CHANGEABLE and start not in avoid:
                return start, _slot_link(page, href)
        later = page.locator(".day-picker li:has([aria-current]) + li a")
        if not later.count():
            break
        later.click()
    pytest.fail(f"{page.url} offers no time at least {CHANGEABLE} ahead")


def _free_start(slug: str, **where) -> datetime:
    """A time the clinic offers, computed on our side, far enough ahead to change online."""
    consultation = ConsultationType.objects.get(slug=slug)
    now = timezone.now()
    slots = find_slots(consultation, start=now + CHANGEABLE, end=now + timedelta(days=21), **where)
    assert slots, "the demo clinic offers no time in the next three weeks"
    return slots[0].start


def _iso(instant: datetime) -> str:
    return instant.astimezone(zoneinfo.ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")


def _card(page, term: str):
    """The value beside ``term`` ("What", "When", "Where", "With") on the appointment card."""
    return page.locator(f'dl.summary-card dt:text-is("{term}") + dd')


def _due_date() -> str:
    return (timezone.localdate() + timedelta(days=60)).isoformat()


# --- The details form ----------------------------------------------------------------------------


def _fill_details(page, *, stage: str | None = "I am pregnant", due: str | None = None):
    page.get_by_label("Your name").fill(NAME)
    page.get_by_label("Email", exact=True).fill(EMAIL)
    page.get_by_label("Mobile phone").fill(MOBILE)
    if stage:
        page.get_by_label(stage).check()
    page.get_by_label(KEY_DATE_LABEL).fill(due or _due_date())
    page.get_by_label(OB_NAME_LABEL).fill(OB_NAME)
    page.get_by_label(OB_PRACTICE_LABEL).fill(OB_PRACTICE)
    page.get_by_label(CONSENT).check()


def _assert_details_kept(page, *, stage: str | None, due: str):
    expect(page.get_by_label("Your name")).to_have_value(NAME)
    expect(page.get_by_label("Email", exact=True)).to_have_value(EMAIL)
    expect(page.get_by_label("Mobile phone")).to_have_value(MOBILE)
    expect(page.get_by_label(KEY_DATE_LABEL)).to_have_value(due)
    expect(page.get_by_label(OB_NAME_LABEL)).to_have_value(OB_NAME)
    expect(page.get_by_label(OB_PRACTICE_LABEL)).to_have_value(OB_PRACTICE)
    expect(page.get_by_label("English")).to_be_checked()
    expect(page.get_by_label(CONSENT)).to_be_checked()
    for choice in ("I am pregnant", "I have had my baby"):
        expect(page.get_by_label(choice)).to_be_checked(checked=choice == stage)


def _book_this_time(page):
    page.get_by_role("button", name="Book this time").click()


def _details_url(slug: str, start: datetime, zone: str, location: Location | None = None) -> str:
    place = f"{location.public_id}/" if location else ""
    return f"/book/{slug}/{place}details/?start={_iso(start)}&tz={zone}"


# --- Email -----------------------------------------------------------------------------------------


@pytest.fixture
def mailbox(smtp_mail, settings, live_server):
    """The outbox sends to the test SMTP server, and links in emails lead to the live server.
    (pytest-django's ``settings`` changes them for the server's thread too.)"""
    settings.SITE_URL = live_server.url
    return smtp_mail


def _deliver(mailbox) -> list:
    """Run the outbox sweep from the test, as the worker would; what reached the SMTP server."""
    before = len(mailbox)
    sent = deliver_due()
    arrived = mailbox[before:]
    assert sent == len(arrived), f"the sweep sent {sent}, the server received {len(arrived)}"
    return arrived


def _calendar(message):
    """(method from the Content-Type, the parsed .ics, its one event) of an email's .ics."""
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, f"expected one text/calendar part in {message['Subject']!r}"
    ics = parts[0].get_content()
    calendar = Calendar.from_ical(ics)
    (event,) = calendar.walk("VEVENT")
    return parts[0].get_param("method"), calendar, event


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _manage_link(message, base_url: str) -> str:
    found = re.findall(r"^(https?://\S+/appointment/[^/\s]+/)\s*$", _text(message), flags=re.M)
    assert len(found) == 1, _text(message)
    assert found[0].startswith(base_url + "/")
    return found[0]


# --- The tests -------------------------------------------------------------------------------------


def test_video_booking_with_javascript_then_move_and_cancel_from_the_email(
    new_context, mailbox, live_server, assert_no_axe_violations, assert_fits_phone
):
    def check(page):
        assert_no_axe_violations(page)
        assert_fits_phone(page)

    page = new_context(timezone_id=DENVER).new_page()
    page.goto("/book/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Book a free consultation")
    check(page)
    page.get_by_role("link", name=re.compile(r"^Free consultation by video")).click()

    # Her phone is in Denver: the page notices and shows Mountain Time, and says so.
    expect(page).to_have_url(re.compile(rf"/book/{VIDEO}/\?tz=America(%2F|/)Denver$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a time")
    expect(page.locator(".zone-note")).to_have_text("Times are shown in Mountain Time.")
    expect(page.get_by_label("Your time zone")).to_have_value(DENVER)
    offered = _offered(page)
    assert offered, "no times offered"
    for start, href in offered[:6]:
        link = _slot_link(page, href)
        expect(link).to_have_text(_clock(start, DENVER))
    first_day = page.locator("section.day h2").first
    expect(first_day).to_have_text(_day(offered[0][0], DENVER, "l j F"))
    check(page)

    start, link = _changeable_slot(page)
    link.click()
    expect(page).to_have_url(re.compile(rf"/book/{VIDEO}/details/\?"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your details")
    summary = page.locator("p.summary-card")
    expect(summary).to_contain_text("Free consultation by video")
    expect(summary).to_contain_text(_from(start, DENVER))
    expect(summary).to_contain_text("(Mountain Time)")
    check(page)  # the details page, fresh

    _fill_details(page)
    _book_this_time(page)

    expect(page).to_have_url(re.compile(r"/appointment/[\w-]+/\?tz=America(%2F|/)Denver$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("You are booked")
    expect(page.get_by_role("status")).to_contain_text(f"We have sent the details to {EMAIL}")
    expect(_card(page, "When")).to_contain_text(_from(start, DENVER))
    expect(_card(page, "Where")).to_contain_text("Video call")
    check(page)  # the manage page
    booked_path = urlsplit(page.url).path

    appointment = Appointment.objects.get()
    assert appointment.starts_at == start
    assert appointment.ends_at == start + timedelta(minutes=30)
    assert (appointment.name, appointment.email, appointment.phone) == (NAME, EMAIL, MOBILE_E164)
    assert appointment.own_time_zone == DENVER
    assert appointment.mode == ConsultationType.Mode.VIDEO
    assert (appointment.ob_name, appointment.ob_practice) == (OB_NAME, OB_PRACTICE)
    assert appointment.contact_consent_text == CONSENT
    assert appointment_linked_from(booked_path) == appointment

    # The confirmation reaches her inbox with an invitation her calendar understands.
    (confirmation,) = _deliver(mailbox)
    assert confirmation["To"] == EMAIL
    assert confirmation["Subject"] == "Your appointment is booked"
    for private in (NAME, *NAME.split(), EMAIL):
        assert private not in confirmation["Subject"]
    method, calendar, event = _calendar(confirmation)
    assert method == "REQUEST"
    assert str(calendar["METHOD"]) == "REQUEST"
    assert int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == start
    uid = str(event["UID"])
    assert str(appointment.public_id) in uid
    assert f"When: {_when(start, DENVER)} (M" in _text(confirmation)  # her zone: MST or MDT
    first_link = _manage_link(confirmation, live_server.url)
    # Each email carries a link of its own to the same appointment.
    assert appointment_linked_from(first_link) == appointment_linked_from(booked_path)
    link_path = urlsplit(first_link).path

    # The link in the email opens the same appointment.
    page.goto(first_link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your appointment")
    when = _card(page, "When")
    shown_in = DENVER  # her zone, as in her emails, not the clinician's
    expect(when).to_contain_text("(Mountain Time)")
    expect(when).to_contain_text(_from(start, shown_in))
    check(page)

    # She moves it: change, pick another time, confirm.
    page.get_by_role("link", name="Change the time").click()
    expect(page).to_have_url(re.compile(rf"{link_path}change/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Change the time")
    expect(page.locator("main")).to_contain_text("Now: " + _from(start, shown_in))
    check(page)  # the change page
    new_start, link = _changeable_slot(page, avoid={start})
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Move your appointment?")
    expect(page.locator("main")).to_contain_text("From: " + _from(start, shown_in))
    expect(page.locator("main")).to_contain_text("To: " + _from(new_start, shown_in))
    check(page)  # the change-confirm page
    page.get_by_role("button", name="Yes, move it").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your appointment has moved")
    expect(_card(page, "When")).to_contain_text(_from(new_start, shown_in))
    expect(_card(page, "When")).not_to_contain_text(_when(start, shown_in))
    assert urlsplit(page.url).path == link_path
    appointment.refresh_from_db()
    assert (appointment.starts_at, appointment.sequence) == (new_start, 1)
    assert Appointment.objects.count() == 1

    (update,) = _deliver(mailbox)
    assert update["Subject"] == "Your appointment has changed"
    method, calendar, event = _calendar(update)
    assert method == "REQUEST"
    assert str(event["UID"]) == uid
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == new_start
    assert f"When: {_when(new_start, DENVER)} (M" in _text(update)
    assert appointment_linked_from(_manage_link(update, live_server.url)) == appointment

    # The link in the first email still works, and shows the appointment as it is now.
    page.goto(first_link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your appointment")
    expect(_card(page, "When")).to_contain_text(_from(new_start, shown_in))

    # She cancels: the confirm page, then yes.
    page.get_by_role("link", name="Cancel", exact=True).click()
    expect(page).to_have_url(re.compile(rf"{link_path}cancel/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel your appointment?")
    expect(_card(page, "When")).to_contain_text(_from(new_start, shown_in))
    check(page)  # the cancel page
    page.get_by_role("button", name="Yes, cancel it").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your appointment is cancelled")
    expect(_card(page, "What")).to_contain_text("cancelled")
    expect(page.get_by_role("link", name="Change the time")).to_have_count(0)
    expect(page.get_by_role("link", name="Book another time")).to_be_visible()
    check(page)
    page.goto(first_link)  # a cancelled appointment's page, as she finds it later
    expect(page.get_by_role("heading", level=1)).to_have_text("Your appointment")
    expect(_card(page, "What")).to_contain_text("cancelled")
    expect(page.get_by_role("link", name="Cancel", exact=True)).to_have_count(0)
    check(page)
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert appointment.sequence == 2

    (cancellation,) = _deliver(mailbox)
    assert cancellation["Subject"] == "Your appointment is cancelled"
    method, calendar, event = _calendar(cancellation)
    assert method == "CANCEL"
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["UID"]) == uid
    assert int(event["SEQUENCE"]) == 2
    assert str(event["STATUS"]) == "CANCELLED"
    # No reminder for a cancelled appointment is left waiting to go.
    assert not Message.objects.filter(
        template="appointment_reminder", status=Message.Status.PENDING
    ).exists()


def test_in_person_booking_without_javascript_in_another_zone_keeps_what_she_typed(
    new_context, assert_fits_phone
):
    # axe needs scripts to run, so here only the width is checked; the next test runs axe on
    # the same pages with JavaScript on.
    check = assert_fits_phone
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/book/")
    page.get_by_role(
        "link", name=re.compile(rf"^Free consultation in person · {DENVER_PLACE}")
    ).click()

    # Without a script the page uses the location's zone, and says so.
    expect(page).to_have_url(re.compile(rf"/book/{IN_PERSON}/[0-9a-f-]+/$"))
    expect(page.locator(".zone-note")).to_have_text("Times are shown in Mountain Time.")
    check(page)
    # She lives in the east: she chooses her zone and asks for the times again.
    page.get_by_label("Your time zone").select_option(EASTERN)
    page.get_by_role("button", name="Show times").click()
    expect(page).to_have_url(re.compile(r"\?tz=America(%2F|/)New_York$"))
    expect(page.locator(".zone-note")).to_have_text("Times are shown in Eastern Time.")
    offered = _offered(page)
    assert offered
    for start, href in offered[:6]:
        link = _slot_link(page, href)
        expect(link).to_contain_text(_clock(start, EASTERN))
        expect(link.locator(".slot-local")).to_have_text(
            f"{_clock(start, DENVER)} at {DENVER_PLACE}"
        )
    check(page)

    start, link = _changeable_slot(page)
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your details")
    summary = page.locator("p.summary-card")
    expect(summary).to_contain_text(f"Free consultation in person · {DENVER_PLACE}")
    expect(summary).to_contain_text(_from(start, EASTERN))
    expect(summary).to_contain_text(_in_denver(start))

    # She forgets to say whether she is pregnant.
    due = _due_date()
    _fill_details(page, stage=None, due=due)
    _book_this_time(page)
    errors = page.locator(".error-summary")
    expect(errors).to_be_visible()
    expect(errors.locator("li")).to_have_count(1)
    expect(errors).to_contain_text("Please say whether you are pregnant or have had your baby.")
    expect(page.locator("fieldset.question.has-error")).to_have_count(1)
    expect(page.locator("fieldset.question.has-error input[name=stage]")).to_have_count(2)
    _assert_details_kept(page, stage=None, due=due)
    expect(summary).to_contain_text(_from(start, EASTERN))  # still the time she chose
    assert not Appointment.objects.exists()
    check(page)

    page.get_by_label("I am pregnant").check()
    _book_this_time(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("You are booked")
    expect(_card(page, "When")).to_contain_text(_from(start, EASTERN))
    expect(_card(page, "When")).to_contain_text(_in_denver(start))
    expect(_card(page, "Where")).to_contain_text(DENVER_PLACE)
    check(page)

    appointment = Appointment.objects.get()
    assert appointment.starts_at == start
    assert appointment.ends_at == start + timedelta(minutes=45)
    assert appointment.mode == ConsultationType.Mode.IN_PERSON
    assert appointment.location.name == DENVER_PLACE
    assert (appointment.time_zone, appointment.own_time_zone) == (DENVER, EASTERN)
    assert appointment.stage == Appointment.Stage.PREGNANT
    assert appointment.key_date.isoformat() == due
    assert appointment.phone == MOBILE_E164


def test_in_person_pages_in_two_zones_and_a_refused_form_pass_axe(
    page, assert_no_axe_violations, assert_fits_phone
):
    def check(page):
        assert_no_axe_violations(page)
        assert_fits_phone(page)

    denver = Location.objects.get(name=DENVER_PLACE)
    page.goto(f"/book/{IN_PERSON}/{denver.public_id}/?tz={EASTERN}")
    expect(page.locator(".zone-note")).to_have_text("Times are shown in Eastern Time.")
    expect(page.locator("a.slot .slot-local").first).to_contain_text(f"at {DENVER_PLACE}")
    check(page)  # the times page, in two zones

    start = _free_start(IN_PERSON, location=denver)
    page.goto(_details_url(IN_PERSON, start, EASTERN, denver))
    expect(page.locator("p.summary-card")).to_contain_text(_in_denver(start))
    check(page)  # the details page, in two zones

    page.get_by_label("Your name").fill(NAME)
    page.get_by_label("Mobile phone").fill("12")
    page.get_by_label(KEY_DATE_LABEL).fill(
        (timezone.localdate() - timedelta(days=400 * 6)).isoformat()
    )
    page.get_by_label("I have had my baby").check()
    _book_this_time(page)
    errors = page.locator(".error-summary")
    expect(errors).to_be_focused()  # booking.js moves focus there, so it is read out first
    expect(errors.locator("li")).to_have_count(4)  # email, phone, date, consent
    expect(errors).to_contain_text("Please give an email address")
    expect(errors).to_contain_text("does not look like a phone number")
    expect(errors).to_contain_text("more than five years ago")
    expect(errors).to_contain_text("We need your agreement to contact you")
    phone = page.get_by_label("Mobile phone")
    expect(phone).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#" + phone.get_attribute("aria-describedby"))).to_contain_text(
        "does not look like a phone number"
    )
    # Each line of the summary leads to the field it is about.
    for link in errors.locator("a").all():
        target = link.get_attribute("href")
        assert target.startswith("#")
        expect(page.locator(target)).to_have_count(1)
    assert not Appointment.objects.exists()
    check(page)  # the details page with errors


def test_a_time_taken_while_she_typed_offers_the_next_free_times(
    page, assert_no_axe_violations, assert_fits_phone
):
    video = ConsultationType.objects.get(slug=VIDEO)
    start = _free_start(VIDEO)
    page.goto(_details_url(VIDEO, start, EASTERN))
    expect(page.locator("p.summary-card")).to_contain_text(_from(start, EASTERN))
    expect(page.locator("#slot-problem")).to_have_count(0)
    due = _due_date()
    _fill_details(page, due=due)

    # Meanwhile every clinician free at that time is booked by someone else.
    slot = slot_at(video, start)
    assert slot is not None and slot.options
    for n, _option in enumerate(slot.options):
        services.book(
            video,
            start,
            services.Person(
                name=f"Another Mother {n}",
                email=f"another{n}@example.org",
                phone="+16175550150",
                language="en",
                stage=Appointment.Stage.POSTPARTUM,
                key_date=timezone.localdate() - timedelta(days=30),
            ),
            via=Appointment.Via.WEB,
        )
    assert slot_at(video, start) is None
    taken = Appointment.objects.count()
    assert taken == len(slot.options)

    _book_this_time(page)
    problem = page.locator("#slot-problem")
    expect(problem).to_be_visible()
    expect(problem.get_by_role("heading", level=2)).to_have_text("That time was just taken")
    expect(problem).to_contain_text("Nothing you typed is lost.")
    expect(problem).to_be_focused()  # booking.js moves focus there, so it is read out first
    choices = page.get_by_role("group", name=re.compile(r"^Next free times")).get_by_role("radio")
    expect(choices.first).to_be_checked()
    values = choices.evaluate_all("(radios) => radios.map((r) => r.value)")
    assert 1 <= len(values) <= 5
    alternatives = [datetime.fromisoformat(v) for v in values]
    assert all(alternative > start for alternative in alternatives)
    assert alternatives == sorted(alternatives)
    _assert_details_kept(page, stage="I am pregnant", due=due)
    assert Appointment.objects.count() == taken
    assert_no_axe_violations(page)  # the details page, "just taken"
    assert_fits_phone(page)

    chosen = min(1, len(alternatives) - 1)
    label = page.get_by_label(
        f"{_day(alternatives[chosen], EASTERN, 'l j F')}, {_clock(alternatives[chosen], EASTERN)}",
        exact=True,
    )
    expect(label).to_have_value(values[chosen])
    label.check()
    _book_this_time(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("You are booked")
    expect(_card(page, "When")).to_contain_text(_from(alternatives[chosen], EASTERN))
    mine = Appointment.objects.get(email=EMAIL)
    assert mine.starts_at == alternatives[chosen]
    assert Appointment.objects.count() == taken + 1


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_double_tap_on_book_this_time_books_once(new_context, javascript):
    page = new_context(java_script_enabled=javascript).new_page()
    start = _free_start(VIDEO)
    page.goto(_details_url(VIDEO, start, EASTERN))
    _fill_details(page)
    posts = []
    page.on("request", lambda request: request.method == "POST" and posts.append(request.url))

    box = page.get_by_role("button", name="Book this time").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    with page.expect_request(lambda request: request.method == "POST"):
        page.touchscreen.tap(x, y)
    page.touchscreen.tap(x, y)  # the second tap, while the first is on its way

    expect(page.get_by_role("heading", level=1)).to_have_text("You are booked")
    # With JavaScript the page sends the form once; without, the browser sends it twice and
    # the server must book once.
    assert len(posts) == (1 if javascript else 2), posts
    appointment = Appointment.objects.get()
    assert appointment.starts_at == start
    assert Message.objects.filter(template="appointment_booked").count() == 1
    assert appointment_linked_from(urlsplit(page.url).path) == appointment


def test_two_submissions_of_the_same_form_at_once_book_once(page):
    start = _free_start(VIDEO)
    page.goto(_details_url(VIDEO, start, EASTERN))
    _fill_details(page)
    # The same form sent twice at the same moment, as a flaky connection's retry would.
    landed = page.evaluate(
        """async () => {
            const form = document.querySelector('form.details-form');
            const send = () => fetch(form.action, {method: 'POST', body: new FormData(form)})
                .then((response) => [response.status, new URL(response.url).pathname]);
            return await Promise.all([send(), send()]);
        }"""
    )
    appointment = Appointment.objects.get()
    assert appointment.starts_at == start
    assert [status for status, _ in landed] == [200, 200]
    assert {appointment_linked_from(path) for _, path in landed} == {appointment}
    assert Message.objects.filter(template="appointment_booked").count() == 1
