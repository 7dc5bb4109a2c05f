"""The forms of the infusion day. Each keeps what was typed when it is refused, and bounds every
number to what a body can show, so an impossible reading is named, not stored."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import cast

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone

from perinatal.infusion.models import (
    Action,
    AdverseEvent,
    DaySettings,
    InfusionEvent,
    InfusionSession,
)
from perinatal.lib.phones import clean_phone_field


def _int(label, low, high, required=True, help_text=""):
    return forms.IntegerField(
        label=label, min_value=low, max_value=high, required=required, help_text=help_text
    )


class VialDatesForm(forms.Form):
    """The dates of the vial record; a date that is not one, or beyond next year, is named."""

    start = forms.DateField(
        label="From", required=False, error_messages={"invalid": "Enter a date as YYYY-MM-DD."}
    )
    end = forms.DateField(
        label="To", required=False, error_messages={"invalid": "Enter a date as YYYY-MM-DD."}
    )

    def __init__(self, data):
        super().__init__({"start": data.get("from", ""), "end": data.get("to", "")})

    def dates(self) -> tuple[date, date]:
        today = timezone.localdate()
        latest = today.replace(year=today.year + 1, month=12, day=31)
        for name in ("start", "end"):
            if self.is_valid() and (self.cleaned_data[name] or today) > latest:
                self.add_error(name, f"Enter a date no later than {latest:%Y-%m-%d}.")
        data = self.cleaned_data if self.is_valid() else {}
        start = data.get("start") or today - timedelta(days=30)
        end = data.get("end") or today
        return (end, start) if end < start else (start, end)


class VitalsForm(forms.Form):
    systolic = _int("Systolic (mmHg)", 50, 260)
    diastolic = _int("Diastolic (mmHg)", 20, 160)
    heart_rate = _int("Heart rate (per minute)", 20, 250)
    spo2 = _int("SpO₂ (%)", 50, 100)
    resp_rate = _int("Breaths per minute", 4, 60)

    def clean(self):
        data = super().clean()
        systolic, diastolic = data.get("systolic"), data.get("diastolic")
        if systolic is not None and diastolic is not None and systolic <= diastolic:
            self.add_error("diastolic", "The diastolic reading must be below the systolic.")
        return data


class CheckInForm(VitalsForm):
    identity_confirmed = forms.BooleanField(
        label="Her full name and date of birth match the record", required=False
    )
    escort_name = forms.CharField(label="Escort's name (the adult who takes her home)")
    escort_phone = forms.CharField(label="Escort's phone", max_length=20)
    childcare_by = forms.CharField(label="The baby is with", max_length=120)
    fasted = forms.BooleanField(label="She has fasted as the protocol asks", required=False)
    pregnancy = forms.ChoiceField(
        label="Pregnancy today",
        choices=InfusionSession.Pregnancy.choices,
        widget=forms.RadioSelect,
    )
    breastfeeding_read_back = forms.BooleanField(
        label="Her breastfeeding plan was read back to her, and its instructions printed",
        required=False,
    )
    check_in_notes = forms.CharField(
        label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_escort_phone(self):
        return clean_phone_field(self.cleaned_data["escort_phone"])


class PrepareForm(forms.Form):
    prefix = "dose"  # one page holds every step's form: ids stay unique
    weight_kg = forms.DecimalField(
        label="Weight today (kg)",
        min_value=Decimal("30"),
        max_value=Decimal("250"),
        decimal_places=1,
        help_text="Weigh her today: the dose is worked out from this weight.",
    )
    concentration = forms.DecimalField(
        label="Vial strength (mg/mL)",
        min_value=Decimal("0.1"),
        max_value=Decimal("100"),
        decimal_places=1,
        initial=Decimal("10"),
    )


class SecondPersonForm(forms.Form):
    username = forms.CharField(label="Your username", max_length=150)
    password = forms.CharField(label="Your password", widget=forms.PasswordInput)
    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class VerifyForm(SecondPersonForm):
    prefix = "check"  # one page holds every step's form: ids stay unique
    dose_mg = forms.DecimalField(label="The dose you worked out (mg)", decimal_places=1)
    volume_ml = forms.DecimalField(label="The volume to draw (mL)", decimal_places=2)


class VialForm(forms.Form):
    prefix = "vial"  # one page holds every step's form: ids stay unique
    product = forms.CharField(max_length=120, initial="Ketamine hydrochloride injection")
    concentration_mg_per_ml = forms.DecimalField(
        label="Strength (mg/mL)", min_value=Decimal("0.1"), max_value=Decimal("100")
    )
    lot = forms.CharField(label="Lot", max_length=40)
    expiry = forms.DateField(label="Expiry", widget=forms.DateInput(attrs={"type": "date"}))
    drawn_mg = forms.DecimalField(
        label="Drawn (mg)", min_value=Decimal("0.1"), max_value=Decimal("1000"), decimal_places=1
    )


class CloseVialForm(forms.Form):
    prefix = "close"  # one page holds every step's form: ids stay unique
    vial: forms.ModelChoiceField = forms.ModelChoiceField(queryset=None, label="Vial")
    given_mg = forms.DecimalField(
        label="Given (mg)", min_value=Decimal("0"), max_value=Decimal("1000"), decimal_places=1
    )
    wasted_mg = forms.DecimalField(
        label="Wasted (mg)", min_value=Decimal("0"), max_value=Decimal("1000"), decimal_places=1
    )
    username = forms.CharField(label="Witness's username", max_length=150, required=False)
    password = forms.CharField(
        label="Witness's password", widget=forms.PasswordInput, required=False
    )
    code = forms.CharField(label="Witness's code", max_length=20, required=False)

    def __init__(self, *args, session=None, **kwargs):
        super().__init__(*args, **kwargs)
        open_vials = session.vials.filter(closed_at__isnull=True)
        self.fields["vial"].queryset = open_vials
        if len(open_vials) == 1:  # the usual day: one vial, chosen already
            self.fields["vial"].empty_label = None


def _time_today(value: time | None) -> datetime | None:
    if value is None:
        return None
    return timezone.make_aware(datetime.combine(timezone.localdate(), value))


class ObservationForm(VitalsForm):
    prefix = "obs"  # one page holds every step's form: ids stay unique
    at = forms.TimeField(
        label="Taken at (leave empty for now)",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    sedation = forms.IntegerField(required=False)
    dissociation = forms.IntegerField(required=False)

    def __init__(self, *args, day: DaySettings, **kwargs):
        """Sedation and dissociation on the scales the director chose, bounded by them."""
        super().__init__(*args, **kwargs)
        for name, kind, scale in (
            ("sedation", "Sedation", day.sedation),
            ("dissociation", "Dissociation", day.dissociation),
        ):
            field = cast(forms.IntegerField, self.fields[name])
            field.label = f"{kind}, {scale.label}"
            field.help_text = scale.guide
            field.min_value, field.max_value = scale.low, scale.high
            field.validators = [MinValueValidator(scale.low), MaxValueValidator(scale.high)]
            field.widget.attrs.update(min=scale.low, max=scale.high)

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["at"] = _time_today(data.pop("at"))
        return data


class ActForm(forms.Form):
    prefix = "act"  # one page holds every step's form: ids stay unique
    action = forms.ChoiceField(label="What was done", choices=Action.choices[1:])
    note = forms.CharField(label="Details", widget=forms.Textarea(attrs={"rows": 2}))


class ChangeForm(forms.Form):
    prefix = "change"  # one page holds every step's form: ids stay unique
    kind = forms.ChoiceField(
        label="Change",
        choices=[c for c in InfusionEvent.Kind.choices if c[0] != InfusionEvent.Kind.START],
    )
    rate = forms.DecimalField(
        label="New rate (mL/h), for a rate change",
        required=False,
        min_value=Decimal("0.1"),
        decimal_places=1,
    )
    note = forms.CharField(label="Why", required=False, max_length=300)


class AdverseForm(forms.Form):
    prefix = "event"  # one page holds every step's form: ids stay unique
    kind = forms.ChoiceField(label="What happened", choices=AdverseEvent.Kind.choices)
    detail = forms.CharField(label="Details", required=False, max_length=300)
    action = forms.CharField(label="What was done", widget=forms.Textarea(attrs={"rows": 2}))


class GoAheadForm(forms.Form):
    prefix = "goahead"  # one page holds every step's form: ids stay unique
    note = forms.CharField(
        label="Why it is safe to go ahead", widget=forms.Textarea(attrs={"rows": 2})
    )


class DischargeForm(forms.Form):
    prefix = "discharge"  # one page holds every step's form: ids stay unique
    ticked = forms.MultipleChoiceField(
        label="Discharge checklist", widget=forms.CheckboxSelectMultiple, required=False
    )
    escort = forms.CharField(label="She leaves with", max_length=120)
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, checklist=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ticked"].choices = [(item, item) for item in checklist]


class AddendumForm(forms.Form):
    prefix = "addendum"
    text = forms.CharField(
        label="Addendum",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Signed as you, with the time; it cannot be changed afterwards.",
    )
