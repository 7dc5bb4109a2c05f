import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def attach_reach() -> timedelta:
    return timedelta(minutes=settings.PERINATAL_SCREENING_ATTACH_MINUTES)


class ScreeningQuerySet(models.QuerySet):
    def attachable(self, now):
        """Screens recent enough to travel with a booking (PERINATAL_SCREENING_ATTACH_MINUTES):
        an old id or key found later in a shared browser or a log attaches nothing."""
        return self.filter(created_at__gte=now - attach_reach())


class Screening(models.Model):
    """One completed questionnaire, scored and stored with what was agreed at the time.

    An anonymous screen holds no name, contact, IP address or user agent. It stays an unlinked
    record for aggregate statistics unless the person later chooses to attach it to her record.
    """

    class Channel(models.TextChoices):
        WEB = "web", _("self-screen page")
        API = "api", _("API")
        CLINIC = "clinic", _("clinic tablet")
        FOLLOW_UP = "followup", _("follow-up link")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    instrument = models.CharField(max_length=16)
    instrument_version = models.CharField(max_length=32)
    language = models.CharField(max_length=8)
    answers = models.JSONField(help_text="Per item: position shown, score, and option text.")
    item_scores = models.JSONField()
    total = models.PositiveSmallIntegerField()
    band = models.CharField(max_length=32)
    safety_alert = models.BooleanField(
        help_text="A self-harm item (EPDS 10, PHQ-9 9) was answered above zero."
    )
    risk_factors = models.JSONField(default=list, blank=True)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    patient = models.ForeignKey(
        "patients.Patient",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="screenings",
        help_text="Empty while anonymous; set when she chose to attach it to a booking.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # The SHA-256 of the key an API client got when it made this screen: only that client can
    # attach it to a booking (the web form attaches the screen of its own browser session).
    attach_digest = models.CharField(max_length=64, blank=True, default="", editable=False)

    objects = ScreeningQuerySet.as_manager()

    class Meta:
        verbose_name = _("screening")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(total__lte=30), name="screening_total_in_range"),
            # Also the index a booking's key is looked up by.
            models.UniqueConstraint(
                fields=["attach_digest"],
                condition=~Q(attach_digest=""),
                name="screening_attach_digest_unique",
            ),
        ]
        indexes = [
            # Aggregate statistics: screens per instrument per period.
            models.Index(fields=["instrument", "created_at"], name="screening_stats_idx"),
            models.Index(fields=["patient", "created_at"], name="screening_patient_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument.upper()} {self.total} ({self.created_at:%Y-%m-%d})"

    def attachable_at(self, now) -> bool:
        return self.created_at >= now - attach_reach()


class CallbackRequestQuerySet(models.QuerySet):
    def urgent_first(self):
        """Urgent requests first, then oldest first: who to call next is at the top."""
        return self.order_by("-urgent", "created_at")


class CallbackRequest(models.Model):
    """A person asked the clinic to call her back; urgent when her screen flagged self-harm."""

    class Status(models.TextChoices):
        NEW = "new", _("new")
        CALLING = "calling", _("being called")
        DONE = "done", _("done")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    first_name = models.CharField(_("first name"), max_length=60)
    phone = models.CharField(_("phone"), max_length=20, help_text="E.164")
    language = models.CharField(max_length=8)
    screening = models.ForeignKey(
        Screening, null=True, blank=True, on_delete=models.SET_NULL, related_name="callbacks"
    )
    urgent = models.BooleanField(default=False)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.NEW)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    staff_note = models.TextField(blank=True)
    patient = models.ForeignKey(
        "patients.Patient",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="callbacks",
        help_text="Linked by staff once they know who called.",
    )

    objects = CallbackRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("call-back request")
        indexes = [
            # The work queue: open requests, urgent first, oldest first.
            models.Index(fields=["status", "-urgent", "created_at"], name="callback_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"{'URGENT ' if self.urgent else ''}call-back {self.created_at:%Y-%m-%d %H:%M}"
