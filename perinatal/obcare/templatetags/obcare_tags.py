from django import template

from perinatal.lib.phones import format_phone

register = template.Library()


@register.filter
def phone(value: str) -> str:
    """An E.164 number as people read it (national format in the clinic's own country)."""
    return format_phone(value or "")
