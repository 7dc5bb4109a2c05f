"""Her answers by private link: the self-screen's instrument, stored as hers; links that no
longer work say so with the crisis lines and show nobody's data; a self-harm answer, a worse
score and two questionnaires unanswered reach the work queue, and staff clear them."""

from datetime import timedelta

import pytest
import time_machine

from perinatal.audit.models import Action, AuditEvent
from perinatal.backoffice.queue import items_for
from perinatal.followup import services
from perinatal.followup.models import FollowUp, FollowUpSettings
from perinatal.followup.tests.helpers import epds_answers, infusion_given, link_in
from perinatal.lib.backoffice import TO_CONFIRM, URGENT
from perinatal.notify.models import Message
from perinatal.screening.models import Screening
from tests.harness import assert_queue_counts_agree, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def given(day_clinic, clinician, nurse, second_nurse):
    return infusion_given(clinician, nurse, second_nurse, zone="America/New_York")


def nth(session, n: int) -> FollowUp:
    return FollowUp.objects.filter(session=session).order_by("opens_at")[n]


def sent_link(follow_up: FollowUp) -> str:
    """Sweep at the follow-up's hour; its invitation's link."""
    with time_machine.travel(follow_up.opens_at, tick=False):
        services.sweep()
    return link_in(Message.objects.get(template="follow_up_invitation", about_id=follow_up.pk))


def kinds(user) -> list[str]:
    return [item.kind for item in items_for(user) if item.kind.startswith("follow_up")]


def test_her_link_opens_the_self_screens_questionnaire_and_stores_her_answers(client, given):
    first = nth(given, 0)
    link = sent_link(first)
    with time_machine.travel(first.opens_at + timedelta(hours=2), tick=False):
        page = client.get(link)
        html = page.content.decode()
        assert page.status_code == 200
        assert "Edinburgh" in html  # the instrument's citation, as on the self-screen
        assert given.patient.name not in html
        assert "no-store" in page["Cache-Control"] and "noindex" in page["X-Robots-Tag"]
        # Her link stays on this site; "no-referrer" would make browsers fail the CSRF check.
        assert page["Referrer-Policy"] == "same-origin"
        done = client.post(link, epds_answers(total_from_items=7))
        assert done.status_code == 200 and "crisis-heading" not in done.content.decode()
    first.refresh_from_db()
    assert first.status == "answered"
    screen = first.screening
    assert screen is not None and screen.patient_id == given.patient_id
    assert (screen.total, screen.channel, screen.instrument) == (7, "followup", "epds")
    audited = AuditEvent.objects.filter(patient_id=given.patient_id)
    assert audited.filter(action=Action.VIEW, model="followup.followup").exists()
    assert audited.filter(action=Action.CREATE, model="screening.screening").exists()


def test_a_used_link_an_expired_link_and_a_made_up_link_each_get_the_closed_page(client, given):
    first, second = nth(given, 0), nth(given, 1)
    used = sent_link(first)
    with time_machine.travel(first.opens_at + timedelta(hours=1), tick=False):
        client.post(used, epds_answers())
        again = client.get(used)
        assert again.status_code == 410
        again_post = client.post(used, epds_answers(self_harm=3))
        assert again_post.status_code == 410
    assert Screening.objects.filter(patient=given.patient).count() == 2  # tablet + this one
    expired = sent_link(second)
    with time_machine.travel(second.closes_at, tick=False):
        assert client.get(expired).status_code == 410
    for made_up in ("/how-are-you/not-a-real-token/", "/es/how-are-you/" + "x" * 300 + "/"):
        page = client.get(made_up)
        assert page.status_code == 410
    html = page.content.decode()
    assert "988" in html and given.patient.name not in html  # the crisis lines, nobody's data


def test_another_patients_link_shows_only_her_own_questionnaire(
    client, given, clinician, nurse, second_nurse
):
    other = infusion_given(clinician, nurse, second_nurse, seat=1, name="Ana Other")
    mine, theirs = nth(given, 0), nth(other, 0)
    link = sent_link(mine)
    sent_link(theirs)
    with time_machine.travel(mine.opens_at + timedelta(hours=1), tick=False):
        client.post(link, epds_answers(total_from_items=4))
    theirs.refresh_from_db()
    assert theirs.status == "sent" and theirs.screening is None
    assert not Screening.objects.filter(patient=other.patient, channel="followup").exists()


