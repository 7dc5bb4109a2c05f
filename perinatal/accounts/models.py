from importlib import import_module

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from perinatal.accounts.roles import Role


class User(AbstractUser):
    """One account per person on the clinic's staff; what it may do follows from its role."""

    role = models.CharField(
        _("role"),
        max_length=16,
        choices=Role.choices,
        blank=True,
        help_text=_("Decides what this person may see and do (perinatal/accounts/roles.py)."),
    )

    # What ``str(user)`` reads: a query that shows staff names by ``only()`` loads these.
    NAME_FIELDS = ("first_name", "last_name", "username")

    def __str__(self):
        return self.get_full_name() or self.username


class StaffSessionQuerySet(models.QuerySet):
    def end(self) -> int:
        """Delete these sessions from the session store, so their cookies stop working at once,
        then forget them. Returns how many there were."""
        store = import_module(settings.SESSION_ENGINE).SessionStore
        keys = list(self.values_list("session_key", flat=True))
        for key in keys:
            store(session_key=key).delete()
        self.delete()
        return len(keys)


class StaffSession(models.Model):
    """A session opened by signing in with both factors.

    Django's session table cannot be searched by person, so each sign-in writes one of these:
    deactivating an account, resetting its second factor or an administrator ending a session
    finds the person's sessions here and deletes them from the session store.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_sessions"
    )
    session_key = models.CharField(max_length=64, unique=True)
    started = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField("address", null=True, blank=True)

    objects = StaffSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-last_seen"]
        verbose_name = "signed-in session"

    def __str__(self):
        return f"{self.user} since {timezone.localtime(self.started):%Y-%m-%d %H:%M}"
