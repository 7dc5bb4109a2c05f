"""The booking pages without a browser: what they say, what they keep, what they refuse."""

import re
from datetime import timedelta

import pytest

from perinatal.booking import services
from perinatal.booking.models import Appointment
from perinatal.booking.tests.helpers import AT_TEN, person, screened
from perinatal.notify.models import Message
from tests.harness import appointment_linked_from

START = "2026-06-03T16:00:00Z"


@pytest.fixture
def denver_room(setup, frozen):
    denver = setup.location("America/Denver", "Denver")
    clinician = setup.clinician("Dr Room", denver, hours=[(d, 9, 12) for d in range(5)])
    consultation = setup.consultation(clinician, mode="in_person", minutes=45, slug="in-person")
    base = f"/book/in-person/{denver.public_id}/"
    return consultation, denver, base


def with_screen_in_session(client, *, self_harm: bool):
    """She did the self-screen in this browser just before booking."""
    screening = screened(self_harm=self_harm)
    session = client.session
    session["screening"] = str(screening.public_id)
    session.save()
    return screening


def form_data(**overrides):
    data = {
        "start": START,
        "tz": "America/New_York",
        "idempotency_key": "key-for-this-form-1",
        "name": "Ana Example",
        "email": "ana@example.org",
        "phone": "617 555 0123",
        "stage": "postpartum",
        "key_date": "2026-04-02",
        "language": "en",
        "consent": "on",
    }
    return {**data, **overrides}


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_the_choice_lists_video_and_each_place(client, denver_room, setup):
    setup.consultation(*denver_room[0].clinicians.all(), mode="video", slug="video")
    page = client.get("/book/").content.decode()
    assert 'href="/book/video/"' in page
    assert f'href="{denver_room[2]}"' in page


def test_times_default_to_the_places_zone_and_show_it_beside_hers(client, denver_room):
    *_, base = denver_room
    page = text(client.get(base))
    assert "Times are shown in Mountain Time" in page
    assert "America/Denver" not in page
    assert "Monday 1 June" in page
    page = text(client.get(base, {"tz": "America/New_York", "day": "2026-06-03"}))
    assert "Times are shown in Eastern Time" in page
    assert "America/New_York" not in page
    # 10:00 in Denver is noon in New York; the place's own time is shown beside it.
    assert "noon 10 a.m. at Denver" in page
    assert "The smaller time is the local time at Denver." in page
    assert "Times are shown in Mountain Time" in text(client.get(base, {"tz": "Not/AZone"}))


def test_the_times_page_shows_one_day_and_a_picker_for_the_others(client, denver_room):
    *_, base = denver_room
    page = client.get(base).content.decode()
    assert page.count('<section class="day"') == 1
    assert "Monday 1 June" in text(client.get(base)) and "Wednesday 3 June" not in page
    starts = re.findall(r"start=([0-9-]+)T", page)
    assert starts and set(starts) == {"2026-06-01"}
    # The picker: the five days with free times, each a plain link (no script needed).
    days = re.findall(r'href="\?tz=America/Denver&amp;day=([0-9-]+)"', page)
    assert days == ["2026-06-01", "2026-06-02", "2026-06-03", "2026-06-04", "2026-06-05"]
    assert 'day=2026-06-01" aria-current="date"' in page
    assert "Wed 3 Jun" in text(client.get(base))

    page = client.get(base, {"tz": "America/Denver", "day": "2026-06-03"}).content.decode()
    assert "Wednesday 3 June" in text(client.get(base, {"day": "2026-06-03"}))
    assert set(re.findall(r"start=([0-9-]+)T", page)) == {"2026-06-03"}
    assert 'day=2026-06-03" aria-current="date"' in page
    # A day without times, or nonsense, shows the first day with times.
    for day in ("2026-06-06", "not-a-day"):
        page = client.get(base, {"day": day}).content.decode()
        assert set(re.findall(r"start=([0-9-]+)T", page)) == {"2026-06-01"}


