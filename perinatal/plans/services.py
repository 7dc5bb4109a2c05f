"""Writing, signing and revising a treatment plan, and booking the infusion day it plans.

Signing is a conditional update of a draft, so two clicks sign once. A signed plan is never
changed: a change is a new draft version that supersedes it when signed.

An infusion day needs a clinician and a chair at one location for the visit's whole length. The
page shows who and what is free, but two people can book at once: booking makes the appointment
and the database refuses any overlap for a clinician (booking migration 0002) or a chair (0004);
the loser hears which was taken and what is free instead, never a second booking.
"""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from perinatal.accounts.roles import Can, can
from perinatal.audit.log import record
from perinatal.audit.models import Action
from perinatal.booking import services as booking
from perinatal.booking.models import Appointment, Clinician, ConsultationType
from perinatal.booking.slots import find_slots
from perinatal.clinic.models import Location
from perinatal.lib.gates import GateClosed, Step, Verdict, require
from perinatal.plans.models import InfusionChair, TreatmentPlan


class SignRefused(Exception):
    def __init__(self, reasons: list[str]):
        super().__init__(" ".join(reasons))
        self.reasons = reasons


class NotBookable(Exception):
    """The plan or the patient's record is not ready for an infusion to be booked."""


def next_version(patient) -> int:
    latest = TreatmentPlan.objects.filter(patient=patient).aggregate(v=Max("version"))["v"]
    return (latest or 0) + 1


def save_draft(plan: TreatmentPlan, *, user) -> TreatmentPlan:
    """Save a new or changed draft, with the protocol's dose worked out for her weight.

    A new draft takes the next version number and supersedes her latest signed plan. Two
    people starting her draft at once: the second gets the IntegrityError of ``plan_one_draft``
    (inside a savepoint, so the caller's transaction goes on).
    """
    plan.take_protocol()
    if plan.pk is None:
        plan.created_by = user
        plan.version = next_version(plan.patient)
        plan.supersedes = (
            TreatmentPlan.objects.signed().filter(patient=plan.patient).order_by("-version").first()
        )
    with transaction.atomic():
        plan.save()
    return plan


def sign(plan: TreatmentPlan, *, user, verdict: Verdict | None) -> TreatmentPlan:
    """Sign a draft: a clinician, escort and childcare confirmed, and the care pathway's
    ``verdict`` (``perinatal.pathway.gates.for_signing``) given for this plan and holding."""
    if not can(user, Can.WRITE_PLANS):
        raise SignRefused(["Only a clinician who writes plans may sign one."])
    with transaction.atomic():
        plan = TreatmentPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.is_signed:
            raise SignRefused(["This plan is already signed."])
        reasons = plan.missing_for_signing()
        try:
            require(verdict, step=Step.SIGN_PLAN, patient_id=plan.patient_id, plan_id=plan.pk)
        except GateClosed as closed:
            reasons += closed.reasons
        if reasons:
            raise SignRefused(reasons)
        now = timezone.now()
        TreatmentPlan.objects.filter(pk=plan.pk, status=TreatmentPlan.Status.DRAFT).update(
            status=TreatmentPlan.Status.SIGNED, signed_by=user, signed_at=now, updated_at=now
        )
        record(Action.SIGN, plan, patient=plan.patient_id, detail={"version": plan.version})
    plan.refresh_from_db()
    return plan


def draft_from(signed: TreatmentPlan) -> TreatmentPlan:
    """An unsaved new version carrying over what the signed plan said."""
    copy = TreatmentPlan.objects.get(pk=signed.pk)
    copy.pk = None
    copy.public_id = uuid.uuid4()
    copy._state.adding = True
    copy.status = TreatmentPlan.Status.DRAFT
    copy.signed_by = None
    copy.signed_at = None
    copy.created_at = timezone.now()
    return copy


# --- Booking the infusion day ----------------------------------------------------------------


@dataclass
class Availability:
    """Who and what is free at one location for one visit; ``later`` lists other start times
    at which some clinician offering the visit and some chair are both free."""

    start: datetime
    end: datetime
    blocked_until: datetime
    chairs: list[tuple[InfusionChair, bool]] = field(default_factory=list)
    clinicians: list[tuple[Clinician, bool]] = field(default_factory=list)
    later: list[datetime] = field(default_factory=list)

    @property
    def free_chairs(self) -> list[InfusionChair]:
        return [chair for chair, free in self.chairs if free]

    @property
    def free_clinicians(self) -> list[Clinician]:
        return [clinician for clinician, free in self.clinicians if free]


class InfusionClash(Exception):
    """The clinician or the chair is taken for some of that time."""

    def __init__(self, *, clinician_taken: bool, chair_taken: bool, availability: Availability):
        taken = [
            what
            for what, yes in (("the clinician", clinician_taken), ("the chair", chair_taken))
            if yes
        ]
        super().__init__(f"{' and '.join(taken).capitalize() or 'That time'} is taken then.")
        self.clinician_taken = clinician_taken
        self.chair_taken = chair_taken
        self.availability = availability


