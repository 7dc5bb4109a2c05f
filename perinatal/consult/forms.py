"""The consultation page's forms: the note itself, the eligibility checklist and decision, and an
addendum. The checklist form asks the assessment model what is wrong (``problems``) so the page
and the model refuse exactly the same things."""

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone

from perinatal.consult.models import (
    ConsultationNote,
    EligibilityAssessment,
    MedicationFlag,
    Severity,
    YesNoUnknown,
)
from perinatal.patients.models import Patient

CAUTION_NEEDS_REASON = "A caution marked present needs a written reason."

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _text(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


# Groups of fields, in page order: (slug, legend, field names).
NOTE_FIELDSETS = [
    ("visit", "Visit", ["appointment"]),
    ("obstetric", "Obstetric status today", ["stage", "due_date", "delivery_date", "delivery"]),
    (
        "psychiatric",
        "Psychiatric history",
        [
            "prior_depression",
            "prior_anxiety",
            "prior_ppd",
            "self_harm_history",
            "suicide_attempt_history",
            "prior_treatments",
            "psychiatric_notes",
        ],
    ),
    (
        "screen",
        "Bipolar and psychosis screen",
        [
            "bipolar_history",
            "mania_history",
            "psychosis_history",
            "family_bipolar_psychosis",
            "current_psychotic_symptoms",
        ],
    ),
    (
        "substances",
        "Substance use",
        ["alcohol", "cannabis", "stimulants", "opioids", "ketamine_pcp", "substance_notes"],
    ),
    ("medications", "Current medications", ["current_medications"]),
    (
        "blood_pressure",
        "Blood pressure and weight",
        [
            "systolic",
            "diastolic",
            "hypertension_history",
            "preeclampsia_history",
            "blood_pressure_notes",
            "weight_kg",
        ],
    ),
    ("breastfeeding", "Breastfeeding", ["breastfeeding", "breastfeeding_plan"]),
    ("goals", "Her goals", ["goals"]),
    ("summary", "Clinical summary", ["clinical_summary"]),
]


def appointment_label(appointment) -> str:
    starts = timezone.localtime(appointment.starts_at, ZoneInfo(appointment.time_zone))
    return f"{starts:%Y-%m-%d %H:%M} · {appointment.type_name} · {appointment.get_status_display()}"


class ConsultationNoteForm(forms.ModelForm):
    # Yes / no / unknown questions a clinician must answer explicitly.
    REQUIRED_RADIOS = ConsultationNote.REQUIRED_ANSWERS
    OPTIONAL_RADIOS = ("prior_depression", "prior_anxiety", "prior_ppd")

    class Meta:
        model = ConsultationNote
        fields = [name for _slug, _legend, names in NOTE_FIELDSETS for name in names]
        widgets = {
            "due_date": _DATE,
            "delivery_date": _DATE,
            "prior_treatments": _text(),
            "psychiatric_notes": _text(),
            "substance_notes": _text(2),
            "current_medications": _text(6),
            "blood_pressure_notes": _text(2),
            "breastfeeding_plan": _text(),
            "goals": _text(),
            "clinical_summary": _text(6),
            "weight_kg": forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
            "systolic": forms.NumberInput(attrs={"inputmode": "numeric"}),
            "diastolic": forms.NumberInput(attrs={"inputmode": "numeric"}),
        }

    def __init__(self, *args, patient, **kwargs):
        super().__init__(*args, **kwargs)
        appointments = patient.appointments.order_by("-starts_at")
        self.fields["appointment"].queryset = appointments
        self.fields["appointment"].label_from_instance = appointment_label
        self.fields["appointment"].empty_label = "Not linked to an appointment"
        for name in self.REQUIRED_RADIOS:
            self.fields[name].widget = forms.RadioSelect()
            self.fields[name].choices = YesNoUnknown.choices
        for name in self.OPTIONAL_RADIOS:
            self.fields[name].widget = forms.RadioSelect()
            self.fields[name].choices = [("", "Not asked"), *YesNoUnknown.choices]
        # The stage is required and has no blank; the model's own "" choices name the rest.
        self.fields["stage"].choices = Patient.Stage.choices

    def fieldsets(self):
        """(slug, legend, bound fields) per group, for the template."""
        return [
            (slug, legend, [self[name] for name in names]) for slug, legend, names in NOTE_FIELDSETS
        ]


class EligibilityForm(forms.Form):
    """One present/absent question and a reason box per checklist item, then the decision.

    ``criteria`` is the checklist in use; ``answers`` the draft's stored answers (matched by
    item id); ``medication_flags`` the interacting drugs found in the medications as typed
    now, so a hard-stop drug blocks a permissive decision like a hard-stop item does.
    Without ``can_decide`` the decision fields are left out and the stored ones kept.
    """

    ANSWERS = [("present", "Present"), ("absent", "Absent")]
    # A stored answer is True (present), False (absent) or None (not answered).
    CHOICE_FOR: dict[bool | None, str] = {True: "present", False: "absent"}
    STORED_FOR: dict[str | None, bool] = {"present": True, "absent": False}

    decision = forms.ChoiceField(
        choices=[("", "Not decided yet"), *EligibilityAssessment.Decision.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    reasons = forms.CharField(
        label="Reasons for the decision",
        required=False,
        widget=_text(4),
        help_text="Required with a decision. Quoted in the letter to her OB.",
    )

    def __init__(
        self,
        *args,
        criteria,
        answers: Sequence[dict] = (),
        medication_flags: Sequence[MedicationFlag] = (),
        can_decide: bool = True,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        self.medication_flags = list(medication_flags)
        self.can_decide = can_decide
        stored = {a.get("criterion"): a for a in answers}
        for criterion in self.criteria:
            answer = stored.get(criterion.pk, {})
            present = answer.get("present")
            self.fields[f"present_{criterion.pk}"] = forms.ChoiceField(
                label=criterion.text,
                choices=self.ANSWERS,
                required=False,
                widget=forms.RadioSelect,
                initial=self.CHOICE_FOR.get(present),
            )
            self.fields[f"reason_{criterion.pk}"] = forms.CharField(
                label="Reason" if criterion.is_hard_stop else "Reason (required if present)",
                required=False,
                widget=_text(2),
                initial=answer.get("reason", ""),
            )
        if not can_decide:
            del self.fields["decision"], self.fields["reasons"]

    def rows(self):
        """(criterion, answer field, reason field) for the template."""
        return [(c, self[f"present_{c.pk}"], self[f"reason_{c.pk}"]) for c in self.criteria]

    @property
    def hard_stop_flags(self) -> list[MedicationFlag]:
        return [f for f in self.medication_flags if f.is_hard_stop]

    def answers(self) -> list[dict]:
        """The answers as stored on the assessment, each with the item as it reads now."""
        data = self.cleaned_data
        return [
            {
                **criterion.snapshot(),
                "present": self.STORED_FOR.get(data.get(f"present_{criterion.pk}")),
                "reason": (data.get(f"reason_{criterion.pk}") or "").strip(),
            }
            for criterion in self.criteria
        ]

    def clean(self):
        cleaned = super().clean()
        for criterion in self.criteria:
            if (
                criterion.kind == Severity.CAUTION
                and cleaned.get(f"present_{criterion.pk}") == "present"
                and not (cleaned.get(f"reason_{criterion.pk}") or "").strip()
            ):
                self.add_error(f"reason_{criterion.pk}", CAUTION_NEEDS_REASON)
        if self.can_decide:
            trial = EligibilityAssessment(
                answers=self.answers(),
                decision=cleaned.get("decision", ""),
                reasons=cleaned.get("reasons", ""),
            )
            for field, messages in trial.problems(self.medication_flags).items():
                if field in self.fields:
                    for message in messages:
                        self.add_error(field, message)
        return cleaned


class AddendumForm(forms.Form):
    text = forms.CharField(
        label="Addendum",
        widget=_text(5),
        help_text="Signed in your name when saved; it cannot be changed afterwards.",
    )
    hard_stop = forms.CharField(
        label="Hard stop found since the note was signed",
        required=False,
        max_length=300,
        help_text="Leave empty unless one is present now. Naming one stops her plan and any "
        "booked infusion until she is seen again.",
    )