def test_later_dates_keep_the_picker_in_step(client, denver_room):
    *_, base = denver_room
    page = client.get(base).content.decode()
    assert 'href="?tz=America/Denver&amp;from=2026-06-08"' in page  # "Later dates"
    later = client.get(base, {"from": "2026-06-08", "day": "2026-06-10"}).content.decode()
    assert 'href="?tz=America/Denver&amp;from=2026-06-08&amp;day=2026-06-10"' in later
    assert set(re.findall(r"start=([0-9-]+)T", later)) == {"2026-06-10"}
    assert 'href="?tz=America/Denver"' in later  # back to the earliest times


def test_a_slot_link_carries_only_the_time_and_zone(client, denver_room):
    *_, base = denver_room
    page = client.get(base, {"tz": "America/New_York"}).content.decode()
    links = re.findall(r'href="([^"]*details/[^"]*)"', page)
    assert links and all(
        re.fullmatch(r".*\?start=[0-9TZ:-]+&amp;tz=America%2FNew_York", link) for link in links
    )


def test_errors_keep_everything_typed(client, denver_room):
    *_, base = denver_room
    response = client.post(base + "details/", form_data(email="", consent=""))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Please give an email address" in page
    assert "We need your agreement" in page
    for kept in (
        'value="Ana Example"',
        'value="617 555 0123"',
        'value="2026-04-02"',
        'value="postpartum" id="id_stage_1" required checked',
    ):
        assert kept in page
    assert Appointment.objects.count() == 0


def test_booking_lands_on_her_private_page(client, denver_room):
    *_, base = denver_room
    response = client.post(base + "details/", form_data())
    appointment = Appointment.objects.get()
    assert response.status_code == 302
    assert response["Location"].startswith("/appointment/")
    assert appointment_linked_from(response["Location"]) == appointment
    assert (appointment.starts_at, appointment.own_time_zone) == (AT_TEN, "America/New_York")
    page = client.get(response["Location"])
    assert page["Cache-Control"] == "no-store, private"
    assert "noindex" in page["X-Robots-Tag"]
    assert "You are booked" in text(page)
    # The notice is shown once; reopening the link shows the appointment.
    assert "You are booked" not in text(client.get(response["Location"]))


def test_a_double_tap_books_once(client, denver_room):
    *_, base = denver_room
    first = client.post(base + "details/", form_data())
    second = client.post(base + "details/", form_data())
    assert appointment_linked_from(first["Location"]) == appointment_linked_from(second["Location"])
    assert Appointment.objects.count() == 1


def test_a_time_just_taken_offers_the_next_ones_and_keeps_her_answers(client, denver_room):
    consultation, denver, base = denver_room
    services.book(
        consultation, AT_TEN, person(email="first@example.org"), via="web", location=denver
    )
    response = client.post(base + "details/", form_data())
    assert response.status_code == 409
    page = response.content.decode()
    assert "That time was just taken" in page
    assert 'type="radio" name="start" value="2026-06-03T17:00:00Z" checked' in page
    assert 'value="Ana Example"' in page and 'value="ana@example.org"' in page
    retry = client.post(base + "details/", form_data(start="2026-06-03T17:00:00Z"))
    assert retry.status_code == 302
    assert Appointment.objects.filter(
        email="ana@example.org"
    ).get().starts_at == AT_TEN + timedelta(hours=1)


def test_a_positive_screen_brings_the_crisis_lines_and_an_urgent_flag(client, denver_room):
    *_, base = denver_room
    screening = with_screen_in_session(client, self_harm=True)
    details = client.get(base + "details/", {"start": START})
    assert "988" in text(details) and 'id="crisis"' in details.content.decode()
    response = client.post(base + "details/", form_data(attach_screening="on"))
    appointment = Appointment.objects.get()
    assert appointment.urgent and appointment.screening == screening
    # Her appointment's page is the manage link's: the lines, as for everyone, not her answer.
    booked = client.get(response["Location"]).content.decode()
    assert 'id="help-lines"' in booked and 'id="crisis"' not in booked


