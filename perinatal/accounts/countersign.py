"""A second person confirms an act as themselves, at the first person's screen: their own
username, password and authenticator code, checked as at sign-in (the lockout counts wrong
passwords and codes alike). Nobody is signed in or out by it.

Used where a safety rule asks for two people: the infusion's dose checked before it starts,
ketamine waste witnessed.
"""

from django.contrib.auth import authenticate

from perinatal.accounts import mfa
from perinatal.accounts.lockout import count_failed_code, is_locked_out
from perinatal.accounts.roles import can


class NotConfirmed(Exception):
    """The second person could not be confirmed; the message says why, to both of them."""


def second_person(request, *, username: str, password: str, code: str, capability: str, first):
    """The user who typed these credentials, if they may do ``capability`` and are not
    ``first``; otherwise ``NotConfirmed``."""
    username = (username or "").strip()
    if first is not None and username.casefold() == first.get_username().casefold():
        raise NotConfirmed("The second check must be made by someone else, as themselves.")
    if is_locked_out(request, username):
        raise NotConfirmed("That account is locked after too many attempts: ask someone else.")
    user = authenticate(request, username=username, password=password)
    if user is None:
        raise NotConfirmed("That username and password do not match an active account.")
    if first is not None and user.pk == first.pk:
        raise NotConfirmed("The second check must be made by someone else, as themselves.")
    if mfa.verify(user, code or "") is None:
        count_failed_code(request, username)
        raise NotConfirmed("That code is not right: use the one the authenticator shows now.")
    if not can(user, capability):
        raise NotConfirmed(f"{user.get_full_name() or username} may not make this check.")
    return user
