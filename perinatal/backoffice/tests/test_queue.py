"""The work queue: urgent call-backs and self-harm bookings first, then what to confirm; front
desk sees the urgent items too (they must not wait unseen) but never an answer."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import dateformat, timezone

from perinatal.accounts import roles
from perinatal.audit.models import Action, AuditEvent
from perinatal.backoffice.tests.helpers import DENVER, callback, count_queries, screened
from tests.harness import assert_queue_counts_agree, sign_in_as


def titles(response) -> list[str]:
    """Item titles in the order the page lists them."""
    html = response.content.decode()
    return re.findall(
        r'<li(?: class="urgent")?>\s*<div class="spread">\s*<span>\s*(?:<a href="[^"]*">|<strong>)([^<]+)',
        html,
    )


@pytest.fixture
def busy_morning(clinic_day, frozen):
    """In the order they arrived: a routine booking, a routine call-back, an urgent call-back,
    a booking whose screen flagged self-harm, and a sister's booking with the same email."""
    routine = clinic_day.book(name="Bea Routine", email="bea@example.org", phone="+16175550101")
    frozen.shift(timedelta(minutes=5))
    callback(urgent=False, first_name="Carla", phone="+16175550102")
    frozen.shift(timedelta(minutes=5))
    urgent_call = callback(urgent=True, first_name="Dora", screening=screened(self_harm=True))
    frozen.shift(timedelta(minutes=5))
    urgent_booking = clinic_day.book(
        name="Eva Urgent",
        email="eva@example.org",
        phone="+16175550104",
        screening=screened(self_harm=True),
    )
    frozen.shift(timedelta(minutes=5))
    clinic_day.book(name="Fay Sister", email="bea@example.org", phone="+16175550105")
    return {"routine": routine, "urgent_call": urgent_call, "urgent_booking": urgent_booking}


def test_urgent_items_come_first_then_what_to_confirm_then_duplicates(client, staff, busy_morning):
    sign_in_as(client, "clinician")

    response = client.get("/staff/queue/")

    assert response.status_code == 200
    assert titles(response) == [
        "Urgent call-back: Dora",
        "Urgent booking: Eva Urgent",
        "New booking: Bea Routine",
        "Call-back: Carla",
        "New booking: Fay Sister",
        "Possible duplicate: Fay Sister and Bea Routine",
    ]
    assert_queue_counts_agree()


def test_a_confirmed_booking_and_a_handled_call_back_leave_the_queue(client, staff, busy_morning):
    user = sign_in_as(client, "clinician")
    busy_morning["routine"].confirmed_at, busy_morning["routine"].confirmed_by = (
        timezone.now(),
        user,
    )
    busy_morning["routine"].save()
    busy_morning["urgent_call"].status = "done"
    busy_morning["urgent_call"].save()

    listed = titles(client.get("/staff/queue/"))

    assert "New booking: Bea Routine" not in listed
    assert "Urgent call-back: Dora" not in listed
    assert listed[0] == "Urgent booking: Eva Urgent"


def test_front_desk_sees_the_urgent_items_but_no_answers_and_cannot_open_a_call_back(
    client, staff, busy_morning
):
    sign_in_as(client, "front_desk")

    response = client.get("/staff/queue/")
    html = response.content.decode()

    assert titles(response)[:2] == ["Urgent call-back: Dora", "Urgent booking: Eva Urgent"]
    # The urgent call-back is listed without a link front desk could not follow.
    assert f"/staff/callbacks/{busy_morning['urgent_call'].pk}/" not in html
    assert "Pass this to a nurse or clinician" in html
    # Nothing of what she answered.
    for clinical in ("EPDS", "self-harm", "Many signs", "Few signs", "total"):
        assert clinical not in html


def test_each_item_says_when_it_came_in_the_clinic_zone_and_links_her_chart(
    client, staff, busy_morning
):
    sign_in_as(client, "clinician")
    routine = busy_morning["routine"]
    assert routine.patient_id is not None

    html = client.get("/staff/queue/").content.decode()

    came = timezone.localtime(routine.created_at)
    assert str(came.tzinfo) == settings.TIME_ZONE
    assert came.utcoffset() != timezone.localtime(routine.created_at, DENVER).utcoffset()
    assert (
        f'<time class="small muted" datetime="{came.isoformat()}">'
        f"{dateformat.format(came, 'j M Y, H:i')}</time>"
    ) in html
    assert f'<a href="/staff/patients/{routine.patient.public_id}/">Her chart' in html


