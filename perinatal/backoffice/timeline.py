"""The chart's story: what every app says happened to a patient, newest first.

``entries_for(patient, user, limit)`` asks each timeline source (``backoffice.sources``), keeps
the entries the person may see, sorts them and keeps the newest ``limit``; ``chart.html`` writes
them (its ``timeline-entry`` partial). Each source runs a fixed number of queries.
"""

from perinatal.accounts.roles import capabilities
from perinatal.backoffice import sources
from perinatal.lib.backoffice import TimelineEntry


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
