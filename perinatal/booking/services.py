"""Booking, moving and cancelling appointments; every path ends at the database's overlap rule.

The slot search says which times look free, but two people can look at once. Each write is
tried in its own transaction and the database refuses an overlap (exclusion constraint on
PostgreSQL, trigger on SQLite), so the loser of a race gets ``SlotTaken`` with the next free
times, never a second appointment. Emails are queued in the same transaction as the change.
"""

import hashlib
import hmac
import logging
import secrets
from dataclasses import asdict, dataclass, fields
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from perinatal.accounts.roles import Can, can
from perinatal.audit.log import record
from perinatal.audit.models import Action
from perinatal.booking import reminders
from perinatal.booking.calendar import appointment_ics
from perinatal.booking.models import (
    Appointment,
    AppointmentEvent,
    Clinician,
    ConsultationType,
    ManageLink,
)
from perinatal.booking.slots import Option, Slot, bookings_changed, next_free, slot_at
from perinatal.clinic.models import Clinic, Location
from perinatal.lib.tokens import digest, new_token
from perinatal.notify.services import alert_on_call, queue_email, withdraw
from perinatal.patients.models import Patient
from perinatal.patients.services import patient_for_booking
from perinatal.screening.content import crisis_resources

logger = logging.getLogger(__name__)

ADVISORY_LOCK_SPACE = 4242  # first key of pg_advisory_xact_lock: "booking, per clinician"
CHAIR_LOCK_SPACE = 4243  # "booking, per infusion chair"
OVERLAP_MARKERS = (
    "appointment_no_overlap",  # PostgreSQL exclusion constraint, SQLite trigger
    "appointment_chair_no_overlap",  # the same for infusion chairs (migration 0004)
    "appointment_patient_no_overlap",  # one patient's infusions (migration 0008)
    "appt_one_per_clinician_start",  # PostgreSQL unique constraint
    "booking_appointment.clinician_id, booking_appointment.starts_at",  # SQLite unique
)


class BookingError(Exception):
    code = "booking_error"


class SlotTaken(BookingError):
    """Someone else got the time first; ``next_free`` holds what to offer instead."""

    code = "slot_taken"

    def __init__(self, next_free: list[Slot]):
        super().__init__("That time was just taken.")
        self.next_free = next_free


class NotOffered(BookingError):
    code = "not_offered"


class IdempotencyKeyReused(BookingError):
    """The key was used before for a different request: not a retry, so nothing is returned."""

    code = "idempotency_key_reused"


class TooLateToChange(BookingError):
    code = "too_late_to_change"


class NotBooked(BookingError):
    code = "not_booked"


class MissingDetails(BookingError):
    """Her record lacks something an appointment copies (her email, phone, due or birth date)."""

    code = "missing_details"


class ResourceTaken(BookingError):
    """The clinician or the chair asked for is held for some of that time."""

    code = "resource_taken"

    def __init__(self, *, clinician_taken: bool, chair_taken: bool, patient_taken: bool = False):
        super().__init__("That clinician or chair is taken for part of that time.")
        self.clinician_taken = clinician_taken
        self.chair_taken = chair_taken
        # She has another infusion within the protocol's interval of this one.
        self.patient_taken = patient_taken


@dataclass(frozen=True)
class Person:
    """Who is booking, named as the appointment names her; the same for every way in."""

    name: str
    email: str
    phone: str  # E.164
    language: str
    stage: str
    key_date: date
    ob_name: str = ""
    ob_practice: str = ""
    own_time_zone: str = ""  # hers, for showing times in emails

    @classmethod
    def from_data(cls, data, **more) -> "Person":
        """From a form's cleaned data or an API body: the fields Person has, nothing else."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in {**data, **more}.items() if k in names})


def contact_consent_text() -> str:
    return gettext(
        "The clinic may contact me by email, text message and phone about this consultation."
    )


def _fingerprint(key: str, consultation, location, start: datetime, email: str) -> str:
    """A retry repeats what the first request asked; a different request reusing the key does
    not, and must not receive the first booking (or its manage link)."""
    parts = [key, str(consultation.pk), str(location.pk if location else ""), start.isoformat()]
    parts.append(email.strip().lower())
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _replay(key: str, fingerprint: str) -> Appointment | None:
    existing = Appointment.objects.filter(idempotency_key=key).first()
    if existing is None:
        return None
    if not hmac.compare_digest(existing.idempotency_fingerprint, fingerprint):
        raise IdempotencyKeyReused("That Idempotency-Key was used for a different booking.")
    return existing


DEADLOCK_TRIES = 3  # a booking aborted to break a lock cycle is tried again, this many times in all


def is_deadlock(exc: Exception) -> bool:
    return getattr(exc.__cause__, "sqlstate", None) == "40P01"


def is_overlap(exc: IntegrityError) -> bool:
    text = str(exc)
    return any(marker in text for marker in OVERLAP_MARKERS)


def issue_manage_link(appointment: Appointment) -> str:
    """A new private link's token for ``appointment``; only its digest is kept."""
    token, token_digest = new_token()
    ManageLink.objects.create(appointment=appointment, digest=token_digest)
    return token


