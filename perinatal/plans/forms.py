"""The plan form, and the two steps of booking its infusion day: when and where, then who."""

import zoneinfo
from datetime import datetime

from django import forms
from django.utils import timezone

from perinatal.booking.models import Clinician, ConsultationType
from perinatal.booking.slots import STAFF_REACH, local_instant
from perinatal.clinic.models import Location
from perinatal.lib.phones import clean_phone_field
from perinatal.plans.models import MILK_REFERENCE, FollowUpSchedule, InfusionChair, Protocol
from perinatal.plans.models import TreatmentPlan as Plan


class PlanForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = [
            "protocol",
            "weight_kg",
            "timing",
            "weeks_postpartum",
            "planned_date",
            "timing_rationale",
            "lactation",
            "discard_hours",
            "lactation_notes",
            "escort_confirmed",
            "escort_name",
            "escort_phone",
            "childcare_confirmed",
            "childcare_by",
            "follow_up",
            "notes",
        ]
        labels = {
            "weight_kg": "Weight (kg)",
            "timing": "When",
            "lactation": "Breastfeeding plan",
            "weeks_postpartum": "Weeks postpartum",
            "planned_date": "Planned date (optional)",
            "timing_rationale": "Why this timing",
            "escort_confirmed": "An adult escort will take her home (no driving that day)",
            "escort_name": "Escort's name",
            "escort_phone": "Escort's phone",
            "childcare_confirmed": "Childcare for the day is arranged",
            "childcare_by": "Who looks after the baby",
        }
        help_texts = {
            "weight_kg": "The dose is worked out from this weight.",
            "weeks_postpartum": "For a set number of weeks postpartum.",
            "discard_hours": MILK_REFERENCE,
        }
        widgets = {
            "planned_date": forms.DateInput(attrs={"type": "date"}),
            "timing": forms.RadioSelect,
            "lactation": forms.RadioSelect,
            "timing_rationale": forms.Textarea(attrs={"rows": 2}),
            "lactation_notes": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "escort_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["protocol"].queryset = Protocol.objects.active()
        self.fields["follow_up"].queryset = FollowUpSchedule.objects.active()
        self.fields["protocol"].empty_label = None
        # Radio buttons without the select's empty "choose" entry.
        self.fields["timing"].choices = Plan.Timing.choices
        self.fields["lactation"].choices = Plan.Lactation.choices
        self.fields["follow_up"].empty_label = None
        self.fields["weight_kg"].widget.attrs.update(step="0.1", inputmode="decimal")

    def clean_escort_phone(self) -> str:
        raw = self.cleaned_data["escort_phone"].strip()
        return clean_phone_field(raw) if raw else ""

    def clean(self):
        data = super().clean()
        timing, lactation = data.get("timing"), data.get("lactation")
        if timing == Plan.Timing.WEEKS_POSTPARTUM and data.get("weeks_postpartum") is None:
            self.add_error("weeks_postpartum", "How many weeks after delivery?")
        if timing == Plan.Timing.AFTER_DELIVERY:
            data["weeks_postpartum"] = None
        if lactation == Plan.Lactation.EXPRESS_AND_DISCARD:
            if data.get("discard_hours") is None:
                self.add_error("discard_hours", "For how many hours after the infusion?")
        else:
            data["discard_hours"] = None
        if data.get("escort_confirmed"):
            for name in ("escort_name", "escort_phone"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, "Needed to confirm the escort.")
        if data.get("childcare_confirmed") and not data.get("childcare_by"):
            self.add_error("childcare_by", "Who looks after the baby that day?")
        return data


class WhenForm(forms.Form):
    """Where and when the infusion day would be, in the location's own time."""

    location = forms.ModelChoiceField(queryset=Location.objects.none(), empty_label=None)
    visit_type = forms.ModelChoiceField(
        label="Appointment",
        queryset=ConsultationType.objects.none(),
        empty_label=None,
        help_text="Its length covers the infusion and the observation afterwards.",
    )
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(
        label="Start time (the location's time)",
        widget=forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M"),
    )

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.filter(
            is_active=True, chairs__is_active=True
        ).distinct()
        # An infusion day is in person, booked by staff only (mothers book online the types
        # "offered online": free consultations), and long enough for the plan's infusion.
        self.fields["visit_type"].queryset = ConsultationType.objects.filter(
            mode=ConsultationType.Mode.IN_PERSON,
            is_active=False,
            duration_minutes__gte=plan.infusion_minutes,
        )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        zone = zoneinfo.ZoneInfo(data["location"].time_zone)
        if data["date"] > timezone.localdate() + STAFF_REACH:
            self.add_error("date", "Choose a date within the next year.")
        elif local_instant(data["date"], data["time"], zone) is None:
            self.add_error("time", "The clocks skip that time that night; choose another.")
        elif self.start() <= timezone.now():
            self.add_error("date", "Choose a time in the future.")
        return data

    def start(self) -> datetime:
        """The start as an aware instant, read in the location's zone."""
        zone = zoneinfo.ZoneInfo(self.cleaned_data["location"].time_zone)
        wall = datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"])
        return wall.replace(tzinfo=zone)


class ChooseForm(forms.Form):
    """Who gives the infusion and on which chair (the database refuses either taken)."""

    clinician = forms.ModelChoiceField(
        queryset=Clinician.objects.none(), widget=forms.RadioSelect, empty_label=None
    )
    chair = forms.ModelChoiceField(
        queryset=InfusionChair.objects.none(), widget=forms.RadioSelect, empty_label=None
    )

    def __init__(self, *args, clinicians=None, chairs=None, **kwargs):
        super().__init__(*args, **kwargs)
        if clinicians is not None:
            self.fields["clinician"].queryset = clinicians
        if chairs is not None:
            self.fields["chair"].queryset = chairs
        self.fields["chair"].label_from_instance = lambda chair: chair.name
