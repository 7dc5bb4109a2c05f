"""The medical director's definitions for the outcome figures: what counts as response,
remission and lasting response, and which score counts as her baseline. One row, shipped as
defaults marked for review with their sources."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from perinatal.outcomes.compute import Definitions
from perinatal.plans.models import validate_days

UNREVIEWED = (
    "Shipped defaults. Response as a drop of at least 50 % from baseline and PHQ-9 remission "
    "under 5 follow the usual measurement-based-care definitions (NCQA/HEDIS, MN Community "
    "Measurement). For the EPDS no trial read defines response or remission: 50 % is by analogy "
    "and EPDS remission stays empty until the medical director sets it. Durability from day 7 "
    "to days 42 and 90 follows the assessment days of the perinatal esketamine trials. The "
    "medical director must review them."
)


class OutcomeSettingsQuerySet(models.QuerySet):
    def current(self) -> "OutcomeSettings":
        saved = self.order_by("pk").first()
        return saved if isinstance(saved, OutcomeSettings) else OutcomeSettings()


class OutcomeSettings(models.Model):
    response_drop_pct = models.PositiveSmallIntegerField(
        "response: a drop from baseline of at least (%)",
        default=50,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    remission_phq9_below = models.PositiveSmallIntegerField(
        "remission: PHQ-9 below",
        null=True,
        blank=True,
        default=5,
        validators=[MaxValueValidator(27)],
    )
    remission_epds_below = models.PositiveSmallIntegerField(
        "remission: EPDS below",
        null=True,
        blank=True,
        default=None,
        validators=[MaxValueValidator(30)],
        help_text="Empty: no EPDS remission rate is shown until you define one.",
    )
    durability_from_day = models.PositiveSmallIntegerField(
        "lasting response: responding on day", default=7
    )
    durability_days = models.JSONField(
        "lasting response: still responding on days",
        default=list,
        validators=[validate_days],
        help_text="e.g. 42, 90",
    )
    baseline_days = models.PositiveSmallIntegerField(
        "baseline: her last score at most this many days before the infusion",
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    source = models.TextField("source", blank=True, default=UNREVIEWED)
    needs_review = models.BooleanField("default to review", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OutcomeSettingsQuerySet.as_manager()

    class Meta:
        verbose_name = "outcome definitions"
        verbose_name_plural = "outcome definitions"

    def __str__(self):
        return "Outcome definitions"

    def remission_below(self, instrument: str) -> int | None:
        return {"phq9": self.remission_phq9_below, "epds": self.remission_epds_below}.get(
            instrument
        )

    def definitions(self, instrument: str) -> Definitions:
        return Definitions(
            response_drop_pct=self.response_drop_pct,
            remission_below=self.remission_below(instrument),
            durability_from_day=self.durability_from_day,
            durability_days=tuple(self.durability_days or (42, 90)),
        )
