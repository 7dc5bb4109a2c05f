"""What the infusion day tells the apps above it, which may not be imported from here.

They connect in their ``ready()``.
"""

from django.dispatch import Signal

# Sent inside the discharge's transaction, the session locked and saved. Argument: ``session``.
# A receiver that writes rows of its own (follow-up questionnaires) commits with the discharge
# or not at all.
discharged = Signal()
