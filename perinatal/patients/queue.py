"""The work queue: everything waiting for someone, most pressing first.

``items_for(user, limit)`` asks every registered queue source, keeps what the person may see,
and sorts by (priority, time); ``counts_for(user)`` asks every registered count, for the staff
home's summary and the queue's group totals. This module registers the sources and counts for
what arrives from the public side: call-back requests, bookings whose screen flagged self-harm
(until a clinician closes the flag, whatever became of the booking), bookings to confirm and
possible duplicates.

Safety items are shown to everyone who sees the queue, front desk included, so that an urgent
call-back can never wait unseen; they say that it is urgent, never what she answered.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from html import escape
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Q
from django.utils import dateformat, timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from perinatal.accounts.roles import Can, capabilities
from perinatal.booking.models import Appointment
from perinatal.lib.dates import (
    APPOINTMENT,
    month_abbreviations,
    weekday_abbreviations,
    weekday_day_month_time,
)
from perinatal.lib.links import linker
from perinatal.lib.phones import format_phone
from perinatal.patients.models import MergeSuggestion
from perinatal.patients.registry import (
    OTHER,
    TO_CONFIRM,
    URGENT,
    QueueCount,
    QueueItem,
    Tally,
    count_all,
    name_queue_kinds,
    queue_count,
    queue_counts,
    queue_kind_name,
    queue_source,
    queue_sources,
)
from perinatal.screening.models import CallbackRequest

# "Show all" lists at most this many of each priority from each source; a queue longer than
# that is a staffing problem the counts show, and the page stays fast.
SOURCE_LIMIT = 200

name_queue_kinds(
    callback="Call-back requests",
    urgent_booking="Urgent bookings",
    booking="New bookings to confirm",
    duplicate_booking="Possible duplicate bookings",
    merge="Possible duplicate records",
)

# How the queue page shows an item's badges, and what it says under a call-back that this
# person may see but not open.
BADGE_CLASSES = {"urgent": "badge urgent", "to confirm": "badge warn", "cancelled": "badge warn"}
DUPLICATE_BADGES = ("to confirm", "possible duplicate")
CALL_BACK_HINT = "Pass this to a nurse or clinician to call back."


def items_for(user, limit: int = SOURCE_LIMIT) -> list[QueueItem]:
    """What this person may see, most pressing first; links they may not follow removed.

    Every urgent item, and of each other priority at most ``limit`` per source, oldest first.
    """
    allowed = capabilities(user)
    items = [
        item if (item.link_capability or item.capability) in allowed else replace(item, url="")
        for source in queue_sources()
        for item in source(limit)
        if item.capability in allowed
    ]
    items.sort(key=lambda item: (item.priority, item.at))
    return items


def counts_for(user) -> list[QueueCount]:
    """How many items of each kind this person may see, most pressing kinds first: one query."""
    allowed = capabilities(user)
    tallies = [
        tally for counter in queue_counts() for tally in counter() if tally.capability in allowed
    ]
    counts = count_all(tallies)
    counts.sort(key=lambda count: count.priority)
    return counts


def summary(counts: list[QueueCount]) -> list[tuple[str, int, bool]]:
    """(label, count, urgent) per kind, in queue order."""
    totals, urgent = defaultdict(int), set()
    for count in counts:
        totals[count.kind] += count.count
        if count.priority == URGENT:
            urgent.add(count.kind)
    return [(queue_kind_name(kind), total, kind in urgent) for kind, total in totals.items()]


def totals_by_priority(counts: list[QueueCount]) -> dict[int, int]:
    totals = defaultdict(int)
    for count in counts:
        totals[count.priority] += count.count
    return dict(totals)


def items_html(items: list[QueueItem], chart_link: Callable[[int], str] | None) -> SafeString:
    """The items as the queue page's list items, in the order given.

    Written here rather than in the template, as the chart's timeline is: a long queue's rows,
    each with a time to format and a chart to link, were most of the page's template time. The
    time is in the page's zone, written as ``date:"D j M, H:i"`` writes it; every text is
    escaped. ``chart_link`` (from ``perinatal.lib.links.linker``) is given to people who may open
    her chart, None for the rest.
    """
    zone = timezone.get_current_timezone()
    weekdays, months = weekday_abbreviations(), month_abbreviations()
    rows = []
    for item in items:
        at = item.at.astimezone(zone)
        title = conditional_escape(item.title)
        name = (
            f'<a href="{conditional_escape(item.url)}">{title}</a>'
            if item.url
            else f"<strong>{title}</strong>"
        )
        badges = "".join(
            f'<span class="{BADGE_CLASSES.get(badge, "badge")}">{escape(badge)}</span> '
            for badge in item.badges
        )
        extra = f'<div class="small">{conditional_escape(item.detail)}</div>' if item.detail else ""
        if not item.url and item.kind == "callback":
            extra += f'<div class="small muted">{CALL_BACK_HINT}</div>'
        if chart_link and item.patient_id:
            extra += (
                f'<div class="small"><a href="{chart_link(item.patient_id)}">Her chart'
                f'<span class="visually-hidden">: {title}</span></a></div>'
            )
        opening = '<li class="urgent">' if item.priority == URGENT else "<li>"
        rows.append(
            f'{opening}<div class="spread"><span>{name} {badges}</span>'
            f'<time class="small muted" datetime="{at.isoformat()}">'
            f"{weekday_day_month_time(at, weekdays, months)}</time></div>{extra}</li>"
        )
    return SafeString("".join(rows))


def urgent_and_oldest(queryset, limit: int) -> list:
    """Every urgent row, then the oldest ``limit`` of the rest: two queries."""
    oldest = queryset.order_by("created_at", "pk")
    return [*oldest.filter(urgent=True), *oldest.filter(urgent=False)[:limit]]


def _by_urgency(queryset, kind: str, urgent_kind: str, capability: str) -> list[Tally]:
    rows = queryset.values("pk")
    return [
        Tally(urgent_kind, URGENT, capability, rows.filter(urgent=True)),
        Tally(kind, TO_CONFIRM, capability, rows.filter(urgent=False)),
    ]


def _open_callbacks():
    return CallbackRequest.objects.filter(
        status__in=[CallbackRequest.Status.NEW, CallbackRequest.Status.CALLING]
    )


@queue_source
def callback_requests(limit: int) -> list[QueueItem]:
    link = linker("patients:callback")
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
            url=link(callback.pk),
            patient_id=callback.patient_id,
            badges=_callback_badges(callback),
        )
        for callback in urgent_and_oldest(
            _open_callbacks().only(
                "first_name", "phone", "urgent", "status", "created_at", "patient_id"
            ),
            limit,
        )
    ]


@queue_count
def callback_counts() -> list[Tally]:
    return _by_urgency(_open_callbacks(), "callback", "callback", Can.SEE_QUEUE)


def _callback_badges(callback) -> tuple[str, ...]:
    badges = ["urgent"] if callback.urgent else []
    if callback.status == CallbackRequest.Status.CALLING:
        badges.append("being called")
    return tuple(badges)


def _unconfirmed():
    """New bookings nobody has checked yet, less those an open urgent flag lists already."""
    return (
        Appointment.objects.booked()
        .filter(confirmed_at__isnull=True)
        .filter(Q(urgent=False) | Q(urgent_closed_at__isnull=False))
    )


def _booking_item(appointment, *, link, urgent: bool, badges: tuple[str, ...]) -> QueueItem:
    return QueueItem(
        priority=URGENT if urgent else TO_CONFIRM,
        at=appointment.created_at,
        kind="urgent_booking" if urgent else "booking",
        title=f"{'Urgent booking' if urgent else 'New booking'}: {appointment.name}",
        # The type as the staff's language names it; the booking keeps the name she was shown.
        detail=f"{appointment.consultation_type.label(get_language())}, {_local(appointment)}",
        capability=Can.SEE_QUEUE,
        link_capability=Can.SEE_SCHEDULE,
        url=link(appointment.pk),
        patient_id=appointment.patient_id,
        badges=badges,
    )


def _with_type(appointments):
    return appointments.select_related("consultation_type").only(*BOOKING_FIELDS)


BOOKING_FIELDS = (
    "name",
    "consultation_type__name",
    "consultation_type__name_es",
    "starts_at",
    "time_zone",
    "status",
    "confirmed_at",
    "created_at",
    "patient_id",
)


@queue_source
def urgent_bookings(limit: int) -> list[QueueItem]:
    """Every booking whose screen flagged self-harm, until a clinician closes the flag: a
    confirmed, moved or cancelled appointment leaves her risk where it was. Never cut."""
    link = linker("schedule:appointment")
    items = []
    for appointment in _with_type(Appointment.objects.urgent_open()).order_by("created_at", "pk"):
        if not appointment.is_booked:
            badges = ("urgent", "cancelled")
        elif appointment.confirmed_at is None:
            badges = ("urgent", "to confirm")
        else:
            badges = ("urgent",)
        items.append(_booking_item(appointment, link=link, urgent=True, badges=badges))
    return items


def _doubled():
    """Unconfirmed consultations still to come whose patient has another one to come, checked
    or not: most likely the same booking made twice (Back and the button again, another
    browser). Grouped by the patient record, which booking finds by email and name; the same
    email or phone under another name is a possible duplicate record instead."""
    upcoming = Appointment.objects.upcoming_consultations(timezone.now())
    another = upcoming.filter(patient_id=OuterRef("patient_id")).exclude(pk=OuterRef("pk"))
    return (
        upcoming.filter(confirmed_at__isnull=True, patient__isnull=False)
        .filter(Q(urgent=False) | Q(urgent_closed_at__isnull=False))  # listed as urgent instead
        .filter(Exists(another))
    )


def _single():
    return _unconfirmed().exclude(pk__in=_doubled().values("pk"))


@queue_source
def bookings_to_confirm(limit: int) -> list[QueueItem]:
    """New bookings nobody has checked yet, oldest ``limit`` first. One person's bookings to
    come are listed together (``possible_duplicate_bookings``)."""
    link = linker("schedule:appointment")
    waiting = _with_type(_single()).order_by("created_at", "pk")[:limit]
    return [
        _booking_item(appointment, link=link, urgent=False, badges=("to confirm",))
        for appointment in waiting
    ]


@queue_count
def booking_counts() -> list[Tally]:
    return [
        Tally(
            "urgent_booking", URGENT, Can.SEE_QUEUE, Appointment.objects.urgent_open().values("pk")
        ),
        Tally("booking", TO_CONFIRM, Can.SEE_QUEUE, _single().values("pk")),
    ]


@queue_source
def possible_duplicate_bookings(limit: int) -> list[QueueItem]:
    """One item per person with a new booking and another consultation to come: every time
    she holds, the newest new booking linked. A booking with an open self-harm flag is listed
    on its own as urgent (``urgent_bookings``) and only named here. Two queries, whatever the
    number."""
    link = linker("schedule:appointment")
    theirs = (
        Appointment.objects.upcoming_consultations(timezone.now())
        .filter(patient_id__in=_doubled().values("patient_id"))
        .select_related("consultation_type")
        .only(
            "name",
            "consultation_type__name",
            "consultation_type__name_es",
            "starts_at",
            "time_zone",
            "urgent",
            "created_at",
            "confirmed_at",
            "urgent_closed_at",
            "patient_id",
        )
        .order_by("starts_at", "pk")
    )
    language = get_language()
    groups = defaultdict(list)
    for appointment in theirs:
        groups[appointment.patient_id].append(appointment)
    items = []
    for patient_id, appointments in groups.items():
        new = [
            a
            for a in appointments
            if a.confirmed_at is None and not (a.urgent and a.urgent_closed_at is None)
        ]
        newest = max(new, key=lambda a: (a.created_at, a.pk))
        items.append(
            QueueItem(
                priority=TO_CONFIRM,
                at=min(a.created_at for a in new),
                kind="duplicate_booking",
                title=f"Possible duplicate booking: {newest.name}",
                detail="; ".join(
                    f"{a.consultation_type.label(language)}, {_local(a)}" for a in appointments
                ),
                capability=Can.SEE_QUEUE,
                link_capability=Can.SEE_SCHEDULE,
                url=link(newest.pk),
                patient_id=patient_id,
                badges=DUPLICATE_BADGES,
            )
        )
    items.sort(key=lambda item: item.at)
    return items[:limit]


@queue_count
def duplicate_booking_counts() -> list[Tally]:
    people = _doubled().values("patient_id").distinct()
    return [Tally("duplicate_booking", TO_CONFIRM, Can.SEE_QUEUE, people)]


def _open_suggestions():
    return MergeSuggestion.objects.filter(status=MergeSuggestion.Status.OPEN)


@queue_source
def possible_duplicates(limit: int) -> list[QueueItem]:
    link = linker("patients:merge")
    suggestions = (
        _open_suggestions()
        .select_related("patient", "candidate")
        .only("reason", "created_at", "patient__name", "candidate__name")
        .order_by("created_at", "pk")
    )[:limit]
    return [
        QueueItem(
            priority=OTHER,
            at=suggestion.created_at,
            kind="merge",
            title=f"Possible duplicate: {suggestion.patient.name} and {suggestion.candidate.name}",
            detail=f"Same {suggestion.reason}",
            capability=Can.MERGE_PATIENTS,
            url=link(suggestion.pk),
            patient_id=suggestion.patient_id,
        )
        for suggestion in suggestions
    ]


@queue_count
def duplicate_counts() -> list[Tally]:
    return [Tally("merge", OTHER, Can.MERGE_PATIENTS, _open_suggestions().values("pk"))]


def _local(appointment) -> str:
    when = appointment.starts_at.astimezone(ZoneInfo(appointment.time_zone))
    return dateformat.format(when, f"{APPOINTMENT} T")
