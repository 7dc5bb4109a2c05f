import hashlib
import re
from datetime import UTC, date, datetime, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from perinatal.booking.models import Appointment
from perinatal.lib.phones import clean_phone_field
from perinatal.lib.text import one_line

IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_-]{16,64}$")  # at least 96 bits if random
DUE_DATE_WEEKS = 44
BIRTH_DATE_YEARS = 5


def check_key_date(stage: str, value: date, today: date | None = None) -> str | None:
    """A plain-words problem with the due or birth date, or None."""
    today = today or timezone.localdate()
    if stage == Appointment.Stage.PREGNANT:
        if value < today:
            return str(
                _(
                    "A due date should be today or later. If your baby has been born, "
                    "choose “I have had my baby”."
                )
            )
        if value > today + timedelta(weeks=DUE_DATE_WEEKS):
            return str(_("That due date is more than 44 weeks away. Please check the year."))
    else:
        if value > today:
            return str(
                _(
                    "A birth date cannot be in the future. If you are pregnant, "
                    "choose “I am pregnant”."
                )
            )
        if value < today - timedelta(days=365 * BIRTH_DATE_YEARS):
            return str(_("That birth date is more than five years ago. Please check the year."))
    return None


class DetailsForm(forms.Form):
    """What a mother gives to book: as little as the clinic needs to reach her and prepare."""

    name = forms.CharField(
        label=_("Your name"),
        max_length=120,
        validators=[one_line],
        error_messages={"required": _("Please tell us your name.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        error_messages={
            "required": _("Please give an email address: we send the confirmation there."),
            "invalid": _(
                "That does not look like an email address. Please check it, for example "
                "name@example.com."
            ),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Mobile phone"),
        max_length=32,
        error_messages={"required": _("Please give a mobile number, in case we need to call.")},
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel", "inputmode": "tel"}),
    )
    language = forms.ChoiceField(
        label=_("Language for emails and calls"),
        choices=[("en", "English"), ("es", "Español")],
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose the language we should use with you.")},
    )
    stage = forms.ChoiceField(
        label=_("Are you pregnant, or have you had your baby?"),
        choices=[
            (Appointment.Stage.PREGNANT, _("I am pregnant")),
            (Appointment.Stage.POSTPARTUM, _("I have had my baby")),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Please say whether you are pregnant or have had your baby.")
        },
    )
    key_date = forms.DateField(
        label=_("Due date, or your baby's birth date"),
        error_messages={
            "required": _("Please give your due date or your baby's birth date."),
            "invalid": _("Please give the date as year-month-day, for example 2027-03-14."),
        },
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    ob_name = forms.CharField(
        label=_("Your obstetrician or midwife (optional)"),
        max_length=120,
        validators=[one_line],
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    ob_practice = forms.CharField(
        label=_("Your obstetrician's practice or hospital (optional)"),
        max_length=160,
        validators=[one_line],
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    attach_screening = forms.BooleanField(
        label=_("Share my answers to today's check with the clinician"), required=False
    )
    consent = forms.BooleanField(
        error_messages={"required": _("We need your agreement to contact you about the booking.")},
    )
    # The browser's key for the form (see ``perinatal.booking.views.details``), not yet the
    # booking's: ``booking_key`` makes that from it and what she asks for.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False)
    # She was told she may have booked already and chose to book this time as well.
    another = forms.BooleanField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, consent_text: str, offer_screening: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = consent_text
        if not offer_screening:
            del self.fields["attach_screening"]

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean_phone(self):
        return clean_phone_field(self.cleaned_data["phone"])

    def clean_idempotency_key(self):
        key = self.cleaned_data["idempotency_key"]
        return key if IDEMPOTENCY_KEY.match(key or "") else ""

    def booking_key(self, *, consultation, location, start: datetime) -> str | None:
        """The idempotency key of this booking: the form's key, the type, the place, the time
        and her email, hashed. The same request from the same browser always gives the same
        key (so it returns the first appointment); another time or another email gives
        another key, never an ``IdempotencyKeyReused`` refusal. None without a form key."""
        key = self.cleaned_data.get("idempotency_key")
        if not key:
            return None
        parts = [
            key,
            str(consultation.pk),
            str(location.pk if location else ""),
            start.astimezone(UTC).isoformat(),
            self.cleaned_data["email"].strip().lower(),
        ]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()

    def clean(self):
        data = super().clean()
        stage, key_date = data.get("stage"), data.get("key_date")
        if stage and key_date:
            problem = check_key_date(stage, key_date)
            if problem:
                self.add_error("key_date", problem)
        return data
