"""The demo's staff: one account per role, each signing in with the published demo key."""

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django_otp.oath import TOTP

from perinatal.accounts.demo_key import DEMO_TOTP_SECRET
from perinatal.accounts.roles import Role
from perinatal.accounts.tests.helpers import type_code, type_password
from perinatal.ops.demo.staff import load_demo


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


def test_production_refuses_sign_in_to_demo_accounts_left_in_the_database(db, settings, tmp_path):
    """A database seeded as a demo and then switched to production keeps its demo accounts: their
    password and the published key must not open anything there."""
    demo = load_demo(tmp_path / "password")
    settings.PRODUCTION = True

    browser = Client()
    response = type_password(browser, "director", demo.password)

    assert response.status_code == 200
    assert "do not match an active account" in response.content.decode()
    assert "staff_pending_user" not in browser.session
    assert type_code(browser, _demo_code()).status_code == 302  # back to the password
    assert SESSION_KEY not in browser.session


def test_a_demo_session_from_before_production_is_signed_out(db, settings, tmp_path):
    demo = load_demo(tmp_path / "password")
    browser = Client()
    type_password(browser, "director", demo.password)
    type_code(browser, _demo_code())
    assert browser.get("/staff/").status_code == 200

    settings.PRODUCTION = True
    response = browser.get("/staff/")

    assert response.status_code == 302
    assert response["Location"].startswith("/staff/sign-in/")


def test_check_deploy_fails_while_a_demo_account_is_active(db, settings, tmp_path):
    from django.core import checks

    load_demo(tmp_path / "password")

    def demo_errors():
        found = checks.run_checks(include_deployment_checks=True, databases=["default"])
        return [m for m in found if m.id == "perinatal.E006"]

    settings.PRODUCTION = True
    assert len(demo_errors()) == 1
    assert "director" in demo_errors()[0].msg
    assert demo_errors()[0].is_serious()

    get_user_model().objects.update(is_active=False)
    assert demo_errors() == []
    settings.PRODUCTION = False
    get_user_model().objects.update(is_active=True)
    assert demo_errors() == []
