"""The treatment plan a clinician signs before an infusion, and the configuration it draws on.

Protocols and follow-up schedules are clinical configuration owned by the medical director: the
software ships one default of each (data migration ``0002``), labelled as a default to review.
A plan copies the protocol's dose and length when written, so a later edit of the protocol does
not change a plan already agreed. A signed plan is locked: ``save()`` refuses to change it, and
a change after signing is a new version that supersedes it, the old one kept as it was.

Infusion chairs are places, not clinical facts: each location's chairs are set by whoever keeps
the clinic's setup, and an appointment on a chair holds it (the overlap rule is in booking
migration ``0004``).
"""

import uuid
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import dateformat, timezone

from perinatal.clinic.models import Location, validate_phone
from perinatal.lib.datestyles import DAY
from perinatal.lib.records import Locked

MILK_REFERENCE = (
    "How long to express and discard is the clinician's decision. Published milk-level data "
    "for ketamine is summarised in the clinic's clinical reference, section 7 (lactation)."
)


def validate_days(value) -> None:
    """A follow-up schedule: whole days after the infusion, each once, in order."""
    if not isinstance(value, list) or not value:
        raise ValidationError("List at least one day.")
    if any(not isinstance(day, int) or isinstance(day, bool) or day < 0 for day in value):
        raise ValidationError("Days are whole numbers from 0 (the infusion day).")
    if value != sorted(set(value)):
        raise ValidationError("List each day once, from the earliest.")
    if value[-1] > 730:
        raise ValidationError("Follow-ups end within two years.")


class ConfigQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def default(self):
        return self.active().filter(is_default=True).first()


class Protocol(models.Model):
    class Route(models.TextChoices):
        IV = "iv", "Intravenous infusion"

    name = models.CharField(max_length=120, unique=True)
    dose_mg_per_kg = models.DecimalField(
        "dose (mg/kg)",
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("2.00"))],
    )
    minutes = models.PositiveSmallIntegerField(
        "infusion length (minutes)", validators=[MinValueValidator(1), MaxValueValidator(240)]
    )
    max_mg_per_kg = models.DecimalField(
        "highest dose (mg/kg)",
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.00"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("2.00"))],
        help_text="No day's dose goes above this per kg of her weight that day. Shipped as 1.0, "
        "the top of the usual 0.5 to 1 mg/kg range ASKP3's standards give: review it.",
    )
    max_mg = models.DecimalField(
        "highest dose (mg)",
        max_digits=5,
        decimal_places=1,
        default=Decimal("100.0"),
        validators=[MinValueValidator(Decimal("1"))],
        help_text="No day's dose goes above this, whatever her weight. A clinic default with no "
        "published source: review it.",
    )
    route = models.CharField(max_length=4, choices=Route.choices, default=Route.IV)
    visit_type = models.ForeignKey(
        "booking.ConsultationType",
        verbose_name="infusion day appointment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"mode": "in_person"},
        help_text="The appointment booked for the day: its length covers preparation, the "
        "infusion and observation afterwards.",
    )
    min_days_between_infusions = models.PositiveSmallIntegerField(
        "days between two infusions (at least)",
        default=7,
        help_text="No two infusions for one patient closer than this, counted from the end of "
        "one to the start of the other. A clinic default with no published source: review it.",
    )
    notes = models.TextField(blank=True)
    source = models.TextField(blank=True, help_text="Where the numbers come from.")
    needs_review = models.BooleanField(
        "default to review",
        default=False,
        help_text="Shipped with the software as a starting point. Clear it once the medical "
        "director has reviewed this protocol.",
    )
    is_active = models.BooleanField("in use", default=True)
    is_default = models.BooleanField(
        "default", default=False, help_text="Chosen first for a new plan."
    )

    objects = ConfigQuerySet.as_manager()

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_protocol"
            ),
            models.CheckConstraint(
                condition=Q(dose_mg_per_kg__gt=0) & Q(minutes__gt=0),
                name="protocol_dose_and_length_positive",
            ),
        ]

    def __str__(self) -> str:
        # A name that already gives the dose is not followed by it again.
        return self.name if "mg/kg" in self.name else f"{self.name} ({self.describe()})"

    def describe(self) -> str:
        return describe_dose(self.dose_mg_per_kg, self.minutes)


