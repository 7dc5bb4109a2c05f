"""The back-office side: who may send, print and withdraw; what the chart, timeline and work
queue show; and the audit trail each page leaves."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from perinatal.accounts.roles import MATRIX, Can
from perinatal.audit.models import Action, AuditEvent
from perinatal.consents import sources
from perinatal.consents.models import ConsentRequest, SignedConsent
from perinatal.consents.services import bundle_for, send_forms, sign
from perinatal.consents.staff_views import consent_rows
from perinatal.consents.tests.helpers import a_patient, emailed_token, send, sign_form
from perinatal.lib.backoffice import UNSIGNED_CONSENT
from perinatal.notify.models import Message
from perinatal.patients.models import Patient
from tests.harness import assert_queue_counts_agree, make_staff, sign_in, sign_in_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_consent(client, clinic):
    """Maria signed the treatment form through her link; the client is signed in as front desk."""
    patient = a_patient()
    sign_in_as(client, "front_desk")
    send(client, patient, kinds=["treatment"])
    sign_form(client, f"/consent/{emailed_token(patient)}/", ConsentRequest.objects.all())
    return SignedConsent.objects.get()


def staff_urls(signed):
    patient = signed.patient.public_id
    return [
        ("get", f"/staff/patients/{patient}/consents/"),
        ("post", f"/staff/patients/{patient}/consents/send/"),
        ("get", f"/staff/patients/{patient}/consents/tablet-done/"),
        ("get", f"/staff/consents/{signed.request.public_id}/print/"),
        ("get", f"/staff/consents/{signed.request.public_id}/withdraw/"),
        ("post", f"/staff/consents/requests/{signed.request.public_id}/stop/"),
    ]


def test_every_role_that_sends_consents_may_and_the_others_get_404(client, signed_consent):
    for role, capabilities in MATRIX.items():
        sign_in(client, make_staff(role, f"{role}-2"))
        for method, url in staff_urls(signed_consent):
            response = getattr(client, method)(url)
            if Can.SEND_CONSENTS in capabilities:
                assert response.status_code in (200, 302), (role, url)
            else:
                assert response.status_code == 404, (role, url)
    assert "admin" in MATRIX  # the administrator role has no SEND_CONSENTS


def test_someone_not_signed_in_is_sent_to_sign_in(signed_consent):
    from django.test import Client

    for method, url in staff_urls(signed_consent):
        response = getattr(Client(), method)(url)
        assert response.status_code == 302 and "/staff/sign-in/" in response["Location"]


def test_records_that_do_not_exist_are_404(client, signed_consent):
    for url in [
        "/staff/patients/999999/consents/",
        "/staff/consents/999999/print/",
        "/staff/consents/999999/withdraw/",
    ]:
        assert client.get(url).status_code == 404
    assert client.post("/staff/patients/999999/consents/send/").status_code == 404


def test_front_desk_sends_forms_and_sees_where_they_stand(client, clinic):
    patient = a_patient()
    sign_in_as(client, "front_desk")
    page = client.get(f"/staff/patients/{patient.public_id}/consents/")
    assert page.status_code == 200
    assert "Default — the medical director must review" in page.content.decode()
    assert "Not sent" in page.content.decode()

    sent = send(client, patient, kinds=["treatment", "telehealth"])
    assert sent.status_code == 302
    assert Message.objects.filter(template="consent_request").count() == 1
    page = client.get(f"/staff/patients/{patient.public_id}/consents/")
    assert page.content.decode().count("Waiting for her signature") == 2
    assert AuditEvent.objects.filter(
        action=Action.SEND, patient_id=patient.pk, model="consents.consentrequest"
    ).exists()
    assert AuditEvent.objects.filter(
        action=Action.VIEW, patient_id=patient.pk, model="patients.patient"
    ).exists()


def test_a_patient_without_email_can_only_sign_on_the_tablet(client, clinic):
    patient = a_patient(email="")
    sign_in_as(client, "front_desk")
    refused = send(client, patient, kinds=["treatment"], channel="link")
    assert refused.status_code == 302
    assert not ConsentRequest.objects.exists()
    assert "no email address" in client.get(refused["Location"]).content.decode()
    tablet = send(client, patient, kinds=["treatment"], channel="tablet")
    assert tablet["Location"].startswith("/consent/")


def test_the_printable_copy_shows_what_was_signed_and_is_audited(client, signed_consent):
    page = client.get(f"/staff/consents/{signed_consent.request.public_id}/print/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    assert signed_consent.title in text
    assert "has not approved ketamine given into a vein for depression" in text
    assert "Maria Lopez" in text
    assert "version 1" in text and "Private link" in text
    assert "Print with your browser" in text and "consents/print.js" in text
    assert AuditEvent.objects.filter(
        action=Action.EXPORT,
        model="consents.signedconsent",
        object_id=str(signed_consent.pk),
        patient_id=signed_consent.patient_id,
    ).exists()


def test_saves_of_consent_records_are_audited(signed_consent):
    events = set(
        AuditEvent.objects.filter(patient_id=signed_consent.patient_id).values_list(
            "model", "action"
        )
    )
    assert ("consents.consentrequest", Action.CREATE) in events
    assert ("consents.consentrequest", Action.SEND) in events
    assert ("consents.signedconsent", Action.CREATE) in events
    assert ("consents.signedconsent", Action.SIGN) in events
    from perinatal.audit.log import tracked_models
    from perinatal.consents.models import ConsentWithdrawal

    assert {ConsentRequest, SignedConsent, ConsentWithdrawal} <= set(tracked_models())


def test_the_chart_shows_the_status_of_each_form(client, signed_consent):
    chart = client.get(f"/staff/patients/{signed_consent.patient.public_id}/")
    text = chart.content.decode()
    assert chart.status_code == 200
    assert "Consent forms" in text and "Send consent forms" in text
    assert f"/staff/consents/{signed_consent.request.public_id}/print/" in text
    assert "Consent signed: Off-label IV ketamine treatment" in text  # the timeline


def test_the_timeline_tells_sent_signed_and_withdrawn_in_one_query(client, signed_consent):
    patient = signed_consent.patient
    client.post(f"/staff/consents/{signed_consent.request.public_id}/withdraw/", {"how": "writing"})
    send(client, patient, kinds=["ob_sharing", "telehealth"])
    with CaptureQueriesContext(connection) as queries:
        entries = sources.consent_events(patient)
    assert len(queries) == 1
    titles = [e.title for e in sorted(entries, key=lambda e: e.at)]
    assert titles[:3] == [
        "Consent forms sent: Off-label IV ketamine treatment",
        "Consent signed: Off-label IV ketamine treatment",
        "Consent withdrawn: Off-label IV ketamine treatment",
    ]
    assert "Consent forms sent: Sharing information with your OB, Telehealth (video) visits" in (
        titles
    )
    assert {e.capability for e in entries} == {Can.SEND_CONSENTS}


def test_the_work_queue_lists_unsigned_and_expired_forms(client, clinic):
    waiting, expired, done, recent = (
        a_patient(name, email=f"{name.split()[0].lower()}@example.org")
        for name in ("Ana Waiting", "Bea Expired", "Cora Signed", "Dee Recent")
    )
    front_desk = sign_in_as(client, "front_desk")

    def ask(patient, *kinds):
        return send_forms(patient=patient, kinds=list(kinds), by=front_desk, channel="link")[0]

    now = timezone.now()
    with time_machine.travel(now - timedelta(days=8)):
        ask(expired, "treatment")
    with time_machine.travel(now - timedelta(days=3)):
        ask(waiting, "treatment", "telehealth")
        bundle = bundle_for(ask(done, "telehealth"))
        sign(
            bundle=bundle,
            request_ids=[r.pk for r in bundle.requests],
            signer_name="Cora Signed",
            ip=None,
            user_agent="",
        )
    ask(recent, "treatment")

    with CaptureQueriesContext(connection) as queries:
        items = {item.patient_public_id: item for item in sources.unsigned_consents(25)}
    assert len(queries) == 2  # who has waited longest, then their forms
    assert set(items) == {waiting.public_id, expired.public_id}
    assert items[waiting.public_id].title == "Consent unsigned: Ana Waiting"
    assert (
        "Off-label IV ketamine treatment, Telehealth (video) visits"
        in items[waiting.public_id].detail
    )
    assert items[expired.public_id].title == "Consent link expired: Bea Expired"
    assert all(item.capability == Can.SEND_CONSENTS for item in items.values())
    assert all(item.priority == UNSIGNED_CONSENT for item in items.values())
    assert_queue_counts_agree()
    assert {item.patient_public_id for item in sources.unsigned_consents(1)} == {
        expired.public_id
    }  # longest

    queue = client.get("/staff/queue/")
    assert "Consent link expired: Bea Expired" in queue.content.decode()

    stale = ConsentRequest.objects.get(patient=expired)
    client.post(f"/staff/consents/requests/{stale.public_id}/stop/")
    assert expired.public_id not in {
        item.patient_public_id for item in sources.unsigned_consents(25)
    }


def test_the_chart_panel_and_timeline_read_her_forms_in_one_query_each(client, signed_consent):
    client.post(f"/staff/consents/{signed_consent.request.public_id}/withdraw/", {"how": "writing"})
    send(client, signed_consent.patient, kinds=["ob_sharing", "telehealth"])
    patient = Patient.objects.get(pk=signed_consent.patient_id)  # nothing read yet
    with CaptureQueriesContext(connection) as queries:
        rows = {row["kind"]: row for row in consent_rows(patient)}
        entries = sources.consent_events(patient)
    assert len(queries) == 2  # one for the panel, one for the timeline, whatever the forms
    assert rows["treatment"]["signed"] is None  # withdrawn: no longer in force
    assert rows["treatment"]["state"] == "Withdrawn"
    assert rows["telehealth"]["state"] == "Waiting for her signature"
    assert len(entries) == 4  # sent, signed, withdrawn, sent


def test_a_withdrawal_is_recorded_once_and_audited(client, signed_consent):
    form = client.get(f"/staff/consents/{signed_consent.request.public_id}/withdraw/")
    assert form.status_code == 200 and "Record the withdrawal" in form.content.decode()
    client.post(f"/staff/consents/{signed_consent.request.public_id}/withdraw/", {"how": "phone"})
    again = client.post(
        f"/staff/consents/{signed_consent.request.public_id}/withdraw/", {"how": "writing"}
    )
    assert again.status_code == 302
    signed_consent.refresh_from_db()
    assert signed_consent.withdrawal.how == "phone"
    assert (
        AuditEvent.objects.filter(action=Action.CREATE, model="consents.consentwithdrawal").count()
        == 1
    )
    # Her link now says the consent was withdrawn.
    closed = client.get(f"/consent/{emailed_token(signed_consent.patient)}/")
    assert closed.status_code == 410 and "withdrawn" in closed.content.decode()


def test_the_sent_message_counts_the_forms_in_words(client, clinic):
    patient = a_patient()
    sign_in_as(client, "front_desk")

    send(client, patient)
    three = client.get(f"/staff/patients/{patient.public_id}/consents/").content.decode()
    send(client, patient, kinds=["treatment"])
    one = client.get(f"/staff/patients/{patient.public_id}/consents/").content.decode()

    assert "(3 forms)" in three and "(1 form)" in one
    assert "form(s)" not in three + one


def test_an_unnamed_signature_says_which_field_is_missing(client, clinic):
    patient = a_patient()
    sign_in_as(client, "front_desk")
    send(client, patient, kinds=["treatment"])
    path = f"/consent/{emailed_token(patient)}/"

    page = sign_form(client, path, ConsentRequest.objects.all(), name="").content.decode()

    assert "This field is required." not in page
    assert "Please type your full name." in page
