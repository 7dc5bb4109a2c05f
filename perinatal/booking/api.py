"""Booking over JSON: free slots, booking, and managing a booking by its token.

Every instant is ISO 8601 with an offset; responses give UTC (``Z``) plus the location's zone.
A booking whose slot was just taken answers 409 with the next free times; a retried POST with
the same ``Idempotency-Key`` header returns the first booking (200) instead of a second one.
"""

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.http import HttpRequest
from django.utils import timezone
from ninja import Body, Field, Header, Query, Router, Schema, Status
from pydantic import AfterValidator, AwareDatetime, StringConstraints

from perinatal.booking import services
from perinatal.booking.forms import IDEMPOTENCY_KEY, check_key_date
from perinatal.booking.models import Appointment, AppointmentEvent, ConsultationType
from perinatal.booking.slots import Slot, find_slots, offered_types
from perinatal.booking.zones import valid_zone, within_reason
from perinatal.clinic.models import Location
from perinatal.lib.api_errors import ErrorBody, ErrorOut, fail
from perinatal.lib.phones import normalise_phone
from perinatal.lib.ratelimit import retry_after
from perinatal.lib.text import one_line
from perinatal.lib.tokens import digest
from perinatal.screening.models import Screening

router = Router(tags=["booking"])

MAX_RANGE = timedelta(days=31)


def _one_line(value: str) -> str:
    try:
        one_line(value)
    except DjangoValidationError:
        raise ValueError("must be one line of text") from None
    return value


Text = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=120), AfterValidator(_one_line)
]


def _email(value: str) -> str:
    try:
        validate_email(value)
    except DjangoValidationError:
        raise ValueError("not a valid email address") from None
    return value


def _phone(value: str) -> str:
    try:
        return normalise_phone(value)
    except Exception:
        raise ValueError("not a valid phone number") from None


def _reasonable(value: datetime) -> datetime:
    if not within_reason(value):
        raise ValueError("must be within a year before and ten years after now")
    return value


Instant = Annotated[AwareDatetime, AfterValidator(_reasonable)]


def _zone(value: str) -> str:
    if value and valid_zone(value) is None:
        raise ValueError("not an IANA time zone, e.g. America/Denver")
    return value


class LocationOut(Schema):
    id: uuid.UUID
    name: str
    address: str
    time_zone: str


class ConsultationTypeOut(Schema):
    slug: str
    name: str
    mode: Literal["video", "in_person"]
    duration_minutes: int
    locations: list[LocationOut] = Field(description="Where it is offered (in person only).")


class SlotOut(Schema):
    start: datetime
    end: datetime
    location: uuid.UUID
    time_zone: str = Field(description="The location's IANA zone; start and end are UTC.")


class ConflictOut(Schema):
    error: ErrorBody
    next_free: list[SlotOut] = []


class BookingIn(Schema):
    type: Annotated[str, StringConstraints(max_length=50)]
    location: uuid.UUID | None = Field(None, description="Required for in-person types.")
    start: Instant
    name: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=120),
        AfterValidator(_one_line),
    ]
    email: Annotated[str, StringConstraints(max_length=254), AfterValidator(_email)]
    phone: Annotated[str, StringConstraints(max_length=32), AfterValidator(_phone)]
    language: Literal["en", "es"] = "en"
    stage: Literal["pregnant", "postpartum"]
    key_date: date = Field(description="Due date if pregnant, else the baby's birth date.")
    ob_name: Text = ""
    ob_practice: Annotated[
        str, StringConstraints(strip_whitespace=True, max_length=160), AfterValidator(_one_line)
    ] = ""
    consent_to_contact: Literal[True] = Field(
        description="She agrees the clinic may contact her about this consultation."
    )
    screening_key: Annotated[str | None, StringConstraints(max_length=64)] = Field(
        None,
        description="To attach an anonymous screen she chose to share: the `attach_key` that "
        "POST /screenings returned to this client. A key works for a few hours only.",
    )
    time_zone: Annotated[str, StringConstraints(max_length=64), AfterValidator(_zone)] = Field(
        "", description="Her IANA time zone; emails show times in it (default: the location's)."
    )


class RescheduleIn(Schema):
    start: Instant


class PlaceOut(Schema):
    name: str
    address: str


class AppointmentOut(Schema):
    id: uuid.UUID
    status: Literal["booked", "cancelled"]
    type: str
    mode: Literal["video", "in_person"]
    start: datetime
    end: datetime
    time_zone: str
    location: PlaceOut | None
    video_url: str
    clinician: str
    sequence: int
    can_change_online: bool
    manage_url: str
    manage_token: str