def manage_url(appointment: Appointment, token: str = "") -> str:
    """Her private link, absolute: ``token``'s, or a new link's (one per email, so that no
    email's link depends on another's)."""
    with translation.override(appointment.language):
        path = reverse("booking:manage", args=[token or issue_manage_link(appointment)])
    return settings.SITE_URL + path


def invitation(appointment: Appointment, clinic: Clinic, method: str | None = None) -> str:
    """The appointment as an .ics, in her language (REQUEST or CANCEL unless ``method``)."""
    with translation.override(appointment.language):
        summary = gettext("Consultation: %(type)s") % {"type": appointment.type_name}
        description = gettext("To change or cancel, use the link in the email we sent you.")
    return appointment_ics(
        appointment,
        clinic_name=clinic.name,
        clinic_email=clinic.email or "noreply@" + settings.PERINATAL_MESSAGE_ID_DOMAIN,
        summary=summary,
        description=description,
        method=method,
    )


class LinkPassed(Exception):
    """A manage link whose appointment ended more than the grace period ago."""


def by_token(token: str, now: datetime | None = None) -> Appointment:
    """The appointment behind a manage link: 404 for a link that never was (tokens are 43
    characters; longer input is refused before it reaches the database), LinkPassed once the
    appointment is over (PERINATAL_MANAGE_LINK_GRACE_HOURS after its end)."""
    if len(token) > 64:
        raise Http404
    link = get_object_or_404(
        ManageLink.objects.select_related(
            "appointment__consultation_type", "appointment__location"
        ),
        digest=digest(token),
    )
    appointment = link.appointment
    grace = timedelta(hours=settings.PERINATAL_MANAGE_LINK_GRACE_HOURS)
    if appointment.ends_at + grace <= (now or timezone.now()):
        raise LinkPassed
    return appointment


def can_change_online(appointment: Appointment, now: datetime | None = None) -> bool:
    if appointment.via == Appointment.Via.STAFF:
        return False  # booked by the clinic (an infusion day, its chair, her escort): call us
    now = now or timezone.now()
    notice = timedelta(hours=Clinic.objects.current().change_notice_hours)
    return appointment.is_booked and appointment.starts_at - now >= notice