def test_a_role_that_may_not_see_contacts_gets_no_chart_links(
    client, staff, busy_morning, monkeypatch
):
    without_contacts = roles.MATRIX[roles.Role.NURSE] - {roles.Can.SEE_CONTACTS}
    monkeypatch.setitem(roles.MATRIX, roles.Role.NURSE, without_contacts)
    sign_in_as(client, "nurse")

    html = client.get("/staff/queue/").content.decode()

    assert "New booking: Bea Routine" in html
    assert "Her chart" not in html
    assert str(busy_morning["routine"].patient.public_id) not in html


def test_names_are_escaped_and_badges_say_how_pressing(client, staff, clinic_day):
    callback(urgent=True, first_name='<b>Dora & "Co"</b>', screening=screened(self_harm=True))
    callback(urgent=False, first_name="Carla")
    clinic_day.book(name="<script>alert(1)</script>", email="eve@example.org")
    sign_in_as(client, "clinician")

    html = client.get("/staff/queue/").content.decode()

    assert "Urgent call-back: &lt;b&gt;Dora &amp; &quot;Co&quot;&lt;/b&gt;</a>" in html
    assert "New booking: &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>Dora" not in html and "<script>alert" not in html
    urgent, routine = html.split("To confirm and call back")
    assert '<li class="urgent">' in urgent and '<span class="badge urgent">urgent</span>' in urgent
    assert '<li class="urgent">' not in routine
    assert '<span class="badge warn">to confirm</span>' in routine


def test_the_queue_runs_the_same_queries_for_one_item_or_thirty(client, staff, clinic_day):
    sign_in_as(client, "clinician")
    clinic_day.book(name="First Booking", email="first@example.org")
    callback(urgent=True, screening=screened(self_harm=True))
    client.get("/staff/queue/")  # warm the clinic cache
    one = count_queries(client, "/staff/queue/")

    for n in range(29):
        clinic_day.book(name=f"Mother {n}", email=f"m{n}@example.org", phone=f"+1617555{n:04d}")
        callback(urgent=n % 2 == 0, first_name=f"Caller{n}", screening=screened(self_harm=True))

    assert count_queries(client, "/staff/queue/") == one


def test_opening_the_queue_is_audited_with_a_count_only(client, staff, busy_morning):
    sign_in_as(client, "nurse")

    client.get("/staff/queue/")

    event = AuditEvent.objects.get(action=Action.VIEW, model="patients.queue")
    assert event.detail == {"page": "queue", "rows": 6}


def test_roles_without_the_queue_get_404(client, staff, busy_morning):
    sign_in_as(client, "admin")

    assert client.get("/staff/queue/").status_code == 404


def test_a_long_routine_group_lists_its_oldest_and_urgent_ones_are_never_cut(
    client, staff, clinic_day, frozen
):
    from perinatal.backoffice.views import QUEUE_GROUP_ROWS

    sign_in_as(client, "nurse")
    extra = QUEUE_GROUP_ROWS + 3
    arrived = []  # routine items, call-backs and bookings taking turns, in order of arrival
    for n in range(extra):
        frozen.shift(timedelta(minutes=1))
        callback(urgent=False, first_name=f"Routine{n:02d}", phone=f"+1617555{n:04d}")
        arrived.append(f"Call-back: Routine{n:02d}")
        callback(urgent=True, first_name=f"Urgent{n:02d}", phone=f"+1617556{n:04d}")
        if n % 3 == 0:
            frozen.shift(timedelta(seconds=30))
            clinic_day.book(
                name=f"Booked {n:02d}", email=f"b{n}@example.org", phone=f"+1617557{n:04d}"
            )
            arrived.append(f"New booking: Booked {n:02d}")

    listed = titles(client.get("/staff/queue/"))
    assert [t for t in listed if t.startswith("Urgent")] == [
        f"Urgent call-back: Urgent{n:02d}" for n in range(extra)
    ]
    routine = [t for t in listed if not t.startswith("Urgent")]
    assert routine == arrived[:QUEUE_GROUP_ROWS]
    page = client.get("/staff/queue/").text
    assert f"Show all {len(arrived)}" in page
    assert f"{extra + len(arrived)} items waiting" in page
    everything = titles(client.get("/staff/queue/?all=1"))
    assert [t for t in everything if not t.startswith("Urgent")] == arrived
    assert_queue_counts_agree()


def test_one_persons_two_bookings_show_as_one_possible_duplicate(client, staff, clinic_day, frozen):
    """She pressed Back and booked again from another browser: one row for the two, with both
    times, not two unrelated "new booking" rows."""
    first = clinic_day.book()
    frozen.shift(timedelta(minutes=5))
    clinic_day.book(name="Bea Routine", email="bea@example.org", phone="+16175550101")
    frozen.shift(timedelta(minutes=5))
    again = clinic_day.book()
    assert first.patient_id == again.patient_id
    sign_in_as(client, "clinician")

    response = client.get("/staff/queue/")

    assert titles(response) == [
        "Possible duplicate booking: Ana Example",
        "New booking: Bea Routine",
    ]
    html = response.content.decode()
    assert "Mon 1 Jun 2026, 09:00 MDT; video 30, Mon 1 Jun 2026, 10:00 MDT" in html
    assert '<span class="badge">possible duplicate</span>' in html
    assert_queue_counts_agree()
    home = client.get("/staff/").content.decode()
    assert "Possible duplicate bookings: <strong>1</strong>" in home
    assert "New bookings to confirm: <strong>1</strong>" in home


