from datetime import timedelta

from django import forms
from django.utils import timezone

from perinatal.lib.phones import clean_phone_field
from perinatal.lib.text import one_line
from perinatal.obcare.models import CarePlanLetter, Obstetrician, PatientOb
from perinatal.obcare.npi import is_valid_npi

# An answer asked for further out than this is a typo, not a plan.
RESPOND_BY_REACH = timedelta(days=90)


class ObstetricianForm(forms.ModelForm):
    # Wider than the stored 10 digits: people paste NPIs with spaces or dashes.
    npi = forms.CharField(
        label="NPI (optional)",
        required=False,
        max_length=20,
        help_text="The 10-digit National Provider Identifier, if you know it.",
    )

    class Meta:
        model = Obstetrician
        fields = ["name", "practice", "phone", "fax", "email", "npi", "is_active"]
        labels = {"name": "Name", "is_active": "In use"}
        help_texts = {
            "name": "As the OB signs letters, e.g. Dr. Laura Chen, MD.",
            "is_active": "Untick for an OB who has left; past letters keep their name.",
        }
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "fax": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("name", "practice"):
            self.fields[name].validators.append(one_line)

    def clean_phone(self):
        raw = self.cleaned_data["phone"].strip()
        return clean_phone_field(raw) if raw else ""

    def clean_fax(self):
        raw = self.cleaned_data["fax"].strip()
        return clean_phone_field(raw) if raw else ""

    def clean_npi(self):
        npi = "".join(self.cleaned_data["npi"].split()).replace("-", "")
        if not npi:
            return ""
        if not is_valid_npi(npi):
            raise forms.ValidationError(
                "That is not a valid NPI: it should be 10 digits starting with 1 or 2, and its "
                "last digit must match the others. Please check it against the NPI registry."
            )
        taken = Obstetrician.objects.filter(npi=npi).exclude(pk=self.instance.pk).first()
        if taken:
            raise forms.ValidationError(f"This NPI is already in the directory for {taken}.")
        return npi


class DirectorySearchForm(forms.Form):
    q = forms.CharField(label="Name or practice", required=False, max_length=120)


class LinkObForm(forms.Form):
    obstetrician = forms.ModelChoiceField(
        queryset=Obstetrician.objects.filter(is_active=True), widget=forms.HiddenInput
    )


class PatientObForm(forms.ModelForm):
    """Her OB as staff keep it: the directory entry, and the OB as she named them."""

    class Meta:
        model = PatientOb
        fields = ["obstetrician", "name_given", "practice_given"]
        help_texts = {
            "name_given": "What she wrote when booking; choose the directory entry above "
            "once you know it.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("name_given", "practice_given"):
            self.fields[name].validators.append(one_line)
        obstetricians = Obstetrician.objects.filter(is_active=True)
        if self.instance.obstetrician_id:  # keep her OB selectable even if retired since
            obstetricians = (
                Obstetrician.objects.filter(pk=self.instance.obstetrician_id) | obstetricians
            )
        self.fields["obstetrician"].queryset = obstetricians
        self.fields["obstetrician"].empty_label = "Not matched to the directory yet"


class LetterDraftForm(forms.ModelForm):
    class Meta:
        model = CarePlanLetter
        fields = ["respond_by", "covering_note"]
        labels = {
            "respond_by": "Ask for an answer by",
            "covering_note": "Covering note (optional)",
        }
        help_texts = {
            "covering_note": "A few words to the OB, printed above the plan.",
        }
        widgets = {
            "respond_by": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "covering_note": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.asks_for_answer:
            del self.fields["respond_by"]  # a summary asks for no answer

    def clean_respond_by(self):
        respond_by = self.cleaned_data["respond_by"]
        today = timezone.localdate()
        if respond_by < today:
            raise forms.ValidationError("Choose today or a later date.")
        if respond_by > today + RESPOND_BY_REACH:
            raise forms.ValidationError("Choose a date within the next 90 days.")
        return respond_by


class AnswerForm(forms.Form):
    """What the OB fills in on the letter's page."""

    response = forms.ChoiceField(
        label="Your answer",
        choices=[
            (CarePlanLetter.Response.CLEARED, "I clear her for this plan"),
            (CarePlanLetter.Response.CONCERNS, "I have concerns about this plan"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Please choose: you clear her, or you have concerns."},
    )
    text = forms.CharField(
        label="Comments",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Required if you have concerns: please say what they are.",
    )
    name = forms.CharField(
        label="Your name",
        max_length=120,
        validators=[one_line],
        error_messages={"required": "Please give your name."},
    )
    role = forms.CharField(
        label="Your role",
        max_length=80,
        validators=[one_line],
        help_text="For example: obstetrician, midwife, nurse for Dr. Chen.",
        error_messages={"required": "Please give your role."},
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("response") == CarePlanLetter.Response.CONCERNS
            and not (data.get("text") or "").strip()
        ):
            self.add_error("text", "Please tell us what your concerns are.")
        return data
