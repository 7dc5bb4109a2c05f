"""The next-day check: her private link goes the day after, her answers reach the chart, a
self-harm answer tops the queue and alerts on-call, and silence by the clinic's hour is a call."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from perinatal.backoffice.queue import items_for
from perinatal.infusion.models import NextDayCheck
from perinatal.infusion.next_day import self_harm_item
from perinatal.infusion.tests.helpers import booked_infusion, discharged
from perinatal.lib.backoffice import TO_CONFIRM, URGENT
from perinatal.notify.models import Message
from tests.harness import assert_queue_counts_agree

pytestmark = pytest.mark.django_db


@pytest.fixture
def day(day_clinic, clinician, nurse, second_nurse):
    appointment = booked_infusion(clinician)
    with time_machine.travel(appointment.starts_at, tick=False) as traveller:
        session = discharged(appointment, nurse, second_nurse, clinician, traveller)
        yield session, traveller


def her_link(session) -> str:
    message = Message.objects.get(template="next_day_check")
    found = re.search(r"https?://[^/\s]+(/\S*after-your-infusion/\S+/)", message.body_text)
    assert found, message.body_text
    return found.group(1)


def position(score: int) -> str:
    """Where the answer scoring ``score`` sits among the self-harm item's options (EPDS 10 lists
    "quite often", scoring 3, first)."""
    options = self_harm_item("en").options
    return str(next(n for n, option in enumerate(options) if option.score == score))


def answers(**overrides):
    never = position(0)
    return {"mood": "1", "effect_nausea": "hours", "self_harm": never, "comments": "", **overrides}


def test_discharge_queues_her_link_for_the_clinics_hour_tomorrow(day):
    session, _ = day
    check = NextDayCheck.objects.get(session=session)
    message = Message.objects.get(template="next_day_check")
    local = timezone.localtime(message.next_attempt_at)
    assert local.date() == timezone.localdate(session.discharged_at) + timedelta(days=1)
    assert local.hour == 10 and message.to == session.patient.email
    assert session.patient.name not in message.subject + message.body_text
    assert check.token_digest not in message.body_text  # the token goes out, its digest stays


def test_her_answers_reach_her_record_and_the_link_closes(client, day):
    session, _ = day
    link = her_link(session)
    page = client.get(link)
    assert page.status_code == 200
    assert "harming myself" in page.content.decode()  # the self-screen's own question
    done = client.post(link, answers())
    assert done.status_code == 200 and "crisis-heading" not in done.content.decode()
    check = NextDayCheck.objects.get()
    assert check.side_effects == {"nausea": "hours"} and check.mood == 1 and not check.self_harm
    assert client.get(link).status_code == 410
    assert not [i for i in items_for(session.discharged_by) if i.kind.startswith("next_day")]


def test_a_self_harm_answer_tops_the_queue_alerts_on_call_and_shows_the_crisis_lines(
    client, day, clinician
):
    session, _ = day
    shown = client.post(her_link(session), answers(self_harm=position(1))).content.decode()
    assert "crisis-heading" in shown and "988" in shown
    first = items_for(clinician)[0]
    assert first.priority == URGENT and first.kind == "next_day_self_harm"
    alert = Message.objects.get(template="next_day_alert")
    assert session.patient.name not in alert.subject + alert.body_text
    assert_queue_counts_agree()


def test_no_answer_by_the_clinics_hour_puts_a_call_in_the_queue(client, day, clinician, nurse):
    _, traveller = day
    check = NextDayCheck.objects.get()
    traveller.move_to(check.answer_by - timedelta(minutes=1))
    assert not [i for i in items_for(clinician) if i.kind == "next_day_no_answer"]
    traveller.move_to(check.answer_by + timedelta(minutes=1))
    calls = [i for i in items_for(clinician) if i.kind == "next_day_no_answer"]
    assert len(calls) == 1 and calls[0].priority == TO_CONFIRM
    assert_queue_counts_agree()

    from tests.harness import sign_in

    sign_in(client, nurse)
    client.post(
        calls[0].url.replace("/record/", "/next-day/handled/"), {"note": "Spoke to her: well"}
    )
    assert NextDayCheck.objects.get().handled_by == nurse
    assert not [i for i in items_for(clinician) if i.kind == "next_day_no_answer"]


def test_a_made_up_link_says_it_cannot_be_used(client, day_clinic):
    assert client.get("/after-your-infusion/not-a-real-token/").status_code == 410


def test_bad_answers_are_named_and_nothing_is_stored(client, day):
    session, _ = day
    response = client.post(her_link(session), answers(self_harm="9", mood=""))
    assert response.status_code == 400
    assert NextDayCheck.objects.get().answered_at is None


def test_her_check_in_is_in_her_language(client, day):
    session, _ = day
    NextDayCheck.objects.update(language="es")
    html = client.get(her_link(session)).content.decode()
    assert "Enviar mis respuestas" in html
    assert self_harm_item("es").text in html  # the self-screen's Spanish item
