"""Dates written out the way each language writes them ("Wednesday 3 June 2026",
"miércoles 3 de junio de 2026"): the format strings are translated, once, here."""

from django import template
from django.utils import dateformat
from django.utils.translation import pgettext_lazy

register = template.Library()

FORMATS = {
    "full": pgettext_lazy("date format: weekday, day, month, year", "l j F Y"),
    "day": pgettext_lazy("date format: weekday, day, month", "l j F"),
    "short": pgettext_lazy("date format: day and month", "j F"),
    "brief": pgettext_lazy("date format: day and abbreviated month", "j M"),
}


@register.filter(expects_localtime=True)
def written(value, kind: str = "full") -> str:
    """``{{ when|written:"day" }}``, in the active time zone like Django's ``date`` filter."""
    if value in (None, ""):
        return ""
    return dateformat.format(value, str(FORMATS[kind]))