def clinicians_for(location: Location, visit_type: ConsultationType):
    """Who may give this visit at this location: those set up for it, else everyone there."""
    here = Clinician.objects.filter(locations=location, is_active=True)
    offering = here.filter(consultation_types=visit_type)
    return offering if offering.exists() else here


def _blocking(start: datetime, blocked_until: datetime):
    return Appointment.objects.booked().filter(starts_at__lt=blocked_until, blocked_until__gt=start)


def availability(
    *, location: Location, visit_type: ConsultationType, start: datetime, later: int = 0
) -> Availability:
    """Each chair and clinician at ``location`` marked free or not for the visit at ``start``
    (four queries), and, if asked, up to ``later`` other start times within two weeks."""
    start = start.astimezone(UTC)
    end = start + timedelta(minutes=visit_type.duration_minutes)
    blocked_until = end + timedelta(minutes=visit_type.buffer_minutes)
    chairs = list(InfusionChair.objects.filter(location=location, is_active=True))
    clinicians = list(clinicians_for(location, visit_type).order_by("name"))
    busy = set(
        _blocking(start, blocked_until)
        .filter(Q(chair__in=[c.pk for c in chairs]) | Q(clinician__in=[c.pk for c in clinicians]))
        .values_list("chair_id", "clinician_id")
    )
    busy_chairs = {chair_id for chair_id, _ in busy}
    busy_clinicians = {clinician_id for _, clinician_id in busy}
    found = Availability(
        start=start,
        end=end,
        blocked_until=blocked_until,
        chairs=[(chair, chair.pk not in busy_chairs) for chair in chairs],
        clinicians=[(c, c.pk not in busy_clinicians) for c in clinicians],
    )
    if later:
        found.later = _later_starts(location, visit_type, chairs, start, later)
    return found


def _later_starts(location, visit_type, chairs, after: datetime, count: int) -> list[datetime]:
    """Start times after ``after`` in the clinicians' working hours with a chair free too."""
    if not chairs:
        return []
    window_end = after + timedelta(days=14)
    slots = find_slots(
        visit_type, start=after + timedelta(minutes=1), end=window_end, location=location
    )
    if not slots:
        return []
    buffer = timedelta(minutes=visit_type.buffer_minutes)
    held = list(
        Appointment.objects.booked()
        .filter(chair__in=chairs, starts_at__lt=window_end + buffer, blocked_until__gt=after)
        .values_list("chair_id", "starts_at", "blocked_until")
    )
    starts = []
    for slot in slots:
        until = slot.end + buffer
        taken = {chair_id for chair_id, b, e in held if b < until and slot.start < e}
        if len(taken) < len(chairs):
            starts.append(slot.start)
        if len(starts) == count:
            break
    return starts


def current_plan(plan: TreatmentPlan) -> bool:
    """Whether ``plan`` is the patient's signed plan in force (no later version signed)."""
    return TreatmentPlan.objects.current().filter(pk=plan.pk).exists()


def book_infusion(
    plan: TreatmentPlan,
    *,
    visit_type: ConsultationType,
    location: Location,
    start: datetime,
    clinician: Clinician,
    chair: InfusionChair,
    user,
    verdict: Verdict | None,
) -> Appointment:
    """Book the infusion day of a signed plan on ``chair`` with ``clinician``; email her.

    Plans checks what it knows (the plan is the one in force, the chair is in use at this
    location) and that the care pathway's ``verdict`` (``perinatal.pathway.gates.for_booking``)
    holds for this plan, else ``GateClosed``; booking makes the appointment
    (``perinatal.booking.services.book_infusion``). Its refusals become
    ``NotBookable``, and a clash ``InfusionClash`` with what is free instead.
    """
    if not current_plan(plan):
        raise NotBookable("Only the signed plan in force can be booked.")
    require(verdict, step=Step.BOOK_INFUSION, patient_id=plan.patient_id, plan_id=plan.pk)
    if chair.location_id != location.pk or not chair.is_active:
        raise NotBookable("That chair is not in use at this location.")
    try:
        # Her OB is kept by obcare (above this app): reached through her record, not imported.
        her_ob = getattr(plan.patient, "ob", None)
        return booking.book_infusion(
            patient=plan.patient,
            ob_named=her_ob.named if her_ob else ("", ""),
            plan=plan,
            visit_type=visit_type,
            location=location,
            chair=chair,
            clinician=clinician,
            start=start,
            booked_by=user,
            patient_gap=timedelta(days=plan.protocol.min_days_between_infusions),
        )
    except booking.MissingDetails as refusal:
        raise NotBookable(str(refusal)) from refusal
    except booking.ResourceTaken as taken:
        if taken.patient_taken:
            raise NotBookable(
                "She already has an infusion within "
                f"{plan.protocol.min_days_between_infusions} days of this one."
            ) from taken
        raise InfusionClash(
            clinician_taken=taken.clinician_taken,
            chair_taken=taken.chair_taken,
            availability=availability(
                location=location, visit_type=visit_type, start=start, later=5
            ),
        ) from taken