def test_bad_answers_are_named_and_nothing_is_stored(client, given):
    first = nth(given, 0)
    link = sent_link(first)
    with time_machine.travel(first.opens_at + timedelta(hours=1), tick=False):
        response = client.post(link, {**epds_answers(), "q3": "99", "q4": ""})
    assert response.status_code == 400
    first.refresh_from_db()
    assert first.status == "sent"


def test_a_self_harm_answer_shows_the_crisis_lines_tops_the_queue_and_alerts_on_call(
    client, given, clinician
):
    first = nth(given, 0)
    link = sent_link(first)
    with time_machine.travel(first.opens_at + timedelta(hours=1), tick=False):
        shown = client.post(link, epds_answers(self_harm=1)).content.decode()
        assert "crisis-heading" in shown and "988" in shown
        top = items_for(clinician)[0]
        assert (top.priority, top.kind) == (URGENT, "follow_up_self_harm")
        assert top.patient_public_id == given.patient.public_id
        alert = Message.objects.get(template="follow_up_alert")
        assert alert.to == "oncall@example.org"
        assert given.patient.name not in alert.subject + alert.body_text
        assert given.patient.email not in alert.body_text
        assert_queue_counts_agree()


def test_a_rise_from_her_best_since_the_infusion_is_worsening(client, given, clinician):
    first, second = nth(given, 0), nth(given, 1)
    with time_machine.travel(first.opens_at + timedelta(hours=1), tick=False):
        client.post(sent_link(first), epds_answers(total_from_items=5))
    assert kinds(clinician) == []
    link = sent_link(second)
    with time_machine.travel(second.opens_at + timedelta(hours=1), tick=False):
        client.post(link, epds_answers(total_from_items=8))  # +3: under the 4 points, same band
        assert kinds(clinician) == []
    third = nth(given, 2)
    link = sent_link(third)
    with time_machine.travel(third.opens_at + timedelta(hours=1), tick=False):
        client.post(link, epds_answers(total_from_items=9))  # +4 from her best (5)
        worse = [i for i in items_for(clinician) if i.kind == "follow_up_worsening"]
        assert len(worse) == 1 and worse[0].priority == TO_CONFIRM
        assert_queue_counts_agree()


def test_a_move_into_a_higher_band_is_worsening_when_the_director_says_so(client, given, clinician):
    FollowUpSettings.objects.update(worsening_points={})
    first, second = nth(given, 0), nth(given, 1)
    with time_machine.travel(first.opens_at + timedelta(hours=1), tick=False):
        client.post(sent_link(first), epds_answers(total_from_items=9))
    with time_machine.travel(second.opens_at + timedelta(hours=1), tick=False):
        client.post(sent_link(second), epds_answers(total_from_items=10))  # EPDS band at 10
    second.refresh_from_db()
    assert second.worsening
    FollowUp.objects.filter(pk=second.pk).update(worsening=False)
    FollowUpSettings.objects.update(worsening_on_higher_band=False)
    third = nth(given, 2)
    with time_machine.travel(third.opens_at + timedelta(hours=1), tick=False):
        client.post(sent_link(third), epds_answers(total_from_items=13))
    third.refresh_from_db()
    assert not third.worsening


def test_two_invitations_in_a_row_unanswered_put_a_call_in_the_queue(given, clinician):
    first, second = nth(given, 0), nth(given, 1)
    sent_link(first)
    with time_machine.travel(first.closes_at, tick=False):
        services.sweep()
        assert kinds(clinician) == []  # one miss
    sent_link(second)
    with time_machine.travel(second.closes_at, tick=False):
        services.sweep()
        calls = [i for i in items_for(clinician) if i.kind == "follow_up_no_answer"]
        assert len(calls) == 1 and calls[0].priority == TO_CONFIRM
        assert_queue_counts_agree()


def test_staff_record_that_she_was_reached_and_the_items_leave_the_queue(
    client, given, clinician, nurse
):
    first = nth(given, 0)
    link = sent_link(first)
    with time_machine.travel(first.opens_at + timedelta(hours=1), tick=False):
        client.post(link, epds_answers(self_harm=2))
    assert kinds(clinician) == ["follow_up_self_harm"]
    sign_in(client, nurse)
    address = f"/staff/patients/{given.patient.public_id}/follow-up/handled/"
    client.post(address, {"note": ""})
    assert kinds(clinician) == ["follow_up_self_harm"]  # a note is required
    client.post(address, {"note": "Spoke to her; safety plan agreed, seen tomorrow."})
    assert kinds(clinician) == []
    first.refresh_from_db()
    assert first.handled_by == nurse and first.handled_note.startswith("Spoke")
    chart = client.get(f"/staff/patients/{given.patient.public_id}/").content.decode()
    assert "Follow-up questionnaires" in chart and "safety plan agreed" in chart


