from datetime import date, timedelta

from django import forms
from django.utils import timezone

from perinatal.lib.phones import clean_phone_field, format_phone
from perinatal.lib.text import one_line
from perinatal.patients.models import (
    IDENTITY_FIELDS,
    OBSTETRIC_FIELDS,
    SUPPORT_FIELDS,
    Patient,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERROR = "Give the date as year-month-day, for example 2026-03-14."
# Plausible dates: a typo such as 0001-01-01 or 9999-12-31 is refused, not stored.
EARLIEST = date(1900, 1, 1)
DUE_DATE_REACH = timedelta(days=365)
ONE_LINE = ["name", "support_name", "support_relation"]


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Name, email, phone or date of birth",
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class PatientForm(forms.ModelForm):
    """Identity, contacts and obstetric status as staff keep them; phones stored as E.164."""

    loaded_at = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Patient
        fields = [
            *IDENTITY_FIELDS,
            *OBSTETRIC_FIELDS,
            *SUPPORT_FIELDS,
        ]
        widgets = {
            "date_of_birth": DATE,
            "due_date": DATE,
            "delivery_date": DATE,
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "support_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("date_of_birth", "due_date", "delivery_date"):
            self.fields[name].error_messages["invalid"] = DATE_ERROR
        self.fields["name"].error_messages["required"] = "Give her name."
        for name in ONE_LINE:
            self.fields[name].validators.append(one_line)
        self.fields["stage"].error_messages["required"] = (
            "Say whether she is pregnant or has had her baby."
        )
        self.fields["nicu_stay"].label = "Did the baby stay in a NICU?"
        self.fields["nicu_stay"].widget.choices = [
            ("unknown", "Not known"),
            ("true", "Yes"),
            ("false", "No"),
        ]
        if not self.is_bound:
            for name in ("phone", "support_phone"):
                self.initial[name] = format_phone(getattr(self.instance, name))
            self.initial["loaded_at"] = _stamp(self.instance)

    def clean_phone(self):
        return self._phone("phone")

    def clean_support_phone(self):
        return self._phone("support_phone")

    def _phone(self, name: str) -> str:
        raw = self.cleaned_data.get(name, "").strip()
        return clean_phone_field(raw) if raw else ""

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        stage = data.get("stage")
        delivery = data.get("delivery")
        born, due, delivered = (
            data.get("date_of_birth"),
            data.get("due_date"),
            data.get("delivery_date"),
        )
        if born and born >= today:
            self.add_error("date_of_birth", "A date of birth must be in the past.")
        elif born and born < EARLIEST:
            self.add_error("date_of_birth", "A date of birth must be after 1900.")
        if delivered and delivered > today:
            self.add_error("delivery_date", "A delivery date cannot be in the future.")
        elif delivered and delivered < EARLIEST:
            self.add_error("delivery_date", "A delivery date must be after 1900.")
        if due and not (today - DUE_DATE_REACH <= due <= today + DUE_DATE_REACH):
            self.add_error("due_date", "A due date must be within a year of today.")
        if stage == Patient.Stage.PREGNANT:
            if not due:
                self.add_error("due_date", "Give her due date: she is marked as pregnant.")
            if delivery in (Patient.Delivery.VAGINAL, Patient.Delivery.CAESAREAN_DONE):
                self.add_error(
                    "delivery",
                    "She is marked as pregnant: choose “Caesarean planned” or “Not known "
                    "yet”, or mark her as having had the baby.",
                )
            after_birth = "She is marked as pregnant: leave this empty until after the birth."
            if data.get("gestation_weeks_at_birth"):
                self.add_error("gestation_weeks_at_birth", after_birth)
            if data.get("nicu_stay") is not None:
                self.add_error("nicu_stay", after_birth)
        elif stage == Patient.Stage.POSTPARTUM:
            if not delivered:
                self.add_error(
                    "delivery_date", "Give the delivery date: she is marked as having had the baby."
                )
            if delivery == Patient.Delivery.CAESAREAN_PLANNED:
                self.add_error(
                    "delivery",
                    "She has had the baby: choose how (vaginal birth or caesarean done).",
                )
        if self.instance.pk and data.get("loaded_at") != _stamp(self.instance):
            # Someone saved this record while this form was open: say so rather than
            # overwrite their change silently. What this person typed stays in the form.
            self.data = self.data.copy()
            self.data["loaded_at"] = _stamp(self.instance)
            raise forms.ValidationError(
                "Someone else changed this record while you were editing it. Check the chart "
                "for their change; your entries are still here: save again to keep them."
            )
        return data

    def save(self, commit=True):
        # A fact staff changed by hand no longer comes from the record that gave it.
        for name in self.changed_data:
            self.instance.fact_sources.pop(name, None)
        return super().save(commit)


def _stamp(patient: Patient) -> str:
    return patient.updated_at.isoformat() if patient.updated_at else ""


class MergeDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision", widget=forms.RadioSelect, error_messages={"required": "Choose one."}
    )

    def __init__(self, *args, suggestion, **kwargs):
        super().__init__(*args, **kwargs)
        first, second = suggestion.patient, suggestion.candidate
        self.fields["decision"].choices = [
            (f"keep-{second.pk}", f"Same person: merge into the record of {_record(second)}"),
            (f"keep-{first.pk}", f"Same person: merge into the record of {_record(first)}"),
            ("apart", "Different people: keep both records"),
        ]

    def keep_id(self) -> int | None:
        decision = self.cleaned_data["decision"]
        return None if decision == "apart" else int(decision.removeprefix("keep-"))


def _record(patient: Patient) -> str:
    return f"{patient.name} (record {patient.pk}, started {patient.created_at:%Y-%m-%d})"
