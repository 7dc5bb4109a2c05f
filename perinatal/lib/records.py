"""Records that are written once: signatures, addenda, histories, the audit log.

``Locked`` is raised when code tries to change or remove such a record (or a signed one); the
database adds its own refusal where a migration installs triggers. ``AppendOnly`` gives a model
the rule: it is saved once and never again, and never deleted.
"""

from django.db import models


class Locked(Exception):
    """A signed or written-once record was about to be changed or deleted."""


class AppendOnly(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise Locked(f"A {self._meta.verbose_name} is never changed once written.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise Locked(f"A {self._meta.verbose_name} is never deleted.")
