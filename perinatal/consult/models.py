"""The consultation note, the eligibility assessment signed with it, and the configuration the
medical director owns: the eligibility checklist and the list of interacting drugs.

A ``ConsultationNote`` is a draft until a clinician signs it; its ``EligibilityAssessment`` is
signed in the same step (see ``perinatal.consult.services.sign``). Once signed, neither accepts a
change: ``save()`` raises ``Locked``, and a later correction is an ``Addendum``. The assessment
keeps a copy of each checklist item as it was answered (text, explanation, kind) and the note a
copy of the drug flags, so editing the configuration later never rewrites signed history.

No decision other than "not eligible" can be saved while a hard stop is present, whether it is a
checklist item answered "present" or a current medication flagged as a hard-stop interaction:
``EligibilityAssessment.save()`` refuses it, whoever calls it.
"""

import re
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from perinatal.lib.records import AppendOnly, Locked
from perinatal.patients.models import Patient

# What the shipped configuration says until the medical director has reviewed each row.
DEFAULT_LABEL = "default — review before use"


class Severity(models.TextChoices):
    CAUTION = "caution", "Caution"
    HARD_STOP = "hard_stop", "Hard stop"


# --- Configuration ---------------------------------------------------------------------------


class InteractingDrugQuerySet(models.QuerySet["InteractingDrug"]):
    def active(self):
        return self.filter(is_active=True)

    def flag(self, medications: str) -> list["MedicationFlag"]:
        """Which lines of a medication list name an interacting drug (one query).

        Each line is matched against every term of every drug in this queryset, as whole words
        and ignoring case, so "Ativan 0.5 mg at night" flags benzodiazepines and "Lamictal XR"
        flags lamotrigine, but "Prenatal vitamin" flags nothing.
        """
        lines = [line.strip() for line in medications.splitlines() if line.strip()]
        if not lines:
            return []
        flags = []
        for drug in self:
            for line in lines:
                term = drug.matches(line)
                if term:
                    flags.append(
                        MedicationFlag(
                            drug=drug.name,
                            severity=drug.severity,
                            interaction=drug.interaction,
                            term=term,
                            line=line,
                        )
                    )
        # Hard stops first, then in the order the medications were written.
        flags.sort(key=lambda f: (f.severity != Severity.HARD_STOP, lines.index(f.line)))
        return flags