def _serialise_writes_for(clinician_id: int) -> None:
    """On PostgreSQL, take a lock per clinician for the rest of the transaction.

    Two transactions inserting overlapping ranges under an exclusion constraint can deadlock
    (each waits to see whether the other commits); queueing writes for one clinician first
    turns that into a plain wait and a clean overlap error. SQLite already has one writer.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [ADVISORY_LOCK_SPACE, clinician_id]
            )


def _serialise_writes_for_chair(chair_id: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [CHAIR_LOCK_SPACE, chair_id])


def _least_busy_first(options: list[Option], around: datetime) -> list[Option]:
    """Spread bookings: the clinician with fewest appointments that week goes first."""
    ids = {o.clinician_id for o in options}
    load = dict(
        Clinician.objects.filter(pk__in=ids)
        .annotate(
            n=Count(
                "appointments",
                filter=Q(
                    appointments__status=Appointment.Status.BOOKED,
                    appointments__starts_at__range=(
                        around - timedelta(days=3),
                        around + timedelta(days=4),
                    ),
                ),
            )
        )
        .values_list("pk", "n")
    )
    return sorted(options, key=lambda o: (load.get(o.clinician_id, 0), o.clinician_id))


def _video_url(clinic: Clinic) -> str:
    if not clinic.video_link_base:
        return ""
    return clinic.video_link_base.rstrip("/") + "/" + secrets.token_urlsafe(12)


def _place(appointment: Appointment, option: Option, when: datetime) -> None:
    """Put the appointment at ``when`` with the option's clinician and location (unsaved)."""
    clinician = Clinician.objects.get(pk=option.clinician_id)
    location = Location.objects.get(pk=option.location_id)
    appointment.clinician = clinician
    appointment.clinician_name = clinician.name
    appointment.location = location
    appointment.location_name = location.name
    appointment.location_address = location.address
    appointment.time_zone = location.time_zone
    # An infusion keeps the interval she must have before another one (see book_infusion).
    gap = (
        appointment.patient_clear_at - appointment.ends_at
        if appointment.patient_clear_at is not None
        else None
    )
    appointment.starts_at = when
    appointment.ends_at = when + timedelta(minutes=appointment.duration_minutes)
    appointment.blocked_until = appointment.ends_at + timedelta(minutes=appointment.buffer_minutes)
    if gap is not None:
        appointment.patient_clear_at = appointment.ends_at + gap


def _email_context(appointment: Appointment, clinic: Clinic) -> dict:
    return {
        "appointment": appointment,
        "clinic": clinic,
        "manage_url": manage_url(appointment),
        "minutes": appointment.duration_minutes,
        # The same lines in every email, whatever she answered: emails are forwarded.
        "crisis_resources": crisis_resources(appointment.language),
    }


def send_details_again(*, email: str, phone: str) -> None:
    """Email the details of her upcoming consultations again, to the address each was booked
    with, if any has this email and phone; nothing otherwise.

    The caller shows the same page either way, so whoever typed the address learns nothing.
    At most one such email per appointment a day (the dedupe key names the day), however often
    the form is sent.
    """
    now = timezone.now()
    clinic = Clinic.objects.current()
    theirs = (
        Appointment.objects.upcoming_consultations(now)
        .filter(email__iexact=email.strip(), phone=phone)
        .select_related("consultation_type", "location")
    )
    with transaction.atomic():
        for appointment in theirs:
            sent = queue_email(
                to=appointment.email,
                template="appointment_booked",
                context=_email_context(appointment, clinic),
                language=appointment.language,
                dedupe_key=f"details-again:{appointment.public_id}:{now.date().isoformat()}",
                calendar=invitation(appointment, clinic),
                about=appointment,
            )
            if sent is not None:
                record(
                    Action.SEND,
                    appointment,
                    patient=appointment.patient_id,
                    detail={"email": "appointment details sent again"},
                )


def notify(appointment: Appointment, template: str) -> None:
    """Queue the email for this state of the appointment, with its .ics, and its reminders.

    Every change to an appointment passes here, so it also tells cached free times to refresh.
    """
    bookings_changed()
    clinic = Clinic.objects.current()
    context = _email_context(appointment, clinic)
    queue_email(
        to=appointment.email,
        template=template,
        context=context,
        language=appointment.language,
        dedupe_key=f"appointment:{appointment.public_id}:{appointment.sequence}",
        calendar=invitation(appointment, clinic),
        about=appointment,
    )
    if not appointment.is_booked:
        return
    for hours, send_at in reminders.reminder_times(appointment):
        queue_email(
            to=appointment.email,
            template="appointment_reminder",
            context={**context, "hours": hours},
            language=appointment.language,
            dedupe_key=f"reminder:{appointment.public_id}:{appointment.sequence}:{hours}",
            about=appointment,
            about_version=appointment.sequence,  # withdrawn at send time if it changed since
            send_at=send_at,
        )


