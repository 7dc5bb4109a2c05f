"""The demo's staff: one account per role, each signing in with the published demo key."""

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django_otp.oath import TOTP

from perinatal.accounts.demo import DEMO_TOTP_SECRET, load_demo
from perinatal.accounts.roles import Role
from perinatal.accounts.tests.helpers import type_code, type_password


def _demo_code() -> str:
    from base64 import b32decode

    return f"{TOTP(b32decode(DEMO_TOTP_SECRET)).token():06d}"


def test_each_role_gets_an_account_that_signs_in_with_the_published_key(db, tmp_path):
    demo = load_demo(tmp_path / "password")
    again = load_demo(tmp_path / "password")

    assert again.password == demo.password
    roles = dict(get_user_model().objects.values_list("username", "role"))
    assert roles == {
        "director": Role.MEDICAL_DIRECTOR,
        "clinician": Role.CLINICIAN,
        "nurse": Role.NURSE,
        "frontdesk": Role.FRONT_DESK,
        "admin": Role.ADMIN,
    }
    assert f"secret={DEMO_TOTP_SECRET}" in demo.otpauth_url
    assert any("DEMO ONLY" in line for line in demo.lines())
    assert any(demo.password in line for line in demo.lines())

    browser = Client()
    assert type_password(browser, "nurse", demo.password)["Location"] == "/staff/sign-in/code/"
    assert type_code(browser, _demo_code()).status_code == 302
    assert browser.session[SESSION_KEY] == str(get_user_model().objects.get(username="nurse").pk)


def test_production_refuses_demo_accounts(db, settings, tmp_path):
    settings.PRODUCTION = True
    with pytest.raises(ImproperlyConfigured):
        load_demo(tmp_path / "password")
    assert not get_user_model().objects.exists()
