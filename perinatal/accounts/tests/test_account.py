"""A staff member's own account: a new password (which signs out their other sessions) and new
recovery codes (which ask for both factors again); wrong answers count towards the lockout."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken

from perinatal.accounts import mfa
from perinatal.accounts.models import StaffSession
from perinatal.accounts.tests.helpers import (
    PASSWORD,
    authenticator,
    code_for,
    sign_in_for_real,
    type_code,
    type_password,
)
from perinatal.audit.models import Action, AuditEvent

NEW_PASSWORD = "another long passphrase 22"


@pytest.fixture
def nurse(staff):
    return staff("nurse")


def _change(client, old=PASSWORD, new=NEW_PASSWORD, again=None):
    return client.post(
        "/staff/account/",
        {"old_password": old, "new_password1": new, "new_password2": again or new},
    )


def _signed_in(client) -> bool:
    return client.get("/staff/account/").status_code == 200


def test_every_role_has_its_account_page(client, staff):
    for role in ("director", "clinician", "nurse", "front_desk", "admin"):
        browser = Client()
        sign_in_for_real(browser, staff(role, username=f"{role}-own"))
        page = browser.get("/staff/account/")
        assert page.status_code == 200, role
        assert "Change your password" in page.text
        assert page["Cache-Control"] == "no-store, private"


def test_a_new_password_signs_out_the_other_sessions_and_keeps_this_one(client, nurse):
    sign_in_for_real(client, nurse)
    elsewhere = Client()  # a second browser, signed in with a recovery code
    type_password(elsewhere, nurse.username)
    type_code(elsewhere, mfa.issue_recovery_codes(nurse)[0])
    assert _signed_in(elsewhere)
    before = client.cookies[settings.SESSION_COOKIE_NAME].value

    response = _change(client)

    assert response.status_code == 302
    assert _signed_in(client)
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != before  # a new session key
    assert not _signed_in(elsewhere)
    assert list(StaffSession.objects.values_list("session_key", flat=True)) == [
        client.cookies[settings.SESSION_COOKIE_NAME].value
    ]
    nurse.refresh_from_db()
    assert nurse.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action=Action.ACCOUNT)
    assert (event.actor_id, event.detail) == (nurse.pk, {"change": "password", "ended": 1})


def test_the_new_password_still_needs_the_authenticator(client, nurse):
    sign_in_for_real(client, nurse)
    _change(client)
    client.post("/staff/sign-out/")

    assert type_password(client, nurse.username, PASSWORD).status_code == 200  # refused
    response = type_password(client, nurse.username, NEW_PASSWORD)
    assert response["Location"].startswith("/staff/sign-in/code/")
    assert not _signed_in(client)  # a password alone opens nothing
    type_code(client, code_for(authenticator(nurse), at=_next_step()))
    assert _signed_in(client)


@pytest.mark.parametrize(
    ("old", "new", "again", "message"),
    [
        ("not my password 123", NEW_PASSWORD, None, "Your old password was entered incorrectly"),
        (PASSWORD, NEW_PASSWORD, "something else entirely", "The two password fields didn"),
        (PASSWORD, "short", None, "too short"),
    ],
)
def test_a_refused_change_says_why_and_changes_nothing(client, nurse, old, new, again, message):
    sign_in_for_real(client, nurse)

    response = _change(client, old, new, again)

    assert response.status_code == 400
    assert message in response.text
    nurse.refresh_from_db()
    assert nurse.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action=Action.ACCOUNT).exists()


def test_guessing_the_current_password_locks_the_account_out(client, nurse):
    sign_in_for_real(client, nurse)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _change(client, old="a wrong guess 0000")

    response = _change(client)

    assert response.status_code == settings.AXES_HTTP_RESPONSE_CODE
    nurse.refresh_from_db()
    assert nurse.check_password(PASSWORD)


def test_new_recovery_codes_need_password_and_code_and_replace_the_old(client, nurse):
    old_codes = mfa.issue_recovery_codes(nurse)
    sign_in_for_real(client, nurse)

    refused = client.post(
        "/staff/account/recovery-codes/", {"password": "wrong password 99", "code": "123456"}
    )
    assert refused.status_code == 400
    assert "do not match your account" in refused.text
    not_digits = client.post(
        "/staff/account/recovery-codes/", {"password": PASSWORD, "code": "abcdef"}
    )
    assert not_digits.status_code == 400
    assert "Type the 6 digits" in not_digits.text
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(old_codes)

    code = code_for(authenticator(nurse), at=_next_step())
    shown = client.post(
        "/staff/account/recovery-codes/",
        {"password": PASSWORD, "code": f"{code[:3]} {code[3:]}"},  # as some apps show it
    )

    assert shown.status_code == 200
    assert shown["Cache-Control"] == "no-store, private"
    new_codes = set(StaticToken.objects.values_list("token", flat=True))
    assert len(new_codes) == 10 and not new_codes & set(old_codes)
    for code in new_codes:
        assert code in shown.text
    assert _signed_in(client)
    event = AuditEvent.objects.get(action=Action.MFA, actor_id=nurse.pk)
    assert event.detail == {"change": "recovery codes replaced"}


def test_a_session_begun_with_a_recovery_code_survives_replacing_them(client, nurse):
    codes = mfa.issue_recovery_codes(nurse)
    type_password(client, nurse.username)
    type_code(client, codes[0])
    assert _signed_in(client)

    response = client.post(
        "/staff/account/recovery-codes/",
        {"password": PASSWORD, "code": code_for(authenticator(nurse))},
    )

    assert response.status_code == 200
    assert _signed_in(client)
    assert get_user_model().objects.get(pk=nurse.pk).is_active


def _next_step() -> float:
    """A moment in the next 30-second step: the code used to sign in cannot be used twice."""
    import time

    return time.time() + 30