@dataclass(frozen=True)
class MedicationFlag:
    """One medication line that names an interacting drug; stored as a dict on a signed note."""

    drug: str
    severity: str
    interaction: str
    term: str
    line: str

    @property
    def is_hard_stop(self) -> bool:
        return self.severity == Severity.HARD_STOP

    @property
    def severity_label(self) -> str:
        return Severity(self.severity).label if self.severity in Severity.values else ""

    def as_dict(self) -> dict:
        return {
            "drug": self.drug,
            "severity": self.severity,
            "interaction": self.interaction,
            "term": self.term,
            "line": self.line,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "MedicationFlag":
        return cls(**{key: data.get(key, "") for key in cls.__dataclass_fields__})


class InteractingDrug(models.Model):
    """A drug or class that interacts with ketamine, and the words that name it in a list."""

    name = models.CharField("drug or class", max_length=120, unique=True)
    match_terms = models.TextField(
        "words to match",
        help_text="One name per line (generic and brand names). A medication line is flagged "
        "when it contains one of them as a whole word, ignoring capitals.",
    )
    interaction = models.TextField(
        "interaction to show", help_text="What the clinician reads next to the flagged line."
    )
    severity = models.CharField(max_length=10, choices=Severity.choices)
    source = models.CharField(
        max_length=200, blank=True, help_text="Where this comes from (reference key, label …)."
    )
    note = models.CharField(
        "review note", max_length=200, blank=True, help_text="For the medical director."
    )
    is_default = models.BooleanField(
        "shipped default",
        default=False,
        help_text="Shipped with the software and not yet reviewed. Untick once reviewed.",
    )
    is_active = models.BooleanField("in use", default=True)
    order = models.PositiveSmallIntegerField(default=0)

    objects = InteractingDrugQuerySet.as_manager()

    class Meta:
        ordering = ["order", "name"]
        verbose_name = "interacting drug"

    def __str__(self):
        return self.name

    def terms(self) -> list[str]:
        return [t.strip() for t in re.split(r"[\n,]", self.match_terms) if t.strip()]

    def matches(self, text: str) -> str:
        """The first of this drug's terms found in ``text`` as a whole word, else ""."""
        for term in self.terms():
            pattern = r"\s+".join(re.escape(part) for part in term.split())
            if re.search(rf"(?<!\w){pattern}(?!\w)", text, re.IGNORECASE):
                return term
        return ""


class EligibilityCriterionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


# Answers in the consultation note that make a checklist item present, by the name an item is
# bound to (``EligibilityCriterion.bound_to``): a label for staff, and each (note field, values)
# that means "present". A signed note cannot say the answer and the item disagree.
BINDINGS: dict[str, tuple[str, tuple[tuple[str, frozenset[str]], ...]]] = {
    "psychotic_now": (
        "psychotic symptoms now",
        (("current_psychotic_symptoms", frozenset({"yes"})),),
    ),
    "bipolar_psychosis_history": (
        "a history of bipolar disorder, mania or psychosis",
        (
            ("bipolar_history", frozenset({"yes"})),
            ("mania_history", frozenset({"yes"})),
            ("psychosis_history", frozenset({"yes"})),
        ),
    ),
    "preeclampsia": (
        "pre-eclampsia or eclampsia",
        (("preeclampsia_history", frozenset({"preeclampsia", "eclampsia"})),),
    ),
    "pregnant": ("pregnant now", (("stage", frozenset({"pregnant"})),)),
    "breastfeeding": ("breastfeeding", (("breastfeeding", frozenset({"yes", "partly"})),)),
}


class EligibilityCriterion(models.Model):
    """One item of the IV ketamine eligibility checklist, answered present or absent."""

    text = models.CharField(max_length=300)
    explanation = models.TextField(blank=True, help_text="Shown under the item: why it matters.")
    kind = models.CharField(
        max_length=10,
        choices=Severity.choices,
        help_text="A hard stop present makes the patient not eligible; nobody can override it. "
        "A caution present needs a written reason.",
    )
    source = models.CharField(max_length=200, blank=True, help_text="Reference key or document.")
    bound_to = models.CharField(
        "present when the note records",
        max_length=32,
        blank=True,
        choices=[(key, label) for key, (label, _) in BINDINGS.items()],
        help_text="The note's answers that make this item present: a signed note cannot "
        "record them and mark the item absent.",
    )
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField("in use", default=True)
    is_default = models.BooleanField(
        "shipped default",
        default=False,
        help_text="Shipped with the software and shown as “default — review before use” until "
        "the medical director unticks it.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = EligibilityCriterionQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]
        verbose_name = "eligibility criterion"
        verbose_name_plural = "eligibility checklist"

    def __str__(self):
        return self.text

    @property
    def is_hard_stop(self) -> bool:
        return self.kind == Severity.HARD_STOP

    def snapshot(self) -> dict:
        """The item as the clinician answers it, to be kept with the answer."""
        return {
            "criterion": self.pk,
            "text": self.text,
            "explanation": self.explanation,
            "kind": self.kind,
            "is_default": self.is_default,
        }


# --- The consultation ------------------------------------------------------------------------


class YesNoUnknown(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNKNOWN = "unknown", "Unknown"


class Frequency(models.TextChoices):
    NOT_ASKED = "", "Not asked"
    NEVER = "never", "Never"
    PAST = "past", "In the past, not in the last year"
    RARELY = "rarely", "A few times a year"
    MONTHLY = "monthly", "Monthly"
    WEEKLY = "weekly", "Weekly"
    DAILY = "daily", "Daily or almost daily"
    DECLINED = "declined", "Declined to say"


class HypertensionHistory(models.TextChoices):
    NOT_ASKED = "", "Not asked"
    NONE = "none", "None"
    GESTATIONAL = "gestational", "Gestational (in a pregnancy)"
    CHRONIC = "chronic", "Chronic"
    UNKNOWN = "unknown", "Unknown"


class PreeclampsiaHistory(models.TextChoices):
    NOT_ASKED = "", "Not asked"
    NONE = "none", "None"
    PREECLAMPSIA = "preeclampsia", "Pre-eclampsia"
    ECLAMPSIA = "eclampsia", "Eclampsia"
    UNKNOWN = "unknown", "Unknown"


def _between(low, high):
    return [MinValueValidator(low), MaxValueValidator(high)]


class ConsultationNoteQuerySet(models.QuerySet):
    def signed(self):
        return self.filter(status=ConsultationNote.Status.SIGNED)

    def drafts(self):
        return self.filter(status=ConsultationNote.Status.DRAFT)


class ConsultationNote(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SIGNED = "signed", "Signed"

    # Questions where safety depends on an explicit answer ("unknown" is one): a note is not
    # signed while any is blank, whatever wrote the row.
    REQUIRED_ANSWERS = (
        "self_harm_history",
        "suicide_attempt_history",
        "bipolar_history",
        "mania_history",
        "psychosis_history",
        "family_bipolar_psychosis",
        "current_psychotic_symptoms",
    )

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="consultation_notes"
    )
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", help_text="Author."
    )
    appointment = models.ForeignKey(
        "booking.Appointment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultation_notes",
        verbose_name="appointment",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.DRAFT)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)

    # Obstetric status at the visit (prefilled from the patient record).
    stage = models.CharField(max_length=10, choices=Patient.Stage.choices)
    due_date = models.DateField(null=True, blank=True)
    delivery_date = models.DateField(null=True, blank=True)
    delivery = models.CharField(
        "delivery mode", max_length=10, choices=Patient.Delivery.choices, blank=True
    )
    breastfeeding = models.CharField(
        max_length=8, choices=Patient.Breastfeeding.choices, blank=True
    )

    # Psychiatric history.
    prior_depression = models.CharField(
        "depression before this pregnancy", max_length=7, choices=YesNoUnknown.choices, blank=True
    )
    prior_anxiety = models.CharField(
        "anxiety disorder before this pregnancy",
        max_length=7,
        choices=YesNoUnknown.choices,
        blank=True,
    )
    prior_ppd = models.CharField(
        "postpartum depression after an earlier birth",
        max_length=7,
        choices=YesNoUnknown.choices,
        blank=True,
    )
    prior_treatments = models.TextField(
        "treatments tried", blank=True, help_text="Medicines, therapy, ECT, ketamine … and effect."
    )
    self_harm_history = models.CharField(
        "history of self-harm", max_length=7, choices=YesNoUnknown.choices
    )
    suicide_attempt_history = models.CharField(
        "history of suicide attempts", max_length=7, choices=YesNoUnknown.choices
    )
    psychiatric_notes = models.TextField("psychiatric history notes", blank=True)

    # Bipolar and psychosis screen: every answer is an explicit choice, "unknown" included.
    bipolar_history = models.CharField(
        "diagnosed with bipolar disorder", max_length=7, choices=YesNoUnknown.choices
    )
    mania_history = models.CharField(
        "ever had an episode of mania or hypomania", max_length=7, choices=YesNoUnknown.choices
    )
    psychosis_history = models.CharField(
        "ever had psychosis (hallucinations, delusions)",
        max_length=7,
        choices=YesNoUnknown.choices,
    )
    family_bipolar_psychosis = models.CharField(
        "parent, sibling or child with bipolar disorder or psychosis",
        max_length=7,
        choices=YesNoUnknown.choices,
    )
    current_psychotic_symptoms = models.CharField(
        "psychotic symptoms now", max_length=7, choices=YesNoUnknown.choices
    )

    # Substance use, with frequency.
    alcohol = models.CharField(max_length=8, choices=Frequency.choices, blank=True)
    cannabis = models.CharField(max_length=8, choices=Frequency.choices, blank=True)
    stimulants = models.CharField(
        "stimulants (cocaine, methamphetamine …)",
        max_length=8,
        choices=Frequency.choices,
        blank=True,
    )
    opioids = models.CharField(
        "opioids not prescribed", max_length=8, choices=Frequency.choices, blank=True
    )
    ketamine_pcp = models.CharField(
        "ketamine or PCP", max_length=8, choices=Frequency.choices, blank=True
    )
    substance_notes = models.TextField("substance use notes", blank=True)

    # Medications: one per line; lines naming an interacting drug are flagged.
    current_medications = models.TextField(
        blank=True, help_text="One per line, with dose: e.g. “Sertraline 50 mg daily”."
    )
    medication_flags = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="Interacting-drug flags as computed at the last save (kept as signed).",
    )

    # Blood pressure and weight.
    systolic = models.PositiveSmallIntegerField(
        "systolic (mmHg)", null=True, blank=True, validators=_between(60, 260)
    )
    diastolic = models.PositiveSmallIntegerField(
        "diastolic (mmHg)", null=True, blank=True, validators=_between(30, 160)
    )
    hypertension_history = models.CharField(
        max_length=11, choices=HypertensionHistory.choices, blank=True
    )
    preeclampsia_history = models.CharField(
        "pre-eclampsia or eclampsia", max_length=12, choices=PreeclampsiaHistory.choices, blank=True
    )
    blood_pressure_notes = models.TextField(
        "blood pressure notes", blank=True, help_text="Treatment, control, home readings …"
    )
    weight_kg = models.DecimalField(
        "weight (kg)",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("30")), MaxValueValidator(Decimal("250"))],
    )

    # Her plans and goals, and the clinician's summary.
    breastfeeding_plan = models.TextField(blank=True)
    goals = models.TextField("her goals", blank=True, help_text="In her words where possible.")
    clinical_summary = models.TextField(blank=True)

    objects = ConsultationNoteQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "consultation note"
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft", signed_at__isnull=True, signed_by__isnull=True)
                | Q(status="signed", signed_at__isnull=False, signed_by__isnull=False),
                name="consult_note_signed_has_signer",
            ),
            models.CheckConstraint(
                condition=Q(systolic__isnull=True, diastolic__isnull=True)
                | Q(
                    systolic__isnull=False,
                    diastolic__isnull=False,
                    systolic__gt=F("diastolic"),
                ),
                name="consult_note_bp_pair",
            ),
        ]
        indexes = [
            # The chart's list of a patient's notes; the queue's old drafts.
            models.Index(fields=["patient", "-created_at"], name="consult_note_patient_idx"),
            models.Index(fields=["status", "created_at"], name="consult_note_status_idx"),
        ]

    def __str__(self):
        return f"Consultation note {self.created_at:%Y-%m-%d} ({self.get_status_display()})"

    def save(self, *args, **kwargs):
        if self.pk is not None and type(self).objects.signed().filter(pk=self.pk).exists():
            raise Locked("A signed consultation note cannot change; add an addendum.")
        if self.status == self.Status.SIGNED:
            raise Locked("Sign a note with perinatal.consult.services.sign().")
        self.medication_flags = [f.as_dict() for f in self.flags()]
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_signed or type(self).objects.signed().filter(pk=self.pk).exists():
            raise Locked("A signed consultation note is never deleted.")
        return super().delete(*args, **kwargs)

    @property
    def is_signed(self) -> bool:
        return self.status == self.Status.SIGNED

    def unanswered(self) -> list[str]:
        """The labels of required safety questions left blank."""
        return [
            str(cast(models.Field, self._meta.get_field(name)).verbose_name)
            for name in self.REQUIRED_ANSWERS
            if not getattr(self, name)
        ]

    @property
    def blood_pressure(self) -> str:
        return f"{self.systolic}/{self.diastolic} mmHg" if self.systolic else ""

    def clean(self):
        if (self.systolic is None) != (self.diastolic is None):
            raise ValidationError(
                {"diastolic": "Enter both numbers of the blood pressure, or neither."}
            )
        if self.systolic is not None and self.systolic <= self.diastolic:
            raise ValidationError({"diastolic": "The diastolic must be lower than the systolic."})

    def flags(self) -> list[MedicationFlag]:
        """The interacting-drug flags: live for a draft, as signed for a signed note."""
        if self.is_signed:
            return [MedicationFlag.from_dict(f) for f in self.medication_flags]
        return InteractingDrug.objects.active().flag(self.current_medications)


