"""Care-plan letters: drafted from the chart, sent with the patient's consent, answered by her OB."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from perinatal.accounts.roles import capabilities
from perinatal.audit.models import Action, AuditEvent
from perinatal.backoffice import sources
from perinatal.lib.backoffice import OTHER, URGENT
from perinatal.lib.records import Locked
from perinatal.notify.models import Message
from perinatal.obcare.models import CarePlanLetter, LetterEvent, LetterLocked
from perinatal.obcare.sources import letter_queue, letter_timeline
from perinatal.obcare.tests.helpers import (
    LINK,
    PATIENT_NAME,
    PHI,
    a_patient,
    an_ob,
    draft,
    pdf_text,
    send,
    set_ob,
    sign_ob_sharing,
    withdraw_ob_sharing,
)
from tests.harness import assert_queue_counts_agree, chart_section_html, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinician(staff):
    return staff("clinician", first_name="Maya", last_name="Patel")


@pytest.fixture
def ob(db):
    return an_ob()


@pytest.fixture
def patient(ob):
    return a_patient(ob=ob)


@pytest.fixture
def staff_client(client, clinic, clinician):
    return sign_in(client, clinician)


@pytest.fixture
def consented(patient, clinician):
    return sign_ob_sharing(patient, by=clinician)


@pytest.fixture
def sent(staff_client, patient, consented):
    letter = draft(staff_client, patient, covering_note="Thank you for seeing her.")
    return letter, send(staff_client, letter)


# --- Drafting -----------------------------------------------------------------------------------


def test_a_draft_is_composed_from_the_chart(staff_client, patient, clinic):
    page = staff_client.get(f"/staff/patients/{patient.public_id}/ob-letters/new/").content.decode()
    assert "no signed consultation" in page  # staff are told what the chart still lacks
    assert "has not signed the consent" in page
    letter = draft(staff_client, patient)
    headings = [s["heading"] for s in letter.sections]
    assert headings[0] == "Patient"
    assert headings[-2:] == ["What we ask of you", "How to reach us"]
    identity = letter.sections[0]["text"]
    assert "Name: Ana Muñoz" in identity
    assert "Date of birth: March 14, 1991" in identity
    assert "Due date: September 2, 2026" in identity
    ask = letter.sections[-2]["text"]
    assert letter.respond_by.strftime("%B") in ask
    contact = letter.sections[-1]["text"]
    assert clinic.phone_display in contact
    assert "Written by: Maya Patel" in contact
    assert letter.status == CarePlanLetter.Status.DRAFTED
    assert list(letter.events.values_list("kind", flat=True)) == ["drafted"]


def test_a_letter_needs_her_ob_linked_first(staff_client, clinic):
    patient = a_patient()
    response = staff_client.get(f"/staff/patients/{patient.public_id}/ob-letters/new/")
    assert response["Location"] == f"/staff/patients/{patient.public_id}/ob/"
    assert not CarePlanLetter.objects.exists()


def test_a_draft_can_be_edited_until_it_is_sent(staff_client, patient):
    letter = draft(staff_client, patient)
    response = staff_client.post(
        f"/staff/ob-letters/{letter.public_id}/edit/",
        {"respond_by": letter.respond_by.isoformat(), "covering_note": "Second thoughts."},
    )
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.covering_note == "Second thoughts."
    assert list(letter.events.values_list("kind", flat=True)) == ["drafted", "edited"]


# --- Sending ------------------------------------------------------------------------------------


def test_sending_is_refused_without_her_consent_to_share_with_her_ob(staff_client, patient):
    letter = draft(staff_client, patient)
    response = staff_client.post(f"/staff/ob-letters/{letter.public_id}/send/", follow=True)
    assert "has not signed the consent to share information with her OB" in (
        response.content.decode()
    )
    letter.refresh_from_db()
    assert letter.status == CarePlanLetter.Status.DRAFTED
    assert letter.token_digest == ""
    assert not Message.objects.filter(template="ob_letter").exists()
    assert not AuditEvent.objects.filter(action=Action.SEND, model="obcare.careplanletter").exists()


def test_sending_needs_the_obs_email_address(staff_client, patient, consented, ob):
    ob.email = ""
    ob.save()
    letter = draft(staff_client, patient)
    response = staff_client.post(f"/staff/ob-letters/{letter.public_id}/send/", follow=True)
    assert "no email address for this OB" in response.content.decode()
    letter.refresh_from_db()
    assert letter.status == CarePlanLetter.Status.DRAFTED


def test_a_draft_to_an_ob_she_no_longer_has_is_not_sent(staff_client, patient, consented):
    letter = draft(staff_client, patient)
    set_ob(patient, an_ob(name="Dr. Omar Haddad", email="haddad@example.org"))
    response = staff_client.post(f"/staff/ob-letters/{letter.public_id}/send/", follow=True)
    assert "Her OB has changed since this letter was drafted" in response.content.decode()
    staff_client.post(
        f"/staff/ob-letters/{letter.public_id}/edit/", {"respond_by": letter.respond_by.isoformat()}
    )
    send(staff_client, letter)
    assert Message.objects.get(template="ob_letter").to == "haddad@example.org"


def test_the_email_to_the_ob_carries_a_link_and_nothing_about_the_patient(
    staff_client, patient, consented, clinic, ob
):
    letter = draft(staff_client, patient)
    send(staff_client, letter)
    email = Message.objects.get(template="ob_letter")
    assert email.to == ob.email
    assert email.subject == f"A care-plan letter from {clinic.name} is ready"
    for text in (email.subject, email.body_text, email.body_html):
        for leak in PHI:
            assert leak not in text, leak
    assert LINK.search(email.body_html)
    letter.refresh_from_db()
    assert letter.status == CarePlanLetter.Status.SENT
    assert letter.sent_to == ob.email
    assert letter.token_expires_at - letter.sent_at == timedelta(days=30)


def test_a_sent_letter_no_longer_changes(staff_client, sent):
    letter, _ = sent
    letter.refresh_from_db()
    letter.sections = [{"heading": "Patient", "text": "Someone else"}]
    with pytest.raises(LetterLocked):
        letter.save()
    response = staff_client.post(
        f"/staff/ob-letters/{letter.public_id}/edit/",
        {"respond_by": letter.respond_by.isoformat(), "covering_note": "Changed after sending"},
        follow=True,
    )
    assert "already sent" in response.content.decode()
    letter.refresh_from_db()
    assert letter.covering_note == "Thank you for seeing her."


# --- The OB's side, end to end ------------------------------------------------------------------


def test_the_ob_opens_acknowledges_and_clears(client, staff_client, sent, patient):
    letter, token = sent
    staff_client.logout()  # the OB has no account: the link is all she needs

    page = client.get(f"/ob/letters/{token}/")
    assert page.status_code == 200
    assert "Ana Muñoz" in page.content.decode()
    assert "Thank you for seeing her." in page.content.decode()
    letter.refresh_from_db()
    assert letter.status == CarePlanLetter.Status.OPENED
    assert letter.opened_at is not None
    client.get(f"/ob/letters/{token}/")  # a second look is not a second opening

    response = client.post(f"/ob/letters/{token}/acknowledge/")
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.status == CarePlanLetter.Status.ACKNOWLEDGED

    response = client.post(
        f"/ob/letters/{token}/answer/",
        {"response": "cleared", "text": "", "name": "Laura Chen", "role": "Obstetrician"},
    )
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.status == CarePlanLetter.Status.CLEARED
    assert (letter.responder_name, letter.responder_role) == ("Laura Chen", "Obstetrician")
    assert (
        "Your answer (cleared) was recorded" in client.get(f"/ob/letters/{token}/").content.decode()
    )

    history = list(letter.events.values_list("kind", flat=True))
    assert history == ["drafted", "sent", "opened", "acknowledged", "cleared"]

    # It lands in the chart and, until someone reads it, in the work queue.
    titles = [entry.title for entry in letter_timeline(patient)]
    assert "Dr. Laura Chen's office cleared the care plan" in titles
    (item,) = letter_queue(25)
    assert (item.priority, item.kind, item.patient_public_id) == (
        OTHER,
        "ob_cleared",
        patient.public_id,
    )
    assert item.url == f"/staff/ob-letters/{letter.public_id}/"

    sign_in(client, letter.created_by)
    client.post(f"/staff/ob-letters/{letter.public_id}/review/")
    assert letter_queue(25) == []
    assert letter.events.last().kind == "reviewed"


def test_an_answer_is_recorded_once(client, sent):
    letter, token = sent
    answer = {"response": "cleared", "text": "", "name": "Laura Chen", "role": "OB"}
    client.post(f"/ob/letters/{token}/answer/", answer)
    client.post(f"/ob/letters/{token}/answer/", {**answer, "response": "concerns", "text": "x"})
    letter.refresh_from_db()
    assert letter.status == CarePlanLetter.Status.CLEARED
    # Answering without acknowledging first acknowledges too: the history stays whole.
    assert list(letter.events.values_list("kind", flat=True)) == [
        "drafted",
        "sent",
        "acknowledged",
        "cleared",
    ]


def test_concerns_need_words_and_go_to_the_top_of_the_work_queue(
    client, staff_client, sent, patient, ob, clinician
):
    letter, token = sent
    # Another patient's OB cleared her letter earlier: that waits behind the concerns.
    other = a_patient(ob=ob, name="Beth Jones", email="beth@example.org")
    sign_ob_sharing(other, by=clinician)
    other_token = send(staff_client, draft(staff_client, other))
    client.post(
        f"/ob/letters/{other_token}/answer/",
        {"response": "cleared", "name": "Laura Chen", "role": "OB"},
    )

    refused = client.post(
        f"/ob/letters/{token}/answer/",
        {"response": "concerns", "text": "  ", "name": "Laura Chen", "role": "OB"},
    )
    assert refused.status_code == 400
    assert "Please tell us what your concerns are." in refused.content.decode()
    client.post(
        f"/ob/letters/{token}/answer/",
        {
            "response": "concerns",
            "text": "Blood pressure 150/95 at her last visit; please hold.",
            "name": "Laura Chen",
            "role": "Obstetrician",
        },
    )
    letter.refresh_from_db()
    assert letter.status == CarePlanLetter.Status.CONCERNS

    items = sorted(
        (item for source in sources.QUEUE for item in source(25)),
        key=lambda item: (item.priority, item.at),
    )
    assert (items[0].priority, items[0].kind, items[0].patient_public_id) == (
        URGENT,
        "ob_concerns",
        patient.public_id,
    )
    assert "150/95" in items[0].detail
    assert [i.kind for i in items if i.kind.startswith("ob_")] == ["ob_concerns", "ob_cleared"]

    page = staff_client.get(f"/staff/ob-letters/{letter.public_id}/").content.decode()
    assert "has concerns" in page and "150/95" in page


def test_a_resend_gives_a_new_link_and_the_old_one_says_why_it_stopped(client, staff_client, sent):
    letter, old = sent
    client.get(f"/ob/letters/{old}/")
    new = send(staff_client, letter)
    assert new != old
    gone = client.get(f"/ob/letters/{old}/")
    assert gone.status_code == 410
    assert "newer link" in gone.content.decode()
    assert client.get(f"/ob/letters/{new}/").status_code == 200
    letter.refresh_from_db()
    assert letter.status == CarePlanLetter.Status.OPENED  # resending does not undo what she did
    assert "replaces the one we sent before" in Message.objects.latest("id").body_text


def test_an_expired_link_answers_410_with_the_clinics_phone(client, sent, clinic):
    _, token = sent
    with time_machine.travel(timezone.now() + timedelta(days=31), tick=False):
        response = client.get(f"/ob/letters/{token}/")
        assert response.status_code == 410
        assert clinic.phone_display in response.content.decode()
        answer = {"response": "cleared", "name": "Laura Chen", "role": "OB"}
        assert client.post(f"/ob/letters/{token}/answer/", answer).status_code == 410


def test_after_the_answer_the_link_shows_it_for_a_day_only(client, sent, settings):
    _, token = sent
    answer = {"response": "cleared", "text": "", "name": "Laura Chen", "role": "OB"}
    client.post(f"/ob/letters/{token}/answer/", answer)
    hours = settings.PERINATAL_OB_LINK_AFTER_ANSWER_HOURS
    with time_machine.travel(timezone.now() + timedelta(hours=hours - 1), tick=False):
        page = client.get(f"/ob/letters/{token}/")
        assert page.status_code == 200 and "Laura Chen" in page.content.decode()
    with time_machine.travel(timezone.now() + timedelta(hours=hours + 1), tick=False):
        assert client.get(f"/ob/letters/{token}/").status_code == 410
        assert client.get(f"/ob/letters/{token}/letter.pdf").status_code == 410


def test_a_wrong_token_is_404(client, sent):
    _, token = sent
    assert client.get(f"/ob/letters/{token[:-2]}xx/").status_code == 404
    assert client.post("/ob/letters/not-a-token/acknowledge/").status_code == 404


def test_a_withdrawn_consent_closes_the_link(client, sent, consented, clinician):
    _, token = sent
    withdraw_ob_sharing(consented, by=clinician)
    response = client.get(f"/ob/letters/{token}/")
    assert response.status_code == 410
    assert "no longer shared" in response.content.decode()


def test_the_obs_page_is_private_and_not_indexed(client, sent):
    letter, token = sent
    assert client.head(f"/ob/letters/{token}/").status_code == 405  # link scanners do not open it
    letter.refresh_from_db()
    assert letter.opened_at is None
    response = client.get(f"/ob/letters/{token}/")
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "same-origin"
    assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()


def test_the_obs_page_is_rate_limited(client, sent, settings):
    _, token = sent
    settings.PERINATAL_RATE_LIMITS = {**settings.PERINATAL_RATE_LIMITS, "ob_letter": "3/h"}
    statuses = [client.get(f"/ob/letters/{token}/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert client.get("/ob/letters/guessing/").status_code == 429


# --- Copies -------------------------------------------------------------------------------------


def test_the_pdf_prints_an_accented_name(staff_client, sent, client):
    letter, token = sent
    response = staff_client.get(f"/staff/ob-letters/{letter.public_id}/letter.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert PATIENT_NAME not in response["Content-Disposition"]
    data = response.content
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "Care-plan letter: Ana Muñoz" in text
    assert "Date of birth: March 14, 1991" in text
    assert "Dr. Laura Chen" in text
    assert AuditEvent.objects.filter(
        action=Action.EXPORT, object_id=str(letter.pk), detail__format="pdf"
    ).exists()
    # The OB can download the same letter from her page.
    staff_client.logout()
    ob_copy = client.get(f"/ob/letters/{token}/letter.pdf")
    assert "Ana Muñoz" in pdf_text(ob_copy.content)


def test_the_printable_page_is_an_audited_export(staff_client, sent):
    letter, _ = sent
    page = staff_client.get(f"/staff/ob-letters/{letter.public_id}/print/")
    assert "Care-plan letter: Ana Muñoz" in page.content.decode()
    assert AuditEvent.objects.filter(
        action=Action.EXPORT, object_id=str(letter.pk), detail__format="print"
    ).exists()


# --- Who may do what ----------------------------------------------------------------------------


def test_front_desk_keeps_the_directory_but_never_sees_letters(client, sent, staff, patient):
    letter, _ = sent
    sign_in(client, staff("front_desk"))
    assert client.get("/staff/obs/").status_code == 200
    for url in (
        f"/staff/patients/{patient.public_id}/ob-letters/new/",
        f"/staff/ob-letters/{letter.public_id}/",
        f"/staff/ob-letters/{letter.public_id}/print/",
        f"/staff/ob-letters/{letter.public_id}/letter.pdf",
    ):
        assert client.get(url).status_code == 404, url
    for url in ("send", "edit", "review"):
        assert client.post(f"/staff/ob-letters/{letter.public_id}/{url}/").status_code == 404, url


def test_a_nurse_reads_letters_but_does_not_write_or_send_them(client, sent, staff, patient):
    letter, _ = sent
    sign_in(client, staff("nurse"))
    assert client.get(f"/staff/ob-letters/{letter.public_id}/").status_code == 200
    assert client.get(f"/staff/patients/{patient.public_id}/ob-letters/new/").status_code == 404
    assert client.post(f"/staff/ob-letters/{letter.public_id}/send/").status_code == 404


def test_an_outsider_and_a_missing_letter_get_404(client, sent, staff):
    letter, _ = sent
    sign_in(client, staff("admin"))
    assert client.get(f"/staff/ob-letters/{letter.public_id}/").status_code == 404
    sign_in(client, staff("director"))
    assert client.get(f"/staff/ob-letters/{letter.public_id}/").status_code == 200
    assert client.get("/staff/ob-letters/999999/").status_code == 404


def test_the_chart_shows_her_ob_or_what_she_typed(staff, clinic, ob):
    unlinked = a_patient(ob=None)
    html = chart_section_html(
        "obcare/_chart_actions.html", unlinked, capabilities(staff("front_desk"))
    )
    assert "Dr Chen" in html and "Back Bay OB" in html
    assert f"/staff/patients/{unlinked.public_id}/ob/" in html
    assert "ob-letters/new" not in html  # front desk does not write letters
    linked = a_patient(ob=ob, name="Beth Jones")
    html = chart_section_html(
        "obcare/_chart_actions.html", linked, capabilities(staff("clinician"))
    )
    assert "Dr. Laura Chen" in html and "(617) 555-0111" in html
    assert f"/staff/patients/{linked.public_id}/ob-letters/new/" in html


# --- Audit --------------------------------------------------------------------------------------


def test_every_step_is_audited_and_no_token_reaches_the_log(client, staff_client, sent, patient):
    letter, token = sent
    staff_client.get(f"/staff/ob-letters/{letter.public_id}/")
    staff_client.logout()
    client.get(f"/ob/letters/{token}/")
    client.post(f"/ob/letters/{token}/acknowledge/")
    events = AuditEvent.objects.filter(patient_id=patient.pk, model="obcare.careplanletter")
    assert events.filter(action=Action.CREATE).count() == 1
    assert events.filter(action=Action.SEND, actor_label="clinician").count() == 1
    assert events.filter(action=Action.VIEW, actor_label="clinician").exists()
    ob_views = events.filter(action=Action.VIEW, actor_label="public")
    assert ob_views.count() == 1
    assert ob_views.get().path == "/ob/letters/[token]/"
    assert events.filter(action=Action.UPDATE, detail__event="acknowledged").count() == 1
    assert not AuditEvent.objects.filter(path__contains=token).exists()
    # The letter's own history is append-only.
    event = LetterEvent.objects.filter(letter=letter).first()
    with pytest.raises(Locked):
        event.save()
    with pytest.raises(Locked):
        event.delete()


def test_the_timeline_and_queue_sources_cost_the_same_queries_whatever_the_letters(
    client, sent, patient, clinician, django_assert_num_queries
):
    def answer(token, response="cleared", text=""):
        client.post(
            f"/ob/letters/{token}/answer/",
            {"response": response, "text": text, "name": "Laura Chen", "role": "OB"},
        )

    answer(sent[1], "concerns", "Hold.")
    letter_queue(25)  # the clinic is cached from here on
    with django_assert_num_queries(3):  # concerns, clearances, no answer
        assert len(letter_queue(25)) == 1
    assert_queue_counts_agree()
    with django_assert_num_queries(1):
        assert len(letter_timeline(patient)) == 4  # drafted, sent, acknowledged, concerns
    for _ in range(3):
        sign_in(client, clinician)
        answer(send(client, draft(client, patient)))
    with django_assert_num_queries(3):
        assert len(letter_queue(25)) == 4
    with django_assert_num_queries(3):
        assert len(letter_queue(1)) == 2  # the concerns, always; one clearance of three
    assert_queue_counts_agree()
    with django_assert_num_queries(1):
        assert len(letter_timeline(patient)) == 4 * 4
