"""What the patient record tells the apps above it, which keep rows of their own about her.

The record may not import those apps (it sits below them); they connect to these signals in
their ``ready()``.
"""

from django.dispatch import Signal

# A booking started a new record. Arguments: ``patient``, and ``appointment``, the booking with
# what she typed (read, never changed, by receivers).
started_from_booking = Signal()

# Sent inside a merge's transaction, both records locked, before the rows pointing at the merged
# record move to the kept one. Arguments: ``drop`` and ``keep``. A receiver settles the rows of
# its app that a patient may have only once and both records have (filling the kept one's gaps
# from the merged one's, as the merge does for the record's own fields), and returns the names
# of what it filled, for the merge's audit event. Rows still pointing at ``drop`` afterwards
# move with all the others.
merging = Signal()
