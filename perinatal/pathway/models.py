"""The care pathway's own records: the medical director's gate settings, and a clinician's
re-confirmation of an infusion whose evidence changed after it was booked.

Everything else the pathway knows it reads from the clinical apps' records (``gates``,
``episode``); nothing here says where a patient is.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from perinatal.lib.records import AppendOnly


class GateSettingsQuerySet(models.QuerySet):
    def current(self) -> "GateSettings":
        """The clinic's settings; the shipped defaults while none are saved."""
        saved = self.order_by("pk").first()
        return saved if isinstance(saved, GateSettings) else GateSettings()


class GateSettings(models.Model):
    """What each gate of the pathway asks for. One row, owned by the medical director; shipped
    (migration 0002) as defaults to review, since no published source fixes these numbers."""

    consultation_valid_days = models.PositiveSmallIntegerField(
        _("a consultation holds for (days)"),
        default=90,
        help_text=_(
            "A plan is signed, and an infusion given, only within this many days of her signed "
            "consultation; after that she is seen again."
        ),
    )
    ob_clearance_before_plan = models.BooleanField(
        _("her OB clears the plan before it is signed"),
        default=True,
        help_text=_(
            "When ticked, a plan is signed only after her OB answered a care-plan letter "
            "“cleared” (and so after she consented to sharing with her OB). A decision “needs OB "
            "clearance” always asks for it."
        ),
    )
    ob_letter_before_infusion = models.BooleanField(
        _("her OB is told before the infusion is booked"),
        default=True,
        help_text=_("When ticked, an infusion is booked only once a care-plan letter was sent."),
    )
    risk_self_harm_days = models.PositiveSmallIntegerField(
        _("self-harm answers shown on her pages for (days)"),
        default=30,
        help_text=_(
            "A screen with a positive self-harm answer in this many days puts a warning on "
            "every page about her."
        ),
    )
    source = models.TextField(
        _("source"),
        blank=True,
        default="Clinic policy. Shipped defaults, not from a published source: review them.",
    )
    needs_review = models.BooleanField(
        _("default to review"),
        default=True,
        help_text=_("Shipped with the software as a starting point. Clear it once reviewed."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = GateSettingsQuerySet.as_manager()

    class Meta:
        verbose_name = _("care pathway settings")
        verbose_name_plural = _("care pathway settings")

    def __str__(self):
        return str(_("Care pathway settings"))


class Reconfirmation(AppendOnly):
    """A clinician looked again at a booked infusion whose evidence changed after booking, and
    confirmed it may go ahead. Written once; the gates must hold when it is written."""

    appointment = models.ForeignKey(
        "booking.Appointment", on_delete=models.PROTECT, related_name="reconfirmations"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="reconfirmations"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(_("what was checked"))

    class Meta:
        ordering = ["-confirmed_at", "-id"]
        verbose_name = _("infusion re-confirmation")

    def __str__(self):
        return f"re-confirmation of appointment #{self.appointment_id}"
