from django import template

from perinatal.lib.phones import format_phone

register = template.Library()


@register.filter
def phone(value: str) -> str:
    """An E.164 number as staff read it: national for the clinic's region, else international."""
    return format_phone(value or "")