def test_a_booking_after_a_confirmed_one_is_still_a_possible_duplicate(
    client, staff, clinic_day, frozen
):
    user = sign_in_as(client, "clinician")
    first = clinic_day.book()
    first.confirmed_at, first.confirmed_by = timezone.now(), user
    first.save()
    clinic_day.book()

    assert titles(client.get("/staff/queue/")) == ["Possible duplicate booking: Ana Example"]
    assert_queue_counts_agree()


def test_a_cancelled_or_past_booking_makes_no_duplicate(client, staff, clinic_day, frozen):
    from perinatal.booking import services

    services.cancel(clinic_day.book(), actor="staff")
    clinic_day.book()
    sign_in_as(client, "clinician")

    assert titles(client.get("/staff/queue/")) == ["New booking: Ana Example"]
    assert_queue_counts_agree()


def test_a_duplicate_with_a_self_harm_screen_is_listed_urgent_on_its_own(
    client, staff, clinic_day, frozen
):
    """The self-harm flag stays its own urgent item, first; the possible duplicate still names
    both her times, so whoever calls her sees them together."""
    clinic_day.book(name="Bea Routine", email="bea@example.org", phone="+16175550101")
    frozen.shift(timedelta(minutes=5))
    clinic_day.book()
    clinic_day.book(screening=screened(self_harm=True))
    sign_in_as(client, "front_desk")

    response = client.get("/staff/queue/")

    assert titles(response) == [
        "Urgent booking: Ana Example",
        "New booking: Bea Routine",  # the oldest routine item first
        "Possible duplicate booking: Ana Example",
    ]
    assert response.content.decode().count('<li class="urgent">') == 1
    assert_queue_counts_agree()


def test_a_booking_in_spanish_shows_its_type_in_the_staff_language(client, staff, clinic_day):
    consultation = clinic_day.consultation
    consultation.name, consultation.name_es = "Video consultation", "Consulta por video"
    consultation.save()
    booked = clinic_day.book(language="es")
    assert booked.type_name == "Consulta por video"  # what she agreed to, kept on the booking
    sign_in_as(client, "nurse")

    html = client.get("/staff/queue/").content.decode()

    assert "Video consultation, " in html
    assert "Consulta por video" not in html


def test_the_appointment_time_in_the_queue_has_no_leading_zero(client, staff, clinic_day):
    clinic_day.book()  # Monday 1 June 2026, 09:00 in Denver
    sign_in_as(client, "nurse")

    html = client.get("/staff/queue/").content.decode()

    assert "Mon 1 Jun 2026, 09:00 MDT" in html
    assert "Mon 01 Jun" not in html


def test_possible_duplicate_bookings_read_only_the_people_listed(
    staff, clinic_day, frozen, django_assert_num_queries
):
    from perinatal.booking.sources import possible_duplicate_bookings

    for name in ("Cleo", "Ana", "Bea"):
        email = f"{name.lower()}@example.org"
        clinic_day.book(name=f"{name} Twice", email=email)
        frozen.shift(timedelta(minutes=5))
        clinic_day.book(name=f"{name} Twice", email=email)
        frozen.shift(timedelta(minutes=5))

    with django_assert_num_queries(1) as captured:
        listed = possible_duplicate_bookings(2)

    # Only the two people listed are read, whatever the number waiting.
    assert "LIMIT 2" in captured.captured_queries[0]["sql"]

    assert [item.title for item in listed] == [
        "Possible duplicate booking: Cleo Twice",
        "Possible duplicate booking: Ana Twice",
    ]
    assert len(possible_duplicate_bookings(10)) == 3
    assert_queue_counts_agree()


def test_the_queue_totals_agree_with_the_staff_home(client, staff, busy_morning):
    """The queue counts its urgent items from the list (every one is listed) and asks the counts
    only for the rest: its totals are the staff home's."""
    sign_in_as(client, "clinician")

    queue = client.get("/staff/queue/").content.decode()
    home = client.get("/staff/").content.decode()

    assert 'Urgent: act now <span class="muted small">(2)</span>' in queue
    assert "6 items waiting" in queue
    assert "<strong>2 urgent items</strong>" in home
    assert "Urgent bookings: <strong>1</strong>" in home
    assert_queue_counts_agree()
