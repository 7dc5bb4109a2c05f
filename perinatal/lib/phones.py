"""Phone numbers are stored in E.164 and shown in the national format of their region: in
Python with ``format_phone``, in templates with the ``phone`` filter (built into every template,
settings ``TEMPLATES``)."""

from functools import lru_cache

import phonenumbers
from django import template
from django.conf import settings

register = template.Library()


def normalise_phone(raw: str, region: str | None = None) -> str:
    """E.164 for a number typed by a person; raises NumberParseException when it is not valid."""
    number = phonenumbers.parse(raw, region or settings.PERINATAL_DEFAULT_PHONE_REGION)
    if not phonenumbers.is_valid_number(number):
        raise phonenumbers.NumberParseException(
            phonenumbers.NumberParseException.NOT_A_NUMBER, "not a valid number"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    """An E.164 number as people read it: national for the clinic's region, else international."""
    if not e164:
        return ""
    return _formatted(e164, settings.PERINATAL_DEFAULT_PHONE_REGION)


@register.filter
def phone(value: str) -> str:
    """``{{ patient.phone|phone }}``: ``format_phone`` in a template."""
    return format_phone(value or "")


# Parsing is slow next to everything else on a staff list of a few hundred rows; the answer
# depends only on the number and the home region.
@lru_cache(maxsize=4096)
def _formatted(e164: str, home_region: str) -> str:
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    region = phonenumbers.region_code_for_number(number)
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if region == home_region
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, fmt)


def clean_phone_field(raw: str) -> str:
    """A form's phone number as E.164, or a ValidationError in plain words."""
    from django import forms
    from django.utils.translation import gettext as _

    try:
        return normalise_phone(raw)
    except phonenumbers.NumberParseException:
        raise forms.ValidationError(
            _("That does not look like a phone number. Please check it, for example 617 555 0100.")
        ) from None