def _slot_out(slot: Slot, zones: dict[int, tuple[uuid.UUID, str]]) -> dict:
    location_id, zone = zones[slot.options[0].location_id]
    return {
        "start": slot.start,
        "end": slot.end,
        "location": location_id,
        "time_zone": zone,
    }


def _slots_out(slots: list[Slot]) -> list[dict]:
    ids = {o.location_id for s in slots for o in s.options}
    zones = {
        pk: (public_id, zone)
        for pk, public_id, zone in Location.objects.filter(pk__in=ids).values_list(
            "pk", "public_id", "time_zone"
        )
    }
    return [_slot_out(s, zones) for s in slots]


def _appointment_out(appointment: Appointment, token: str = "") -> dict:
    """The appointment as the API shows it, with the link the client holds (``token``), or a
    new link just made for a new booking."""
    token = token or services.issue_manage_link(appointment)
    return {
        "id": appointment.public_id,
        "status": appointment.status,
        "type": appointment.type_name,
        "mode": appointment.mode,
        "start": appointment.starts_at.astimezone(UTC),
        "end": appointment.ends_at.astimezone(UTC),
        "time_zone": appointment.time_zone,
        "location": None
        if appointment.is_video
        else {"name": appointment.location_name, "address": appointment.location_address},
        "video_url": appointment.video_url if appointment.is_booked else "",
        "clinician": appointment.clinician_name,
        "sequence": appointment.sequence,
        "can_change_online": services.can_change_online(appointment),
        "manage_url": services.manage_url(appointment, token),
        "manage_token": token,
    }


def _conflict(exc: services.BookingError, next_free: list[Slot] | None = None) -> Status:
    return Status(
        409,
        {
            "error": {"code": exc.code, "message": str(exc), "details": []},
            "next_free": _slots_out(next_free or []),
        },
    )


def _over_limit(request, scope: str) -> Status | None:
    wait = retry_after(request, scope)
    if not wait:
        return None
    return fail(429, "rate_limited", f"Too many requests; try again in {wait} seconds.")


def _type_and_place(type_slug: str, location: uuid.UUID | None):
    consultation = ConsultationType.objects.filter(slug=type_slug, is_active=True).first()
    if consultation is None:
        return None, None, fail(404, "unknown_type", f"No consultation type {type_slug!r}.")
    place = None
    if location is not None:
        place = Location.objects.filter(public_id=location, is_active=True).first()
        if place is None:
            return None, None, fail(404, "unknown_location", "No such location.")
    if consultation.in_person and place is None:
        return (
            None,
            None,
            fail(
                422,
                "location_required",
                "An in-person consultation needs a location.",
                [{"field": "location", "message": "required for in-person types"}],
            ),
        )
    return consultation, place, None


@router.get(
    "/consultation-types",
    response={200: list[ConsultationTypeOut], 422: ErrorOut},
    summary="What can be booked, and where",
)
def list_types(request: HttpRequest, language: Literal["en", "es"] = "en"):
    by_type: dict[int, dict] = {}
    for option in offered_types(language):
        consultation = option["type"]
        entry = by_type.setdefault(
            consultation.pk,
            {
                "slug": consultation.slug,
                "name": option["label"],
                "mode": consultation.mode,
                "duration_minutes": consultation.duration_minutes,
                "locations": [],
            },
        )
        if option["location"]:
            place = option["location"]
            entry["locations"].append(
                {
                    "id": place.public_id,
                    "name": place.name,
                    "address": place.address,
                    "time_zone": place.time_zone,
                }
            )
    return Status(200, list(by_type.values()))


class SlotQuery(Schema):
    type: Annotated[str, StringConstraints(max_length=50)]
    location: uuid.UUID | None = None
    start: Instant
    end: Instant


@router.get(
    "/slots",
    response={200: list[SlotOut], 404: ErrorOut, 422: ErrorOut},
    summary="Free start times in a range (at most 31 days)",
)
def list_slots(request: HttpRequest, query: Query[SlotQuery]):
    if query.end <= query.start:
        return fail(
            422,
            "invalid_range",
            "end must be after start.",
            [{"field": "end", "message": "must be after start"}],
        )
    if query.end - query.start > MAX_RANGE:
        return fail(
            422,
            "invalid_range",
            "Ask for at most 31 days at a time.",
            [{"field": "end", "message": "at most 31 days after start"}],
        )
    consultation, place, problem = _type_and_place(query.type, query.location)
    if problem:
        return problem
    where = {"location": place} if place else {}
    slots = find_slots(
        consultation, start=query.start.astimezone(UTC), end=query.end.astimezone(UTC), **where
    )
    return Status(200, _slots_out(slots))


