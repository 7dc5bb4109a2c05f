from django import forms

from perinatal.accounts import mfa


class PasswordForm(forms.Form):
    username = forms.CharField(
        label="Username",
        max_length=150,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "autofocus": True}
        ),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=32,
        help_text="The 6-digit code your authenticator app shows now, or one of your recovery "
        "codes.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )


# An input for the digits an authenticator app shows (spaces allowed, as some apps group them).
AUTHENTICATOR_CODE_ATTRS = {
    "autocomplete": "one-time-code",
    "inputmode": "numeric",
    "pattern": "[0-9 ]*",
}


class EnrolForm(forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=16,
        help_text="After adding the account, type the 6-digit code the app shows.",
        widget=forms.TextInput(attrs={**AUTHENTICATOR_CODE_ATTRS, "autofocus": True}),
    )


class NewRecoveryCodesForm(forms.Form):
    """Replacing recovery codes asks for both factors again: a session left open on a shared
    computer must not be enough to take over the account's way back in."""

    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=16,
        widget=forms.TextInput(attrs=AUTHENTICATOR_CODE_ATTRS),
    )

    def clean_code(self) -> str:
        code = mfa.normalise(self.cleaned_data["code"])
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError("Type the 6 digits your authenticator app shows now.")
        return code
