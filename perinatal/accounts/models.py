from importlib import import_module
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from perinatal.accounts.roles import Role


class StaffManager(UserManager["User"]):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        """``createsuperuser`` makes the install's first medical director: every later role
        that opens patient records needs a director's approval, so someone must be one first.
        Whoever runs it already holds the server."""
        extra_fields.setdefault("role", Role.MEDICAL_DIRECTOR)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """One account per person on the clinic's staff; what it may do follows from its role."""

    role = models.CharField(
        _("role"),
        max_length=16,
        choices=Role.choices,
        blank=True,
        help_text=_("Decides what this person may see and do (perinatal/accounts/roles.py)."),
    )

    objects: ClassVar[StaffManager] = StaffManager()

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


class RoleGrant(models.Model):
    """A role asked for someone that reaches patient records: it works only once a medical
    director other than the one who asked approves it (``perinatal.accounts.grants``)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for a director")
        APPROVED = "approved", _("approved")
        REFUSED = "refused", _("refused")
        WITHDRAWN = "withdrawn", _("replaced by a later request")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="role_grants",
        verbose_name=_("person"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("asked by"),
    )
    requested_at = models.DateTimeField(_("asked at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("role waiting for approval")
        verbose_name_plural = _("roles waiting for approval")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(status="pending"), name="one_pending_role_per_person"
            ),
            # The four-eyes rule, kept by the database too.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True)
                | (~Q(decided_by=F("requested_by")) & ~Q(decided_by=F("user"))),
                name="role_decided_by_another",
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()} for {self.user}"
