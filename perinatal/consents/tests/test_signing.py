"""Signing through the private link and on the clinic tablet, end to end through real pages."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from perinatal.audit.models import Action, AuditEvent
from perinatal.consents.models import ConsentRequest, ConsentTemplate, Kind, SignedConsent
from perinatal.consents.services import has_signed
from perinatal.consents.tests.helpers import a_patient, emailed_token, send, sign_form
from perinatal.notify.models import Message
from tests.harness import sign_in_as

pytestmark = pytest.mark.django_db


def test_she_signs_through_the_emailed_link(client, clinic):
    patient = a_patient("Maria Lopez")
    staff_member = sign_in_as(client, "front_desk")
    assert not has_signed(patient, Kind.TREATMENT)

    response = send(client, patient)
    assert response.status_code == 302
    message = Message.objects.get(template="consent_request")
    assert message.to == "maria@example.org"
    assert message.subject == "Please review and sign your forms"
    for text in (message.subject, message.body_text, message.body_html):
        assert "Maria" not in text and "Lopez" not in text and "ketamine" not in text.lower()
    token = emailed_token(patient)
    assert f'href="{settings.SITE_URL}/consent/{token}/"' in message.body_html

    she = client.__class__()  # her own phone: no staff session
    page = she.get(f"/consent/{token}/")
    assert page.status_code == 200
    assert "noindex" in page["X-Robots-Tag"]
    assert "no-store" in page["Cache-Control"]
    assert page["Referrer-Policy"] == "same-origin"  # "no-referrer" makes browsers fail CSRF
    treatment = ConsentTemplate.objects.active(Kind.TREATMENT, "en")
    assert treatment.title in page.content.decode()
    assert "has not approved ketamine given into a vein for depression" in page.content.decode()

    requests = list(ConsentRequest.objects.filter(patient=patient).order_by("id"))
    assert {r.created_by for r in requests} == {staff_member}
    before = timezone.now()
    done = sign_form(she, f"/consent/{token}/", requests, name="  Maria   Lopez ")
    assert done.status_code == 302 and done["Location"] == f"/consent/{token}/done/"

    signed = SignedConsent.objects.get(patient=patient, kind=Kind.TREATMENT)
    assert (signed.title, signed.body, signed.version) == (
        treatment.title,
        treatment.body,
        treatment.version,
    )
    assert signed.confirmation == treatment.confirmation
    assert signed.signer_name == "Maria Lopez"
    assert signed.signed_at >= before
    assert signed.method == "link" and signed.witnessed_by is None
    assert signed.ip == "127.0.0.1"
    assert all(has_signed(patient, kind) for kind in Kind.values)
    assert set(ConsentRequest.objects.values_list("status", flat=True)) == {"signed"}

    thanks = she.get(f"/consent/{token}/done/")
    assert thanks.status_code == 200 and treatment.title in thanks.content.decode()
    copy = she.get(f"/consent/{token}/copy/")
    assert copy.status_code == 200
    assert "Maria Lopez" in copy.content.decode()
    assert AuditEvent.objects.filter(action=Action.SIGN, patient_id=patient.pk).count() == 3
    assert AuditEvent.objects.filter(action=Action.EXPORT, patient_id=patient.pk).exists()


def test_a_used_link_says_it_was_used(client, clinic):
    patient = a_patient()
    sign_in_as(client, "front_desk")
    send(client, patient, kinds=["telehealth"])
    token = emailed_token(patient)
    requests = list(ConsentRequest.objects.filter(patient=patient))
    sign_form(client, f"/consent/{token}/", requests)

    again = client.get(f"/consent/{token}/")
    assert again.status_code == 410
    assert "already been signed" in again.content.decode()
    assert clinic.phone_display in again.content.decode()
    replay = sign_form(client, f"/consent/{token}/", requests, name="Someone Else")
    assert replay.status_code == 410
    assert SignedConsent.objects.get().signer_name == "Maria Lopez"


def test_an_expired_link_says_so_with_the_clinics_phone(client, clinic):
    patient = a_patient()
    sign_in_as(client, "front_desk")
    send(client, patient, kinds=["treatment"])
    token = emailed_token(patient)
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        page = client.get(f"/consent/{token}/")
        assert page.status_code == 410
        assert "expired" in page.content.decode()
        assert clinic.phone_display in page.content.decode()
        request = ConsentRequest.objects.get()
        assert sign_form(client, f"/consent/{token}/", [request]).status_code == 410
    assert not SignedConsent.objects.exists()


def test_sending_again_replaces_the_older_link(client, clinic):
    patient = a_patient()
    sign_in_as(client, "front_desk")
    send(client, patient, kinds=["treatment"])
    old = emailed_token(patient)
    send(client, patient, kinds=["treatment"])
    new = emailed_token(patient)
    assert client.get(f"/consent/{old}/").status_code == 410
    assert client.get(f"/consent/{new}/").status_code == 200


def test_a_wrong_token_is_not_found(client, clinic):
    assert client.get("/consent/not-a-real-token/").status_code == 404
    assert client.get("/es/consent/not-a-real-token/").status_code == 404
    assert client.get("/consent/not-a-real-token/copy/").status_code == 404


def test_she_may_sign_some_forms_and_come_back_for_the_rest(client, clinic):
    patient = a_patient()
    sign_in_as(client, "front_desk")
    send(client, patient, kinds=["treatment", "telehealth"])
    token = emailed_token(patient)
    treatment, telehealth = ConsentRequest.objects.order_by("-template__kind")
    assert treatment.template.kind == "treatment"

    nothing_ticked = sign_form(client, f"/consent/{token}/", [treatment], agree=[])
    assert nothing_ticked.status_code == 400
    assert "Tick the box" in nothing_ticked.content.decode()
    no_name = sign_form(client, f"/consent/{token}/", [treatment], name=" ")
    assert no_name.status_code == 400
    assert not SignedConsent.objects.exists()

    sign_form(client, f"/consent/{token}/", [treatment, telehealth], agree=[telehealth])
    assert has_signed(patient, Kind.TELEHEALTH) and not has_signed(patient, Kind.TREATMENT)
    page = client.get(f"/consent/{token}/")
    assert page.status_code == 200
    assert ConsentTemplate.objects.active(Kind.TREATMENT, "en").title in page.content.decode()
    assert f"agree_{telehealth.pk}" not in page.content.decode()


def test_a_spanish_speaker_gets_the_spanish_forms_and_pages(client, clinic):
    patient = a_patient("Ana Ruiz", language="es", email="ana@example.org")
    sign_in_as(client, "front_desk")
    send(client, patient, kinds=["treatment"])
    message = Message.objects.get(template="consent_request")
    assert "Ana" not in message.subject + message.body_text
    assert "/es/consent/" in message.body_text
    token = emailed_token(patient)

    redirected = client.get(f"/consent/{token}/")
    assert redirected.status_code == 302 and redirected["Location"] == f"/es/consent/{token}/"
    page = client.get(f"/es/consent/{token}/")
    spanish = ConsentTemplate.objects.active(Kind.TREATMENT, "es")
    assert page.status_code == 200
    assert spanish.title in page.content.decode()
    assert 'lang="es"' in page.content.decode()

    request = ConsentRequest.objects.get()
    sign_form(client, f"/es/consent/{token}/", [request], name="Ana Ruiz")
    signed = SignedConsent.objects.get()
    assert (signed.language, signed.body) == ("es", spanish.body)


def test_on_the_tablet_the_staff_member_is_the_witness(client, clinic):
    patient = a_patient()
    nurse = sign_in_as(client, "nurse")
    opened = send(client, patient, kinds=["treatment", "ob_sharing"], channel="tablet")
    assert opened.status_code == 302
    signing_page = opened["Location"]
    assert signing_page.startswith("/consent/")
    assert not Message.objects.filter(template="consent_request").exists()

    assert client.get(signing_page).status_code == 200
    requests = list(ConsentRequest.objects.filter(patient=patient))
    back = sign_form(client, signing_page, requests)
    assert back.status_code == 302
    assert back["Location"] == f"/staff/patients/{patient.public_id}/consents/tablet-done/"
    staff_page = client.get(back["Location"], follow=True)
    assert staff_page.status_code == 200
    assert "Signing on the tablet is finished" in staff_page.content.decode()

    for signed in SignedConsent.objects.all():
        assert signed.method == "tablet"
        assert signed.witnessed_by == nurse
    assert has_signed(patient, Kind.OB_SHARING)


def test_a_tablet_link_lasts_only_a_short_while(client, clinic):
    patient = a_patient()
    sign_in_as(client, "front_desk")
    signing_page = send(client, patient, kinds=["treatment"], channel="tablet")["Location"]
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        assert client.get(signing_page).status_code == 410


def test_has_signed_follows_signing_and_withdrawal(client, clinic):
    patient = a_patient()
    other = a_patient("Someone Else", email="else@example.org")
    sign_in_as(client, "clinician")
    send(client, patient, kinds=["ob_sharing"])
    assert not has_signed(patient, Kind.OB_SHARING)
    sign_form(client, f"/consent/{emailed_token(patient)}/", ConsentRequest.objects.all())
    assert has_signed(patient, Kind.OB_SHARING)
    assert not has_signed(other, Kind.OB_SHARING)
    assert not has_signed(patient, Kind.TREATMENT)

    signed = SignedConsent.objects.get()
    withdrawn = client.post(
        f"/staff/consents/{signed.request.public_id}/withdraw/", {"how": "phone"}
    )
    assert withdrawn.status_code == 302
    assert not has_signed(patient, Kind.OB_SHARING)
    signed.refresh_from_db()
    assert signed.withdrawal.how == "phone"
    assert ConsentRequest.objects.get().status == "withdrawn"

    # Signing again later counts again.
    send(client, patient, kinds=["ob_sharing"])
    fresh = ConsentRequest.objects.filter(status="sent")
    sign_form(client, f"/consent/{emailed_token(patient)}/", fresh)
    assert has_signed(patient, Kind.OB_SHARING)


def test_the_token_never_reaches_the_audit_log_or_the_logs(client, clinic):
    from perinatal.lib.redact import redact

    patient = a_patient()
    sign_in_as(client, "front_desk")
    send(client, patient, kinds=["treatment"])
    token = emailed_token(patient)
    client.get(f"/consent/{token}/")
    sign_form(client, f"/consent/{token}/", ConsentRequest.objects.all())
    client.get(f"/consent/{token}/copy/")
    assert AuditEvent.objects.filter(path__contains="/consent/").exists()
    assert not AuditEvent.objects.filter(path__contains=token).exists()
    assert redact(f"GET /es/consent/{token}/copy/") == "GET /es/consent/[token]/copy/"
    assert redact("/staff/consents/12/print/") == "/staff/consents/12/print/"
    assert not ConsentRequest.objects.filter(token_digest=token).exists()


def test_signing_is_rate_limited(client, clinic, settings):
    settings.PERINATAL_RATE_LIMITS = {**settings.PERINATAL_RATE_LIMITS, "manage": "2/h"}
    patient = a_patient()
    sign_in_as(client, "front_desk")
    send(client, patient, kinds=["treatment"])
    token = emailed_token(patient)
    request = ConsentRequest.objects.get()
    for _ in range(2):
        sign_form(client, f"/consent/{token}/", [request], name="")
    assert sign_form(client, f"/consent/{token}/", [request]).status_code == 429
    assert not SignedConsent.objects.exists()
