"""How long a staff session lasts, and ending sessions on purpose.

A signed-in session ends after ``PERINATAL_STAFF_IDLE_MINUTES`` without a request, and after
``PERINATAL_STAFF_SESSION_HOURS`` however busy the person is. The start and the last request are
kept in the session itself, so checking costs no query; ``StaffSession`` rows (one per sign-in)
let deactivation and second-factor resets find and delete a person's sessions.
"""

import time
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.utils import timezone

from perinatal.accounts.models import StaffSession
from perinatal.lib.ratelimit import client_address

STARTED = "staff_started"
LAST_SEEN = "staff_last_seen"
SAVED_SEEN = "staff_saved_seen"
# How often a busy session notes its latest request in the session itself. Between times a page
# only reads the session and it is not written back, which saves every staff page a write; the
# cost is that the idle limit may end a session up to this many seconds early.
NOTE_SEEN_EVERY = 30
# How often a busy session writes its last request to its StaffSession row.
SAVE_SEEN_EVERY = 60

IDLE = "idle"
ABSOLUTE = "absolute"
ENDED_MESSAGES = {
    IDLE: "You were signed out after {minutes} minutes without activity. Please sign in again.",
    ABSOLUTE: "You were signed out because you had been signed in for {hours} hours. "
    "Please sign in again.",
}


def idle_limit() -> timedelta:
    return timedelta(minutes=settings.PERINATAL_STAFF_IDLE_MINUTES)


def absolute_limit() -> timedelta:
    return timedelta(hours=settings.PERINATAL_STAFF_SESSION_HOURS)


def begin(request, user) -> StaffSession:
    """After ``login()``: start the clocks and remember the session under the person's name."""
    now = time.time()
    request.session[STARTED] = now
    request.session[LAST_SEEN] = now
    request.session[SAVED_SEEN] = now
    # Rows of sessions that expired without a sign-out (a closed browser) are of no more use.
    StaffSession.objects.filter(user=user, last_seen__lt=timezone.now() - absolute_limit()).delete()
    return StaffSession.objects.create(
        user=user, session_key=request.session.session_key, ip=_address(request)
    )


def forget(request) -> None:
    """At sign-out: the session is being deleted; so is its row."""
    key = request.session.session_key
    if key:
        StaffSession.objects.filter(session_key=key).delete()


def end_all(user) -> int:
    """End every session ``user`` has open: their cookies stop working on the next request."""
    return StaffSession.objects.filter(user=user).end()


def _address(request) -> str | None:
    address = client_address(request)
    return address or None


def _ended_because(session) -> str | None:
    now = time.time()
    started, seen = session.get(STARTED), session.get(LAST_SEEN)
    if started is None or seen is None:
        return None
    if now - started >= absolute_limit().total_seconds():
        return ABSOLUTE
    if now - seen >= idle_limit().total_seconds():
        return IDLE
    return None


class StaffSessionLimits:
    """Middleware: sign out a session past its idle or absolute limit, saying why on the sign-in
    page; otherwise note this request as the last one seen."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Without a session cookie there is nothing to check, and touching the session would
        # add "Vary: Cookie" to every public page.
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            self._check(request)
        return self.get_response(request)

    def _check(self, request):
        session = request.session
        if SESSION_KEY not in session:
            return
        reason = _ended_because(session)
        if reason is not None:
            request.staff_session_end = reason
            logout(request)
            messages.info(
                request,
                ENDED_MESSAGES[reason].format(
                    minutes=settings.PERINATAL_STAFF_IDLE_MINUTES,
                    hours=settings.PERINATAL_STAFF_SESSION_HOURS,
                ),
            )
            return
        now = time.time()
        # A session begun without the sign-in pages (a test's force_login) starts its clocks now.
        if STARTED not in session:
            session[STARTED] = now
        if now - session.get(LAST_SEEN, 0) >= NOTE_SEEN_EVERY:
            session[LAST_SEEN] = now
        if now - session.get(SAVED_SEEN, 0) >= SAVE_SEEN_EVERY:
            session[SAVED_SEEN] = now
            StaffSession.objects.filter(session_key=session.session_key).update(
                last_seen=timezone.now()
            )
