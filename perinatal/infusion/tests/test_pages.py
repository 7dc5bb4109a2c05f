"""The infusion day's pages: the board, the session page's steps, refusals that keep what was
typed, the second person confirming as themselves, and the vial record."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from perinatal.accounts.tests.helpers import authenticator, code_for
from perinatal.infusion import services
from perinatal.infusion.models import InfusionSession, Observation
from perinatal.infusion.tests.helpers import (
    CALM,
    booked_infusion,
    check_in_fields,
    checked_in,
    ready_to_start,
)
from tests.harness import sign_in

pytestmark = pytest.mark.django_db
PASSWORD = "a long test password 1"


@pytest.fixture
def appointment(day_clinic, clinician):
    return booked_infusion(clinician)


@pytest.fixture
def on_the_day(appointment):
    with time_machine.travel(appointment.starts_at - timedelta(minutes=5), tick=False) as t:
        yield t


def page(appointment, step=""):
    name = f"infusion:{step}" if step else "infusion:session"
    return reverse(name, args=[appointment.public_id])


def test_the_board_shows_front_desk_names_and_stages_but_no_clinical_values(
    client, appointment, staff, nurse, second_nurse, on_the_day
):
    session = services.start(ready_to_start(appointment, nurse, second_nurse), by=nurse)
    on_the_day.shift(timedelta(minutes=5))
    services.observe(session, by=nurse, **{**CALM, "systolic": 187, "diastolic": 99})
    sign_in(client, staff("front_desk", username="desk"))
    html = client.get(reverse("infusion:board")).content.decode()
    assert appointment.patient.name in html
    assert "Infusing" in html
    assert "187" not in html and "mg" not in html
    assert page(appointment) not in html  # the front desk does not open the session


def test_the_board_refreshes_its_rows_in_the_same_queries_for_one_chair_or_two(
    client, day_clinic, clinician, nurse, second_nurse
):
    first, second = (booked_infusion(clinician, seat=seat) for seat in (0, 1))
    assert first.starts_at.date() == second.starts_at.date()
    with time_machine.travel(first.starts_at, tick=False):
        checked_in(first, nurse)
        sign_in(client, nurse)
        rows = reverse("infusion:board") + "?rows=1"
        client.get(rows)
        with CaptureQueriesContext(connection) as one:
            assert client.get(rows).status_code == 200
        services.start(ready_to_start(second, nurse, second_nurse), by=nurse)
        with CaptureQueriesContext(connection) as two:
            html = client.get(rows).content.decode()
    assert len(one) == len(two)
    assert first.patient.name in html and second.patient.name in html
    assert "Checked in" in html and "Infusing" in html


def test_impossible_vitals_are_named_and_nothing_typed_is_lost(
    client, appointment, nurse, on_the_day
):
    sign_in(client, nurse)
    fields = check_in_fields(appointment, escort_phone="+16175550124")
    fields.update(systolic=400, diastolic=20, heart_rate=80, spo2=140, resp_rate=14)
    response = client.post(page(appointment, "check_in"), fields)
    assert response.status_code == 422
    html = response.content.decode()
    assert "less than or equal to 260" in html and "less than or equal to 100" in html
    assert 'value="Her mother"' in html  # what was typed is still there
    assert not InfusionSession.objects.exists()


def test_a_weight_outside_30_to_250_kg_is_refused_in_place(client, appointment, nurse, on_the_day):
    checked_in(appointment, nurse)
    sign_in(client, nurse)
    response = client.post(
        page(appointment, "prepare"), {"dose-weight_kg": "20", "dose-concentration": "10"}
    )
    assert response.status_code == 422
    assert "greater than or equal to 30" in response.content.decode()
    assert InfusionSession.objects.get().dose_mg is None


def test_the_second_person_confirms_the_dose_as_themselves(
    client, appointment, nurse, second_nurse, on_the_day
):
    session = checked_in(appointment, nurse)
    session = services.prepare(session, by=nurse, weight_kg=Decimal("70"), concentration=10)
    sign_in(client, nurse)
    figures = {"dose_mg": session.dose_mg, "volume_ml": session.volume_ml}

    own = {"username": nurse.username, "password": PASSWORD, "code": "123456", **figures}
    own = {f"check-{k}": v for k, v in own.items()}
    refused = client.post(page(appointment, "verify"), own)
    assert refused.status_code == 422 and "someone else" in refused.content.decode()

    wrong = {"username": second_nurse.username, "password": PASSWORD, "code": "000000", **figures}
    wrong = {f"check-{k}": v for k, v in wrong.items()}
    assert client.post(page(appointment, "verify"), wrong).status_code == 422

    on_the_day.shift(timedelta(seconds=30))  # a wrong code makes the device wait a moment
    right = {**wrong, "check-code": code_for(authenticator(second_nurse))}
    assert client.post(page(appointment, "verify"), right).status_code == 302
    assert InfusionSession.objects.get().verified_by == second_nurse


def test_a_time_before_check_in_is_refused_and_the_reading_kept_on_screen(
    client, appointment, nurse, on_the_day
):
    session = checked_in(appointment, nurse)
    sign_in(client, nurse)
    before = timezone.localtime(session.checked_in_at - timedelta(minutes=30))
    typed = {**CALM, "systolic": 131, "at": f"{before:%H:%M}"}
    response = client.post(page(appointment, "observe"), {f"obs-{k}": v for k, v in typed.items()})
    assert response.status_code == 422
    assert "before she checked in" in response.content.decode()
    assert 'value="131"' in response.content.decode()
    assert Observation.objects.count() == 1  # the baseline only


def test_only_a_clinician_signs_the_discharge(client, appointment, nurse, on_the_day):
    checked_in(appointment, nurse)
    sign_in(client, nurse)
    assert client.post(page(appointment, "discharge"), {"escort": "Ben"}).status_code == 404
    assert client.post(page(appointment, "go_ahead"), {"note": "fine"}).status_code == 404


def test_the_session_page_walks_every_stage_and_is_audited(
    client, appointment, nurse, second_nurse, clinician, on_the_day
):
    from perinatal.audit.models import AuditEvent

    sign_in(client, clinician)
    assert "Check-in" in client.get(page(appointment)).content.decode()
    session = ready_to_start(appointment, nurse, second_nurse)
    html = client.get(page(appointment)).content.decode()
    assert "the infusion may start" in html
    assert client.post(page(appointment, "start")).status_code == 302
    on_the_day.shift(timedelta(minutes=40))
    client.logout()  # a staff session ends after a while idle
    sign_in(client, clinician)
    assert client.post(page(appointment, "change"), {"change-kind": "stop"}).status_code == 302
    html = client.get(page(appointment)).content.decode()
    assert "Discharge" in html and "120 minutes" in html
    session.refresh_from_db()
    assert session.stopped_at is not None
    assert AuditEvent.objects.filter(
        action="view", model="infusion.infusionsession", patient_id=appointment.patient_id
    ).exists()


def test_the_vial_record_downloads_as_csv_and_balances(
    client, appointment, nurse, second_nurse, clinician, on_the_day
):
    session = ready_to_start(appointment, nurse, second_nurse)
    vial = session.vials.get()
    services.close_vial(vial, given_mg=session.dose_mg, wasted_mg=Decimal("5"), witness=clinician)
    sign_in(client, nurse)
    day = appointment.starts_at.date()
    response = client.get(reverse("infusion:vials"), {"from": day, "to": day, "format": "csv"})
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/csv")
    assert "K2026A" in text and ",yes," in text
    page_html = client.get(reverse("infusion:vials"), {"from": day, "to": day}).content.decode()
    assert "wasted 5.0 mg" in page_html


def test_the_day_shows_on_her_chart_and_timeline_and_prints(
    client, appointment, nurse, second_nurse, clinician, on_the_day
):
    services.start(ready_to_start(appointment, nurse, second_nurse), by=nurse)
    sign_in(client, clinician)
    chart = client.get(reverse("backoffice:chart", args=[appointment.patient.public_id]))
    html = chart.content.decode()
    record_url = reverse("infusion:record", args=[appointment.public_id])
    assert "Infusion given" in html and record_url in html
    printed = client.get(record_url).content.decode()
    assert "K2026A" in printed and "Checked in" in printed


def test_her_instructions_print_in_her_language_with_the_time_to_discard_milk(
    client, day_clinic, clinician, nurse, second_nurse
):
    from perinatal.infusion.tests.helpers import discharged
    from perinatal.plans.tests.helpers import a_patient

    patient = a_patient(language="es")
    appointment = booked_infusion(
        clinician, patient=patient, plan_fields={"lactation": "discard", "discard_hours": 12}
    )
    with time_machine.travel(appointment.starts_at, tick=False) as traveller:
        session = discharged(appointment, nurse, second_nurse, clinician, traveller)
        sign_in(client, nurse)
        html = client.get(page(appointment, "instructions")).content.decode()
    assert "No conduzca" in html
    assert "durante 12 horas" in html
    until = timezone.localtime(session.stopped_at + timedelta(hours=12))
    assert f"{until:%H:%M}" in html
    assert "988" in html


def test_she_fills_in_todays_questionnaire_on_the_tablet_and_a_self_harm_answer_shows_help(
    client, appointment, nurse, on_the_day
):
    from perinatal.screening.instruments import get_instrument

    checked_in(appointment, nurse)
    sign_in(client, nurse)
    url = page(appointment, "questionnaire")
    form = client.get(url)
    assert form.status_code == 200 and "How you are feeling today" in form.content.decode()
    epds = get_instrument("epds", "en")
    answers = {
        f"q{item.number}": next(
            n for n, o in enumerate(item.options) if o.score == (2 if item.safety else 0)
        )
        for item in epds.items
    }
    assert client.post(url, {"q1": "0"}).status_code == 400  # every question needs an answer
    done = client.post(url, answers).content.decode()
    assert "crisis-heading" in done and "988" in done
    session_html = client.get(page(appointment)).content.decode()
    assert "self-harm answer: a clinician sees her before the start" in session_html
    assert appointment.patient.screenings.get().channel == "clinic"


def test_the_vial_record_names_dates_it_cannot_use(client, nurse):
    sign_in(client, nurse)
    for asked in ({"from": "9999-12-31", "to": "9999-12-31"}, {"to": "2026-02-30"}, {"from": "x"}):
        response = client.get(reverse("infusion:vials"), asked)
        assert response.status_code == 200, asked
        assert "Enter a date" in response.content.decode(), asked
