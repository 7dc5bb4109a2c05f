"""The password check behind ``authenticate()`` and the session's user on every request."""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend

from perinatal.accounts.demo_key import is_demo_account


class StaffBackend(ModelBackend):
    """Django's own, except that in production a demo account (one with the published
    authenticator key) can neither sign in nor keep a session it opened before the switch."""

    def user_can_authenticate(self, user) -> bool:
        if not super().user_can_authenticate(user):
            return False
        return not (settings.PRODUCTION and is_demo_account(user))
