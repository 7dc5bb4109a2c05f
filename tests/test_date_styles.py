"""Dates on the back office's pages and in the OB letter: one style per kind of date
(``perinatal.lib.datestyles``), never a format made up on the spot, so a screen does not show
"4 Dec 2026", "December 4, 2026" and "Dec. 4, 2026" side by side, nor "4:09 p.m.." at the end of
a sentence."""

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import timezone, translation

TEMPLATES = Path(settings.BASE_DIR) / "perinatal" / "templates"
# The staff pages, what they include, and the OB's pages (the letter and the answer form).
STAFF_TEMPLATES = sorted(
    {
        *(TEMPLATES / "backoffice").glob("*.html"),
        *(TEMPLATES / "schedule").glob("*.html"),
        *(TEMPLATES / "plans").glob("*.html"),
        *(TEMPLATES / "obcare").glob("*.html"),
        *(TEMPLATES / "consult").glob("*.html"),
        *(TEMPLATES / "accounts").glob("*.html"),
        *(TEMPLATES / "staff").glob("*.html"),
        *(TEMPLATES / "consents").glob("_chart_*.html"),
        *(TEMPLATES / "consents").glob("patient.html"),
        *(TEMPLATES / "consents").glob("withdraw.html"),
        *(TEMPLATES / "consents").glob("printable.html"),
        *(TEMPLATES / "consents").glob("_signed.html"),  # printed by staff too
    }
)
# Formats for machines, not readers: ISO dates in attributes and addresses, and a zone's name.
MACHINE_FORMATS = {"c", "Y-m-d", "H:i", r"Y-m-d\TH:i:s\Z", "T"}
DATE_FILTER = re.compile(r"""\|(?:date|time)(?!\w)(?::(?:"([^"]*)"|'([^']*)'))?""")


@pytest.mark.parametrize("path", STAFF_TEMPLATES, ids=lambda path: str(path.relative_to(TEMPLATES)))
def test_staff_templates_write_dates_in_the_named_styles(path):
    made_up = [
        match.group(0)
        for match in DATE_FILTER.finditer(path.read_text(encoding="utf-8"))
        if (match.group(1) or match.group(2) or "") not in MACHINE_FORMATS
    ]
    assert made_up == [], f"use day, day_time, appointment_time or time_of_day: {made_up}"


def render(source: str, value) -> str:
    return Template(source).render(Context({"value": value}))


def test_the_styles_read_the_same_everywhere():
    moment = datetime(2026, 12, 7, 21, 9, tzinfo=UTC)  # 16:09 in New York
    with timezone.override("America/New_York"), translation.override("en"):
        assert render("{{ value|day }}", moment) == "7 Dec 2026"
        assert render("{{ value|day_time }}", moment) == "7 Dec 2026, 16:09"
        assert render("{{ value|appointment_time }}", moment) == "Mon 7 Dec 2026, 16:09"
        assert render("{{ value|time_of_day }}.", moment) == "16:09."
        assert render("{{ value|day }}", moment.date()) == "7 Dec 2026"
    with timezone.override("America/New_York"), translation.override("es"):
        assert render("{{ value|day }}", moment) == "7 Dic 2026"
