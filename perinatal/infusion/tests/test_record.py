"""After the day: the signed record takes addenda, never edits, and its summary goes to her OB
through the letter loop, asking for no answer."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from perinatal.audit.models import AuditEvent
from perinatal.consents.models import SignedConsent
from perinatal.infusion import letter, services
from perinatal.infusion.models import Addendum
from perinatal.infusion.tests.helpers import booked_infusion, discharged, ready_to_start
from perinatal.lib.records import Locked
from perinatal.notify.models import Message
from perinatal.obcare import services as ob_letters
from perinatal.obcare.models import CarePlanLetter
from perinatal.obcare.sources import letter_queue
from perinatal.obcare.tests.helpers import LINK, PHI, withdraw_ob_sharing
from perinatal.pathway import gates
from tests.harness import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def appointment(day_clinic, clinician):
    return booked_infusion(clinician)


@pytest.fixture
def on_the_day(appointment):
    with time_machine.travel(appointment.starts_at - timedelta(minutes=5), tick=False) as t:
        yield t


@pytest.fixture
def session(appointment, nurse, second_nurse, clinician, on_the_day):
    return discharged(appointment, nurse, second_nurse, clinician, on_the_day)


def record_url(appointment, step="record"):
    return reverse(f"infusion:{step}", args=[appointment.public_id])


def test_a_signed_record_takes_signed_addenda_and_shows_them(client, appointment, session, nurse):
    sign_in(client, nurse)
    response = client.post(record_url(appointment, "addendum"), {"addendum-text": "  "})
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    text = "Headache at home resolved by 8 pm, she says on the phone."
    response = client.post(record_url(appointment, "addendum"), {"addendum-text": text})
    assert response.status_code == 302
    added = Addendum.objects.get(session=session)
    assert added.author == nurse and added.text == text
    assert text in client.get(record_url(appointment)).content.decode()
    assert AuditEvent.objects.filter(
        action="create", model="infusion.addendum", patient_id=appointment.patient_id
    ).exists()
    added.text = "changed"
    with pytest.raises(Locked):
        added.save()
    with pytest.raises(Locked):
        added.delete()


def test_an_open_record_takes_entries_not_addenda_and_no_summary_yet(
    appointment, nurse, second_nurse, clinician, on_the_day
):
    session = ready_to_start(appointment, nurse, second_nurse)
    with pytest.raises(services.Refused):
        services.add_addendum(session, by=nurse, text="Too early")
    assert not Addendum.objects.exists()
    assert "once her discharge is signed" in letter.blocked(session)
    with pytest.raises(letter.NotReady):
        letter.draft(session, by=clinician)


def test_the_summary_goes_to_her_ob_through_the_letter_loop_and_asks_for_nothing(
    client, appointment, session, clinician
):
    sign_in(client, clinician)
    response = client.post(record_url(appointment, "ob_summary"))
    summary = CarePlanLetter.objects.get(kind=CarePlanLetter.Kind.INFUSION_SUMMARY)
    assert response.status_code == 302
    assert response["Location"] == reverse("obcare:letter", args=[summary.public_id])
    assert summary.respond_by is None and summary.status == "drafted"
    text = {s["heading"]: s["text"] for s in summary.sections}
    assert f"{session.dose_mg} mg ({session.dose_mg_per_kg} mg/kg)" in text["The infusion"]
    assert "stopped after 40 minutes" in text["The infusion"]
    assert appointment.plan.escort_name in text["Discharge"]
    headings = list(text)
    assert headings[0] == "Patient" and headings[-1] == "How to reach us"
    staff_page = client.get(response["Location"]).content.decode()
    assert "Infusion summary to" in staff_page and "Answer asked by" not in staff_page

    client.post(reverse("obcare:letter_send", args=[summary.public_id]))
    email = Message.objects.filter(template="ob_letter").latest("id")
    assert email.subject.startswith("An infusion summary from")
    assert not any(word in email.subject + email.body_text for word in PHI)
    link = LINK.search(email.body_text)
    assert link is not None
    client.logout()
    ob_page = client.get(f"/ob/letters/{link.group(1)}/").content.decode()
    assert "Mark as read" in ob_page and "Your answer" not in ob_page
    assert client.post(f"/ob/letters/{link.group(1)}/answer/", {"response": "cleared"}).status_code
    summary.refresh_from_db()
    assert summary.status == "opened" and summary.response == ""
    client.post(f"/ob/letters/{link.group(1)}/acknowledge/")
    summary.refresh_from_db()
    assert summary.status == "acknowledged"

    # It never waits in the queue for an answer, nor counts as clearance for a plan.
    with time_machine.travel(summary.sent_at + timedelta(days=60)):
        assert not [i for i in letter_queue(10) if i.kind == "ob_no_answer"]
        assert ob_letters.remind_unanswered() == 0
    assert gates.evidence(appointment.patient).clearance.kind == CarePlanLetter.Kind.CARE_PLAN


def test_an_unanswered_summary_is_never_treated_as_a_plan_waiting_for_clearance(
    appointment, session, clinician
):
    summary = letter.draft(session, by=clinician)
    ob_letters.send_letter(summary, by=clinician)
    with time_machine.travel(timedelta(days=60)):
        assert not CarePlanLetter.objects.awaiting_answer().filter(pk=summary.pk).exists()
    answer = ob_letters.Answer(response="concerns", text="Why?", name="Dr Chen", role="OB")
    assert ob_letters.respond(summary, answer) is False
    summary.refresh_from_db()
    assert summary.status == "sent"


def test_no_summary_without_her_consent(client, appointment, session, clinician):
    assert letter.blocked(session) == ""
    signed = SignedConsent.objects.in_force().get(patient=appointment.patient, kind="ob_sharing")
    withdraw_ob_sharing(signed, by=clinician)
    assert "not signed the consent" in letter.blocked(session)
    sign_in(client, clinician)
    page = client.get(record_url(appointment)).content.decode()
    assert "not signed the consent" in page
    assert record_url(appointment, "ob_summary") not in page
    client.post(record_url(appointment, "ob_summary"))
    assert not CarePlanLetter.objects.filter(kind=CarePlanLetter.Kind.INFUSION_SUMMARY).exists()
