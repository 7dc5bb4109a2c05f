"""The infusion day: one session per infusion appointment, from check-in to discharge.

``DaySettings`` holds the medical director's numbers for the day (observation intervals, the
limits that stop a start or ask for an action, the minimum recovery time, the discharge
checklist), shipped as defaults marked for review. ``InfusionSession`` is the day's record of one
patient; its observations, infusion events (start, pause, rate change, stop), vials and adverse
events hang from it. Once the clinician signs the discharge the session is locked: the services
refuse every change (``perinatal.lib.records.Locked``).
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from perinatal.infusion import scales
from perinatal.lib.records import AppendOnly

UNREVIEWED = (
    "Shipped defaults. Intervals after Riva-Posse 2018 (blood pressure every 10 minutes during "
    "the infusion, every 15 after); two hours of observation after the esketamine REMS (an "
    "analogue, not a rule for IV ketamine); SpO₂ 92 % after the modified Aldrete score. The "
    "blood-pressure limits (140/90 to start, 180/100 to act) are often quoted but were not "
    "verified in a published protocol; heart rate, breathing, sedation and dissociation limits "
    "and fasting hours have no published source. The medical director must review them."
)

DEFAULT_CHECKLIST = [
    "Alert, oriented and back to how she was before the infusion",
    "Walks steadily without help",
    "Nausea settled; no vomiting in the last 30 minutes",
    "No distressing dissociation or perceptual change left",
    "She and her escort have the written instructions and understood them",
]


class DaySettingsQuerySet(models.QuerySet):
    def current(self) -> "DaySettings":
        saved = self.order_by("pk").first()
        return saved if isinstance(saved, DaySettings) else DaySettings()


def _minutes(label, default, help_text="", low=1, high=240):
    return models.PositiveSmallIntegerField(
        label,
        default=default,
        help_text=help_text,
        validators=[MinValueValidator(low), MaxValueValidator(high)],
    )


class DaySettings(models.Model):
    """The medical director's numbers for the infusion day. One row (migration 0002)."""

    during_every_minutes = _minutes("observations during the infusion every (minutes)", 10)
    after_every_minutes = _minutes("observations in recovery every (minutes)", 15)
    recovery_minutes = _minutes(
        "observation after the infusion, at least (minutes)",
        120,
        "Counted from the end of the infusion; discharge is refused before it.",
        low=0,
        high=480,
    )
    fasting_hours = models.PositiveSmallIntegerField(
        "fasting before the infusion (hours)", default=4, validators=[MaxValueValidator(24)]
    )
    # Before the start: outside these the infusion waits for a clinician's recorded decision.
    start_systolic_max = models.PositiveSmallIntegerField("to start: systolic at most", default=140)
    start_diastolic_max = models.PositiveSmallIntegerField(
        "to start: diastolic at most", default=90
    )
    # During the day: a reading past these asks for an action note before the next one.
    act_systolic_above = models.PositiveSmallIntegerField("act: systolic above", default=180)
    act_diastolic_above = models.PositiveSmallIntegerField("act: diastolic above", default=100)
    act_heart_rate_above = models.PositiveSmallIntegerField("act: heart rate above", default=120)
    act_heart_rate_below = models.PositiveSmallIntegerField("act: heart rate below", default=50)
    act_spo2_below = models.PositiveSmallIntegerField("act: SpO₂ below (%)", default=92)
    act_resp_rate_below = models.PositiveSmallIntegerField(
        "act: breaths per minute below", default=10
    )
    sedation_scale = models.CharField(
        "sedation scale",
        max_length=12,
        choices=scales.choices(scales.SEDATION),
        default="moaas",
    )
    act_sedation_at_or_below = models.SmallIntegerField(
        "act: sedation score at or below",
        default=3,
        help_text="On the sedation scale chosen above; lower is more sedated on every scale.",
    )
    dissociation_scale = models.CharField(
        "dissociation scale",
        max_length=12,
        choices=scales.choices(scales.DISSOCIATION),
        default="cadss6",
    )
    act_dissociation_above = models.PositiveSmallIntegerField(
        "act: dissociation total above",
        default=12,
        help_text="On the dissociation scale chosen above; higher is more dissociated.",
    )
    next_day_hour = models.PositiveSmallIntegerField(
        "next-day check sent at (hour, clinic time)",
        default=10,
        validators=[MaxValueValidator(23)],
        help_text="The day after her infusion, her private link to a short check-in goes then.",
    )
    next_day_answer_by_hour = models.PositiveSmallIntegerField(
        "no answer by (hour) puts a call in the queue",
        default=16,
        validators=[MaxValueValidator(23)],
    )
    discharge_checklist = models.JSONField(
        "discharge checklist",
        default=list,
        help_text="Every item is ticked by the clinician before discharge is signed.",
    )
    source = models.TextField("source", blank=True, default=UNREVIEWED)
    needs_review = models.BooleanField("default to review", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DaySettingsQuerySet.as_manager()

    class Meta:
        verbose_name = "infusion day settings"
        verbose_name_plural = "infusion day settings"

    def __str__(self):
        return "Infusion day settings"

    def clean(self):
        sedation = scales.SEDATION[self.sedation_scale]
        dissociation = scales.DISSOCIATION[self.dissociation_scale]
        errors = {}
        if not sedation.contains(self.act_sedation_at_or_below):
            errors["act_sedation_at_or_below"] = (
                f"{sedation.name} runs {sedation.low} to {sedation.high}."
            )
        if not dissociation.contains(self.act_dissociation_above):
            errors["act_dissociation_above"] = (
                f"{dissociation.name} runs {dissociation.low} to {dissociation.high}."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def sedation(self) -> scales.Scale:
        return scales.SEDATION[self.sedation_scale]

    @property
    def dissociation(self) -> scales.Scale:
        return scales.DISSOCIATION[self.dissociation_scale]

    def checklist(self) -> list[str]:
        return list(self.discharge_checklist or DEFAULT_CHECKLIST)


class Stage(models.TextChoices):
    ARRIVING = "arriving", "Arriving"
    CHECKED_IN = "checked_in", "Checked in"
    INFUSING = "infusing", "Infusing"
    RECOVERING = "recovering", "Recovering"
    READY = "ready", "Ready to leave"
    LEFT = "left", "Left"


class InfusionSession(models.Model):
    class Pregnancy(models.TextChoices):
        TEST_NEGATIVE = "test_negative", "Not pregnant: test negative today"
        NOT_PREGNANT = "not_pregnant", "Not pregnant, as she reports (no test needed)"
        PREGNANT = "pregnant", "Pregnant or test positive"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    appointment = models.OneToOneField(
        "booking.Appointment", on_delete=models.PROTECT, related_name="infusion_session"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="infusion_sessions"
    )
    plan = models.ForeignKey(
        "plans.TreatmentPlan", on_delete=models.PROTECT, related_name="infusion_sessions"
    )

    # Check-in
    checked_in_at = models.DateTimeField(default=timezone.now)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    identity_confirmed = models.BooleanField("name and date of birth confirmed")
    escort_name = models.CharField("escort's name", max_length=120)
    escort_phone = models.CharField("escort's phone", max_length=20)
    childcare_by = models.CharField("the baby is with", max_length=120)
    fasted = models.BooleanField("fasted as the protocol asks")
    pregnancy = models.CharField("pregnancy today", max_length=16, choices=Pregnancy.choices)
    breastfeeding_read_back = models.BooleanField("breastfeeding plan read back to her")
    check_in_notes = models.TextField(blank=True)

    # A clinician's decision to go ahead although the baseline is outside the start limits.
    go_ahead_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    go_ahead_at = models.DateTimeField(null=True, blank=True)
    go_ahead_note = models.TextField(blank=True)

    # The dose: weighed today, worked out from the protocol, checked by a second person.
    weight_kg = models.DecimalField(
        "weight today (kg)",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("30")), MaxValueValidator(Decimal("250"))],
    )
    dose_mg_per_kg = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    dose_mg = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    concentration_mg_per_ml = models.DecimalField(
        max_digits=5, decimal_places=1, null=True, blank=True
    )
    volume_ml = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    infusion_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    rate_ml_per_hour = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    prepared_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)

    started_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)

    # Discharge, signed by the clinician; the session is locked from then on.
    checklist_ticked = models.JSONField(default=list, blank=True)
    escort_at_discharge = models.CharField(max_length=120, blank=True)
    discharge_notes = models.TextField(blank=True)
    discharged_at = models.DateTimeField(null=True, blank=True)
    discharged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["checked_in_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(verified_by__isnull=True) | ~Q(verified_by=F("prepared_by")),
                name="infusion_dose_checked_by_another",
            ),
            models.CheckConstraint(
                condition=Q(started_at__isnull=True) | Q(verified_at__isnull=False),
                name="infusion_started_after_check",
            ),
            models.CheckConstraint(
                condition=Q(discharged_at__isnull=True) | Q(stopped_at__isnull=False),
                name="infusion_discharged_after_stop",
            ),
        ]

    def __str__(self):
        return f"Infusion session {self.checked_in_at:%Y-%m-%d}"

    @property
    def stage(self) -> str:
        if self.discharged_at:
            return Stage.LEFT
        if self.stopped_at:
            return Stage.RECOVERING
        if self.started_at:
            return Stage.INFUSING
        return Stage.CHECKED_IN

    @property
    def is_locked(self) -> bool:
        return self.discharged_at is not None

    def get_stage_display(self) -> str:
        return str(Stage(self.stage).label)


