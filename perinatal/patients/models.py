"""A patient of the clinic and suggested duplicates for staff to decide on.

Her OB is kept by the OB-coordination app (``perinatal.obcare``), which sits above this one.
"""

import re
import uuid
from datetime import date, datetime

import phonenumbers
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext_lazy as _

from perinatal.clinic.models import validate_phone
from perinatal.lib.datestyles import DAY
from perinatal.lib.phones import normalise_phone
from perinatal.lib.text import without_control_characters

FULL_TERM_DAYS = 280  # a due date is 40 weeks from the last menstrual period
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m-%d-%Y", "%d.%m.%Y")


# Groups of Patient fields, named once so that the edit form, the staff API and a merge all
# learn of a new field in the same place.
IDENTITY_FIELDS = ["name", "date_of_birth", "email", "phone", "language", "stage"]
OBSTETRIC_FIELDS = [
    "due_date",
    "delivery_date",
    "delivery",
    "gestation_weeks_at_birth",
    "nicu_stay",
    "breastfeeding",
]
SUPPORT_FIELDS = ["support_name", "support_relation", "support_phone"]


class PatientQuerySet(models.QuerySet):
    def current(self):
        """Patients not merged into another record."""
        return self.filter(merged_into__isnull=True)

    def search(self, text: str):
        """Current patients matching what staff typed in one box.

        An email address (anything with "@") matches emails containing it; a date of birth
        (2026-01-31 or 01/31/2026) matches exactly; a valid phone number matches her number in
        E.164, as stored; anything else matches names containing every word typed, in any case.
        """
        text = " ".join(without_control_characters(text).split())
        if not text:
            return self.none()
        found = self.current()
        if "@" in text:
            return found.filter(email__icontains=text)
        born = _as_date(text)
        if born is not None:
            return found.filter(date_of_birth=born)
        phone = _as_phone(text)
        if phone:
            return found.filter(Q(phone=phone) | Q(support_phone=phone))
        for word in text.split(" "):
            found = found.filter(name__icontains=word)
        return found


class Patient(models.Model):
    class Stage(models.TextChoices):
        PREGNANT = "pregnant", _("Pregnant")
        POSTPARTUM = "postpartum", _("Had the baby")

    class Delivery(models.TextChoices):
        UNKNOWN = "", _("Not known yet")
        VAGINAL = "vaginal", _("Vaginal birth")
        CAESAREAN_PLANNED = "cs_planned", _("Caesarean planned")
        CAESAREAN_DONE = "cs_done", _("Caesarean done")

    class Breastfeeding(models.TextChoices):
        UNKNOWN = "", _("Not asked")
        YES = "yes", _("Breastfeeding")
        PARTLY = "partly", _("Partly breastfeeding")
        NO = "no", _("Not breastfeeding")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Identity and contacts
    name = models.CharField(_("name"), max_length=120)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(
        _("mobile phone"), max_length=20, blank=True, validators=[validate_phone]
    )
    language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    # Obstetric status
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    delivery_date = models.DateField(_("delivery date"), null=True, blank=True)
    delivery = models.CharField(
        _("delivery"), max_length=10, choices=Delivery.choices, blank=True, default=""
    )
    gestation_weeks_at_birth = models.PositiveSmallIntegerField(
        _("weeks of gestation at birth"),
        null=True,
        blank=True,
        validators=[MinValueValidator(20), MaxValueValidator(44)],
    )
    nicu_stay = models.BooleanField(_("baby stayed in NICU"), null=True, blank=True)
    breastfeeding = models.CharField(
        _("breastfeeding"), max_length=8, choices=Breastfeeding.choices, blank=True, default=""
    )
    weight_kg = models.DecimalField(
        _("weight (kg)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    # Where each clinical fact above came from, when a signed record gave it:
    # {"weight_kg": {"source": "consultation", "on": "2026-12-04"}, ...}
    fact_sources = models.JSONField(default=dict, blank=True, editable=False)
    # Who comes with her and takes her home on an infusion day.
    support_name = models.CharField(_("support person"), max_length=120, blank=True)
    support_relation = models.CharField(_("relation to her"), max_length=60, blank=True)
    support_phone = models.CharField(
        _("support person's phone"), max_length=20, blank=True, validators=[validate_phone]
    )
    contact_consent_at = models.DateTimeField(null=True, blank=True)
    contact_consent_text = models.TextField(blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_from"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PatientQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["email"], name="patient_email_idx"),
            models.Index(fields=["phone"], name="patient_phone_idx"),
            models.Index(fields=["name"], name="patient_name_idx"),
        ]

    def __str__(self):
        return self.name

    @property
    def key_date(self):
        """The date her postpartum clock runs from: delivery if she has had the baby."""
        return self.delivery_date or self.due_date

    @property
    def sources(self) -> dict[str, str]:
        """Where each clinical fact came from, for the chart: {"weight_kg": "from the
        consultation of 4 Dec 2026"}."""
        return {
            name: f"from the {given['source']} of {_day(given['on'])}"
            for name, given in self.fact_sources.items()
        }

    @property
    def is_pregnant(self) -> bool:
        return self.stage == self.Stage.PREGNANT

    def gestation_on(self, day: date) -> tuple[int, int] | None:
        """Weeks and days of pregnancy on ``day``, counted back from the due date."""
        if not self.is_pregnant or self.due_date is None:
            return None
        days = FULL_TERM_DAYS - (self.due_date - day).days
        if days < 0:
            return None
        return divmod(days, 7)

    def age_on(self, day: date) -> int | None:
        born = self.date_of_birth
        if born is None:
            return None
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def weeks_postpartum_on(self, day: date) -> int | None:
        if self.is_pregnant or self.delivery_date is None or self.delivery_date > day:
            return None
        return (day - self.delivery_date).days // 7

    # Set by ``perinatal.patients.access.get_patient_for`` on the record it returns: the merged
    # record that was asked for, when it opened the kept one instead.
    opened_as: "Patient | None" = None

    def kept_record(self) -> "Patient":
        """The record this one lives on in: itself, or the one it was merged into (merges
        re-point older merges, but a chain is followed anyway)."""
        patient, seen = self, set()
        while patient.merged_into is not None and patient.pk not in seen:
            seen.add(patient.pk)
            patient = patient.merged_into
        return patient


def _day(iso: str) -> str:
    return date_format(date.fromisoformat(iso), DAY)


def _as_date(text: str) -> date | None:
    for format in DATE_FORMATS:
        try:
            return datetime.strptime(text, format).date()
        except ValueError:
            continue
    return None


def _as_phone(text: str) -> str:
    """E.164 when ``text`` is a valid phone number and nothing else, else ""."""
    if not re.fullmatch(r"[\d\s()+.-]{7,}", text):
        return ""
    try:
        return normalise_phone(text)
    except phonenumbers.NumberParseException:
        return ""


class MergeSuggestion(models.Model):
    """Two records that may be one person (same email or phone): staff decide, never the code."""

    class Status(models.TextChoices):
        OPEN = "open", _("To decide")
        MERGED = "merged", _("Merged")
        KEPT_APART = "apart", _("Different people")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    candidate = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=40, help_text="Which contact details match.")
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "candidate"], name="merge_suggestion_once_per_pair"
            ),
            models.CheckConstraint(
                condition=~Q(patient=models.F("candidate")), name="merge_suggestion_two_records"
            ),
        ]

    def __str__(self):
        return f"possible duplicate ({self.reason}): {self.get_status_display()}"
