"""The back office's date styles: one per kind of date, used by every staff page, the OB
letter and what the back office writes in Python (Django ``date`` formats, translated by the
active language):

- ``DAY``, a day: "4 Dec 2026" (a birth, a due date, when a letter was sent);
- ``TIME``, a time of day: "16:09" (24-hour, as clinical records write it);
- ``DAY_TIME``, when something happened: "4 Dec 2026, 16:09";
- ``APPOINTMENT``, when something is to happen, its weekday first: "Mon 7 Dec 2026, 09:00".

Templates use them as filters, built into every template (settings ``TEMPLATES``):
``{{ letter.sent_at|day }}``, ``{{ event.at|day_time }}``,
``{{ appointment.starts_at|appointment_time }}``, ``{{ slot.end|time_of_day }}``; add `` T``
after a time to show its zone where the page's zone is not the reader's. Python writes them with
``django.utils.dateformat.format(value, DAY)``.
"""

from django import template
from django.template.defaultfilters import date

DAY = "j M Y"
TIME = "H:i"
DAY_TIME = "j M Y, H:i"
APPOINTMENT = "D j M Y, H:i"

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
