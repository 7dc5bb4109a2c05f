"""The work queue: everything waiting for someone, most pressing first.

``items_for(user, limit)`` asks every queue source (``perinatal.backoffice.sources``), keeps
what the person may see, and sorts by (priority, time); ``counts_for(user)`` asks every count,
for the staff home's summary and the queue's group totals (the queue counts its urgent items
itself: they are never cut).
"""

from collections import defaultdict
from dataclasses import replace

from perinatal.accounts.roles import capabilities
from perinatal.backoffice import sources
from perinatal.lib.backoffice import URGENT, QueueCount, QueueItem

# "Show all" lists at most this many of each priority from each source; a queue longer than
# that is a staffing problem the counts show, and the page stays fast.
SOURCE_LIMIT = 200


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


def counts_for(user, *, urgent_kinds: bool = True) -> list[QueueCount]:
    """How many items of each kind this person may see, most pressing kinds first; kinds with
    nothing waiting are left out. One query per count function.

    Without ``urgent_kinds``, the counts of kinds whose every item is urgent
    (``sources.URGENT_COUNTS``) are not asked: the queue lists those in full and counts them
    itself, and one of them (infusions that may not start) is as costly as its list.
    """
    allowed = capabilities(user)
    counters = [c for c in sources.COUNTS if urgent_kinds or c not in sources.URGENT_COUNTS]
    counts = [
        count
        for counter in counters
        for count in counter()
        if count.count and count.capability in allowed
    ]
    counts.sort(key=lambda count: count.priority)
    return counts


def summary(counts: list[QueueCount]) -> list[tuple[str, int, bool]]:
    """(label, count, urgent) per kind, in queue order."""
    totals: defaultdict[str, int] = defaultdict(int)
    urgent = set()
    for count in counts:
        totals[count.kind] += count.count
        if count.priority == URGENT:
            urgent.add(count.kind)
    return [
        (sources.KIND_NAMES.get(kind, kind), total, kind in urgent)
        for kind, total in totals.items()
    ]


def totals_by_priority(counts: list[QueueCount]) -> dict[int, int]:
    totals: defaultdict[int, int] = defaultdict(int)
    for count in counts:
        totals[count.priority] += count.count
    return dict(totals)
