"""The chart's story: what every app says happened to a patient, newest first.

``entries_for(patient, user, limit)`` asks each registered timeline source, keeps the entries
the person may see, sorts them and keeps the newest ``limit``. This module also registers the
sources this app and the apps without a back office of their own (booking, screening, notify)
contribute: screens, appointments, call-backs and the emails sent to her. Each source runs a
fixed number of queries.
"""

from html import escape

from django.template.defaultfilters import linebreaksbr
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

from perinatal.accounts.roles import capabilities
from perinatal.backoffice import sources
from perinatal.lib.backoffice import TimelineEntry
from perinatal.lib.dates import day_month_year_time, month_abbreviations


def entries_for(patient, user, limit: int | None = None) -> tuple[list[TimelineEntry], bool]:
    """Her newest ``limit`` entries this person may see (all when None), and whether there are
    older ones."""
    allowed = capabilities(user)
    # One more than is shown, from each source, tells whether anything older exists.
    wanted = None if limit is None else limit + 1
    entries = [
        entry
        for source in sources.TIMELINE
        for entry in source(patient, wanted)
        if entry.capability in allowed
    ]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit], limit is not None and len(entries) > limit


def entries_html(entries: list[TimelineEntry]) -> SafeString:
    """The entries as the chart's list items, newest first as given.

    Written here rather than in the template: forty entries with two date filters each were
    about a third of the chart's template time. Times are in the page's zone, as the date
    filter shows them; every piece of text is escaped, and a detail's line breaks kept.
    """
    zone, months = timezone.get_current_timezone(), month_abbreviations()
    items = []
    for entry in entries:
        at = entry.at.astimezone(zone)
        title = conditional_escape(entry.title)
        if entry.url:
            title = f'<a href="{conditional_escape(entry.url)}">{title}</a>'
        detail = (
            f'<div class="small muted">{linebreaksbr(entry.detail, autoescape=True)}</div>'
            if entry.detail
            else ""
        )
        items.append(
            f'<li><time datetime="{at.isoformat()}">{day_month_year_time(at, months)}</time> '
            f'<span class="badge">{escape(entry.kind)}</span> {title}{detail}</li>'
        )
    return SafeString("".join(items))
