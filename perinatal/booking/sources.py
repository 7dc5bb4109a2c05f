"""What booking hands the back office: her appointments and the emails about them for the
chart's timeline; bookings whose screen flagged self-harm, bookings to confirm and possible
duplicate bookings for the work queue, with their counts.

Safety items are shown to everyone who sees the queue, front desk included, so that an urgent
booking can never wait unseen; they say that it is urgent, never what she answered.
"""

from collections import defaultdict
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, F, Min, OuterRef, Q
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import get_language

from perinatal.accounts.roles import Can
from perinatal.booking.models import Appointment, ConsultationType
from perinatal.lib.backoffice import TO_CONFIRM, URGENT, QueueCount, QueueItem, TimelineEntry
from perinatal.lib.datestyles import APPOINTMENT, DAY_TIME
from perinatal.notify.models import Message

KIND_NAMES = {
    "urgent_booking": "Urgent bookings",
    "booking": "New bookings to confirm",
    "duplicate_booking": "Possible duplicate bookings",
}


def appointments_of(patient) -> list[Appointment]:
    """All her appointments, newest first: one query. A patient has a handful."""
    return list(
        Appointment.objects.filter(patient=patient)
        .select_related("consultation_type")
        .only(
            "public_id",
            "email",
            "consultation_type__name",
            "consultation_type__name_es",
            "clinician_name",
            "location_name",
            "mode",
            "starts_at",
            "status",
            "time_zone",
        )
        .order_by("-starts_at", "-pk")
    )


def appointments(patient, limit) -> list[TimelineEntry]:
    rows = appointments_of(patient)[:limit]
    language = get_language()  # the type as staff read it; the booking keeps hers
    entries = []
    for appointment in rows:
        cancelled = appointment.status == Appointment.Status.CANCELLED
        # A video call happens nowhere in particular: the location it was booked under is only
        # whose hours it used.
        where = (
            appointment.get_mode_display()
            if appointment.mode == ConsultationType.Mode.VIDEO
            else appointment.location_name
        )
        entries.append(
            TimelineEntry(
                at=appointment.starts_at,
                kind="appointment",
                title=f"{appointment.consultation_type.label(language)}"
                f"{' (cancelled)' if cancelled else ''}",
                detail=f"with {appointment.clinician_name} · {where}",
                capability=Can.SEE_SCHEDULE,
                url=reverse("schedule:appointment", args=[appointment.public_id]),
            )
        )
    return entries


def messages(patient, limit) -> list[TimelineEntry]:
    """Emails to her addresses, sent or still to send: subject and state only (subjects never
    carry PHI).

    A sister or friend may share her address; messages about an appointment
    (``Message.about``) are kept only when the appointment is hers, and say which one. One
    query, for the messages to any of her addresses (her appointments are read once more for the
    page; the appointment's content type is Django's cached one).
    """
    hers = {appointment.pk: appointment for appointment in appointments_of(patient)}
    # Exactly as written: messages are addressed with the email she booked with or the one
    # on her record, and an exact match can use an index on the address.
    addresses = {a.email for a in hers.values() if a.email} | ({patient.email} - {""})
    if not addresses:
        return []
    # A withdrawn message (a reminder for a booking since moved or cancelled) was never sent:
    # it is no event in her story.
    rows = (
        Message.objects.filter(to__in=sorted(addresses))
        .exclude(status=Message.Status.CANCELLED)
        .only("subject", "status", "created_at", "sent_at", "about_type", "about_id")
    )
    appointment_type = ContentType.objects.get_for_model(Appointment)
    zone, language = timezone.get_current_timezone(), get_language()
    entries = []
    for message in rows:
        detail = message.get_status_display()
        if message.about_type_id == appointment_type.pk and message.about_id is not None:
            appointment = hers.get(message.about_id)
            if appointment is None:
                continue  # about someone else's appointment
            when = dateformat.format(appointment.starts_at.astimezone(zone), DAY_TIME)
            label = appointment.consultation_type.label(language)
            detail += f" · about {label} on {when}"
        entries.append(
            TimelineEntry(
                at=message.sent_at or message.created_at,
                kind="message",
                title=f"Email: {message.subject}",
                detail=detail,
                capability=Can.SEE_CONTACTS,
            )
        )
    return entries


def _unconfirmed():
    """New bookings nobody has checked yet, less those an open urgent flag lists already."""
    return (
        Appointment.objects.booked()
        .filter(confirmed_at__isnull=True)
        .filter(Q(urgent=False) | Q(urgent_closed_at__isnull=False))
    )


