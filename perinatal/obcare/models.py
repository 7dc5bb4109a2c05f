"""The OB directory, each patient's OB, and care-plan letters to her OB with their history.

Her OB is a row of its own (``PatientOb``), not a field of the patient record: the record sits
below this app and knows nothing of OBs. The row holds the directory entry staff matched and the
OB as she named them when booking (copied from the booking that started her record).

A letter is drafted from the chart as a snapshot of sections (heading, text), sent to the OB as a
private link, then opened, acknowledged and answered on the OB's page (cleared, or concerns).
Once sent, what the letter says is locked: the OB answers what was sent, not a later edit.
Every change of status writes a ``LetterEvent`` (append-only) and an audit event.
"""

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from perinatal.clinic.models import validate_phone
from perinatal.lib.records import AppendOnly
from perinatal.lib.tokens import digest
from perinatal.patients.models import Patient


class Obstetrician(models.Model):
    """An obstetrician or midwife the clinic writes to."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=120)
    practice = models.CharField(_("practice"), max_length=160, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validate_phone])
    fax = models.CharField(_("fax"), max_length=20, blank=True, validators=[validate_phone])
    email = models.EmailField(_("email"), blank=True)
    npi = models.CharField(
        _("NPI"),
        max_length=10,
        blank=True,
        validators=[RegexValidator(r"^\d{10}$", _("An NPI is 10 digits."))],
    )
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["name", "practice"]
        verbose_name = _("obstetrician or midwife")
        verbose_name_plural = _("OB directory")

    def __str__(self):
        return f"{self.name} ({self.practice})" if self.practice else self.name


class PatientOb(models.Model):
    """Her OB: the directory entry staff matched, and the OB as she named them when booking
    (kept once matched: it is what she said). At most one row per patient; none until she names
    an OB or staff link one."""

    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, related_name="ob")
    obstetrician = models.ForeignKey(
        Obstetrician,
        verbose_name=_("obstetrician or midwife"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="patient_obs",
    )
    name_given = models.CharField(_("OB as she named them"), max_length=120, blank=True)
    practice_given = models.CharField(_("practice as she named it"), max_length=160, blank=True)

    class Meta:
        verbose_name = "her OB"
        verbose_name_plural = "her OB"

    def __str__(self):
        return f"OB of patient {self.patient_id}"

    @property
    def named(self) -> tuple[str, str]:
        """Her OB's name and practice: the directory's once matched, else as she gave them."""
        if self.obstetrician is not None:
            return self.obstetrician.name, self.obstetrician.practice
        return self.name_given, self.practice_given


def ob_of(patient: Patient) -> PatientOb:
    """Her OB row, or a new unsaved one when none is known yet."""
    try:
        return patient.ob
    except PatientOb.DoesNotExist:
        return PatientOb(patient=patient)


class LetterLocked(Exception):
    """Raised when something tries to change a letter that has already been sent."""


class CarePlanLetterQuerySet(models.QuerySet):
    def awaiting_answer(self):
        return self.filter(
            kind=CarePlanLetter.Kind.CARE_PLAN, status__in=CarePlanLetter.AWAITING_ANSWER
        )

    def unanswered_since(self, cutoff: datetime):
        """Sent (last) at or before ``cutoff`` and still without an answer from the OB."""
        return self.awaiting_answer().filter(sent_at__lte=cutoff)

    def answered_unreviewed(self):
        return self.filter(
            status__in=[CarePlanLetter.Status.CLEARED, CarePlanLetter.Status.CONCERNS],
            reviewed_at__isnull=True,
        )

    def for_token(self, token: str):
        return self.filter(token_digest=digest(token))


class CarePlanLetter(models.Model):
    """A letter to her OB. A care-plan letter asks the OB to clear the plan; an infusion summary
    tells the OB how the infusion went and asks only that it be read."""

    class Kind(models.TextChoices):
        CARE_PLAN = "care_plan", "Care-plan letter"
        INFUSION_SUMMARY = "infusion_summary", "Infusion summary"

    class Status(models.TextChoices):
        DRAFTED = "drafted", "Drafted"
        SENT = "sent", "Sent"
        OPENED = "opened", "Opened by the OB"
        ACKNOWLEDGED = "acknowledged", "Acknowledged by the OB"
        CLEARED = "cleared", "Cleared by the OB"
        CONCERNS = "concerns", "Concerns from the OB"

    class Response(models.TextChoices):
        CLEARED = "cleared", "Cleared"
        CONCERNS = "concerns", "Concerns"

    AWAITING_ANSWER = (Status.SENT, Status.OPENED, Status.ACKNOWLEDGED)
    # What the OB was sent; a sent letter refuses to save a change to any of these.
    CONTENT_FIELDS = ("patient_id", "obstetrician_id", "sections", "covering_note", "respond_by")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.CARE_PLAN)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="ob_letters")
    obstetrician = models.ForeignKey(Obstetrician, on_delete=models.PROTECT, related_name="letters")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # A snapshot of the chart when drafted: [{"heading": ..., "text": ...}, ...].
    sections = models.JSONField(default=list)
    covering_note = models.TextField("covering note", blank=True)
    respond_by = models.DateField("answer requested by", null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFTED)
    # Delivery: the address it went to, the last time it was sent, and its private link.
    sent_to = models.EmailField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    token_digest = models.CharField(max_length=64, blank=True, default="")
    token_expires_at = models.DateTimeField(null=True, blank=True)
    # What the OB did.
    opened_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    response = models.CharField(max_length=8, choices=Response.choices, blank=True, default="")
    response_text = models.TextField(blank=True)
    responder_name = models.CharField(max_length=120, blank=True)
    responder_role = models.CharField(max_length=80, blank=True)
    # The clinic's side: one reminder when the OB is slow, and a person reading the answer.
    reminded_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = CarePlanLetterQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "care-plan letter"
        constraints = [
            models.UniqueConstraint(
                fields=["token_digest"],
                condition=~Q(token_digest=""),
                name="ob_letter_token_unique",
            ),
            models.CheckConstraint(
                condition=Q(status="drafted")
                | (Q(sent_at__isnull=False) & ~Q(token_digest="") & ~Q(sent_to="")),
                name="ob_letter_sent_has_link",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["cleared", "concerns"])
                | Q(responded_at__isnull=False, response=models.F("status")),
                name="ob_letter_answer_recorded",
            ),
            models.CheckConstraint(
                condition=~Q(response="concerns") | ~Q(response_text=""),
                name="ob_letter_concerns_explained",
            ),
            # A care-plan letter asks for an answer by a date; a summary is never answered.
            models.CheckConstraint(
                condition=~Q(kind="care_plan") | Q(respond_by__isnull=False),
                name="ob_letter_plan_asks_by",
            ),
            models.CheckConstraint(
                condition=Q(kind="care_plan") | ~Q(status__in=["cleared", "concerns"]),
                name="ob_letter_summary_not_answered",
            ),
        ]
        indexes = [
            # The work queue: letters waiting for an answer, oldest sending first.
            models.Index(fields=["status", "sent_at"], name="ob_letter_queue_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display().lower()} {self.pk} ({self.get_status_display()})"

    def save(self, *args, **kwargs):
        """Refuse to change what a sent letter says. The row in the database decides, not this
        instance, which may have been loaded before the letter was sent."""
        if self.pk is not None:
            stored = (
                type(self)
                .objects.filter(pk=self.pk)
                .exclude(status=self.Status.DRAFTED)
                .values(*self.CONTENT_FIELDS)
                .first()
            )
            if stored and any(stored[f] != getattr(self, f) for f in self.CONTENT_FIELDS):
                raise LetterLocked("This letter was sent; what it says can no longer change.")
        super().save(*args, **kwargs)

    @property
    def is_locked(self) -> bool:
        return self.status != self.Status.DRAFTED

    @property
    def asks_for_answer(self) -> bool:
        return self.kind == self.Kind.CARE_PLAN

    @property
    def is_awaiting_answer(self) -> bool:
        return self.asks_for_answer and self.status in self.AWAITING_ANSWER

    @property
    def may_send_again(self) -> bool:
        """A letter not yet answered (a summary: not yet acknowledged) may go again."""
        if self.asks_for_answer:
            return self.is_awaiting_answer
        return self.status in (self.Status.SENT, self.Status.OPENED)

    @property
    def is_answered(self) -> bool:
        return self.status in (self.Status.CLEARED, self.Status.CONCERNS)

    def link_expired(self, now: datetime) -> bool:
        return self.token_expires_at is None or self.token_expires_at <= now

    def answer_overdue(self, now: datetime, days: int) -> bool:
        return (
            self.is_awaiting_answer
            and self.sent_at is not None
            and self.sent_at <= now - timedelta(days=days)
        )


class LetterEvent(AppendOnly):
    """One step in a letter's life. Rows are only ever added."""

    class Kind(models.TextChoices):
        DRAFTED = "drafted", "Drafted"
        REFRESHED = "refreshed", "Draft refreshed from the chart"
        EDITED = "edited", "Draft edited"
        SENT = "sent", "Sent to the OB"
        RESENT = "resent", "Sent again with a new link"
        OPENED = "opened", "Opened by the OB"
        ACKNOWLEDGED = "acknowledged", "Receipt acknowledged by the OB"
        CLEARED = "cleared", "Cleared by the OB"
        CONCERNS = "concerns", "Concerns raised by the OB"
        REMINDED = "reminded", "Staff reminded: no answer yet"
        REVIEWED = "reviewed", "Answer reviewed by staff"

    letter = models.ForeignKey(CarePlanLetter, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    by_label = models.CharField(
        max_length=200, blank=True, help_text="Who acted when not a staff member (the OB)."
    )
    # A resend replaces the link; remembering the old one's digest lets its page say so.
    retired_digest = models.CharField(max_length=64, blank=True, default="", db_index=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "letter event"

    def __str__(self):
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"

    @property
    def actor(self) -> str:
        if self.by is not None:
            return self.by.get_full_name() or self.by.get_username()
        return self.by_label  # the OB's own signature, or "" for the OB's page or the worker
