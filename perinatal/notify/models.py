import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MessageQuerySet(models.QuerySet):
    def due(self, now):
        """Waiting messages whose time has come, and sends whose worker's lease ran out."""
        return self.filter(
            Q(status=Message.Status.PENDING, next_attempt_at__lte=now)
            | Q(status=Message.Status.SENDING, lease_expires_at__lt=now)
        )


class Message(models.Model):
    """A durable outbox row: written with what caused it, sent later by a worker.

    States move only by conditional updates (see ``perinatal.notify.delivery``): a worker owns a
    message while its lease lasts; a worker killed mid-send leaves the lease to expire and the
    message is tried again under the same Message-ID, so receivers can tell a repeat.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting to send")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed, gave up")
        CANCELLED = "cancelled", _("cancelled")

    class Channel(models.TextChoices):
        EMAIL = "email", _("email")
        TEXT = "text", _("text message")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    template = models.CharField(max_length=64, help_text="Name of the email template triplet.")
    to = models.CharField(
        max_length=254, help_text="An email address, or for a text a phone number (E.164)."
    )
    subject = models.CharField(max_length=200)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    calendar = models.TextField(
        blank=True, help_text="An iCalendar (.ics) attachment, sent with the METHOD it names."
    )
    # What the message is about (an appointment, a call-back, a letter, a patient): a real
    # reference any app may follow, so nobody reads it out of a key. Notify imports none of them.
    # No patient column: notify sits below the patient record, and the chart finds her emails by
    # her addresses and the appointments they are about.
    about_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    about_id = models.PositiveBigIntegerField(null=True, blank=True)
    about = GenericForeignKey("about_type", "about_id")
    about_version = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Set on a message that goes only while what it is about is unchanged (a "
        "reminder: the appointment's SEQUENCE when queued); see Message.still_wanted.",
    )
    dedupe_key = models.CharField(
        max_length=120,
        blank=True,
        help_text="Stops the same message being queued twice (e.g. one reminder per appointment). "
        "Only compared, never read for meaning.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("message")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"], condition=~Q(dedupe_key=""), name="message_dedupe_once"
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="sent_has_time"
            ),
            models.CheckConstraint(
                condition=~Q(status="sending") | Q(lease_expires_at__isnull=False),
                name="sending_has_lease",
            ),
            models.CheckConstraint(
                condition=Q(about_type__isnull=True, about_id__isnull=True)
                | Q(about_type__isnull=False, about_id__isnull=False),
                name="message_about_whole",
            ),
            models.CheckConstraint(
                condition=Q(about_version__isnull=True) | Q(about_id__isnull=False),
                name="message_version_of_something",
            ),
        ]
        indexes = [
            # The dispatcher's sweep: due() filters on status and time.
            models.Index(fields=["status", "next_attempt_at"], name="message_due_idx"),
            # Withdrawing the reminders of an appointment that moved (services.withdraw).
            models.Index(
                fields=["about_type", "about_id"],
                condition=Q(about_version__isnull=False),
                name="message_conditional_about_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} → {self.status}"

    @property
    def message_id_header(self) -> str:
        return f"<{self.public_id}@{settings.PERINATAL_MESSAGE_ID_DOMAIN}>"

    def still_wanted(self) -> bool:
        """Asked just before sending. A message with no ``about_version`` always goes. One with
        it goes only if what it is about still exists and its ``still_wants(message)`` says yes
        (``Appointment.still_wants``: booked, still to come, at the SEQUENCE the reminder was
        queued for). The caller wrote the condition into the row when it queued the message,
        and the about-object's own model answers it, so notify never imports the app that owns
        it. One query: the about-object, read fresh.
        """
        if self.about_version is None:
            return True
        about = self.about
        return about is not None and about.still_wants(self)


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min … capped at 1 h between tries."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))
