"""The audit log's hash chain: each event's digest is SHA-256 over the previous event's digest
and the event's own content, so changing, removing or moving a row breaks every link after it.

Migration 0003 imports this module to seal the rows written before the chain existed, and every
stored digest was made by it: its output must never change. A new format needs a new function
and a way to tell rows of the two formats apart.
"""

import hashlib
import json
from datetime import UTC

# The first event chains to this.
GENESIS = "0" * 64
# The content of an event, in the order it is hashed. The id is left out: it is given by the
# database after the digest is made, and the chain itself fixes each row's place.
FIELDS = (
    "at",
    "actor_id",
    "actor_label",
    "role",
    "action",
    "model",
    "object_id",
    "patient_id",
    "ip",
    "request_id",
    "path",
    "detail",
)


def link(previous: str, content: dict) -> str:
    """The digest of an event with ``content`` (``FIELDS``, as the database gives them back)
    following the event whose digest is ``previous``."""
    values = [_canonical(name, content[name]) for name in FIELDS]
    body = json.dumps([previous, *values], separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()


def _canonical(name: str, value):
    if value is None:
        return None
    if name == "at":
        # Microseconds always, in UTC: both databases keep them, and isoformat() drops zeros.
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    if name in ("actor_id", "patient_id"):
        return int(value)
    if name == "detail":
        # As the JSON column gives it back: tuples become lists, number keys strings (and the
        # keys sorted, as PostgreSQL's jsonb reorders them).
        return json.loads(json.dumps(value))
    return str(value)