def book(
    consultation: ConsultationType,
    start: datetime,
    person: Person,
    *,
    via: str,
    location: Location | None = None,
    idempotency_key: str | None = None,
    screening=None,
    consent_text: str = "",
) -> tuple[Appointment, bool]:
    """Book the free slot at ``start``; returns (appointment, created).

    The same ``idempotency_key`` always returns the first appointment made with it, so a
    double-tapped button or a retried request books once.
    """
    start = start.astimezone(UTC)
    fingerprint = ""
    if idempotency_key:
        fingerprint = _fingerprint(idempotency_key, consultation, location, start, person.email)
        existing = _replay(idempotency_key, fingerprint)
        if existing:
            return existing, False
    if consultation.in_person and location is None:
        raise NotOffered("Choose a location for an in-person consultation.")
    slot = slot_at(consultation, start, location=location, include_taken=True)
    if slot is None:
        raise NotOffered("That time is not offered.")
    clinic = Clinic.objects.current()
    for option in _least_busy_first(slot.options, start):
        appointment = Appointment(
            idempotency_key=idempotency_key or None,
            idempotency_fingerprint=fingerprint,
            via=via,
            consultation_type=consultation,
            type_name=consultation.label(person.language),
            mode=consultation.mode,
            duration_minutes=consultation.duration_minutes,
            buffer_minutes=consultation.buffer_minutes,
            video_url=_video_url(clinic) if not consultation.in_person else "",
            **asdict(person),
            contact_consent_at=timezone.now(),
            contact_consent_text=consent_text or contact_consent_text(),
            screening=screening,
            urgent=bool(screening and screening.safety_alert),
        )
        _place(appointment, option, slot.start)
        try:
            with transaction.atomic():
                _serialise_writes_for(option.clinician_id)
                appointment.patient = patient_for_booking(appointment)
                appointment.save()
                if screening is not None and screening.patient_id is None:
                    screening.patient = appointment.patient
                    screening.save(update_fields=["patient"])
                AppointmentEvent.objects.create(
                    appointment=appointment,
                    kind=AppointmentEvent.Kind.BOOKED,
                    actor=AppointmentEvent.Actor.PATIENT,
                    starts_at=appointment.starts_at,
                )
                notify(appointment, "appointment_booked")
                if appointment.urgent:
                    alert_on_call(
                        template="urgent_booking_alert",
                        context={"queue_url": settings.SITE_URL + reverse("backoffice:queue")},
                        dedupe_key=f"urgent-booking:{appointment.public_id}",
                        about=appointment,
                    )
        except IntegrityError as exc:
            if idempotency_key:
                existing = _replay(idempotency_key, fingerprint)
                if existing:
                    return existing, False
            if not is_overlap(exc):
                raise
            continue  # that clinician was just taken; try the next one free at this time
        except OperationalError as exc:
            if not is_deadlock(exc):
                raise
            continue
        return appointment, True
    raise SlotTaken(next_free(consultation, start, location=location))


