from django.contrib.auth.models import AbstractUser
from django.db import models
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

    def __str__(self):
        return self.get_full_name() or self.username
