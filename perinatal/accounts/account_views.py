"""A staff member's own account: change the password, replace the recovery codes.

Both ask for what only the person knows, not just an open session: the current password (and,
for new recovery codes, a code from the authenticator app). A wrong password or code counts
towards the lockout like one at sign-in. After a password change every other session of the
person ends; this one carries on under a new key.
"""

import django_otp
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from perinatal.accounts import mfa
from perinatal.accounts.access import staff_view
from perinatal.accounts.forms import NewRecoveryCodesForm
from perinatal.accounts.lockout import count_failed_code, is_locked_out, locked_out_response
from perinatal.accounts.models import StaffSession
from perinatal.accounts.roles import Can
from perinatal.audit.log import record
from perinatal.audit.models import Action


def _page(request, password_form=None, codes_form=None, status=200):
    context = {
        "nav": "account",
        "password_form": password_form or PasswordChangeForm(request.user),
        "codes_form": codes_form or NewRecoveryCodesForm(),
        "codes_left": mfa.recovery_codes_left(request.user),
    }
    return render(request, "accounts/account.html", context, status=status)


@staff_view(Can.OWN_ACCOUNT)
@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def account(request):
    if request.method == "GET":
        return _page(request)
    user = request.user
    if is_locked_out(request, user.get_username()):
        return locked_out_response(request)
    form = PasswordChangeForm(user, request.POST)
    if not form.is_valid():
        if "old_password" in form.errors:
            count_failed_code(request, user.get_username())
        return _page(request, password_form=form, status=400)
    form.save()
    old_key = request.session.session_key
    update_session_auth_hash(request, user)  # this session stays signed in, under a new key
    StaffSession.objects.filter(session_key=old_key).update(session_key=request.session.session_key)
    ended = StaffSession.objects.filter(user=user).exclude(session_key=request.session.session_key)
    count = ended.end()
    record(Action.ACCOUNT, user, request=request, detail={"change": "password", "ended": count})
    messages.success(
        request,
        "Your password is changed."
        + (f" Your other sessions ({count}) are signed out." if count else ""),
    )
    return redirect("accounts:account")


@staff_view(Can.OWN_ACCOUNT)
@sensitive_post_parameters("password", "code")
@require_POST
def new_recovery_codes(request):
    user = request.user
    if is_locked_out(request, user.get_username()):
        return locked_out_response(request)
    form = NewRecoveryCodesForm(request.POST)
    device = None
    if form.is_valid():
        if user.check_password(form.cleaned_data["password"]):
            device = mfa.verify(user, form.cleaned_data["code"])
        if device is None:
            count_failed_code(request, user.get_username())
            form.add_error(None, "That password and code do not match your account.")
    if device is None:
        return _page(request, codes_form=form, status=400)
    codes = mfa.issue_recovery_codes(user)
    # A session signed in with a recovery code hung on the codes just replaced: it goes on
    # under the authenticator that was just used.
    django_otp.login(request, device)
    record(Action.MFA, user, request=request, detail={"change": "recovery codes replaced"})
    context = {"codes": codes, "continue_to": reverse("accounts:account")}
    return render(request, "accounts/recovery_codes.html", context)
