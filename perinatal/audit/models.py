"""The audit log: one append-only row per look at, change to, or export of patient data, and per
sign-in event. Rows name the record by model and id and never copy PHI into the log.

The database refuses UPDATE and DELETE on the table (triggers in migration 0002), so not even
code with a bug can rewrite history; on PostgreSQL the app's role may only insert and read
(migration 0003, README "Running in production"). Each row also carries a digest chained to the
row before it (``chain.py``), so whoever gets past both, a superuser, leaves a broken link that
``perinatal audit verify`` reports.
"""

from datetime import datetime
from typing import NamedTuple

from django.db import connections, models, router, transaction
from django.utils import timezone

from perinatal.audit import chain
from perinatal.lib.records import AppendOnly

# The PostgreSQL advisory lock that makes writers take turns at the chain's head. Any constant
# works as long as nothing else in the database takes the same one.
CHAIN_LOCK = 0x61756469745F6C67  # "audit_lg"


class ChainBreak(NamedTuple):
    id: int
    at: datetime


class AuditEventQuerySet(models.QuerySet):
    def chain_head(self) -> str:
        """The digest the next event chains to. On PostgreSQL, take the chain's lock first (held
        to the end of the transaction): two writers reading the head at once would both chain to
        it. SQLite needs none: its transactions start IMMEDIATE (settings), one writer at a time.
        """
        connection = connections[self.db]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])
        last = self.order_by("-id").values_list("digest", flat=True).first()
        return last or chain.GENESIS

    def first_break(self) -> tuple[int, ChainBreak | None]:
        """Walk the chain from the first event; return how many events were read and the first
        one whose digest does not follow from its content and the row before it, if any."""
        previous, count = chain.GENESIS, 0
        rows = self.order_by("id").values_list("id", "digest", *chain.FIELDS)
        for id_, digest, *content in rows.iterator(chunk_size=2000):
            fields = dict(zip(chain.FIELDS, content, strict=True))
            if digest != chain.link(previous, fields):
                return count, ChainBreak(id_, fields["at"])
            previous, count = digest, count + 1
        return count, None


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
    digest = models.CharField(
        max_length=64, editable=False, help_text="SHA-256 over this event and the one before."
    )

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["patient_id", "-at"], name="audit_patient_idx"),
            models.Index(fields=["actor_id", "-at"], name="audit_actor_idx"),
            models.Index(fields=["action", "-at"], name="audit_action_idx"),
            models.Index(fields=["-at"], name="audit_at_idx"),
        ]

    def save(self, *args, **kwargs):
        """Chain a new event to the head and write it, in one transaction."""
        if not self._state.adding:
            return super().save(*args, **kwargs)  # refused
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using, savepoint=False):
            self.digest = chain.link(
                AuditEvent.objects.using(using).chain_head(), self.chained_content()
            )
            super().save(*args, **kwargs)

    def chained_content(self) -> dict:
        return {name: getattr(self, name) for name in chain.FIELDS}

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action} {self.model}"
