"""Signing in takes a password and then a code, on every way into the back office."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice

from perinatal.accounts import mfa
from perinatal.accounts.models import StaffSession
from perinatal.accounts.tests.helpers import (
    authenticator,
    code_for,
    sign_in_for_real,
    soon,
    type_code,
    type_password,
)
from perinatal.audit.models import Action, AuditEvent


@pytest.fixture
def director(staff):
    return staff("director")


@pytest.fixture
def it_admin(staff):
    return staff("admin", username="itadmin")


def test_a_password_and_a_code_sign_a_director_in(client, director):
    response = type_password(client, "director")
    assert response.status_code == 302
    assert response["Location"] == "/staff/sign-in/code/"
    assert SESSION_KEY not in client.session  # a password alone signs no one in

    response = type_code(client, code_for(authenticator(director)))

    assert response.status_code == 302
    assert response["Location"] == "/staff/"
    assert client.session[SESSION_KEY] == str(director.pk)
    assert client.get("/staff/audit/").status_code == 200
    event = AuditEvent.objects.get(action=Action.SIGN_IN)
    assert (event.actor_id, event.actor_label, event.ip) == (director.pk, "director", "127.0.0.1")
    assert event.detail == {"factor": "authenticator app"}
    session = StaffSession.objects.get()
    assert (session.user, session.session_key, session.ip) == (
        director,
        client.session.session_key,
        "127.0.0.1",
    )


def test_each_step_gives_the_session_a_new_key(client, director):
    session = client.session
    session["visited"] = True
    session.save()
    before = client.session.session_key

    type_password(client, "director")
    after_password = client.session.session_key
    type_code(client, code_for(authenticator(director)))
    after_code = client.session.session_key

    assert len({before, after_password, after_code}) == 3
    assert client.session[SESSION_KEY] == str(director.pk)


def test_an_administrator_lands_on_the_audit_log_and_a_safe_next_is_kept(client, it_admin):
    response = sign_in_for_real(client, it_admin)
    assert response["Location"] == "/staff/audit/"

    other = Client()
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=1)):
        response = sign_in_for_real(other, it_admin, next_url="/admin/booking/appointment/")
    assert response["Location"] == "/admin/booking/appointment/"


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/", "//evil.example/path", "/\\evil.example", "javascript:alert(1)"],
)
def test_a_next_address_off_the_site_is_ignored(client, it_admin, next_url):
    response = sign_in_for_real(client, it_admin, next_url=next_url)
    assert response["Location"] == "/staff/audit/"


def test_a_wrong_password_is_audited_with_the_username_and_never_the_password(client, director):
    response = type_password(client, "director", "not the password at all")

    assert response.status_code == 200
    assert "do not match an active account" in response.content.decode()
    event = AuditEvent.objects.get(action=Action.SIGN_IN_FAILED)
    assert event.detail == {"username": "director", "step": "password"}
    assert event.actor_id is None and event.ip == "127.0.0.1"
    assert "not the password" not in str(AuditEvent.objects.values())


def test_a_wrong_code_is_refused_and_audited(client, director):
    type_password(client, "director")
    right = code_for(authenticator(director))
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    response = type_code(client, wrong)

    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert SESSION_KEY not in client.session
    event = AuditEvent.objects.get(action=Action.SIGN_IN_FAILED)
    assert event.detail == {"username": "director", "step": "code"}


def test_a_code_cannot_be_used_twice(client, director):
    now = soon()
    with time_machine.travel(now, tick=False):
        code = code_for(authenticator(director))
        assert type_password(client, "director").status_code == 302
        assert type_code(client, code).status_code == 302
        client.post("/staff/sign-out/")

        assert type_password(client, "director").status_code == 302
        response = type_code(client, code)

    assert response.status_code == 200
    assert "already been used" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_the_code_step_expires(client, director):
    now = soon()
    with time_machine.travel(now, tick=False):
        type_password(client, "director")
    with time_machine.travel(now + timedelta(minutes=6), tick=False):
        response = type_code(client, code_for(authenticator(director)))
        assert response.status_code == 302
        assert response["Location"] == "/staff/sign-in/"
        assert "time to enter your code ran out" in client.get("/staff/sign-in/").content.decode()
    assert SESSION_KEY not in client.session


def test_the_code_page_without_a_password_goes_back_to_the_password(client):
    response = client.get("/staff/sign-in/code/?next=/staff/audit/")
    assert response.status_code == 302
    assert response["Location"] == "/staff/sign-in/?next=%2Fstaff%2Faudit%2F"


def test_a_recovery_code_works_once(client, director):
    now = soon()
    codes = mfa.issue_recovery_codes(director)
    with time_machine.travel(now, tick=False):
        type_password(client, "director")
        response = type_code(client, codes[0].upper())
    assert response.status_code == 302
    assert AuditEvent.objects.get(action=Action.SIGN_IN).detail == {"factor": "recovery code"}
    assert mfa.recovery_codes_left(director) == 9

    with time_machine.travel(now + timedelta(minutes=1), tick=False):
        client.post("/staff/sign-out/")
        type_password(client, "director")
        response = type_code(client, codes[0])
    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    assert StaticDevice.objects.get(user=director).token_set.count() == 9


def test_an_inactive_account_cannot_sign_in(client, director):
    director.is_active = False
    director.save()
    response = type_password(client, "director")
    assert response.status_code == 200
    assert SESSION_KEY not in client.session


def test_the_sign_in_page_sends_people_to_the_administrator_for_resets(client, db):
    page = client.get("/staff/sign-in/")
    assert page.status_code == 200
    assert "ask the administrator" in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    assert b"password_reset" not in page.content


# --- A password alone reaches nothing --------------------------------------------------------


@pytest.fixture
def password_only(client, it_admin):
    """The administrator typed the right password and stopped before the code."""
    assert type_password(client, "itadmin").status_code == 302
    return client


@pytest.mark.parametrize(
    "path", ["/staff/audit/", "/admin/", "/admin/booking/appointment/", "/admin/accounts/user/"]
)
def test_a_password_alone_never_opens_a_staff_page(password_only, path):
    response = password_only.get(path, follow=True)
    assert response.redirect_chain, path
    assert response.request["PATH_INFO"] == "/staff/sign-in/"
    assert response.status_code == 200


def test_the_admin_login_page_is_not_a_way_in(client, it_admin):
    response = client.get("/admin/login/?next=/admin/booking/appointment/")
    assert response.status_code == 302
    assert response["Location"] == "/staff/sign-in/?next=%2Fadmin%2Fbooking%2Fappointment%2F"

    response = client.post(
        "/admin/login/", {"username": "itadmin", "password": "a long test password 1"}
    )
    assert response.status_code == 302
    assert SESSION_KEY not in client.session
    assert client.get("/admin/").status_code == 302


def test_signed_in_with_both_factors_the_administrator_reaches_the_admin(client, it_admin):
    sign_in_for_real(client, it_admin)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/booking/clinician/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200


def test_front_desk_signed_in_gets_no_admin_and_no_audit_log(client, staff):
    front = staff("front_desk", username="frontdesk")
    sign_in_for_real(client, front)
    assert client.get("/staff/audit/").status_code == 404
    assert client.get("/admin/", follow=True).status_code == 404
    assert client.get("/admin/booking/appointment/", follow=True).status_code == 404
