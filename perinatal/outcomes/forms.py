from datetime import date, timedelta

from django import forms
from django.utils import timezone

from perinatal.outcomes.cohort import Window

INSTRUMENTS = [("epds", "EPDS"), ("phq9", "PHQ-9")]
REACH = timedelta(days=3 * 366)  # a range longer than three years is a typo
EARLIEST = date(2000, 1, 1)  # before any infusion this software has recorded


class RangeForm(forms.Form):
    """Infusions given from one day to another, seen through one instrument. Empty dates mean
    the last twelve months."""

    start = forms.DateField(
        label="Infusions from",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
    )
    end = forms.DateField(
        label="to",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
    )
    instrument = forms.ChoiceField(label="Questionnaire", choices=INSTRUMENTS, required=False)

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        for name in ("start", "end"):
            if data.get(name) and data[name] < EARLIEST:
                self.add_error(name, "Choose a date from 2000 on.")
                data[name] = None
        end = data.get("end") or today
        start = data.get("start") or end - timedelta(days=365)
        if end < start:
            self.add_error("end", "Choose an end on or after the start.")
        elif end - start > REACH:
            self.add_error("start", "Choose a range of three years or less.")
        elif end > today.replace(year=today.year + 1):
            self.add_error("end", "Choose an end within the next year.")
        data["window"] = Window(start, end)
        data["instrument"] = data.get("instrument") or "epds"
        return data

    def choice(self) -> tuple[Window, str]:
        """What was asked for, or the last twelve months of the EPDS if it cannot be used."""
        if self.is_valid():
            return self.cleaned_data["window"], self.cleaned_data["instrument"]
        today = timezone.localdate()
        return Window(today - timedelta(days=365), today), "epds"