class Phase(models.TextChoices):
    BASELINE = "baseline", "Before the infusion"
    DURING = "during", "During the infusion"
    RECOVERY = "recovery", "Recovery"


class Action(models.TextChoices):
    NONE = "", "No action needed"
    PAUSED = "paused", "Infusion paused"
    SLOWED = "slowed", "Infusion slowed"
    STOPPED = "stopped", "Infusion stopped"
    MEDICATION = "medication", "Medication given"
    OBSERVED = "observed", "Watched closely; clinician told"


class Observation(models.Model):
    session = models.ForeignKey(
        InfusionSession, on_delete=models.PROTECT, related_name="observations"
    )
    at = models.DateTimeField(default=timezone.now)
    phase = models.CharField(max_length=10, choices=Phase.choices)
    systolic = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(50), MaxValueValidator(260)]
    )
    diastolic = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(20), MaxValueValidator(160)]
    )
    heart_rate = models.PositiveSmallIntegerField(
        "heart rate", validators=[MinValueValidator(20), MaxValueValidator(250)]
    )
    spo2 = models.PositiveSmallIntegerField(
        "SpO₂ (%)", validators=[MinValueValidator(50), MaxValueValidator(100)]
    )
    resp_rate = models.PositiveSmallIntegerField(
        "breaths per minute", validators=[MinValueValidator(4), MaxValueValidator(60)]
    )
    # Scored on the scales the director had chosen when it was taken, named with the score.
    sedation = models.SmallIntegerField("sedation", null=True, blank=True)
    sedation_scale = models.CharField(max_length=12, blank=True)
    dissociation = models.PositiveSmallIntegerField("dissociation", null=True, blank=True)
    dissociation_scale = models.CharField(max_length=12, blank=True)
    outside = models.JSONField(default=list, blank=True, help_text="Limits this reading passed.")
    action = models.CharField(max_length=12, choices=Action.choices, blank=True)
    action_note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(systolic__gt=F("diastolic")), name="observation_systolic_above"
            ),
        ]

    def __str__(self):
        return f"Observations at {self.at:%H:%M}"

    @property
    def sedation_scale_name(self) -> str:
        return scales.name_of(scales.SEDATION, self.sedation_scale)

    @property
    def dissociation_scale_name(self) -> str:
        return scales.name_of(scales.DISSOCIATION, self.dissociation_scale)

    @property
    def patient_id(self):
        return self.session.patient_id