def test_without_attaching_the_screen_stays_unlinked(client, denver_room):
    *_, base = denver_room
    with_screen_in_session(client, self_harm=False)
    client.post(base + "details/", form_data())
    assert Appointment.objects.get().screening is None


def test_a_screen_from_hours_ago_is_not_offered_or_attached(client, denver_room, frozen, settings):
    *_, base = denver_room
    with_screen_in_session(client, self_harm=False)
    frozen.shift(timedelta(minutes=settings.PERINATAL_SCREENING_ATTACH_MINUTES + 1))
    details = client.get(base + "details/", {"start": START})
    assert 'name="attach_screening"' not in details.content.decode()
    client.post(base + "details/", form_data(attach_screening="on"))
    assert Appointment.objects.get().screening is None


def test_change_and_cancel_from_the_link(client, denver_room):
    consultation, denver, _ = denver_room
    appointment, _ = services.book(consultation, AT_TEN, person(), via="web", location=denver)
    manage = f"/appointment/{services.issue_manage_link(appointment)}/"
    change_page = client.get(manage + "change/", {"day": "2026-06-03"})
    assert "start=2026-06-03T17:00:00Z" in change_page.content.decode()
    confirm = client.get(manage + "change/", {"start": "2026-06-03T17:00:00Z"})
    assert "Move your appointment?" in text(confirm)
    moved = client.post(
        manage + "change/", {"start": "2026-06-03T17:00:00Z", "tz": "America/Denver"}
    )
    assert moved.status_code == 302
    appointment.refresh_from_db()
    assert appointment.starts_at == AT_TEN + timedelta(hours=1)
    assert "Your appointment has moved" in text(client.get(moved["Location"]))

    assert "Cancel your appointment?" in text(client.get(manage + "cancel/"))
    client.post(manage + "cancel/")
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"
    page = text(client.get(manage))
    assert "cancelled" in page and "Book another time" in page
    assert client.get(manage + "change/").status_code == 302  # nothing left to change


def test_inside_the_notice_the_page_gives_the_phone_instead(client, denver_room, frozen):
    consultation, denver, _ = denver_room
    appointment, _ = services.book(consultation, AT_TEN, person(), via="web", location=denver)
    frozen.move_to(AT_TEN - timedelta(hours=3))
    manage = f"/appointment/{services.issue_manage_link(appointment)}/"
    page = text(client.get(manage))
    assert "too close to the appointment to change it online" in page
    assert "(617) 555-0100" in page
    assert "Change the time" not in page
    assert client.post(manage + "cancel/").status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == "booked"


def test_the_calendar_file_and_unknown_links(client, denver_room):
    consultation, denver, _ = denver_room
    appointment, _ = services.book(consultation, AT_TEN, person(), via="web", location=denver)
    ics = client.get(f"/appointment/{services.issue_manage_link(appointment)}/calendar.ics")
    assert ics["Content-Type"].startswith("text/calendar")
    body = ics.content.decode()
    assert "METHOD:PUBLISH" in body and "DTSTART;TZID=America/Denver:20260603T100000" in body
    assert client.get("/appointment/no-such-token/").status_code == 404
    assert client.get("/appointment/" + "x" * 80 + "/").status_code == 404


def test_spanish_booking_pages(client, denver_room):
    assert client.get("/es/book/").status_code == 200
    assert client.get(f"/es{denver_room[2]}").status_code == 200


def test_a_video_appointment_seen_from_another_zone(client, setup, frozen):
    denver = setup.location("America/Denver", "Denver")
    clinician = setup.clinician("Dr Video", denver, hours=[(d, 9, 12) for d in range(5)])
    consultation = setup.consultation(clinician, mode="video", minutes=30, slug="video")
    appointment, _ = services.book(consultation, AT_TEN, person(), via="web")
    manage = f"/appointment/{services.issue_manage_link(appointment)}/"
    for page in (manage, manage + "change/", manage + "cancel/"):
        response = client.get(page, {"tz": "America/Chicago"})
        assert response.status_code == 200, page
        assert "Central Time" in text(response)
        assert "America/Chicago" not in text(response)
        assert "local time in" not in text(response)  # no place's clock for a video call


