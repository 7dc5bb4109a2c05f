"""A person without an authenticator sets one up after the password, and only then signs in."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY, get_user_model
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from perinatal.accounts.tests.helpers import (
    PASSWORD,
    code_for,
    sign_in_for_real,
    soon,
    type_code,
    type_password,
)
from perinatal.audit.models import Action, AuditEvent


@pytest.fixture
def new_nurse(db):
    return get_user_model().objects.create_user("newnurse", password=PASSWORD, role="nurse")


def _enrolment_page(client):
    response = type_password(client, "newnurse")
    assert response.status_code == 302
    assert response["Location"] == "/staff/sign-in/authenticator/"
    return client.get(response["Location"])


def test_the_set_up_page_shows_a_qr_code_that_the_strict_csp_allows(client, new_nurse):
    page = _enrolment_page(client)
    html = page.content.decode()
    device = TOTPDevice.objects.get(user=new_nurse)

    assert page.status_code == 200
    assert not device.confirmed
    assert SESSION_KEY not in client.session
    svg = re.search(r"<svg .*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and "aria-label=" in svg
    assert "style=" not in html
    assert "data:" not in html
    assert "<script" not in html
    assert "no-store" in page["Cache-Control"]
    # The same key, in groups, for typing into the app by hand.
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode()
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in html
    # Reloading keeps the key already scanned.
    client.get("/staff/sign-in/authenticator/")
    assert TOTPDevice.objects.get(user=new_nurse).key == device.key


def test_a_wrong_code_does_not_confirm_the_app(client, new_nurse):
    _enrolment_page(client)
    device = TOTPDevice.objects.get(user=new_nurse)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"

    response = client.post("/staff/sign-in/authenticator/", {"code": wrong})

    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert SESSION_KEY not in client.session


def test_confirming_signs_in_and_shows_ten_recovery_codes_once(client, new_nurse):
    now = soon()
    with time_machine.travel(now, tick=False):
        _enrolment_page(client)
        device = TOTPDevice.objects.get(user=new_nurse)
        response = client.post("/staff/sign-in/authenticator/", {"code": code_for(device)})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    device.refresh_from_db()
    assert device.confirmed
    assert client.session[SESSION_KEY] == str(new_nurse.pk)
    codes = set(StaticToken.objects.filter(device__user=new_nurse).values_list("token", flat=True))
    assert len(codes) == 10
    shown = set(re.findall(r"<li><code>([a-z2-7]+)</code></li>", response.content.decode()))
    assert shown == codes
    assert AuditEvent.objects.filter(action=Action.MFA, detail__change="enrolled").count() == 1
    assert AuditEvent.objects.filter(action=Action.SIGN_IN, actor_id=new_nurse.pk).count() == 1

    # Next time: the code page, and one of the recovery codes works.
    other = Client()
    with time_machine.travel(now + timedelta(minutes=2), tick=False):
        assert type_password(other, "newnurse")["Location"] == "/staff/sign-in/code/"
        assert type_code(other, codes.pop()).status_code == 302
    assert other.session[SESSION_KEY] == str(new_nurse.pk)


def test_someone_with_an_app_is_never_offered_a_new_one(client, staff):
    clinician = staff("clinician")
    type_password(client, "clinician")
    response = client.get("/staff/sign-in/authenticator/")
    assert response.status_code == 302
    assert response["Location"] == "/staff/sign-in/code/"
    assert TOTPDevice.objects.filter(user=clinician).count() == 1


def test_the_administrator_resets_a_lost_authenticator(client, staff):
    now = soon()
    it_admin = staff("admin", username="itadmin")
    nurse = staff("nurse")
    StaticDevice.objects.create(user=nurse, name="recovery codes")
    nurse_browser = Client()
    with time_machine.travel(now, tick=False):
        sign_in_for_real(nurse_browser, nurse)
        assert nurse_browser.get("/staff/sign-in/").status_code == 302  # signed in
        sign_in_for_real(client, it_admin)

        response = client.post(
            "/admin/accounts/user/",
            {"action": "reset_second_factor", "_selected_action": [nurse.pk]},
        )

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=nurse).exists()
    assert not StaticDevice.objects.filter(user=nurse).exists()
    event = AuditEvent.objects.get(action=Action.MFA)
    assert (event.actor_id, event.object_id) == (it_admin.pk, str(nurse.pk))
    assert event.detail == {"change": "reset", "devices_removed": 2, "sessions_ended": 1}
    # Her open session is over, and her next sign-in sets up a new app.
    assert nurse_browser.get("/staff/audit/")["Location"].startswith("/staff/sign-in/")
    assert type_password(nurse_browser, "nurse")["Location"] == "/staff/sign-in/authenticator/"
