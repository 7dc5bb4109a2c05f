"""A flood of sign-ins cannot starve the clinic: one address is slowed down whatever usernames it
tries, and the password checks running at once are capped, before any password is hashed."""

import secrets

from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.test import Client

from perinatal.accounts.tests.helpers import sign_in_for_real, type_password
from perinatal.accounts.views import PASSWORD_CHECKS

ATTACKER = "203.0.113.9"
CLINIC = "10.0.0.7"


def _random_username() -> str:
    return f"nobody-{secrets.token_hex(4)}"


def test_one_address_is_throttled_across_usernames_before_any_password_is_checked(staff, settings):
    clinician = staff("clinician")
    settings.PERINATAL_RATE_LIMITS = {**settings.PERINATAL_RATE_LIMITS, "sign_in": "4/m"}
    attacker = Client(REMOTE_ADDR=ATTACKER)

    statuses = [type_password(attacker, _random_username()).status_code for _ in range(6)]

    assert statuses == [200, 200, 200, 200, 429, 429]
    refused = type_password(attacker, _random_username())
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) <= 60
    assert "Too many sign-in attempts" in refused.content.decode()
    # Only the four that were let through reached the password check (axes counts each).
    assert AccessAttempt.objects.filter(ip_address=ATTACKER).count() == 4

    # Someone at the clinic signs in as usual meanwhile.
    assert sign_in_for_real(Client(REMOTE_ADDR=CLINIC), clinician).status_code == 302


def test_a_sign_in_beyond_the_password_checks_running_at_once_is_refused_at_once(staff, settings):
    clinician = staff("clinician")
    settings.PERINATAL_SIGN_IN_CONCURRENCY = 1
    browser = Client(REMOTE_ADDR=CLINIC)

    with PASSWORD_CHECKS.slot() as free:  # another request is checking a password
        assert free
        busy = type_password(browser, "clinician")

    assert busy.status_code == 429
    assert busy["Retry-After"] == "5"
    assert "busy" in busy.content.decode()
    assert SESSION_KEY not in browser.session
    assert not AccessAttempt.objects.exists()  # not counted as a wrong password

    # Once the other check is done, the same sign-in goes through.
    assert sign_in_for_real(browser, clinician).status_code == 302
