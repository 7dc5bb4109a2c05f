"""The chart: who she is, where she is in pregnancy or after it, what happened (timeline) and
how her scores moved (an SVG chart with the instrument's bands), clinical parts for clinical
staff only, one audit event per look, and the same queries for one row or thirty."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from perinatal.audit.models import Action, AuditEvent
from perinatal.backoffice.tests.helpers import (
    NOW,
    TODAY_NINE,
    callback,
    count_queries,
    screened_for,
)
from perinatal.booking import services
from perinatal.notify.models import Message
from perinatal.patients.models import Patient
from tests.harness import sign_in, sign_in_as


@pytest.fixture
def ana(clinic_day):
    """Ana, six weeks after the birth, with one consultation booked."""
    appointment = clinic_day.book(key_date=date(2026, 4, 20))
    patient = appointment.patient
    patient.date_of_birth = date(1994, 8, 2)
    patient.support_name, patient.support_relation = "Luis Example", "husband"
    patient.save()
    return patient


def chart(client, patient):
    response = client.get(f"/staff/patients/{patient.public_id}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_header_tells_who_she_is_and_how_far_after_the_birth(client, staff, ana):
    sign_in_as(client, "front_desk")

    html = chart(client, ana)

    assert "Ana Example" in html
    assert "ana@example.org" in html
    assert "(617) 555-0123" in html
    assert "31 years" in html
    assert "<strong>6 weeks</strong> postpartum" in html
    assert "Luis Example (husband)" in html


def test_a_pregnant_patient_shows_weeks_and_days_of_pregnancy(client, staff, clinic_day):
    # Due 70 days after Monday 1 June 2026: 280 - 70 = 210 days = 30 weeks 0 days.
    patient = clinic_day.book(stage="pregnant", key_date=date(2026, 8, 10)).patient
    sign_in_as(client, "nurse")

    html = chart(client, patient)

    assert "<strong>30 weeks 0 days</strong> pregnant" in html
    assert "10 Aug 2026" in html


def test_the_timeline_tells_the_story_newest_first(client, staff, clinic_day, frozen):
    patient = clinic_day.book().patient  # Monday 09:00 Denver
    screened_for(patient, 3, 3, 3, 3, at=NOW - timedelta(days=3))
    call = callback(urgent=False, phone=patient.phone)
    call.patient = patient
    call.save()
    sign_in_as(client, "clinician")

    html = chart(client, patient)
    timeline = html[html.index('id="timeline-heading"') :]
    kinds = re.findall(r'<span class="badge">(\w+)</span>', timeline)

    # The appointment (Monday 09:00 Denver) is after the booking's emails (Monday 06:00),
    # the call-back (06:00) and the screen (three days before).
    assert kinds[0] == "appointment"
    assert kinds[-1] == "screen"
    assert {"message", "callback"} <= set(kinds)
    assert "Email: " in timeline
    assert "EPDS screen: 12" in timeline


def test_messages_about_a_sisters_appointment_are_not_on_her_chart(client, staff, clinic_day):
    ana = clinic_day.book()
    lucia = clinic_day.book(name="Lucia Example")  # same email, her own record
    Message.objects.update(dedupe_key="")  # nothing left to read it from but the real fields
    sign_in_as(client, "clinician")

    timeline = chart(client, ana.patient).split('id="timeline-heading"')[1]

    about = {a: Message.objects.filter(about_id=a.pk).count() for a in (ana, lucia)}
    assert about[ana] > 0 and about[lucia] > 0
    assert timeline.count("Email: ") == about[ana]


def test_each_email_says_which_of_her_appointments_it_was_about(client, staff, clinic_day):
    first = clinic_day.book()  # Monday 09:00 Denver
    second = clinic_day.book(when=TODAY_NINE + timedelta(days=2))  # Wednesday 09:00
    assert first.patient == second.patient
    Message.objects.update(dedupe_key="")  # nothing left to read it from but the real fields
    sign_in_as(client, "clinician")

    timeline = chart(client, first.patient).split('id="timeline-heading"')[1]

    # Named as staff read it, at the time in the page's zone (New York).
    for appointment, day in ((first, "1 Jun 2026"), (second, "3 Jun 2026")):
        emails = Message.objects.filter(about_id=appointment.pk).count()
        assert emails > 1  # the confirmation and the reminders still to come
        assert timeline.count(f"about video 30 on {day}, 11:00") == emails


def test_withdrawn_reminders_are_not_on_her_timeline(client, staff, clinic_day):
    appointment = clinic_day.book(when=TODAY_NINE + timedelta(days=3))
    services.cancel(appointment)
    withdrawn = Message.objects.filter(status=Message.Status.CANCELLED)
    assert withdrawn.exists()  # the reminders the cancellation withdrew
    sign_in_as(client, "clinician")

    timeline = chart(client, appointment.patient).split('id="timeline-heading"')[1]

    for message in withdrawn:
        assert message.subject not in timeline
    assert "cancelled</div>" not in timeline  # no email shown in the "cancelled" state
    sent_or_waiting = Message.objects.exclude(status=Message.Status.CANCELLED).count()
    assert sent_or_waiting > 0  # the confirmation and the cancellation notice stay
    assert timeline.count("Email: ") == sent_or_waiting


def test_a_video_appointment_says_video_not_the_clinics_address(client, staff, clinic_day):
    appointment = clinic_day.book()  # a video consultation, booked with the Denver location
    assert appointment.mode == "video" and appointment.location_name == "Denver"
    sign_in_as(client, "clinician")

    timeline = chart(client, appointment.patient).split('id="timeline-heading"')[1]

    assert f"with {appointment.clinician_name} · video call" in timeline
    assert "Denver" not in timeline


def test_her_spanish_booking_is_named_in_the_staff_language(client, staff, clinic_day):
    consultation = clinic_day.consultation
    consultation.name, consultation.name_es = "Video consultation", "Consulta por video"
    consultation.save()
    appointment = clinic_day.book(language="es")
    sign_in_as(client, "clinician")

    timeline = chart(client, appointment.patient).split('id="timeline-heading"')[1]

    assert ">Video consultation</a>" in timeline
    assert "Consulta por video" not in timeline


def test_the_score_chart_has_a_point_per_result_and_the_instruments_bands(
    client, staff, ana, frozen
):
    for days, answers in ((60, (3, 3, 3, 3, 3)), (30, (2, 2, 2, 2)), (7, (1, 1))):
        screened_for(ana, *answers, at=NOW - timedelta(days=days))
    screened_for(ana, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, at=NOW - timedelta(days=1))
    sign_in_as(client, "clinician")

    html = chart(client, ana)
    svg = html[html.index("<svg") : html.index("</svg>")]

    assert len(re.findall(r'<circle class="point', svg)) == 4
    assert len(re.findall(r'<circle class="point alert"', svg)) == 1
    day_before = f"{timezone.localtime(NOW - timedelta(days=1)):%-d %b %Y}"
    assert (
        f"<title>{day_before}: 2, Few signs of depression, self-harm item above zero</title>" in svg
    )
    bands = re.findall(r'<rect class="band band-\d"[^>]*><title>([^<]+)</title>', svg)
    assert bands == [
        "Few signs of depression: 0 to 9",
        "Some signs of depression: 10 to 12",
        "Many signs of depression: 13 to 30",
    ]
    assert '<polyline class="line"' in svg
    assert "<title" in svg and "<desc" in svg
    assert "4 EPDS results" in svg
    # The same numbers as a table.
    table = html[html.index("EPDS results, oldest first") :]
    assert [int(n) for n in re.findall(r"</time></td><td>(\d+)</td>", table)] == [15, 8, 2, 2]
    assert table.count('<span class="badge urgent">above zero</span>') == 1


def test_a_long_timeline_lists_the_newest_and_the_rest_on_request(client, staff, ana, frozen):
    from perinatal.backoffice.views import TIMELINE_ROWS

    for days in range(TIMELINE_ROWS + 5):
        screened_for(ana, 1, 1, at=NOW - timedelta(days=days + 1, hours=1))
    sign_in_as(client, "clinician")

    def timeline(html):
        part = html[html.index('id="timeline-heading"') :]
        return re.findall(r'<time datetime="([^"]+)">', part)

    html = chart(client, ana)
    everything = timeline(client.get(f"/staff/patients/{ana.public_id}/?timeline=all").text)
    assert len(everything) > TIMELINE_ROWS + 5  # the screens, her appointment, its emails
    assert timeline(html) == everything[:TIMELINE_ROWS]
    assert everything == sorted(everything, reverse=True)
    assert "Show the whole timeline" in html
    assert (
        "Show the whole timeline"
        not in client.get(f"/staff/patients/{ana.public_id}/?timeline=all").text
    )
    # The score chart always has every result.
    assert html.count('<circle class="point') == TIMELINE_ROWS + 5


def test_front_desk_sees_no_score_no_band_and_no_answer(client, staff, ana):
    screened_for(ana, 3, 3, 3, 3, 3, 0, 0, 0, 0, 3)
    sign_in_as(client, "front_desk")

    html = chart(client, ana)

    assert "<svg" not in html
    for clinical in ("EPDS", "signs of depression", "self-harm", "Questionnaire scores"):
        assert clinical not in html


def test_each_look_at_the_chart_is_one_audit_event(client, staff, ana):
    user = sign_in_as(client, "nurse")

    chart(client, ana)

    views = AuditEvent.objects.filter(action=Action.VIEW, patient_id=ana.pk)
    assert views.count() == 1
    event = views.get()
    assert (event.actor_id, event.model, event.object_id) == (
        user.pk,
        "patients.patient",
        str(ana.pk),
    )
    assert event.path == f"/staff/patients/{ana.public_id}/"


def test_the_chart_runs_the_same_queries_for_one_row_or_thirty(client, staff, clinic_day):
    patient = clinic_day.book().patient
    screened_for(patient, 1)
    sign_in_as(client, "clinician")
    url = f"/staff/patients/{patient.public_id}/"
    client.get(url)  # warm the clinic cache
    one = count_queries(client, url)

    for n in range(29):
        clinic_day.book()
        screened_for(patient, n % 4, 2, at=NOW - timedelta(days=n))
        call = callback(urgent=False, phone=patient.phone)
        call.patient = patient
        call.save()

    assert patient.appointments.count() == 30
    assert count_queries(client, url) == one


def test_a_merged_record_leads_to_the_kept_one(client, staff, ana, clinic_day):
    other = Patient.objects.create(name="Ana E.", stage="postpartum", merged_into=ana)
    sign_in_as(client, "clinician")

    page = client.get(f"/staff/patients/{other.public_id}/").content.decode()

    assert "The record you opened was merged into this one" in page
    assert f"/staff/patients/{ana.public_id}/edit/" in page  # her kept record, acted on
    assert (
        "The record you opened was merged"
        not in client.get(f"/staff/patients/{ana.public_id}/").content.decode()
    )


def test_outsiders_get_404_and_strangers_are_sent_to_sign_in(client, staff, ana):
    assert client.get(f"/staff/patients/{ana.public_id}/").status_code == 302  # to sign in

    client.force_login(staff("clinician", username="half"))  # password only, no second factor
    response = client.get(f"/staff/patients/{ana.public_id}/")
    assert response.status_code == 302
    assert "/staff/sign-in/code/" in response["Location"]

    sign_in(client, staff("admin", username="it"))  # signed in, but no business in charts
    assert client.get(f"/staff/patients/{ana.public_id}/").status_code == 404
    sign_in_as(client, "clinician")
    assert client.get("/staff/patients/999999/").status_code == 404


def test_the_cached_score_chart_is_drawn_afresh_for_a_new_result(client, staff, ana, frozen):
    screened_for(ana, 1, at=NOW - timedelta(days=2))
    sign_in_as(client, "clinician")
    assert chart(client, ana).count('<circle class="point') == 1
    assert chart(client, ana).count('<circle class="point') == 1  # from the cache

    screened_for(ana, 3, 3, 3, at=NOW - timedelta(days=1))

    assert chart(client, ana).count('<circle class="point') == 2


def test_the_chart_runs_the_same_queries_with_its_score_chart_cached(
    client, staff, ana, clinic_day
):
    for n in range(20):
        screened_for(ana, n % 4, at=NOW - timedelta(days=n + 1))
    other = clinic_day.book().patient
    screened_for(other, 1)
    sign_in_as(client, "clinician")
    client.get(f"/staff/patients/{other.public_id}/")  # warm the clinic's own caches
    url = f"/staff/patients/{ana.public_id}/"
    drawn = count_queries(client, url)
    assert count_queries(client, url) == drawn