class InfusionEvent(models.Model):
    class Kind(models.TextChoices):
        START = "start", "Started"
        PAUSE = "pause", "Paused"
        RESUME = "resume", "Resumed"
        RATE = "rate", "Rate changed"
        STOP = "stop", "Stopped"

    session = models.ForeignKey(InfusionSession, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    rate_ml_per_hour = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    note = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} at {self.at:%H:%M}"

    @property
    def patient_id(self):
        return self.session.patient_id


class VialUse(models.Model):
    """One vial opened for one session: the controlled-substance record. Drawn is always given
    plus wasted, and waste is witnessed by someone other than the person who recorded it."""

    session = models.ForeignKey(InfusionSession, on_delete=models.PROTECT, related_name="vials")
    product = models.CharField(max_length=120, default="Ketamine hydrochloride injection")
    concentration_mg_per_ml = models.DecimalField(
        max_digits=5, decimal_places=1, validators=[MinValueValidator(Decimal("0.1"))]
    )
    lot = models.CharField(max_length=40)
    expiry = models.DateField()
    drawn_mg = models.DecimalField(max_digits=6, decimal_places=1)
    given_mg = models.DecimalField(max_digits=6, decimal_places=1, default=Decimal("0"))
    wasted_mg = models.DecimalField(max_digits=6, decimal_places=1, default=Decimal("0"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    waste_witness = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["recorded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(drawn_mg__gt=0) & Q(given_mg__gte=0) & Q(wasted_mg__gte=0),
                name="vial_amounts_positive",
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(drawn_mg=F("given_mg") + F("wasted_mg")),
                name="vial_ledger_balances",
            ),
            models.CheckConstraint(
                condition=Q(wasted_mg=0)
                | Q(closed_at__isnull=True)
                | Q(waste_witness__isnull=False),
                name="vial_waste_witnessed",
            ),
            models.CheckConstraint(
                condition=Q(waste_witness__isnull=True) | ~Q(waste_witness=F("recorded_by")),
                name="vial_witness_is_another",
            ),
        ]

    def __str__(self):
        return f"Vial lot {self.lot}"

    @property
    def patient_id(self):
        return self.session.patient_id


class AdverseEvent(models.Model):
    class Kind(models.TextChoices):
        NAUSEA = "nausea", "Nausea or vomiting"
        HIGH_BP = "high_bp", "Raised blood pressure"
        FAST_HEART = "fast_heart", "Fast heart rate"
        LOW_OXYGEN = "low_oxygen", "Low oxygen"
        DISSOCIATION = "dissociation", "Distressing dissociation or emergence reaction"
        HEADACHE = "headache", "Headache"
        OTHER = "other", "Other"

    session = models.ForeignKey(
        InfusionSession, on_delete=models.PROTECT, related_name="adverse_events"
    )
    kind = models.CharField(max_length=14, choices=Kind.choices)
    detail = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now)
    action = models.TextField("what was done")
    resolved_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} at {self.at:%H:%M}"

    @property
    def patient_id(self):
        return self.session.patient_id