class EligibilityAssessment(models.Model):
    """The IV ketamine checklist as answered at a consultation, and the decision.

    ``answers`` holds one dict per checklist item: the item as it read when answered
    (``criterion``, ``text``, ``explanation``, ``kind``, ``is_default``), ``present`` (True,
    False, or None while unanswered) and ``reason``.
    """

    class Decision(models.TextChoices):
        ELIGIBLE = "eligible", "Eligible"
        NOT_ELIGIBLE = "not_eligible", "Not eligible"
        NEEDS_OB_CLEARANCE = "needs_ob", "Needs OB clearance"
        DEFERRED = "deferred", "Deferred"

    # Decisions that let treatment go ahead (at once, or once her OB has cleared it).
    PERMISSIVE = (Decision.ELIGIBLE, Decision.NEEDS_OB_CLEARANCE)

    note = models.OneToOneField(
        ConsultationNote, on_delete=models.CASCADE, related_name="assessment"
    )
    answers = models.JSONField(default=list, blank=True)
    decision = models.CharField(max_length=12, choices=Decision.choices, blank=True)
    reasons = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "eligibility assessment"
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_at__isnull=True, decided_by__isnull=True)
                | (Q(decided_at__isnull=False, decided_by__isnull=False) & ~Q(decision="")),
                name="consult_decision_signed_has_decider",
            ),
        ]
        indexes = [
            # latest_decision(patient): the newest signed decision.
            models.Index(fields=["-decided_at"], name="consult_decided_idx"),
        ]

    def __str__(self):
        return f"Eligibility: {self.get_decision_display() or 'not decided'}"

    def save(self, *args, **kwargs):
        if (
            self.pk is not None
            and type(self).objects.filter(pk=self.pk, decided_at__isnull=False).exists()
        ):
            raise Locked("A signed eligibility decision cannot change; add an addendum.")
        if self.decided_at is not None:
            raise Locked("Sign a decision with perinatal.consult.services.sign().")
        problems = self.problems(self.note.flags())
        if problems:
            raise ValidationError(problems)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_signed:
            raise Locked("A signed eligibility decision is never deleted.")
        return super().delete(*args, **kwargs)

    @property
    def is_signed(self) -> bool:
        return self.decided_at is not None

    @property
    def badge(self) -> str:
        """The staff.css badge class for the decision."""
        badges: dict[str, str] = {
            self.Decision.ELIGIBLE: "ok",
            self.Decision.NOT_ELIGIBLE: "urgent",
            self.Decision.NEEDS_OB_CLEARANCE: "warn",
            self.Decision.DEFERRED: "warn",
        }
        return badges.get(self.decision, "")

    def present(self, kind: str) -> list[dict]:
        return [a for a in self.answers if a.get("present") is True and a.get("kind") == kind]

    @property
    def present_hard_stops(self) -> list[dict]:
        return self.present(Severity.HARD_STOP)

    @property
    def present_cautions(self) -> list[dict]:
        return self.present(Severity.CAUTION)

    def problems(self, medication_flags: list[MedicationFlag]) -> dict[str, list[str]]:
        """What makes this assessment unacceptable as it stands, by field ("answers",
        "decision", "reasons"). Empty when it may be saved. The form shows the same messages
        next to its fields; ``save()`` refuses anything listed here."""
        found: dict[str, list[str]] = {}
        for answer in self.present(Severity.CAUTION):
            if not (answer.get("reason") or "").strip():
                found.setdefault("answers", []).append(
                    f"Give a reason for the caution “{answer['text']}”."
                )
        if not self.decision:
            return found
        if any(a.get("present") is None for a in self.answers):
            found.setdefault("decision", []).append(
                "Answer every checklist item before recording a decision."
            )
        if not self.reasons.strip():
            found.setdefault("reasons", []).append("Write the reasons for the decision.")
        if self.decision in self.PERMISSIVE:
            stops = [a["text"] for a in self.present_hard_stops]
            stops += [f"{f.drug} ({f.line})" for f in medication_flags if f.is_hard_stop]
            if stops:
                found.setdefault("decision", []).append(
                    f"A hard stop is present ({'; '.join(stops)}), so the decision can only be "
                    "“not eligible”. A hard stop cannot be overridden."
                )
        return found


class Addendum(AppendOnly):
    """A later addition to a signed note, signed by its author when written; never changed."""

    note = models.ForeignKey(ConsultationNote, on_delete=models.PROTECT, related_name="addenda")
    text = models.TextField()
    hard_stop = models.CharField(
        "hard stop found since",
        max_length=300,
        blank=True,
        help_text="Name a hard stop learnt of after signing (new psychosis, a contraindicated "
        "drug started …): every plan and infusion of hers stops until she is seen again.",
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["signed_at", "id"]
        verbose_name_plural = "addenda"

    def __str__(self):
        return f"Addendum {self.signed_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if (
            self._state.adding
            and not ConsultationNote.objects.signed().filter(pk=self.note_id).exists()
        ):
            raise ValueError("Addenda are for signed notes; edit the draft instead.")
        super().save(*args, **kwargs)
