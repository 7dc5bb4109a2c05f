"""A staff session ends when idle, at its absolute limit, at sign-out and when the account is
deactivated; an ended session's cookie opens nothing."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client

from perinatal.accounts.models import StaffSession
from perinatal.accounts.tests.helpers import sign_in_for_real, soon
from perinatal.audit.models import Action, AuditEvent

STAFF_PAGE = "/staff/audit/"


@pytest.fixture
def director(staff):
    return staff("director")


def _is_signed_in(client) -> bool:
    return client.get(STAFF_PAGE).status_code == 200


def _replay(cookie_value: str) -> Client:
    """A new browser presenting an old session cookie."""
    browser = Client()
    browser.cookies[settings.SESSION_COOKIE_NAME] = cookie_value
    return browser


def test_fourteen_idle_minutes_are_fine_sixteen_sign_out(client, director):
    now = soon()
    with time_machine.travel(now, tick=False):
        sign_in_for_real(client, director)
    with time_machine.travel(now + timedelta(minutes=14), tick=False):
        assert _is_signed_in(client)
    with time_machine.travel(now + timedelta(minutes=30), tick=False):
        response = client.get(STAFF_PAGE, follow=True)

    assert response.request["PATH_INFO"] == "/staff/sign-in/"
    assert "after 15 minutes without activity" in response.content.decode()
    event = AuditEvent.objects.get(action=Action.SESSION_ENDED)
    assert (event.actor_id, event.detail) == (director.pk, {"reason": "idle"})
    assert not StaffSession.objects.exists()


def test_a_busy_session_still_ends_after_twelve_hours(client, director):
    now = soon()
    with time_machine.travel(now, tick=False) as clock:
        sign_in_for_real(client, director)
        for _ in range(71):  # a request every ten minutes for 11 h 50 min
            clock.shift(timedelta(minutes=10))
            # The sign-in page sends someone signed in on: a cheap request that counts.
            assert client.get("/staff/sign-in/").status_code == 302
        clock.shift(timedelta(minutes=10))
        response = client.get(STAFF_PAGE, follow=True)

    assert response.request["PATH_INFO"] == "/staff/sign-in/"
    assert "signed in for 12 hours" in response.content.decode()
    event = AuditEvent.objects.get(action=Action.SESSION_ENDED)
    assert event.detail == {"reason": "absolute"}


def test_the_limits_follow_the_settings(client, director, settings):
    settings.PERINATAL_STAFF_IDLE_MINUTES = 5
    now = soon()
    with time_machine.travel(now, tick=False):
        sign_in_for_real(client, director)
    with time_machine.travel(now + timedelta(minutes=6), tick=False):
        assert not _is_signed_in(client)


def test_signing_out_deletes_the_session(client, director):
    sign_in_for_real(client, director)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert _is_signed_in(_replay(cookie))

    response = client.post("/staff/sign-out/")

    assert response["Location"] == "/staff/sign-in/"
    assert not Session.objects.filter(session_key=cookie).exists()
    assert not _is_signed_in(_replay(cookie))
    assert not StaffSession.objects.exists()
    event = AuditEvent.objects.get(action=Action.SIGN_OUT)
    assert (event.actor_id, event.ip) == (director.pk, "127.0.0.1")


def test_deactivating_an_account_ends_all_its_sessions(director):
    now = soon()
    laptop, tablet = Client(), Client()
    with time_machine.travel(now, tick=False):
        sign_in_for_real(laptop, director)
    with time_machine.travel(now + timedelta(minutes=1), tick=False):
        sign_in_for_real(tablet, director)
        cookies = [b.cookies[settings.SESSION_COOKIE_NAME].value for b in (laptop, tablet)]
        assert StaffSession.objects.filter(user=director).count() == 2

        director.is_active = False
        director.save()

        assert not Session.objects.filter(session_key__in=cookies).exists()
        for cookie in cookies:
            assert not _is_signed_in(_replay(cookie))
    event = AuditEvent.objects.get(action=Action.ACCOUNT)
    assert event.detail == {"change": "deactivated", "sessions_ended": 2}


def test_deactivating_from_the_admin_ends_the_sessions_too(client, director, staff):
    now = soon()
    desk = Client()
    with time_machine.travel(now, tick=False):
        sign_in_for_real(desk, director)
        sign_in_for_real(client, staff("admin", username="itadmin"))
        page = client.get(f"/admin/accounts/user/{director.pk}/change/")
        form = page.context["adminform"].form
        data = {
            name: value
            for name, value in form.initial.items()
            if name in form.fields and value is not None and name != "password"
        }
        data.pop("is_active")  # the box unticked
        response = client.post(f"/admin/accounts/user/{director.pk}/change/", data)

        assert response.status_code == 302, response.content.decode()[:3000]
        director.refresh_from_db()
        assert not director.is_active
        assert not _is_signed_in(desk)
    assert AuditEvent.objects.get(action=Action.ACCOUNT).actor_label == "itadmin"


def test_reading_pages_does_not_write_the_session_each_time(client, director):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def session_writes() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert _is_signed_in(client)
        return sum('"django_session"' in q["sql"] and "SELECT" not in q["sql"] for q in queries)

    now = soon()
    with time_machine.travel(now, tick=False):
        sign_in_for_real(client, director)
    with time_machine.travel(now + timedelta(seconds=10), tick=False):
        assert session_writes() == 0
    with time_machine.travel(now + timedelta(seconds=45), tick=False):
        assert session_writes() == 1  # the activity noted, at most every 30 s
    # Noted activity moves the idle limit: 14 minutes after it, still signed in.
    with time_machine.travel(now + timedelta(seconds=45, minutes=14), tick=False):
        assert _is_signed_in(client)