def book_infusion(
    *,
    patient: Patient,
    ob_named: tuple[str, str] = ("", ""),
    plan,
    visit_type: ConsultationType,
    location: Location,
    chair,
    clinician: Clinician,
    start: datetime,
    booked_by,
    patient_gap: timedelta,
) -> Appointment:
    """Book her infusion day: ``clinician`` and ``chair`` at ``location`` from ``start`` for the
    visit's length, carrying out ``plan``; email her the details and the reminders. ``ob_named``
    is her OB's name and practice as the appointment should carry them (obcare keeps her OB).

    ``plan`` (a signed ``plans.TreatmentPlan``) and ``chair`` (a ``plans.InfusionChair`` at
    ``location``) come from the plans app, which checks them; booking stores them and never reads
    them. Staff chose the time, so the appointment is confirmed already and changes go through
    the clinic (``via=STAFF``).

    Steps: refuse with ``MissingDetails`` when her record lacks what an appointment copies;
    take the clinician's and then the chair's write lock (PostgreSQL; every path takes them in
    that order, so two writers never wait on each other); insert it with its BOOKED event and
    its emails in one transaction; let the database refuse an overlap (migrations 0002 and 0004),
    which becomes ``ResourceTaken`` naming what was taken, never a second booking.
    """
    missing = [
        label
        for label, value in (
            ("email", patient.email),
            ("mobile phone", patient.phone),
            ("due or delivery date", patient.key_date),
        )
        if not value
    ]
    if missing:
        raise MissingDetails(f"Add her {', '.join(missing)} to the chart first.")
    now = timezone.now()
    appointment = Appointment(
        via=Appointment.Via.STAFF,
        plan=plan,
        chair=chair,
        patient=patient,
        consultation_type=visit_type,
        type_name=visit_type.label(patient.language),
        mode=visit_type.mode,
        duration_minutes=visit_type.duration_minutes,
        buffer_minutes=visit_type.buffer_minutes,
        name=patient.name,
        email=patient.email,
        phone=patient.phone,
        language=patient.language,
        stage=patient.stage,
        key_date=patient.key_date,
        ob_name=ob_named[0],
        ob_practice=ob_named[1],
        contact_consent_at=patient.contact_consent_at or now,
        contact_consent_text=patient.contact_consent_text
        or "Booked by clinic staff for her treatment plan.",
        # Staff made it themselves: nothing for the work queue to confirm.
        confirmed_at=now,
        confirmed_by=booked_by,
    )
    _place(appointment, Option(clinician.pk, location.pk), start.astimezone(UTC))
    appointment.patient_clear_at = appointment.ends_at + patient_gap
    for attempt in range(DEADLOCK_TRIES):
        try:
            with transaction.atomic():
                _serialise_writes_for(clinician.pk)
                _serialise_writes_for_chair(chair.pk)
                appointment.save()
                AppointmentEvent.objects.create(
                    appointment=appointment,
                    kind=AppointmentEvent.Kind.BOOKED,
                    actor=AppointmentEvent.Actor.STAFF,
                    user=booked_by,
                    starts_at=appointment.starts_at,
                )
                notify(appointment, "infusion_booked")
        except IntegrityError as exc:
            if not is_overlap(exc):
                raise
            raise _taken(appointment) from exc
        except OperationalError as exc:
            if not is_deadlock(exc):
                raise
            if attempt == DEADLOCK_TRIES - 1:
                raise _taken(appointment) from exc
            # Two bookings of her on different chairs each waited for the other's row, and
            # PostgreSQL aborted this one while the other may not have committed yet: asking
            # now could find nothing to name. Try again: the insert then waits for the other
            # to finish and meets its row.
            appointment.pk, appointment._state.adding = None, True
            continue
        return appointment
    raise AssertionError("unreachable")  # every attempt returns or raises


def _taken(appointment: Appointment) -> ResourceTaken:
    """What holds the clinician or the chair during ``appointment``'s time (it lost a race)."""
    blocking = Appointment.objects.booked().filter(
        starts_at__lt=appointment.blocked_until, blocked_until__gt=appointment.starts_at
    )
    hers = Appointment.objects.booked().filter(
        patient=appointment.patient_id,
        patient_clear_at__isnull=False,
        starts_at__lt=appointment.patient_clear_at or appointment.blocked_until,
        patient_clear_at__gt=appointment.starts_at,
    )
    return ResourceTaken(
        clinician_taken=blocking.filter(clinician=appointment.clinician_id).exists(),
        chair_taken=blocking.filter(chair=appointment.chair_id).exists(),
        patient_taken=appointment.patient_id is not None and hers.exists(),
    )


def _check_changeable(appointment: Appointment, actor: str) -> None:
    if not appointment.is_booked:
        raise NotBooked("This appointment was cancelled.")
    if actor == AppointmentEvent.Actor.PATIENT and not can_change_online(appointment):
        raise TooLateToChange("It is too close to the appointment to change it online.")


def reschedule(
    appointment: Appointment,
    start: datetime,
    *,
    actor: str = AppointmentEvent.Actor.PATIENT,
    user=None,
    clinician: Clinician | None = None,
) -> Appointment:
    """Move a booked appointment to another free slot; same UID, SEQUENCE + 1, new reminders.

    Patients may move only into offered times and only before the clinic's change notice.
    Staff may pick the clinician and any time; the overlap rule still holds.
    """
    start = start.astimezone(UTC)
    try:
        return _reschedule(appointment, start, actor=actor, user=user, clinician=clinician)
    except OperationalError as exc:
        if not is_deadlock(exc):
            raise
        # PostgreSQL broke a lock cycle by aborting us: for her, the time was taken.
        raise SlotTaken([]) from exc


