from dataclasses import dataclass

from django import forms
from django.forms.utils import ErrorList
from django.utils.translation import gettext_lazy as _

from perinatal.lib.phones import clean_phone_field
from perinatal.lib.text import one_line
from perinatal.screening.content import risk_factors
from perinatal.screening.instruments import Instrument, Item


@dataclass(frozen=True)
class Choice:
    id: str
    value: str
    text: str
    score: int
    checked: bool


@dataclass(frozen=True)
class Question:
    item: Item
    name: str
    id: str
    errors: ErrorList
    choices: list[Choice]


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
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Please choose an answer for question %(number)s.")
                    % {"number": item.number}
                },
            )
        self.risk_factor_options = [(f.code, f.label) for f in risk_factors(language)]
        self.fields["risk_factors"] = forms.MultipleChoiceField(
            label=_("Do any of these apply to you?"),
            choices=self.risk_factor_options,
            widget=forms.CheckboxSelectMultiple,
            required=False,
        )

    def questions(self) -> list[Question]:
        """What the page needs to draw each radio group by hand.

        Drawing about fifty inputs through widget templates took most of the page's time in
        bench/; the template writes the same markup directly from these values.
        """
        questions = []
        for item in self.instrument.items:
            bound = self[f"q{item.number}"]
            chosen = str(bound.value()) if bound.value() not in (None, "") else None
            questions.append(
                Question(
                    item=item,
                    name=bound.html_name,
                    id=bound.auto_id,
                    errors=bound.errors,
                    choices=[
                        Choice(
                            id=f"{bound.auto_id}_{position}",
                            value=str(position),
                            text=option.text,
                            score=option.score,
                            checked=chosen == str(position),
                        )
                        for position, option in enumerate(item.options)
                    ],
                )
            )
        return questions

    def risk_factor_choices(self) -> list[Choice]:
        bound = self["risk_factors"]
        chosen = {str(v) for v in bound.value() or []}
        return [
            Choice(
                id=f"{bound.auto_id}_{i}", value=code, text=label, score=0, checked=code in chosen
            )
            for i, (code, label) in enumerate(self.risk_factor_options)
        ]

    def positions(self) -> list[int]:
        return [self.cleaned_data[f"q{item.number}"] for item in self.instrument.items]


class CallbackForm(forms.Form):
    first_name = forms.CharField(
        label=_("Your first name"),
        max_length=60,
        validators=[one_line],
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
        return clean_phone_field(self.cleaned_data["phone"])
