"""Everything the back office asks the other apps, in one place.

The chart's timeline, the work queue and the staff home know nothing of consultations, consents
or letters: each app offers plain functions in its own ``sources`` module, and this file names
them. To add an app's entries, write its functions and list them here.

- a timeline source is ``function(patient, limit) -> [TimelineEntry]``: at least her newest
  ``limit`` entries (all when ``limit`` is None), in a fixed number of queries;
- a queue source is ``function(limit) -> [QueueItem]``: every urgent item and, of each other
  priority, the oldest ``limit``;
- a count is ``function() -> [QueueCount]``: how many items of each kind the queue source
  lists without a limit (the two must agree), in a fixed number of queries; a count of kinds
  whose every item is urgent is named in ``URGENT_COUNTS`` too;
- ``KIND_NAMES`` says how the staff home and the queue name each kind;
- a chart section is ``function(patient, staff_can) -> dict | None``: the context of the app's
  panel on the chart (its template, named beside it in ``CHART``), None for nothing to show.
Each entry and item says which capability may see it.
"""

from perinatal.booking import sources as booking
from perinatal.consents import sources as consents
from perinatal.consult import sources as consult
from perinatal.followup import sources as followup
from perinatal.infusion import sources as infusion
from perinatal.obcare import sources as obcare
from perinatal.pathway import sources as pathway
from perinatal.patients import sources as patients
from perinatal.plans import sources as plans
from perinatal.screening import sources as screening

TIMELINE = (
    screening.screens,
    screening.callbacks,
    booking.appointments,
    booking.messages,
    consult.consultation_timeline,
    consents.consent_events,
    obcare.letter_timeline,
    plans.plans,
    infusion.infusion_days,
)

QUEUE = (
    screening.callback_requests,
    infusion.next_day_queue,
    followup.follow_up_queue,
    pathway.flagged,
    booking.urgent_bookings,
    booking.bookings_to_confirm,
    booking.possible_duplicate_bookings,
    patients.possible_duplicates,
    consult.unsigned_notes,
    consents.unsigned_consents,
    obcare.letter_queue,
    plans.infusions_to_book,
)

COUNTS = (
    screening.callback_counts,
    infusion.next_day_counts,
    followup.follow_up_counts,
    pathway.flagged_counts,
    booking.urgent_booking_counts,
    booking.booking_counts,
    booking.duplicate_booking_counts,
    patients.duplicate_counts,
    consult.unsigned_note_counts,
    consents.unsigned_consent_counts,
    obcare.letter_counts,
    plans.infusion_counts,
)

# The counts of kinds whose every item is urgent. The queue lists every urgent item, so it
# counts them from its items and does not ask these; the staff home does.
URGENT_COUNTS = (pathway.flagged_counts, booking.urgent_booking_counts)

KIND_NAMES = {
    **screening.KIND_NAMES,
    **booking.KIND_NAMES,
    **patients.KIND_NAMES,
    **consult.KIND_NAMES,
    **consents.KIND_NAMES,
    **obcare.KIND_NAMES,
    **plans.KIND_NAMES,
    **pathway.KIND_NAMES,
    **infusion.KIND_NAMES,
    **followup.KIND_NAMES,
}

# The chart's panels, in the order they show: (template, function).
CHART = (
    ("consult/_chart_actions.html", consult.chart_section),
    ("consents/_chart_actions.html", consents.chart_section),
    ("obcare/_chart_actions.html", obcare.chart_section),
    ("plans/_chart_actions.html", plans.chart_section),
    ("infusion/_chart_section.html", infusion.chart_section),
    ("followup/_chart_section.html", followup.chart_section),
)