def test_spanish_dates_are_written_the_spanish_way(client, denver_room):
    *_, base = denver_room
    page = text(client.get(f"/es{base}", {"day": "2026-06-03"}))
    assert "miércoles 3 de junio" in page
    assert "mié 3 jun" in page  # in the day picker
    consultation, denver, _ = denver_room
    services.book(consultation, AT_TEN, person(language="es"), via="web", location=denver)
    from perinatal.notify.models import Message

    body = Message.objects.get(template="appointment_booked").body_text
    assert "miércoles 3 de junio de 2026" in body
    assert "1 Denver Street" in body


def test_a_booked_time_leaves_the_list_at_once(client, denver_room):
    consultation, denver, base = denver_room
    wednesday = {"day": "2026-06-03"}
    assert "start=2026-06-03T16:00:00Z" in client.get(base, wednesday).content.decode()
    services.book(consultation, AT_TEN, person(), via="web", location=denver)
    page = client.get(base, wednesday).content.decode()
    assert "start=2026-06-03T16:00:00Z" not in page
    assert "start=2026-06-03T17:00:00Z" in page  # 10:00 + 45 min + 15 min buffer


@pytest.mark.parametrize(
    "start", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "0002-01-01T00:00:00Z"]
)
def test_absurd_times_in_the_address_go_back_to_the_list(client, denver_room, start):
    *_, base = denver_room
    response = client.get(base + "details/", {"start": start})
    assert response.status_code == 302
    assert response["Location"].startswith(base + "?")


def test_over_the_limit_the_form_comes_back_filled_in(client, denver_room, settings):
    settings.PERINATAL_RATE_LIMITS = {**settings.PERINATAL_RATE_LIMITS, "booking": "1/h"}
    *_, base = denver_room
    client.post(base + "details/", form_data(email=""))  # one try, refused for the email
    response = client.post(base + "details/", form_data(email="ana@example.org"))
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many tries from this connection" in page
    assert 'value="Ana Example"' in page and 'value="ana@example.org"' in page
    assert Appointment.objects.count() == 0


def test_moving_to_the_same_time_changes_nothing(client, denver_room):
    consultation, denver, _ = denver_room
    appointment, _ = services.book(consultation, AT_TEN, person(), via="web", location=denver)
    manage = f"/appointment/{services.issue_manage_link(appointment)}/"
    response = client.post(manage + "change/", {"start": START})
    assert "Your appointment has moved" not in text(client.get(response["Location"]))
    appointment.refresh_from_db()
    assert appointment.sequence == 0


def test_the_database_keeps_only_digests_of_her_links(client, denver_room):
    *_, base = denver_room
    response = client.post(base + "details/", form_data())
    appointment = Appointment.objects.get()
    token = response["Location"].split("/")[2]
    stored = repr(list(Appointment.objects.values())) + repr(
        list(appointment.manage_links.values())
    )
    assert token not in stored
    emailed = Message.objects.get(template="appointment_booked").body_text
    assert appointment_linked_from(emailed) == appointment


def test_her_link_says_the_appointment_is_over_a_day_after_it(
    client, denver_room, frozen, settings
):
    consultation, denver, _ = denver_room
    appointment, _ = services.book(consultation, AT_TEN, person(), via="web", location=denver)
    manage = f"/appointment/{services.issue_manage_link(appointment)}/"
    grace = timedelta(hours=settings.PERINATAL_MANAGE_LINK_GRACE_HOURS)
    frozen.move_to(appointment.ends_at + grace - timedelta(minutes=1))
    assert client.get(manage).status_code == 200
    frozen.move_to(appointment.ends_at + grace)
    for page in (manage, manage + "change/", manage + "cancel/", manage + "calendar.ics"):
        response = client.get(page)
        assert response.status_code == 410
        assert "This appointment is over" in text(response)
        assert appointment.name not in text(response)
    api = client.get(f"/api/v1/bookings/{manage.split('/')[2]}")
    assert api.status_code == 404 and api.json()["error"]["code"] == "link_passed"