def test_an_outsider_cannot_record_anything(client, given, outsider):
    client.force_login(outsider)
    address = f"/staff/patients/{given.patient.public_id}/follow-up/handled/"
    response = client.post(address, {"note": "x"})
    assert response.status_code in (302, 404)
    assert not FollowUp.objects.filter(handled_at__isnull=False).exists()


def test_what_she_answered_is_kept_when_she_leaves_and_shown_when_she_comes_back(client, given):
    first = nth(given, 0)
    link = sent_link(first)
    every = epds_answers(total_from_items=7)
    half = {key: value for key, value in every.items() if key in ("q1", "q2", "q3")}
    with time_machine.travel(first.opens_at + timedelta(hours=2), tick=False) as clock:
        saved = client.post(link, {**half, "later": "1"})
        assert saved.status_code == 200 and "Your answers are saved" in saved.content.decode()
        first.refresh_from_db()
        assert first.draft == half and first.status == "sent"
        clock.shift(timedelta(days=1))  # she comes back the next day, within the window
        page = client.get(link).content.decode()
        for key, value in half.items():
            assert f'name="{key}" value="{value}" id="id_{key}_{value}" required checked' in page
        # An incomplete send keeps what she chose too, and names what is missing.
        refused = client.post(link, {**half, "q4": every["q4"]})
        assert refused.status_code == 400
        first.refresh_from_db()
        assert set(first.draft) == {"q1", "q2", "q3", "q4"}
        assert client.post(link, every).status_code == 200
    first.refresh_from_db()
    assert first.status == "answered" and first.draft == {}


def test_a_self_harm_answer_left_unfinished_still_reaches_on_call(client, given):
    first = nth(given, 0)
    link = sent_link(first)
    with time_machine.travel(first.opens_at + timedelta(hours=2), tick=False):
        answers = epds_answers(total_from_items=0, self_harm=2)
        saved = client.post(link, {"q10": answers["q10"], "later": "1"})
    assert 'id="crisis-heading"' in saved.content.decode()
    assert Message.objects.filter(template="follow_up_alert", about_id=first.pk).exists()


def test_her_invitation_goes_by_text_too_with_only_the_link(given, settings, tmp_path):
    from perinatal.notify.delivery import deliver

    settings.PERINATAL_TEXT_DIR = tmp_path
    first = nth(given, 0)
    link = sent_link(first)
    text = Message.objects.get(template="follow_up_invitation_text", about_id=first.pk)
    assert (text.channel, text.to) == ("text", given.patient.phone)
    assert link in text.body_text and len(text.body_text) < 180
    for private in (given.patient.name, "depress", "EPDS", "ketamine"):
        assert private.lower() not in text.body_text.lower()
    with time_machine.travel(first.opens_at, tick=False):
        assert deliver(text.pk) == "sent"
    written = (tmp_path / f"{text.public_id}.txt").read_text()
    assert given.patient.phone in written and link in written
    assert oct((tmp_path / f"{text.public_id}.txt").stat().st_mode)[-3:] == "600"


def test_a_mother_with_a_phone_and_no_email_is_asked_by_text(given):
    given.patient.email = ""
    given.patient.save(update_fields=["email"])
    first = nth(given, 0)
    with time_machine.travel(first.opens_at, tick=False):
        services.sweep()
    first.refresh_from_db()
    assert first.status == "sent"
    sent = Message.objects.filter(about_id=first.pk, template__startswith="follow_up")
    assert {m.channel for m in sent} == {"text"}


def test_her_reminder_text_does_not_go_once_she_has_answered(client, given):
    from perinatal.notify.delivery import deliver

    first = nth(given, 0)
    link = sent_link(first)
    reminder = Message.objects.get(template="follow_up_reminder_text", about_id=first.pk)
    with time_machine.travel(first.opens_at + timedelta(hours=1), tick=False):
        client.post(link, epds_answers(total_from_items=3))
    reminder.refresh_from_db()
    assert reminder.status == "cancelled"
    assert deliver(reminder.pk) == "skipped"
