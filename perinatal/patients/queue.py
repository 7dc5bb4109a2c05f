"""The work queue: everything waiting for someone, most pressing first.

``items_for(user)`` asks every registered queue source, keeps what the person may see, and
sorts by (priority, time). This module registers the sources for what arrives from the public
side: call-back requests, bookings to confirm (urgent ones first) and possible duplicates.

Safety items are shown to everyone who sees the queue, front desk included, so that an urgent
call-back can never wait unseen; they say that it is urgent, never what she answered.
"""

from collections import Counter
from dataclasses import replace
from zoneinfo import ZoneInfo

from django.urls import reverse

from perinatal.accounts.roles import Can, capabilities
from perinatal.booking.models import Appointment
from perinatal.lib.phones import format_phone
from perinatal.patients.models import MergeSuggestion
from perinatal.patients.registry import (
    OTHER,
    TO_CONFIRM,
    URGENT,
    QueueItem,
    queue_source,
    queue_sources,
)
from perinatal.screening.models import CallbackRequest

# A source lists at most this many items; a queue longer than that is a staffing problem the
# summary's counts show, and the page stays fast.
SOURCE_LIMIT = 200

KIND_LABELS = {
    "callback": "Call-back requests",
    "urgent_booking": "Urgent bookings to confirm",
    "booking": "New bookings to confirm",
    "merge": "Possible duplicate records",
}


def items_for(user) -> list[QueueItem]:
    """What this person may see, most pressing first; links they may not follow removed."""
    allowed = capabilities(user)
    items = [
        item if (item.link_capability or item.capability) in allowed else replace(item, url="")
        for source in queue_sources()
        for item in source()
        if item.capability in allowed
    ]
    items.sort(key=lambda item: (item.priority, item.at))
    return items


def summary(items: list[QueueItem]) -> list[tuple[str, int, bool]]:
    """(label, count, urgent) per kind, in queue order."""
    counts = Counter(item.kind for item in items)
    urgent = {item.kind for item in items if item.priority == URGENT}
    seen, rows = set(), []
    for item in items:
        if item.kind not in seen:
            seen.add(item.kind)
            label = KIND_LABELS.get(item.kind, item.kind.replace("_", " ").capitalize())
            rows.append((label, counts[item.kind], item.kind in urgent))
    return rows


@queue_source
def callback_requests() -> list[QueueItem]:
    open_requests = CallbackRequest.objects.filter(
        status__in=[CallbackRequest.Status.NEW, CallbackRequest.Status.CALLING]
    ).urgent_first()[:SOURCE_LIMIT]
    return [
        QueueItem(
            priority=URGENT if callback.urgent else TO_CONFIRM,
            at=callback.created_at,
            kind="callback",
            title=f"{'Urgent call-back' if callback.urgent else 'Call-back'}: "
            f"{callback.first_name}",
            detail=format_phone(callback.phone),
            capability=Can.SEE_QUEUE,
            link_capability=Can.HANDLE_CALLBACKS,
            url=reverse("patients:callback", args=[callback.pk]),
            patient_id=callback.patient_id,
            badges=_callback_badges(callback),
        )
        for callback in open_requests
    ]


def _callback_badges(callback) -> tuple[str, ...]:
    badges = ["urgent"] if callback.urgent else []
    if callback.status == CallbackRequest.Status.CALLING:
        badges.append("being called")
    return tuple(badges)


@queue_source
def bookings_to_confirm() -> list[QueueItem]:
    """New bookings nobody has checked yet; those whose screen flagged self-harm are urgent."""
    waiting = (
        Appointment.objects.booked()
        .filter(confirmed_at__isnull=True)
        .order_by("-urgent", "created_at")
        .only("name", "type_name", "starts_at", "time_zone", "urgent", "created_at", "patient_id")
    )[:SOURCE_LIMIT]
    return [
        QueueItem(
            priority=URGENT if appointment.urgent else TO_CONFIRM,
            at=appointment.created_at,
            kind="urgent_booking" if appointment.urgent else "booking",
            title=f"{'Urgent booking' if appointment.urgent else 'New booking'}: "
            f"{appointment.name}",
            detail=f"{appointment.type_name}, {_local(appointment)}",
            capability=Can.SEE_QUEUE,
            link_capability=Can.SEE_SCHEDULE,
            url=reverse("schedule:appointment", args=[appointment.pk]),
            patient_id=appointment.patient_id,
            badges=("urgent", "to confirm") if appointment.urgent else ("to confirm",),
        )
        for appointment in waiting
    ]


@queue_source
def possible_duplicates() -> list[QueueItem]:
    suggestions = (
        MergeSuggestion.objects.filter(status=MergeSuggestion.Status.OPEN)
        .select_related("patient", "candidate")
        .order_by("created_at")
    )[:SOURCE_LIMIT]
    return [
        QueueItem(
            priority=OTHER,
            at=suggestion.created_at,
            kind="merge",
            title=f"Possible duplicate: {suggestion.patient.name} and {suggestion.candidate.name}",
            detail=f"Same {suggestion.reason}",
            capability=Can.MERGE_PATIENTS,
            url=reverse("patients:merge", args=[suggestion.pk]),
            patient_id=suggestion.patient_id,
        )
        for suggestion in suggestions
    ]


def _local(appointment) -> str:
    when = appointment.starts_at.astimezone(ZoneInfo(appointment.time_zone))
    return f"{when:%a %d %b %Y %H:%M} {when.tzname()}"
