"""Forms of the back office's own pages."""

from django import forms

from perinatal.patients.models import Patient
from perinatal.screening.models import CallbackRequest


class CallbackOutcomeForm(forms.Form):
    status = forms.ChoiceField(
        label="Outcome",
        choices=[
            (CallbackRequest.Status.DONE, "Done: we spoke, nothing more to do on this request"),
            (CallbackRequest.Status.CALLING, "Being called: no answer yet, or calling again"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the outcome of the call."},
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What was said and agreed. Added, dated, to the notes already kept.",
    )
    # Any current record: the page offers those with her number and those staff searched for.
    patient = forms.ModelChoiceField(
        label="Her record",
        queryset=Patient.objects.current(),
        required=False,
        error_messages={"invalid_choice": "That record is no longer available; search again."},
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("status") == CallbackRequest.Status.DONE
            and not (data.get("note") or "").strip()
        ):
            self.add_error("note", "Write a short note of the call before marking it done.")
        return data
