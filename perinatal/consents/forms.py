from django import forms
from django.utils.translation import gettext_lazy as _

from perinatal.consents.models import ConsentWithdrawal, Kind
from perinatal.lib.text import one_line


class SignForm(forms.Form):
    """Her full name once, and one "I agree" box per form, labelled with that form's statement.

    She may leave a form unticked: the forms she ticks are signed, the others stay open on the
    same link until it expires.
    """

    signer_name = forms.CharField(
        label=_("Your full name"),
        max_length=120,
        validators=[one_line],
        help_text=_("Typing your name here is your signature."),
        error_messages={"required": _("Please type your full name.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def __init__(self, *args, requests, **kwargs):
        super().__init__(*args, **kwargs)
        self.requests = requests
        for consent_request in requests:
            self.fields[self.field_name(consent_request)] = forms.BooleanField(
                label=consent_request.template.confirmation, required=False
            )

    @staticmethod
    def field_name(consent_request) -> str:
        return f"agree_{consent_request.pk}"

    def clean_signer_name(self):
        name = " ".join(self.cleaned_data["signer_name"].split())
        if len(name) < 2:
            raise forms.ValidationError(_("Please type your full name."))
        return name

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(self.field_name(r)) for r in self.requests):
            raise forms.ValidationError(
                _("Tick the box under each form you agree to before you sign.")
            )
        return cleaned

    def chosen(self) -> list[int]:
        return [r.pk for r in self.requests if self.cleaned_data.get(self.field_name(r))]

    def agree_field(self, consent_request):
        return self[self.field_name(consent_request)]


class SendForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label="Forms to sign",
        choices=Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one form."},
    )
    channel = forms.ChoiceField(choices=[("link", "link"), ("tablet", "tablet")])


class WithdrawForm(forms.Form):
    how = forms.ChoiceField(
        label="How did she tell us?",
        choices=ConsentWithdrawal.How.choices,
        widget=forms.RadioSelect,
    )
