"""The chart's timeline is written in Python (``entries_html``) for speed; it must say exactly
what the template's filters said: the time in the page's zone and language, every text escaped,
a detail's line breaks kept, and a link only where an entry has one."""

from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from perinatal.backoffice.timeline import entries_html
from perinatal.lib.backoffice import TimelineEntry

# What chart.html wrote for each entry before the list moved to Python, whitespace aside.
TEMPLATE = Template(
    "{% for entry in timeline %}<li>"
    '<time datetime="{{ entry.at|date:\'c\' }}">{{ entry.at|date:"j M Y, H:i" }}</time> '
    '<span class="badge">{{ entry.kind }}</span> '
    '{% if entry.url %}<a href="{{ entry.url }}">{{ entry.title }}</a>'
    "{% else %}{{ entry.title }}{% endif %}"
    '{% if entry.detail %}<div class="small muted">{{ entry.detail|linebreaksbr }}</div>'
    "{% endif %}</li>{% endfor %}"
)

ENTRIES = [
    TimelineEntry(
        at=datetime(2026, 3, 1, 4, 30, 15, 120_000, tzinfo=UTC),  # the evening before in Denver
        kind="letter",
        title='Letter to Dr <Okafor> & "partners"',
        capability="chart.clinical",
        detail="Dr Okafor's office:\nplease call <first>.\r\nThanks",
        url="/staff/letters/7/?a=1&b=2",
    ),
    TimelineEntry(
        at=datetime(2026, 12, 31, 23, 5, tzinfo=UTC),
        kind="screen",
        title="EPDS screen: 14",
        capability="chart.clinical",
    ),
]


@pytest.mark.parametrize(
    ("zone", "language"), [("America/Denver", "en"), ("Asia/Kolkata", "es"), ("UTC", "en")]
)
def test_the_timeline_reads_as_the_template_wrote_it(zone, language):
    with timezone.override(zone), translation.override(language):
        expected = TEMPLATE.render(Context({"timeline": ENTRIES}))
        written = entries_html(ENTRIES)

    assert written == expected
    assert "&lt;Okafor&gt; &amp; &quot;partners&quot;" in written
    assert "<br>please call &lt;first&gt;.<br>Thanks" in written


def test_a_timeline_time_is_in_the_page_zone():
    with timezone.override("America/Denver"), translation.override("en"):
        written = entries_html(ENTRIES[:1])

    assert '<time datetime="2026-02-28T21:30:15.120000-07:00">28 Feb 2026, 21:30</time>' in written