def describe_dose(mg_per_kg: Decimal, minutes: int) -> str:
    """Say "0.5 mg/kg IV over 40 minutes"; IV is the only route a protocol has."""
    return f"{mg_per_kg.normalize():f} mg/kg IV over {minutes} minutes"


class FollowUpSchedule(models.Model):
    name = models.CharField(max_length=120, unique=True)
    days = models.JSONField(
        "days after the infusion",
        validators=[validate_days],
        help_text="e.g. 1, 7, 14, 30, 42, 90, 180 (0 is the infusion day).",
    )
    notes = models.TextField(blank=True)
    needs_review = models.BooleanField(
        "default to review",
        default=False,
        help_text="Shipped with the software as a starting point. Clear it once reviewed.",
    )
    is_active = models.BooleanField("in use", default=True)
    is_default = models.BooleanField("default", default=False)

    objects = ConfigQuerySet.as_manager()

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = "follow-up schedule"
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_follow_up"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (days {self.days_text})"

    @property
    def days_text(self) -> str:
        return ", ".join(str(day) for day in self.days)


class InfusionChair(models.Model):
    """A chair at a location: one patient at a time, so an appointment on it holds it."""

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="chairs")
    name = models.CharField(max_length=60, help_text="As staff call it, e.g. Chair 1, Window")
    is_active = models.BooleanField("in use", default=True)

    class Meta:
        ordering = ["location__name", "name"]
        verbose_name = "infusion chair"
        constraints = [
            models.UniqueConstraint(fields=["location", "name"], name="unique_chair_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.location.name})"


class PlanQuerySet(models.QuerySet):
    def signed(self):
        return self.filter(status=TreatmentPlan.Status.SIGNED)

    def current(self):
        """Signed plans no later signed version has replaced: one per patient at most."""
        newer = TreatmentPlan.objects.signed().filter(
            patient=models.OuterRef("patient"), version__gt=models.OuterRef("version")
        )
        return self.signed().exclude(models.Exists(newer))


class TreatmentPlan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SIGNED = "signed", "Signed"

    class Timing(models.TextChoices):
        AFTER_DELIVERY = "after_delivery", "After delivery, when she is ready"
        WEEKS_POSTPARTUM = "weeks", "A set number of weeks postpartum"

    class Lactation(models.TextChoices):
        NOT_BREASTFEEDING = "none", "Not breastfeeding"
        CONTINUE = "continue", "Continue breastfeeding"
        EXPRESS_AND_DISCARD = "discard", "Express and discard for a set time"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="treatment_plans"
    )
    version = models.PositiveSmallIntegerField(default=1)
    supersedes = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="revisions",
        help_text="The signed plan this version changes.",
    )
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.DRAFT)

    # The protocol, and what it said when this plan was written.
    protocol = models.ForeignKey(Protocol, on_delete=models.PROTECT, related_name="plans")
    dose_mg_per_kg = models.DecimalField("dose (mg/kg)", max_digits=4, decimal_places=2)
    infusion_minutes = models.PositiveSmallIntegerField("infusion length (minutes)")
    weight_kg = models.DecimalField(
        "weight (kg)",
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("30")), MaxValueValidator(Decimal("250"))],
    )
    dose_mg = models.DecimalField(
        "dose (mg)", max_digits=5, decimal_places=1, help_text="Weight times mg/kg, to 0.1 mg."
    )

    timing = models.CharField(max_length=16, choices=Timing.choices)
    weeks_postpartum = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(52)]
    )
    planned_date = models.DateField(null=True, blank=True)
    timing_rationale = models.TextField("why this timing", blank=True)

    lactation = models.CharField("breastfeeding", max_length=8, choices=Lactation.choices)
    discard_hours = models.PositiveSmallIntegerField(
        "express and discard for (hours)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(168)],
        help_text=MILK_REFERENCE,
    )
    lactation_notes = models.TextField("breastfeeding notes", blank=True)

    # The day itself: nobody drives home, and the baby is looked after.
    escort_confirmed = models.BooleanField("escort confirmed", default=False)
    escort_name = models.CharField(max_length=120, blank=True)
    escort_phone = models.CharField(max_length=20, blank=True, validators=[validate_phone])
    childcare_confirmed = models.BooleanField("childcare for the day confirmed", default=False)
    childcare_by = models.CharField("childcare by", max_length=120, blank=True)

    follow_up = models.ForeignKey(
        FollowUpSchedule,
        verbose_name="follow-up schedule",
        on_delete=models.PROTECT,
        related_name="plans",
    )
    notes = models.TextField(blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["patient", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "version"], name="plan_version_once"),
            # Changes go into one draft at a time, so two people cannot write rival versions.
            models.UniqueConstraint(
                fields=["patient"], condition=Q(status="draft"), name="plan_one_draft"
            ),
            models.CheckConstraint(
                condition=Q(status="draft")
                | (
                    Q(signed_at__isnull=False, signed_by__isnull=False)
                    & Q(escort_confirmed=True, childcare_confirmed=True)
                ),
                name="plan_signed_is_complete",
            ),
            models.CheckConstraint(
                condition=~Q(timing="weeks") | Q(weeks_postpartum__isnull=False),
                name="plan_weeks_given",
            ),
            models.CheckConstraint(
                condition=~Q(lactation="discard") | Q(discard_hours__isnull=False),
                name="plan_discard_hours_given",
            ),
        ]

    def __str__(self) -> str:
        return f"Treatment plan v{self.version} ({self.get_status_display().lower()})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = TreatmentPlan.objects.filter(pk=self.pk).values_list("status", flat=True)
            if stored.first() == self.Status.SIGNED:
                raise Locked("A signed plan cannot change; write a new version.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.pk is not None and TreatmentPlan.objects.signed().filter(pk=self.pk).exists():
            raise Locked("A signed plan is kept.")
        return super().delete(*args, **kwargs)

    @property
    def is_signed(self) -> bool:
        return self.status == self.Status.SIGNED

    def take_protocol(self) -> None:
        """Copy the protocol's dose and length, and work out the dose for her weight."""
        self.dose_mg_per_kg = self.protocol.dose_mg_per_kg
        self.infusion_minutes = self.protocol.minutes
        self.dose_mg = compute_dose(self.weight_kg, self.dose_mg_per_kg)

    def describe_dose(self) -> str:
        return describe_dose(self.dose_mg_per_kg, self.infusion_minutes)

    def describe_timing(self) -> str:
        if self.timing == self.Timing.WEEKS_POSTPARTUM:
            text = f"{self.weeks_postpartum} weeks postpartum"
        else:
            text = "after delivery, when she is ready"
        if self.planned_date:
            text += f"; planned for {dateformat.format(self.planned_date, DAY)}"
        return text

    def describe_lactation(self) -> str:
        if self.lactation == self.Lactation.EXPRESS_AND_DISCARD:
            return f"express and discard milk for {self.discard_hours} hours after the infusion"
        return self.get_lactation_display().lower()

    def missing_for_signing(self) -> list[str]:
        """What must be settled before a clinician may sign (the database holds the same)."""
        missing = []
        if not (self.escort_confirmed and self.escort_name and self.escort_phone):
            missing.append("Confirm the escort who takes her home, with a name and phone.")
        if not (self.childcare_confirmed and self.childcare_by):
            missing.append("Confirm who looks after the baby and children that day.")
        return missing


def compute_dose(weight_kg: Decimal, mg_per_kg: Decimal) -> Decimal:
    """Weight times dose per kg, to 0.1 mg (half up): 72.5 kg at 0.5 mg/kg is 36.3 mg."""
    return (Decimal(weight_kg) * Decimal(mg_per_kg)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
