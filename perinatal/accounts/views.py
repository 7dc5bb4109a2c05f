"""Staff sign-in: a password, then a second factor, and only then a signed-in session.

1. ``sign_in``: the password is checked by ``authenticate()`` (django-axes first, so a locked-out
   username and address is refused before the password is even looked at). Success signs no one
   in: the session (given a new key) only remembers whose code to ask for, for a few minutes.
2. ``second_factor``: a code from the authenticator app or a recovery code. Only now does Django's
   ``login()`` run (a new session key again), then ``django_otp.login()`` marks the session as
   verified. A password alone therefore never yields a session that is signed in at all.
3. ``enrol``: a person without an authenticator (new, or reset by an administrator) sets one up
   after the password, confirms it with a code and is shown ten recovery codes, once.

Staff passwords are not reset by email: the administrator sets a new one in the admin.
"""

import time
from functools import partial

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp.middleware import is_verified as otp_is_verified
from django_otp.plugins.otp_static.models import StaticDevice

from perinatal.accounts import mfa, sessions
from perinatal.accounts.access import is_verified
from perinatal.accounts.admin_access import may_enter_admin
from perinatal.accounts.forms import CodeForm, EnrolForm, PasswordForm
from perinatal.accounts.lockout import count_failed_code, is_locked_out, locked_out_response
from perinatal.accounts.redirects import safe_next, with_next
from perinatal.accounts.roles import Can, can
from perinatal.audit.log import record
from perinatal.audit.models import Action
from perinatal.lib.ratelimit import ConcurrencyCap, retry_after

PENDING_USER = "staff_pending_user"
PENDING_AT = "staff_pending_at"
STAFF_BACKEND = "perinatal.accounts.backends.StaffBackend"
# Password hashes running at once in this process (settings.PERINATAL_SIGN_IN_CONCURRENCY).
PASSWORD_CHECKS = ConcurrencyCap("PERINATAL_SIGN_IN_CONCURRENCY")
BUSY_RETRY_SECONDS = 5


# --- Where to go ---------------------------------------------------------------------------------


def home_for(user) -> str:
    """Where a person lands after signing in: the first page their role opens."""
    if can(user, Can.SEE_SCHEDULE):
        return reverse("backoffice:home")
    if can(user, Can.SEE_AUDIT):
        return reverse("backoffice:audit")
    if may_enter_admin(user):
        return reverse("admin:index")
    return reverse("backoffice:home")


def _onwards(request) -> HttpResponseRedirect:
    return HttpResponseRedirect(safe_next(request) or home_for(request.user))


def _private(response):
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store, private"
    return response


# --- Between the password and the code ---------------------------------------------------------


def _set_pending(request, user) -> None:
    request.session.cycle_key()
    request.session[PENDING_USER] = user.pk
    request.session[PENDING_AT] = time.time()


def _clear_pending(request) -> None:
    request.session.pop(PENDING_USER, None)
    request.session.pop(PENDING_AT, None)


def _pending_user(request):
    """Whose password was just accepted, while the code is still awaited (a few minutes)."""
    pk, at = request.session.get(PENDING_USER), request.session.get(PENDING_AT)
    if pk is None or at is None:
        return None
    if time.time() - at > settings.PERINATAL_STAFF_CODE_MINUTES * 60:
        _clear_pending(request)
        return None
    return get_user_model().objects.filter(pk=pk, is_active=True).first()


def _complete_sign_in(request, user, device) -> None:
    """Both factors given: sign in (a new session key), mark the session verified, start the
    session clocks and write the audit event."""
    _clear_pending(request)
    login(request, user, backend=STAFF_BACKEND)
    django_otp.login(request, device)
    # The request goes on to render a page: give this user object what OTPMiddleware gives.
    user.otp_device = device
    user.is_verified = partial(otp_is_verified, user)
    sessions.begin(request, user)
    factor = "recovery code" if isinstance(device, StaticDevice) else "authenticator app"
    record(Action.SIGN_IN, user, request=request, user=user, detail={"factor": factor})


def _back_to_password(request, next_url: str, *, expired: bool) -> HttpResponseRedirect:
    if expired:
        messages.info(request, "Please sign in again: the time to enter your code ran out.")
    return HttpResponseRedirect(with_next("accounts:sign_in", next_url))


# --- Pages ---------------------------------------------------------------------------------------


