"""The audit log: one append-only row per look at, change to, or export of patient data, and per
sign-in event. Rows name the record by model and id and never copy PHI into the log.

The database refuses UPDATE and DELETE on the table (triggers in migration 0002), so not even
code with a bug can rewrite history.
"""

from django.db import models
from django.utils import timezone

from perinatal.lib.records import AppendOnly


class Action(models.TextChoices):
    VIEW = "view", "viewed"
    SEARCH = "search", "searched"
    CREATE = "create", "created"
    UPDATE = "update", "changed"
    DELETE = "delete", "deleted"
    EXPORT = "export", "exported"
    SIGN = "sign", "signed"
    SEND = "send", "sent"
    SIGN_IN = "sign_in", "signed in"
    SIGN_IN_FAILED = "sign_in_failed", "failed to sign in"
    SIGN_OUT = "sign_out", "signed out"
    LOCKED_OUT = "locked_out", "was locked out"
    MFA = "mfa", "changed second factor"
    SESSION_ENDED = "session_ended", "session ended"
    ACCOUNT = "account", "changed account"


class AuditEvent(AppendOnly):
    at = models.DateTimeField(default=timezone.now)
    # No foreign keys: the log outlives the rows it speaks of and must never be rewritten by a
    # cascade. ``actor_id`` is the user's id; ``actor_label`` their username at the time, or
    # "public" (a patient or visitor on a public page) or "system" (the worker).
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=150)
    role = models.CharField(max_length=16, blank=True)
    action = models.CharField(max_length=16, choices=Action.choices)
    model = models.CharField(max_length=64, blank=True, help_text="app_label.model")
    object_id = models.CharField(max_length=64, blank=True)
    patient_id = models.BigIntegerField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=32, blank=True)
    path = models.CharField(max_length=300, blank=True, help_text="Without the query string.")
    detail = models.JSONField(default=dict, blank=True, help_text="Never PHI: field names, counts.")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["patient_id", "-at"], name="audit_patient_idx"),
            models.Index(fields=["actor_id", "-at"], name="audit_actor_idx"),
            models.Index(fields=["action", "-at"], name="audit_action_idx"),
            models.Index(fields=["-at"], name="audit_at_idx"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action} {self.model}"