def _booking_item(appointment, *, urgent: bool, badges: tuple[str, ...]) -> QueueItem:
    return QueueItem(
        priority=URGENT if urgent else TO_CONFIRM,
        at=appointment.created_at,
        kind="urgent_booking" if urgent else "booking",
        title=f"{'Urgent booking' if urgent else 'New booking'}: {appointment.name}",
        # The type as the staff's language names it; the booking keeps the name she was shown.
        detail=f"{appointment.consultation_type.label(get_language())}, {_local(appointment)}",
        capability=Can.SEE_QUEUE,
        link_capability=Can.SEE_SCHEDULE,
        url=reverse("schedule:appointment", args=[appointment.public_id]),
        patient_public_id=appointment.patient_public_id,
        badges=badges,
    )


def _with_type(appointments):
    return (
        appointments.select_related("consultation_type")
        .only(*BOOKING_FIELDS)
        .annotate(patient_public_id=F("patient__public_id"))
    )


BOOKING_FIELDS = (
    "public_id",
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


def urgent_bookings(limit: int) -> list[QueueItem]:
    """Every booking whose screen flagged self-harm, until a clinician closes the flag: a
    confirmed, moved or cancelled appointment leaves her risk where it was. Never cut."""
    items = []
    for appointment in _with_type(Appointment.objects.urgent_open()).order_by("created_at", "pk"):
        if not appointment.is_booked:
            badges: tuple[str, ...] = ("urgent", "cancelled")
        elif appointment.confirmed_at is None:
            badges = ("urgent", "to confirm")
        else:
            badges = ("urgent",)
        items.append(_booking_item(appointment, urgent=True, badges=badges))
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


def bookings_to_confirm(limit: int) -> list[QueueItem]:
    """New bookings nobody has checked yet, oldest ``limit`` first. One person's bookings to
    come are listed together (``possible_duplicate_bookings``)."""
    waiting = _with_type(_single()).order_by("created_at", "pk")[:limit]
    return [
        _booking_item(appointment, urgent=False, badges=("to confirm",)) for appointment in waiting
    ]


def urgent_booking_counts() -> list[QueueCount]:
    """Bookings with an open self-harm flag: one count, served by the urgent bookings' index.
    Every one is urgent: the queue lists them all and counts its items instead."""
    urgent = Appointment.objects.urgent_open().count()
    return [QueueCount("urgent_booking", URGENT, Can.SEE_QUEUE, urgent)]


def booking_counts() -> list[QueueCount]:
    """New bookings to confirm: one count, served by the index of bookings to confirm."""
    return [QueueCount("booking", TO_CONFIRM, Can.SEE_QUEUE, _single().count())]


def possible_duplicate_bookings(limit: int) -> list[QueueItem]:
    """One item per person with a new booking and another consultation to come: every time
    she holds, the newest new booking linked. A booking with an open self-harm flag is listed
    on its own as urgent (``urgent_bookings``) and only named here. Only the ``limit`` people
    whose first new booking came in earliest are read: one query, whatever the number."""
    earliest = (
        _doubled()
        .values("patient_id")
        .annotate(since=Min("created_at"))
        .order_by("since", "patient_id")
        .values("patient_id")[:limit]
    )
    theirs = (
        Appointment.objects.upcoming_consultations(timezone.now())
        .filter(patient_id__in=earliest)
        .select_related("consultation_type")
        .only(
            "public_id",
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
        .annotate(patient_public_id=F("patient__public_id"))
        .order_by("starts_at", "pk")
    )
    language = get_language()
    groups = defaultdict(list)
    for appointment in theirs:
        groups[appointment.patient_id].append(appointment)
    items = []
    for appointments in groups.values():
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
                url=reverse("schedule:appointment", args=[newest.public_id]),
                patient_public_id=newest.patient_public_id,
                badges=DUPLICATE_BADGES,
            )
        )
    items.sort(key=lambda item: item.at)
    return items


def duplicate_booking_counts() -> list[QueueCount]:
    """One per person, as ``possible_duplicate_bookings`` lists them: one query."""
    people = _doubled().values("patient_id").distinct().count()
    return [QueueCount("duplicate_booking", TO_CONFIRM, Can.SEE_QUEUE, people)]


def _local(appointment) -> str:
    when = appointment.starts_at.astimezone(ZoneInfo(appointment.time_zone))
    return dateformat.format(when, f"{APPOINTMENT} T")


DUPLICATE_BADGES = ("to confirm", "possible duplicate")