def _paused(request, *, wait: int, busy: bool):
    """429 before any password is checked: too many tries from this address, or too many
    password checks running at once in this process."""
    context = {"busy": busy, "minutes": max(1, wait // 60)}
    response = _private(render(request, "accounts/sign_in_paused.html", context, status=429))
    response["Retry-After"] = str(wait)
    return response


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def sign_in(request):
    if is_verified(request.user):
        return _onwards(request)
    next_url = safe_next(request)
    form = PasswordForm(request.POST or None)
    if request.method == "POST" and (wait := retry_after(request, "sign_in")):
        return _paused(request, wait=wait, busy=False)
    if request.method == "POST" and form.is_valid():
        with PASSWORD_CHECKS.slot() as free:
            if not free:
                return _paused(request, wait=BUSY_RETRY_SECONDS, busy=True)
            user = authenticate(
                request,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
            )
        if user is not None:
            _set_pending(request, user)
            step = "accounts:second_factor" if mfa.has_authenticator(user) else "accounts:enrol"
            return HttpResponseRedirect(with_next(step, next_url))
        form.add_error(None, "That username and password do not match an active account.")
    return _private(render(request, "accounts/sign_in.html", {"form": form, "next": next_url}))


def _pending_person(request, next_url: str, *, has_authenticator: bool):
    """The person between the password and the code, if this is their step; otherwise the
    response that sends them where they belong: back to the password when the wait ran out,
    to the other code step, or to the lockout page."""
    started = PENDING_AT in request.session
    user = _pending_user(request)
    if user is None:
        return None, _back_to_password(request, next_url, expired=started)
    if mfa.has_authenticator(user) != has_authenticator:
        step = "accounts:enrol" if has_authenticator else "accounts:second_factor"
        return None, HttpResponseRedirect(with_next(step, next_url))
    if is_locked_out(request, user.get_username()):
        if request.method == "POST":
            record(Action.LOCKED_OUT, request=request, detail={"username": user.get_username()})
        _clear_pending(request)
        return None, locked_out_response(request)
    return user, None


@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def second_factor(request):
    if is_verified(request.user):
        return _onwards(request)
    next_url = safe_next(request)
    user, elsewhere = _pending_person(request, next_url, has_authenticator=True)
    if elsewhere:
        return elsewhere

    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        was_throttled = mfa.throttled(user)
        device = mfa.verify(user, form.cleaned_data["code"])
        if device is not None:
            _complete_sign_in(request, user, device)
            if isinstance(device, StaticDevice):
                messages.warning(
                    request,
                    f"You signed in with a recovery code; {mfa.recovery_codes_left(user)} remain. "
                    "If your phone is lost, ask the administrator to reset your authenticator.",
                )
            return _onwards(request)
        count_failed_code(request, user.get_username())
        if getattr(request, "axes_locked_out", False):
            _clear_pending(request)
        elif was_throttled:
            form.add_error(
                "code", "Too many wrong codes just now: wait a few seconds, then type the new code."
            )
        else:
            form.add_error("code", "That code is not right, or it has already been used.")
    context = {"form": form, "next": next_url, "person": user}
    return _private(render(request, "accounts/second_factor.html", context))


@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def enrol(request):
    if is_verified(request.user):
        return _onwards(request)
    next_url = safe_next(request)
    user, elsewhere = _pending_person(request, next_url, has_authenticator=False)
    if elsewhere:
        return elsewhere

    device = mfa.enrolment_device(user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if mfa.confirm_enrolment(device, form.cleaned_data["code"]):
            device.refresh_from_db()
            codes = mfa.issue_recovery_codes(user)
            _complete_sign_in(request, user, device)
            record(Action.MFA, user, request=request, user=user, detail={"change": "enrolled"})
            context = {"codes": codes, "continue_to": safe_next(request) or home_for(user)}
            return _private(render(request, "accounts/recovery_codes.html", context))
        count_failed_code(request, user.get_username())
        form.add_error("code", "That code is not right. Check the app shows this account.")
    context = {
        "form": form,
        "next": next_url,
        "person": user,
        "qr_svg": mfa.qr_svg(device),
        "secret": mfa.secret_for_typing(device),
        "issuer": settings.OTP_TOTP_ISSUER,
    }
    return _private(render(request, "accounts/enrol.html", context))


@require_http_methods(["GET", "POST"])
def sign_out(request):
    if request.method == "POST":
        was_signed_in = request.user.is_authenticated
        logout(request)  # deletes the session: its cookie is worthless from now on
        if was_signed_in:
            messages.info(request, "You are signed out.")
        return HttpResponseRedirect(reverse("accounts:sign_in"))
    if not request.user.is_authenticated:
        return HttpResponseRedirect(reverse("accounts:sign_in"))
    return _private(render(request, "accounts/sign_out.html"))