class Addendum(AppendOnly):
    """A later addition to a signed session record (an adverse event resolved at home, a
    correction); signed by its author when written, never changed."""

    session = models.ForeignKey(InfusionSession, on_delete=models.PROTECT, related_name="addenda")
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["signed_at", "id"]
        verbose_name = "infusion record addendum"
        verbose_name_plural = "infusion record addenda"

    def __str__(self):
        return f"Addendum {self.signed_at:%Y-%m-%d %H:%M}"

    @property
    def patient_id(self):
        return self.session.patient_id


class NextDayCheck(models.Model):
    """The day after her infusion: a private link to a short check-in, and what she answered.
    A positive self-harm answer goes to the top of the work queue and alerts on-call; no answer
    by the clinic's hour puts a call to her in the queue."""

    class SideEffect(models.TextChoices):
        NAUSEA = "nausea", _("Nausea or vomiting")
        HEADACHE = "headache", _("Headache")
        DIZZINESS = "dizziness", _("Dizziness")
        UNREAL = "unreal", _("Feeling strange, unreal or detached")
        DROWSY = "drowsy", _("Drowsiness")
        ANXIOUS = "anxious", _("Anxiety")
        VISION = "vision", _("Blurred or double vision")

    class Lasted(models.TextChoices):
        HOURS = "hours", _("A few hours")
        EVENING = "evening", _("Until the evening")
        STILL = "still", _("I still have it")

    class Mood(models.IntegerChoices):
        MUCH_BETTER = 2, _("Much better")
        BETTER = 1, _("A little better")
        SAME = 0, _("About the same")
        WORSE = -1, _("A little worse")
        MUCH_WORSE = -2, _("Much worse")

    session = models.OneToOneField(
        InfusionSession, on_delete=models.PROTECT, related_name="next_day"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="next_day_checks"
    )
    token_digest = models.CharField(max_length=64, db_index=True, editable=False)
    language = models.CharField(max_length=8, default="en")
    send_at = models.DateTimeField()
    answer_by = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    side_effects = models.JSONField(default=dict, blank=True, help_text="effect: how long")
    mood = models.SmallIntegerField(choices=Mood.choices, null=True, blank=True)
    self_harm_score = models.PositiveSmallIntegerField(null=True, blank=True)
    comments = models.TextField(blank=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_note = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["handled_at", "answer_by"], name="next_day_queue_idx")]

    def __str__(self):
        return f"Next-day check {self.send_at:%Y-%m-%d}"

    @property
    def self_harm(self) -> bool:
        return bool(self.self_harm_score)
