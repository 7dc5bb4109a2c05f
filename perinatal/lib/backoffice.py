"""The shapes an app hands the back office: timeline entries, queue items and counts.

Each app offers plain functions returning these (its ``sources`` module), and
``perinatal.backoffice.sources`` names them all in one place. A source must run a fixed number
of queries, whatever the number of rows, and say which capability may see each entry it returns.

A queue source is called with a ``limit``: it returns every urgent item it has and, of each
other priority, the oldest ``limit``. The queue page merges them and still lists each group's
oldest first, without building items nobody will see. Its count says what to count for each kind
(a ``Tally``: the rows, one per item); the staff home and the queue count every tally they may
show in a single query that builds nothing.
The two must agree: ``tests.harness.assert_queue_counts_agree`` checks it.
"""

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from django.db import connection
from django.db.models import QuerySet


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
class Tally:
    """What to count for one kind (and priority) of a queue source: ``rows``, a queryset with
    one row per item."""

    kind: str
    priority: int
    capability: str
    rows: QuerySet


@dataclass(frozen=True)
class QueueCount:
    """How many items of one kind (and priority) a queue source has, limit or not."""

    kind: str
    priority: int
    capability: str
    count: int


URGENT, TO_CONFIRM, UNSIGNED_CONSENT, OB_LETTER, OTHER = range(5)


def count_all(tallies: list[Tally]) -> list[QueueCount]:
    """Count every tally in one query; kinds with nothing waiting are left out."""
    if not tallies:
        return []
    parts, params = [], []
    for number, tally in enumerate(tallies):
        sql, tally_params = tally.rows.order_by().query.sql_with_params()
        # Only SQL that Django compiled from a queryset, its parameters kept apart.
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS tally_{number})")  # noqa: S608
        params.extend(tally_params)
    with connection.cursor() as cursor:
        # Only SQL Django compiled from querysets, with their parameters kept apart.
        cursor.execute("SELECT " + ", ".join(parts), params)
        numbers = cursor.fetchone()
    return [
        QueueCount(tally.kind, tally.priority, tally.capability, count)
        for tally, count in zip(tallies, numbers, strict=True)
        if count
    ]
