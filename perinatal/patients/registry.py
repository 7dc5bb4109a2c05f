"""How the chart and the work queue learn about records other apps keep.

The patients app knows nothing of consultations, consents or letters. Each app registers a
timeline source (what happened to this patient) and a queue source (what needs doing), and the
chart and the queue ask them all. A source must run a fixed number of queries, whatever the
number of rows, and say which capability may see each entry it returns.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # screen, appointment, message, note, consent, letter, plan, callback …
    title: str
    capability: str  # who may see this entry at all
    detail: str = ""
    url: str = ""


@dataclass(frozen=True)
class QueueItem:
    """One thing to do. Lower ``priority`` comes first; urgent safety items are 0."""

    priority: int
    at: datetime
    kind: str
    title: str
    capability: str
    url: str = ""
    patient_id: int | None = None
    detail: str = ""
    badges: tuple[str, ...] = field(default=())
    # Who may follow ``url``, when fewer people may than see the item (front desk sees an
    # urgent call-back waiting but only clinical staff open it). Empty: the same as capability.
    link_capability: str = ""


URGENT, TO_CONFIRM, UNSIGNED_CONSENT, OB_LETTER, OTHER = range(5)

_timeline: list[Callable[[object], Iterable[TimelineEntry]]] = []
_queue: list[Callable[[], Iterable[QueueItem]]] = []


def timeline_source(function):
    """Register ``function(patient) -> entries``."""
    _timeline.append(function)
    return function


def queue_source(function):
    """Register ``function() -> items`` (all open items; the queue filters by capability)."""
    _queue.append(function)
    return function


def timeline_sources():
    return list(_timeline)


def queue_sources():
    return list(_queue)
