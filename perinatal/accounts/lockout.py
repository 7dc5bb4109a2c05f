"""Lockout after repeated failures, through django-axes.

Axes counts the wrong passwords it sees in ``authenticate()``. A wrong second-factor code is
reported to it the same way (the ``user_login_failed`` signal), so someone who knows a password
cannot keep guessing codes. Counting is per username *and* address (settings, "Staff sign-in"):
failures from one place never lock the person out anywhere else, and every lockout ends after
the cool-off.
"""

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.shortcuts import render

CODE_STEP = "code"


def _credentials(username: str) -> dict:
    return {settings.AXES_USERNAME_FORM_FIELD: username}


def is_locked_out(request, username: str) -> bool:
    return not AxesProxyHandler.is_allowed(request, _credentials(username))


def count_failed_code(request, username: str) -> None:
    """Report a wrong code like a wrong password: audited, and counted towards the lockout."""
    user_login_failed.send(
        sender=__name__, credentials=_credentials(username), request=request, step=CODE_STEP
    )


def locked_out_response(request, original_response=None, credentials=None):
    """The page a locked-out person sees (AXES_LOCKOUT_CALLABLE): what happened and when to try
    again, with HTTP 429 and Retry-After."""
    cool_off = get_cool_off(request)
    minutes = max(1, int(cool_off.total_seconds() // 60)) if cool_off else None
    response = render(
        request,
        "accounts/locked_out.html",
        {"minutes": minutes},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    response["Cache-Control"] = "no-store"
    return response
