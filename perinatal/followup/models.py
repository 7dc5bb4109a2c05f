"""Measured follow-up after the infusion: the questionnaires her plan's schedule and the clinic's
postpartum anchors make due, each with a window, and what became of each.

``FollowUpSettings`` holds the medical director's numbers (the window, the hour invitations go,
the reminder, the postpartum anchors, what counts as worsening), shipped as defaults marked for
review: none of them has a published source that fixes it. ``FollowUp`` is one questionnaire due
to one patient after one infusion. Its states move forward only, by conditional updates in
``perinatal.followup.services``:

    due → sent → answered
     │      └──→ missed      (the window closed unanswered)
     └─────────→ missed
    due / sent → withdrawn   (the infusion was cancelled, or a later one replaced it)
"""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from perinatal.screening.instruments import instrument_codes

UNREVIEWED = (
    "Shipped defaults with no published source that fixes them. Window, hour and reminder are "
    "clinic choices. Postpartum anchors at 6, 13 and 26 weeks follow the usual six-week "
    "postnatal check and the three- and six-month points the product brief names. Worsening: "
    "a rise of 4 EPDS points follows the EPDS reliable-change index (Matthey 2004) and 5 PHQ-9 "
    "points the PHQ-9 minimal important change (Löwe 2004); neither source uses the number as "
    "an alert, so both are unverified as alert rules. The medical director must review them."
)


def validate_weeks(value) -> None:
    if not isinstance(value, list):
        raise ValidationError("List whole weeks after delivery, e.g. [6, 13, 26].")
    if any(not isinstance(week, int) or isinstance(week, bool) or week < 1 for week in value):
        raise ValidationError("Weeks are whole numbers from 1.")
    if value != sorted(set(value)) or (value and value[-1] > 104):
        raise ValidationError("List each week once, from the earliest, within two years.")


def validate_points(value) -> None:
    if not isinstance(value, dict) or any(
        not isinstance(points, int) or isinstance(points, bool) or points < 1
        for points in value.values()
    ):
        raise ValidationError('Points per instrument, e.g. {"epds": 4, "phq9": 5}.')


def default_weeks() -> list[int]:
    return [6, 13, 26]


def default_points() -> dict[str, int]:
    return {"epds": 4, "phq9": 5}


class SettingsQuerySet(models.QuerySet):
    def current(self) -> "FollowUpSettings":
        saved = self.order_by("pk").first()
        return saved if isinstance(saved, FollowUpSettings) else FollowUpSettings()


