import phonenumbers
from django import forms
from django.utils.translation import gettext_lazy as _

from perinatal.lib.phones import normalise_phone
from perinatal.screening.content import risk_factors
from perinatal.screening.instruments import Instrument


class ScoredRadioSelect(forms.RadioSelect):
    """Radios that carry each option's score, so the page can react to a self-harm answer."""

    def __init__(self, *args, scores: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.scores = scores

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["attrs"]["data-score"] = str(self.scores[int(value)])
        return option


class ScreeningForm(forms.Form):
    """One radio group per item, every one required; risk factors are optional context."""

    def __init__(self, *args, instrument: Instrument, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        for item in instrument.items:
            self.fields[f"q{item.number}"] = forms.TypedChoiceField(
                label=item.text,
                choices=[(str(i), option.text) for i, option in enumerate(item.options)],
                coerce=int,
                widget=ScoredRadioSelect(scores=[option.score for option in item.options]),
                error_messages={
                    "required": _("Please choose an answer for question %(number)s.")
                    % {"number": item.number}
                },
            )
        self.fields["risk_factors"] = forms.MultipleChoiceField(
            label=_("Do any of these apply to you?"),
            choices=[(f.code, f.label) for f in risk_factors(language)],
            widget=forms.CheckboxSelectMultiple,
            required=False,
        )

    def item_fields(self):
        return [(item, self[f"q{item.number}"]) for item in self.instrument.items]

    def positions(self) -> list[int]:
        return [self.cleaned_data[f"q{item.number}"] for item in self.instrument.items]


class CallbackForm(forms.Form):
    first_name = forms.CharField(
        label=_("Your first name"),
        max_length=60,
        error_messages={
            "required": _("Please tell us your first name, so we know whom to ask for.")
        },
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    phone = forms.CharField(
        label=_("Phone number we can call"),
        max_length=32,
        error_messages={"required": _("Please give a phone number we can call you on.")},
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel", "inputmode": "tel"}),
    )

    def clean_first_name(self):
        return " ".join(self.cleaned_data["first_name"].split())

    def clean_phone(self):
        try:
            return normalise_phone(self.cleaned_data["phone"])
        except phonenumbers.NumberParseException:
            raise forms.ValidationError(
                _(
                    "That does not look like a phone number. "
                    "Please check it, for example 617 555 0100."
                )
            ) from None
