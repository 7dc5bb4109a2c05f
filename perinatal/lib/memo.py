"""Rows a page reads twice, read once.

The chart asks each app twice about the same patient: once for its timeline entries, once for
its panel of next steps. ``once(patient, key, load)`` keeps what ``load()`` returned on that
patient object, which lives for one request, so the second asker gets the same rows without a
query. Use it only where both askers read and nothing on the page writes in between.
"""


def once(obj, key: str, load):
    kept = obj.__dict__.setdefault("_read_once", {})
    if key not in kept:
        kept[key] = load()
    return kept[key]
