"""Sign-in events into the audit log, and what deactivating an account sets off.

Connected in ``AccountsConfig.ready()``. Signals rather than calls in the views, so that every way
in or out is covered: a sign-out from the admin, a session ended by the idle limit, a lockout
raised inside ``authenticate()``, an account deactivated from the admin or a shell.
"""

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out, user_login_failed
from django.db.models.signals import post_save, pre_save

from perinatal.accounts import sessions
from perinatal.audit.log import record
from perinatal.audit.models import Action

PASSWORD_STEP = "password"  # noqa: S105 (the name of a sign-in step)


def _attempted(credentials) -> str:
    return str((credentials or {}).get("username") or "")[:150]


def login_failed(sender, credentials, request=None, step=PASSWORD_STEP, **kwargs):
    """A wrong password or code: the username tried, never what was typed as the secret."""
    record(
        Action.SIGN_IN_FAILED,
        request=request,
        detail={"username": _attempted(credentials), "step": step},
    )


def locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    record(Action.LOCKED_OUT, request=request, detail={"username": str(username or "")[:150]})


def logged_out(sender, request=None, user=None, **kwargs):
    if request is None or user is None:
        return
    reason = getattr(request, "staff_session_end", None)
    if reason:
        record(Action.SESSION_ENDED, user, request=request, user=user, detail={"reason": reason})
    else:
        record(Action.SIGN_OUT, user, request=request, user=user)
    sessions.forget(request)


def remember_activity(sender, instance, update_fields=None, raw=False, **kwargs):
    """Before a user is saved: was the account active until now?"""
    instance._was_active = False
    if raw or instance.pk is None or instance.is_active:
        return
    if update_fields is not None and "is_active" not in update_fields:
        return
    instance._was_active = type(instance).objects.filter(pk=instance.pk, is_active=True).exists()


def end_sessions_of_deactivated(sender, instance, raw=False, **kwargs):
    """An account just deactivated: its sessions end now, not when they next time out."""
    if raw or not getattr(instance, "_was_active", False):
        return
    instance._was_active = False
    ended = sessions.end_all(instance)
    record(Action.ACCOUNT, instance, detail={"change": "deactivated", "sessions_ended": ended})


def connect() -> None:
    User = get_user_model()
    user_login_failed.connect(login_failed, dispatch_uid="perinatal-audit-login-failed")
    user_locked_out.connect(locked_out, dispatch_uid="perinatal-audit-locked-out")
    user_logged_out.connect(logged_out, dispatch_uid="perinatal-audit-logged-out")
    pre_save.connect(remember_activity, sender=User, dispatch_uid="perinatal-user-was-active")
    post_save.connect(
        end_sessions_of_deactivated, sender=User, dispatch_uid="perinatal-user-deactivated"
    )
