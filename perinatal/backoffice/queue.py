"""The work queue: everything waiting for someone, most pressing first.

``items_for(user, limit)`` asks every queue source (``perinatal.backoffice.sources``), keeps
what the person may see, and sorts by (priority, time); ``counts_for(user)`` asks every count,
for the staff home's summary and the queue's group totals.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from html import escape

from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

from perinatal.accounts.roles import capabilities
from perinatal.backoffice import sources
from perinatal.lib.backoffice import URGENT, QueueCount, QueueItem
from perinatal.lib.dates import (
    month_abbreviations,
    weekday_abbreviations,
    weekday_day_month_time,
)

# "Show all" lists at most this many of each priority from each source; a queue longer than
# that is a staffing problem the counts show, and the page stays fast.
SOURCE_LIMIT = 200

# How the queue page shows an item's badges, and what it says under a call-back that this
# person may see but not open.
BADGE_CLASSES = {"urgent": "badge urgent", "to confirm": "badge warn", "cancelled": "badge warn"}
CALL_BACK_HINT = "Pass this to a nurse or clinician to call back."


def items_for(user, limit: int = SOURCE_LIMIT) -> list[QueueItem]:
    """What this person may see, most pressing first; links they may not follow removed.

    Every urgent item, and of each other priority at most ``limit`` per source, oldest first.
    """
    allowed = capabilities(user)
    items = [
        item if (item.link_capability or item.capability) in allowed else replace(item, url="")
        for source in sources.QUEUE
        for item in source(limit)
        if item.capability in allowed
    ]
    items.sort(key=lambda item: (item.priority, item.at))
    return items


def counts_for(user) -> list[QueueCount]:
    """How many items of each kind this person may see, most pressing kinds first; kinds with
    nothing waiting are left out. One query per count function."""
    allowed = capabilities(user)
    counts = [
        count
        for counter in sources.COUNTS
        for count in counter()
        if count.count and count.capability in allowed
    ]
    counts.sort(key=lambda count: count.priority)
    return counts


def summary(counts: list[QueueCount]) -> list[tuple[str, int, bool]]:
    """(label, count, urgent) per kind, in queue order."""
    totals, urgent = defaultdict(int), set()
    for count in counts:
        totals[count.kind] += count.count
        if count.priority == URGENT:
            urgent.add(count.kind)
    return [
        (sources.KIND_NAMES.get(kind, kind), total, kind in urgent)
        for kind, total in totals.items()
    ]


def totals_by_priority(counts: list[QueueCount]) -> dict[int, int]:
    totals = defaultdict(int)
    for count in counts:
        totals[count.priority] += count.count
    return dict(totals)


def items_html(items: list[QueueItem], chart_link: Callable[[int], str] | None) -> SafeString:
    """The items as the queue page's list items, in the order given.

    Written here rather than in the template, as the chart's timeline is: a long queue's rows,
    each with a time to format and a chart to link, were most of the page's template time. The
    time is in the page's zone, written as ``date:"D j M, H:i"`` writes it; every text is
    escaped. ``chart_link`` (from ``perinatal.lib.links.linker``) is given to people who may open
    her chart, None for the rest.
    """
    zone = timezone.get_current_timezone()
    weekdays, months = weekday_abbreviations(), month_abbreviations()
    rows = []
    for item in items:
        at = item.at.astimezone(zone)
        title = conditional_escape(item.title)
        name = (
            f'<a href="{conditional_escape(item.url)}">{title}</a>'
            if item.url
            else f"<strong>{title}</strong>"
        )
        badges = "".join(
            f'<span class="{BADGE_CLASSES.get(badge, "badge")}">{escape(badge)}</span> '
            for badge in item.badges
        )
        extra = f'<div class="small">{conditional_escape(item.detail)}</div>' if item.detail else ""
        if not item.url and item.kind == "callback":
            extra += f'<div class="small muted">{CALL_BACK_HINT}</div>'
        if chart_link and item.patient_public_id:
            extra += (
                f'<div class="small"><a href="{chart_link(item.patient_public_id)}">Her chart'
                f'<span class="visually-hidden">: {title}</span></a></div>'
            )
        opening = '<li class="urgent">' if item.priority == URGENT else "<li>"
        rows.append(
            f'{opening}<div class="spread"><span>{name} {badges}</span>'
            f'<time class="small muted" datetime="{at.isoformat()}">'
            f"{weekday_day_month_time(at, weekdays, months)}</time></div>{extra}</li>"
        )
    return SafeString("".join(rows))
