"""The back office's date styles, and dates written as they write them, for pages that list many.

One style per kind of date, named here and used by every staff page, the OB letter and what
the back office writes in Python (Django ``date`` formats, translated by the active language):

- ``DAY``, a day: "4 Dec 2026" (a birth, a due date, when a letter was sent);
- ``TIME``, a time of day: "16:09" (24-hour, as clinical records write it);
- ``DAY_TIME``, when something happened: "4 Dec 2026, 16:09";
- ``APPOINTMENT``, when something is to happen, its weekday first: "Mon 7 Dec 2026, 09:00".

Templates use the filters ``day``, ``day_time``, ``appointment_time`` and ``time_of_day``
(``perinatal.lib.datestyles``, built into every template); add `` T`` after a time to show its
zone where the page's zone is not the reader's.

A chart lists dozens of timeline entries and hundreds of score results, and the work queue
dozens of items. Django's ``date`` filter goes through ``dateformat`` and the active locale's
formats for every one; these helpers look the month names up once per language and write the
same text with an f-string.
"""

from datetime import datetime
from functools import cache

from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
from django.utils.translation import get_language

DAY = "j M Y"
TIME = "H:i"
DAY_TIME = "j M Y, H:i"
APPOINTMENT = "D j M Y, H:i"


@cache
def _month_abbreviations(language: str) -> tuple[str, ...]:
    # str() translates in the active language, which is the one the cache is keyed on.
    return ("", *(str(MONTHS_3[number]).title() for number in range(1, 13)))


@cache
def _weekday_abbreviations(language: str) -> tuple[str, ...]:
    return tuple(str(WEEKDAYS_ABBR[number]) for number in range(7))


def month_abbreviations() -> tuple[str, ...]:
    """Month abbreviations in the active language, by month number ("Jan" is 1)."""
    return _month_abbreviations(get_language())


def weekday_abbreviations() -> tuple[str, ...]:
    """Weekday abbreviations in the active language, by ``weekday()`` ("Mon" is 0)."""
    return _weekday_abbreviations(get_language())


def day_month_year(local: datetime, months: tuple[str, ...]) -> str:
    """ "3 Mar 2026", as ``date:"j M Y"`` writes it."""
    return f"{local.day} {months[local.month]} {local.year}"


def day_month_year_time(local: datetime, months: tuple[str, ...]) -> str:
    """ "3 Mar 2026, 09:05", as ``date:"j M Y, H:i"`` writes it."""
    return f"{day_month_year(local, months)}, {local:%H:%M}"


def weekday_day_month_time(
    local: datetime, weekdays: tuple[str, ...], months: tuple[str, ...]
) -> str:
    """ "Tue 3 Mar, 09:05", as ``date:"D j M, H:i"`` writes it."""
    return f"{weekdays[local.weekday()]} {local.day} {months[local.month]}, {local:%H:%M}"