@router.post(
    "/bookings",
    response={
        200: AppointmentOut,
        201: AppointmentOut,
        400: ErrorOut,
        404: ErrorOut,
        409: ConflictOut,
        415: ErrorOut,
        422: ErrorOut,
        429: ErrorOut,
    },
    summary="Book a free slot",
    description="201 with the appointment and its manage link; 200 when the same "
    "Idempotency-Key booked before; 409 with the next free times when the slot was just taken.",
)
def create_booking(
    request: HttpRequest,
    payload: Annotated[BookingIn, Body()],
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=64)] = None,
):
    if limited := _over_limit(request, "booking"):
        return limited
    if idempotency_key is not None and not IDEMPOTENCY_KEY.match(idempotency_key):
        return fail(
            422,
            "invalid_input",
            "Idempotency-Key must be 16-64 letters, digits, - or _ (e.g. a UUID).",
            [{"field": "Idempotency-Key", "message": "16-64 of A-Z a-z 0-9 - _"}],
        )
    problem = check_key_date(payload.stage, payload.key_date)
    if problem:
        return fail(422, "invalid_input", problem, [{"field": "key_date", "message": problem}])
    consultation, place, problem = _type_and_place(payload.type, payload.location)
    if problem:
        return problem
    screening = None
    if payload.screening_key:
        screening = (
            Screening.objects.attachable(timezone.now())
            .filter(attach_digest=digest(payload.screening_key))
            .first()
        )
        if screening is None:
            return fail(404, "unknown_screening", "No such screening, or too old to attach.")
    try:
        appointment, created = services.book(
            consultation,
            payload.start.astimezone(UTC),
            services.Person.from_data(payload.dict(), own_time_zone=payload.time_zone),
            via=Appointment.Via.API,
            location=place,
            idempotency_key=idempotency_key,
            screening=screening,
        )
    except services.SlotTaken as exc:
        return _conflict(exc, exc.next_free)
    except services.NotOffered as exc:
        return fail(422, exc.code, str(exc), [{"field": "start", "message": str(exc)}])
    except services.IdempotencyKeyReused as exc:
        return fail(422, exc.code, str(exc), [{"field": "Idempotency-Key", "message": str(exc)}])
    return Status(201 if created else 200, _appointment_out(appointment))


@router.get(
    "/bookings/{token}",
    response={200: AppointmentOut, 404: ErrorOut},
    summary="A booking, by the token from its manage link",
)
def get_booking(request: HttpRequest, token: str):
    return Status(200, _appointment_out(services.by_token(token), token))


@router.post(
    "/bookings/{token}/reschedule",
    response={
        200: AppointmentOut,
        400: ErrorOut,
        404: ErrorOut,
        409: ConflictOut,
        415: ErrorOut,
        422: ErrorOut,
        429: ErrorOut,
    },
    summary="Move a booking to another free slot",
    description="Same calendar UID, SEQUENCE + 1. 409 when the slot was just taken (with the "
    "next free times), the booking is cancelled, or it is too close to change online.",
)
def reschedule_booking(request: HttpRequest, token: str, payload: Annotated[RescheduleIn, Body()]):
    if limited := _over_limit(request, "manage"):
        return limited
    appointment = services.by_token(token)
    try:
        appointment = services.reschedule(
            appointment, payload.start.astimezone(UTC), actor=AppointmentEvent.Actor.PATIENT
        )
    except services.SlotTaken as exc:
        return _conflict(exc, exc.next_free)
    except (services.TooLateToChange, services.NotBooked) as exc:
        return _conflict(exc)
    except services.NotOffered as exc:
        return fail(422, exc.code, str(exc), [{"field": "start", "message": str(exc)}])
    return Status(200, _appointment_out(appointment, token))


@router.post(
    "/bookings/{token}/cancel",
    response={
        200: AppointmentOut,
        400: ErrorOut,
        404: ErrorOut,
        409: ConflictOut,
        415: ErrorOut,
        429: ErrorOut,
    },
    summary="Cancel a booking",
    description="Sends METHOD:CANCEL with the same calendar UID. Cancelling twice is harmless.",
)
def cancel_booking(request: HttpRequest, token: str):
    if limited := _over_limit(request, "manage"):
        return limited
    appointment = services.by_token(token)
    try:
        appointment = services.cancel(appointment, actor=AppointmentEvent.Actor.PATIENT)
    except services.TooLateToChange as exc:
        return _conflict(exc)
    return Status(200, _appointment_out(appointment, token))
