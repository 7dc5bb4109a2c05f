"""The back office's date styles as template filters, built into every template (settings
``TEMPLATES``): ``{{ letter.sent_at|day }}``, ``{{ event.at|day_time }}``,
``{{ appointment.starts_at|appointment_time }}``, ``{{ slot.end|time_of_day }}``. Each is
Django's ``date`` filter with one of the formats named in ``perinatal.lib.dates``."""

from django import template
from django.template.defaultfilters import date

from perinatal.lib.dates import APPOINTMENT, DAY, DAY_TIME, TIME

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def day(value):
    """ "4 Dec 2026"."""
    return date(value, DAY)


@register.filter(expects_localtime=True, is_safe=False)
def day_time(value):
    """ "4 Dec 2026, 16:09"."""
    return date(value, DAY_TIME)


@register.filter(expects_localtime=True, is_safe=False)
def appointment_time(value):
    """ "Mon 7 Dec 2026, 09:00"."""
    return date(value, APPOINTMENT)


@register.filter(expects_localtime=True, is_safe=False)
def time_of_day(value):
    """ "16:09"."""
    return date(value, TIME)
