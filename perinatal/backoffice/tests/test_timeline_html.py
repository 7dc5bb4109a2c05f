"""The chart's timeline entry (the ``timeline-entry`` partial of ``chart.html``): the time in the
page's zone, every text escaped, a detail's line breaks kept, and a link only where an entry has
one."""

from datetime import UTC, datetime

from django.template.loader import render_to_string
from django.utils import timezone, translation

from perinatal.lib.backoffice import TimelineEntry

LETTER = TimelineEntry(
    at=datetime(2026, 3, 1, 4, 30, 15, 120_000, tzinfo=UTC),  # the evening before in Denver
    kind="letter",
    title='Letter to Dr <Okafor> & "partners"',
    capability="chart.clinical",
    detail="Dr Okafor's office:\nplease call <first>.\r\nThanks",
    url="/staff/letters/7/?a=1&b=2",
)
SCREEN = TimelineEntry(
    at=datetime(2026, 12, 31, 23, 5, tzinfo=UTC),
    kind="screen",
    title="EPDS screen: 14",
    capability="chart.clinical",
)


def entry_html(entry: TimelineEntry, zone: str = "UTC") -> str:
    with timezone.override(zone), translation.override("en"):
        return render_to_string("backoffice/chart.html#timeline-entry", {"entry": entry})


def test_every_text_is_escaped_and_line_breaks_are_kept():
    written = entry_html(LETTER)

    assert "&lt;Okafor&gt; &amp; &quot;partners&quot;" in written
    assert "<br>please call &lt;first&gt;.<br>Thanks" in written
    assert '<a href="/staff/letters/7/?a=1&amp;b=2">' in written


def test_an_entry_without_a_page_has_no_link():
    written = entry_html(SCREEN)

    assert "<a " not in written
    assert "EPDS screen: 14" in written


def test_a_timeline_time_is_in_the_page_zone():
    written = entry_html(LETTER, "America/Denver")

    assert '<time datetime="2026-02-28T21:30:15.120000-07:00">28 Feb 2026, 21:30</time>' in written
