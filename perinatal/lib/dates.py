"""Dates written with an f-string, for the chart's timeline and score rows until they are
rendered by templates; everything else uses the styles in ``perinatal.lib.datestyles``."""

from datetime import datetime
from functools import cache

from django.utils.dates import MONTHS_3
from django.utils.translation import get_language


@cache
def _month_abbreviations(language: str) -> tuple[str, ...]:
    # str() translates in the active language, which is the one the cache is keyed on.
    return ("", *(str(MONTHS_3[number]).title() for number in range(1, 13)))


def month_abbreviations() -> tuple[str, ...]:
    """Month abbreviations in the active language, by month number ("Jan" is 1)."""
    return _month_abbreviations(get_language())


def day_month_year(local: datetime, months: tuple[str, ...]) -> str:
    """ "3 Mar 2026", as ``date:"j M Y"`` writes it."""
    return f"{local.day} {months[local.month]} {local.year}"


def day_month_year_time(local: datetime, months: tuple[str, ...]) -> str:
    """ "3 Mar 2026, 09:05", as ``date:"j M Y, H:i"`` writes it."""
    return f"{day_month_year(local, months)}, {local:%H:%M}"
