"""Repeated wrong passwords or codes lock out a username from one address, for a while only."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.test import Client

from perinatal.accounts.tests.helpers import (
    authenticator,
    code_for,
    sign_in_for_real,
    soon,
    type_code,
    type_password,
)
from perinatal.audit.models import Action, AuditEvent

HOME = "10.0.0.7"  # the clinic's front office
ELSEWHERE = "10.0.9.9"  # the same person from another network


@pytest.fixture
def clinician(staff):
    return staff("clinician")


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def _fail_passwords(client, times: int):
    return [type_password(client, "clinician", "wrong password!").status_code for _ in range(times)]


def test_five_wrong_passwords_lock_out_that_username_from_that_address_only(clinician):
    now = soon()
    attacker = Client(REMOTE_ADDR=HOME)
    with time_machine.travel(now, tick=False):
        statuses = _fail_passwords(attacker, 5)
        refused = type_password(attacker, "clinician")  # even the right password, from there

    assert statuses == [200, 200, 200, 200, 429]
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "Sign-in paused" in page and "15 minutes" in page and "Traceback" not in page
    assert refused["Retry-After"] == "900"
    assert SESSION_KEY not in attacker.session

    # She, elsewhere, signs in as usual meanwhile.
    with time_machine.travel(now + timedelta(minutes=1), tick=False):
        response = sign_in_for_real(Client(REMOTE_ADDR=ELSEWHERE), clinician)
    assert response.status_code == 302

    # And after the cool-off, from the first address too.
    with time_machine.travel(now + timedelta(minutes=16), tick=False):
        response = sign_in_for_real(Client(REMOTE_ADDR=HOME), clinician)
    assert response.status_code == 302


def test_trying_during_the_lockout_does_not_extend_it(clinician):
    now = soon()
    attacker = Client(REMOTE_ADDR=HOME)
    with time_machine.travel(now, tick=False):
        _fail_passwords(attacker, 5)
    with time_machine.travel(now + timedelta(minutes=14), tick=False):
        assert _fail_passwords(attacker, 3) == [429, 429, 429]
    with time_machine.travel(now + timedelta(minutes=15, seconds=30), tick=False):
        assert type_password(Client(REMOTE_ADDR=HOME), "clinician").status_code == 302


def test_wrong_codes_count_too(clinician):
    now = soon()
    browser = Client(REMOTE_ADDR=HOME)
    with time_machine.travel(now, tick=False) as clock:
        _fail_passwords(browser, 2)
        assert type_password(browser, "clinician").status_code == 302
        statuses = []
        for _ in range(3):
            clock.shift(timedelta(seconds=10))  # past django-otp's growing wait between codes
            statuses.append(
                type_code(browser, _wrong(code_for(authenticator(clinician)))).status_code
            )
        clock.shift(timedelta(seconds=10))
        right_password = type_password(browser, "clinician")

    assert statuses == [200, 200, 429]
    assert right_password.status_code == 429
    assert SESSION_KEY not in browser.session
    attempts = AuditEvent.objects.filter(action=Action.SIGN_IN_FAILED).order_by("id")
    # Two wrong passwords, three wrong codes, then the right password refused while locked out.
    assert list(attempts.values_list("detail__step", flat=True)) == [
        "password",
        "password",
        "code",
        "code",
        "code",
        "password",
    ]


def test_the_code_page_refuses_while_locked_out(clinician):
    now = soon()
    browser = Client(REMOTE_ADDR=HOME)
    with time_machine.travel(now, tick=False):
        assert type_password(browser, "clinician").status_code == 302
        _fail_passwords(Client(REMOTE_ADDR=HOME), 5)  # someone else at the same address
        response = type_code(browser, code_for(authenticator(clinician)))
    assert response.status_code == 429
    assert SESSION_KEY not in browser.session


def test_lockouts_are_audited_and_lifted_by_the_administrator(client, clinician, staff):
    now = soon()
    attacker = Client(REMOTE_ADDR=HOME)
    with time_machine.travel(now, tick=False):
        _fail_passwords(attacker, 6)
        assert AuditEvent.objects.filter(action=Action.LOCKED_OUT).count() == 2
        event = AuditEvent.objects.filter(action=Action.LOCKED_OUT).first()
        assert (event.detail, event.ip) == ({"username": "clinician"}, HOME)

        sign_in_for_real(client, staff("admin", username="itadmin"))
        client.post(
            "/admin/accounts/user/", {"action": "lift_lockouts", "_selected_action": [clinician.pk]}
        )
        assert AuditEvent.objects.filter(action=Action.ACCOUNT, object_id=clinician.pk).exists()
        assert type_password(Client(REMOTE_ADDR=HOME), "clinician").status_code == 302
