"""Staff home: today's and tomorrow's appointments by location in its own time, the queue in
brief, and search; front desk sees names and contacts, not clinical detail."""

import zoneinfo
from datetime import datetime, timedelta

from perinatal.accounts import roles
from perinatal.audit.models import Action, AuditEvent
from perinatal.backoffice.tests.helpers import (
    TODAY_NINE,
    callback,
    count_queries,
    person,
    screened,
)
from perinatal.booking import services
from tests.harness import sign_in_as


def test_today_and_tomorrow_by_location_in_its_own_time(client, staff, clinic_day):
    today = clinic_day.book(TODAY_NINE + timedelta(hours=1), name="Ana Today")
    clinic_day.book(
        TODAY_NINE + timedelta(days=1, hours=2), name="Bea Tomorrow", email="b@example.org"
    )
    clinic_day.book(TODAY_NINE + timedelta(days=2), name="Cleo Later", email="c@example.org")
    sign_in_as(client, "front_desk")

    response = client.get("/staff/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "Denver" in html and "America/Denver" in html
    today_table = html[html.index("Today, 1 Jun 2026") : html.index("Tomorrow, 2 Jun 2026")]
    assert "10:00" in today_table and "Ana Today" in today_table
    assert "Bea Tomorrow" in html[html.index("Tomorrow, 2 Jun 2026") :]
    assert "Cleo Later" not in html
    assert "(617) 555-0123" in html
    # 10:00 in Denver, where it takes place (12:00 in the clinic's zone).
    assert f'href="/staff/appointments/{today.public_id}/">10:00</a>' in html
    assert "to confirm" in html


def test_front_desk_sees_an_urgent_booking_as_urgent_and_nothing_clinical(
    client, staff, clinic_day
):
    clinic_day.book(name="Eva Urgent", screening=screened(self_harm=True))
    callback(urgent=True, screening=screened(self_harm=True))
    sign_in_as(client, "front_desk")

    html = client.get("/staff/").content.decode()

    assert '<tr class="urgent">' in html
    assert "2 urgent items" in html
    for clinical in ("EPDS", "self-harm", "signs of depression"):
        assert clinical not in html


def test_the_queue_in_brief_and_a_search_box(client, staff, clinic_day):
    clinic_day.book()
    clinic_day.book(name="Lucia Example")
    sign_in_as(client, "clinician")

    html = client.get("/staff/").content.decode()

    assert "New bookings to confirm: <strong>2</strong>" in html
    assert "Possible duplicate records: <strong>1</strong>" in html
    assert 'action="/staff/patients/"' in html
    event = AuditEvent.objects.get(action=Action.VIEW, model="booking.appointment")
    assert event.detail == {"page": "home", "rows": 2}


def test_home_runs_the_same_queries_for_one_appointment_or_thirty(client, staff, clinic_day):
    clinic_day.book(name="Mother 0", email="m0@example.org")
    sign_in_as(client, "front_desk")
    client.get("/staff/")
    one = count_queries(client, "/staff/")

    for n in range(1, 30):
        clinic_day.book(name=f"Mother {n}", email=f"m{n}@example.org", phone=f"+1617555{n:04d}")

    html = client.get("/staff/").content.decode()
    assert html.count('href="/staff/appointments/') == 30
    assert count_queries(client, "/staff/") == one


def test_roles_without_the_schedule_get_404(client, staff, clinic_day):
    sign_in_as(client, "admin")

    assert client.get("/staff/").status_code == 404


def test_each_location_keeps_its_own_today(client, staff, clinic_day, frozen):
    """At 05:00 UTC on Tuesday it is already Tuesday in New York but still Monday evening in
    Honolulu: each location lists the appointments of its own day."""
    setup = clinic_day.setup
    hawaii = zoneinfo.ZoneInfo("Pacific/Honolulu")
    new_york = zoneinfo.ZoneInfo("America/New_York")
    for zone, name in ((hawaii, "Honolulu"), (new_york, "New York")):
        location = setup.location(str(zone), name)
        doctor = setup.clinician(f"Dr {name}", location, hours=[(d, 8, 22) for d in range(7)])
        consultation = setup.consultation(doctor, mode="in_person", minutes=30)
        when = (
            datetime(2026, 6, 1, 20, tzinfo=hawaii)
            if zone is hawaii
            else datetime(2026, 6, 2, 10, tzinfo=new_york)
        )
        services.book(
            consultation, when, person(name=f"Patient in {name}"), via="web", location=location
        )
    frozen.move_to(datetime(2026, 6, 2, 5, tzinfo=zoneinfo.ZoneInfo("UTC")))
    sign_in_as(client, "front_desk")

    html = client.get("/staff/").content.decode()

    honolulu = html[html.index(">Honolulu ") : html.index(">New York ")]
    new_york_part = html[html.index(">New York ") :]
    assert "Today, 1 Jun 2026" in honolulu
    assert "20:00" in honolulu.split("Tomorrow")[0]
    assert "Today, 2 Jun 2026" in new_york_part
    assert "10:00" in new_york_part.split("Tomorrow")[0]


def test_the_queue_in_brief_names_every_kind_as_a_person_writes_it():
    from perinatal.backoffice.queue import summary
    from perinatal.lib.backoffice import OB_LETTER, OTHER, URGENT, QueueCount

    counts = [
        QueueCount("ob_concerns", URGENT, "x", 1),
        QueueCount("ob_cleared", OTHER, "x", 2),
        QueueCount("ob_no_answer", OB_LETTER, "x", 3),
        QueueCount("infusion_to_book", OTHER, "x", 1),
        QueueCount("consent", OTHER, "x", 1),
        QueueCount("note", OTHER, "x", 1),
    ]

    labels = [label for label, _count, _urgent in summary(counts)]

    assert "OB letters cleared, to review" in labels
    assert "OB letters with concerns" in labels
    assert not any(label.startswith("Ob ") for label in labels)
    assert all("_" not in label for label in labels)


def test_the_schedule_names_a_spanish_booking_in_the_staff_language(client, staff, clinic_day):
    consultation = clinic_day.consultation
    consultation.name, consultation.name_es = "Video consultation", "Consulta por video"
    consultation.save()
    clinic_day.book(TODAY_NINE + timedelta(hours=1), language="es")
    sign_in_as(client, "front_desk")

    html = client.get("/staff/").content.decode()

    assert "Video consultation" in html
    assert "Consulta por video" not in html


def test_names_are_escaped_and_link_her_chart_for_those_who_see_contacts(
    client, staff, clinic_day, monkeypatch
):
    booked = clinic_day.book(name='<b>Ana & "Bea"</b>', email="ana@example.org")
    sign_in_as(client, "front_desk")

    html = client.get("/staff/").content.decode()

    chart = f"/staff/patients/{booked.patient.public_id}/"
    assert f'<a href="{chart}">&lt;b&gt;Ana &amp; &quot;Bea&quot;&lt;/b&gt;</a>' in html
    assert "<b>Ana" not in html

    without_contacts = roles.MATRIX[roles.Role.FRONT_DESK] - {roles.Can.SEE_CONTACTS}
    monkeypatch.setitem(roles.MATRIX, roles.Role.FRONT_DESK, without_contacts)
    html = client.get("/staff/").content.decode()

    assert chart not in html
    assert "&lt;b&gt;Ana &amp; &quot;Bea&quot;&lt;/b&gt;" in html  # the name given when booking


def test_each_row_says_whether_it_is_urgent_and_confirmed(client, staff, clinic_day):
    user = sign_in_as(client, "front_desk")
    confirmed = clinic_day.book(name="Cora Confirmed", email="cora@example.org")
    confirmed.confirmed_at, confirmed.confirmed_by = confirmed.created_at, user
    confirmed.save()
    clinic_day.book(name="Una Unconfirmed", email="una@example.org")
    clinic_day.book(name="Eva Urgent", email="eva@example.org", screening=screened(self_harm=True))

    html = client.get("/staff/").content.decode()

    rows = {
        name: row
        for row in html.split("<tr")
        for name in ("Cora Confirmed", "Una Unconfirmed", "Eva Urgent")
        if name in row
    }
    assert '<span class="badge ok">confirmed</span>' in rows["Cora Confirmed"]
    assert "to confirm" not in rows["Cora Confirmed"]
    assert '<span class="badge warn">to confirm</span>' in rows["Una Unconfirmed"]
    assert "urgent" not in rows["Una Unconfirmed"]
    assert rows["Eva Urgent"].startswith(' class="urgent">')
    assert '<span class="badge urgent">urgent</span>' in rows["Eva Urgent"]
