"""The shapes an app hands the back office: timeline entries, queue items and counts.

Each app offers plain functions returning these (its ``sources`` module), and
``perinatal.backoffice.sources`` names them all in one place. A source must run a fixed number
of queries, whatever the number of rows, and say which capability may see each entry it returns.

A queue source is called with a ``limit``: it returns every urgent item it has and, of each
other priority, the oldest ``limit``. The queue page merges them and still lists each group's
oldest first, without building items nobody will see. Its count function says how many items of
each kind it has, limit or not (``QueueCount``s), counted by the database in one query where it
can, for the staff home's summary and the queue's totals.
The two must agree: ``assert_queue_counts_agree`` in the test harness checks it.
"""

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID


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
    patient_public_id: UUID | None = None  # her chart, for those who may open it
    detail: str = ""
    badges: tuple[str, ...] = field(default=())
    # Who may follow ``url``, when fewer people may than see the item (front desk sees an
    # urgent call-back waiting but only clinical staff open it). Empty: the same as capability.
    link_capability: str = ""


@dataclass(frozen=True)
class QueueCount:
    """How many items of one kind (and priority) a queue source has, limit or not."""

    kind: str
    priority: int
    capability: str
    count: int


URGENT, TO_CONFIRM, UNSIGNED_CONSENT, OB_LETTER, OTHER = range(5)