class FollowUpSettings(models.Model):
    """The medical director's numbers for follow-up. One row (migration 0002)."""

    instrument = models.CharField(
        "questionnaire",
        max_length=16,
        default="epds",
        help_text="The instrument code sent at every follow-up (epds, phq9, gad7), in her "
        "language where a validated wording is loaded, else in English.",
    )
    send_hour = models.PositiveSmallIntegerField(
        "invitations go at (hour, her local time)",
        default=10,
        validators=[MaxValueValidator(23)],
    )
    window_days = models.PositiveSmallIntegerField(
        "each questionnaire stays open for (days)",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text="Her link works until then; unanswered, the questionnaire is marked missed.",
    )
    reminder_hours = models.PositiveSmallIntegerField(
        "one reminder after (hours) without an answer",
        default=48,
        validators=[MinValueValidator(1), MaxValueValidator(720)],
        help_text="Not sent if the window closes first, or once she has answered.",
    )
    postpartum_weeks = models.JSONField(
        "also at (weeks after delivery)",
        default=default_weeks,
        blank=True,
        validators=[validate_weeks],
        help_text="Only for a patient whose delivery date is recorded, and only after her "
        "infusion. An anchor inside the window of a scheduled day is not sent twice.",
    )
    worsening_points = models.JSONField(
        "worsening: a rise of (points) from her best since the infusion",
        default=default_points,
        blank=True,
        validators=[validate_points],
        help_text='Per instrument, e.g. {"epds": 4, "phq9": 5}. An instrument not named here '
        "is judged by its bands only.",
    )
    worsening_on_higher_band = models.BooleanField(
        "worsening: a move into a higher band than her last answer", default=True
    )
    source = models.TextField("source", blank=True, default=UNREVIEWED)
    needs_review = models.BooleanField("default to review", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SettingsQuerySet.as_manager()

    class Meta:
        verbose_name = "follow-up settings"
        verbose_name_plural = "follow-up settings"

    def __str__(self):
        return "Follow-up settings"

    def clean(self):
        if self.instrument not in instrument_codes():
            raise ValidationError({"instrument": f"Choose one of {', '.join(instrument_codes())}."})

    def points_for(self, instrument: str) -> int | None:
        return (self.worsening_points or {}).get(instrument)


class FollowUpQuerySet(models.QuerySet):
    def pending(self):
        """Still to be answered: due, or sent and waiting."""
        return self.filter(status__in=[FollowUp.Status.DUE, FollowUp.Status.SENT])

    def waiting_for_staff(self):
        return self.filter(handled_at__isnull=True).filter(
            Q(screening__safety_alert=True) | Q(worsening=True) | Q(call_needed=True)
        )


class FollowUp(models.Model):
    class Status(models.TextChoices):
        DUE = "due", "Due"
        SENT = "sent", "Sent"
        ANSWERED = "answered", "Answered"
        MISSED = "missed", "Missed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Anchor(models.TextChoices):
        INFUSION = "infusion", "Days after the infusion"
        DELIVERY = "delivery", "Weeks after delivery"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="follow_ups"
    )
    session = models.ForeignKey(
        "infusion.InfusionSession", on_delete=models.PROTECT, related_name="follow_ups"
    )
    anchor = models.CharField(max_length=8, choices=Anchor.choices)
    offset = models.PositiveSmallIntegerField(
        help_text="Days after the infusion, or weeks after delivery, as the anchor says."
    )
    day = models.PositiveSmallIntegerField(help_text="Days after the infusion, either way.")
    instrument = models.CharField(max_length=16)
    language = models.CharField(max_length=8, default="en")
    time_zone = models.CharField(max_length=64, help_text="Her zone when it was scheduled.")
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DUE)
    token_digest = models.CharField(max_length=64, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    screening = models.OneToOneField(
        "screening.Screening",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="follow_up",
    )
    closed_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was marked missed or withdrawn."
    )
    # What staff must act on, and who did.
    worsening = models.BooleanField(default=False)
    call_needed = models.BooleanField(
        default=False, help_text="This one and the one before it went unanswered."
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_note = models.TextField(blank=True)
    # What she had answered when she left without finishing: {"q1": "2", ...}, shown again
    # when she comes back within the window; cleared when she sends her answers.
    draft = models.JSONField(default=dict, blank=True, editable=False)
    # Her progress page asks a date only she knows; wrong dates are counted and lock it.
    progress_failures = models.PositiveSmallIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["opens_at", "pk"]
        verbose_name = "follow-up questionnaire"
        constraints = [
            models.UniqueConstraint(
                fields=["session", "anchor", "offset"], name="follow_up_once_per_point"
            ),
            models.UniqueConstraint(
                fields=["token_digest"], condition=~Q(token_digest=""), name="follow_up_token"
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="follow_up_window"
            ),
            models.CheckConstraint(
                condition=~Q(status="answered")
                | Q(answered_at__isnull=False, screening__isnull=False),
                name="follow_up_answer_kept",
            ),
        ]
        indexes = [
            # The sweep: what is due to go out, and what is open past its window.
            models.Index(fields=["status", "opens_at"], name="follow_up_sweep_idx"),
        ]

    def __str__(self):
        return f"Follow-up day {self.day} ({self.get_status_display()})"

    def still_wants(self, message) -> bool:
        """Asked by the outbox just before an invitation or reminder goes: only while she has
        not answered, the window is open and nothing withdrew it. Reads fresh."""
        fresh = (
            FollowUp.objects.filter(pk=self.pk)
            .values_list("status", "closes_at", "session__appointment__status")
            .first()
        )
        if fresh is None:
            return False
        status, closes_at, appointment_status = fresh
        return (
            status in (self.Status.DUE, self.Status.SENT)
            and timezone.now() < closes_at
            and appointment_status != "cancelled"
        )