def _reschedule(appointment, start, *, actor, user, clinician) -> Appointment:
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        _check_changeable(appointment, actor)
        if start == appointment.starts_at and clinician in (None, appointment.clinician):
            return appointment
        consultation = appointment.consultation_type
        location = appointment.location if consultation.in_person else None
        agreed = {
            "duration": timedelta(minutes=appointment.duration_minutes),
            "buffer": timedelta(minutes=appointment.buffer_minutes),
        }
        if actor == AppointmentEvent.Actor.STAFF:
            options = [Option((clinician or appointment.clinician).pk, appointment.location_id)]
        else:
            slot = slot_at(
                consultation,
                start,
                location=location,
                ignore=appointment,
                include_taken=True,
                **agreed,
            )
            if slot is None:
                raise NotOffered("That time is not offered.")
            options = slot.options
            # Keep her clinician when free at the new time.
            options.sort(key=lambda o: o.clinician_id != appointment.clinician_id)
        # A failed try keeps its lock until the end of this transaction, so take every lock
        # first, in one order for everyone: two moves can then never wait on each other.
        for clinician_id in sorted({o.clinician_id for o in options}):
            _serialise_writes_for(clinician_id)
        if appointment.chair_id is not None:  # an infusion day keeps its chair
            _serialise_writes_for_chair(appointment.chair_id)
        previous_start = appointment.starts_at
        for option in options:
            _place(appointment, option, start)
            appointment.sequence += 1
            try:
                with transaction.atomic():
                    appointment.save()
                    AppointmentEvent.objects.create(
                        appointment=appointment,
                        kind=AppointmentEvent.Kind.RESCHEDULED,
                        actor=actor,
                        user=user,
                        starts_at=start,
                        previous_starts_at=previous_start,
                    )
                    withdraw(appointment)  # the reminders for the old time
                    notify(appointment, "appointment_changed")
            except IntegrityError as exc:
                appointment.sequence -= 1
                if not is_overlap(exc):
                    raise
                continue
            return appointment
    raise SlotTaken(
        next_free(
            consultation,
            start,
            location=location,
            ignore=appointment,
            duration=agreed["duration"],
            buffer=agreed["buffer"],
        )
    )


def cancel(
    appointment: Appointment, *, actor: str = AppointmentEvent.Actor.PATIENT, user=None
) -> Appointment:
    """Cancel; sends METHOD:CANCEL with the same UID and withdraws the reminders. Cancelling a
    cancelled appointment changes nothing."""
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if not appointment.is_booked:
            return appointment
        _check_changeable(appointment, actor)
        appointment.status = Appointment.Status.CANCELLED
        appointment.cancelled_at = timezone.now()
        appointment.sequence += 1
        appointment.save(update_fields=["status", "cancelled_at", "sequence"])
        AppointmentEvent.objects.create(
            appointment=appointment,
            kind=AppointmentEvent.Kind.CANCELLED,
            actor=actor,
            user=user,
            starts_at=appointment.starts_at,
        )
        withdraw(appointment)
        notify(appointment, "appointment_cancelled")
    return appointment


def close_urgent(*, appointment: Appointment, user, note: str) -> bool:
    """A clinician reached her about the self-harm flag: it leaves the work queue's urgent list.

    Only this closes the flag; cancelling, moving or confirming the appointment never does.
    Refuses anyone without ``Can.CLOSE_URGENT`` and an empty note. The update is conditional
    (two clinicians closing at once: the first close stands) and audited in the same
    transaction. Returns False when the flag was already closed or never set.
    """
    if not can(user, Can.CLOSE_URGENT):
        raise PermissionDenied
    note = note.strip()
    if not note:
        raise ValueError("Closing an urgent flag needs a note of what was done.")
    with transaction.atomic():
        closed = (
            Appointment.objects.urgent_open()
            .filter(pk=appointment.pk)
            .update(urgent_closed_at=timezone.now(), urgent_closed_by=user, urgent_close_note=note)
        )
        if closed:
            record(
                Action.UPDATE,
                appointment,
                patient=appointment.patient_id,
                user=user,
                detail={"fields": ["urgent_closed_at", "urgent_closed_by", "urgent_close_note"]},
            )
    return bool(closed)
