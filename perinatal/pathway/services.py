"""The clinical steps the gates guard, as every path takes them (pages, the staff API, the
demo, a shell): ask the gates, then hand their verdict to the service that writes.

Each step locks her record's row first (PostgreSQL), so two steps for one patient run one after
the other and each reads the evidence the other left; the database's own guarantees (no two
overlapping infusions for her, a chair or a clinician) stand behind that.
"""

from datetime import datetime

from django.db import transaction

from perinatal.accounts.roles import Can, can
from perinatal.booking.models import Appointment, Clinician, ConsultationType
from perinatal.clinic.models import Location
from perinatal.lib.gates import GateClosed
from perinatal.pathway import gates
from perinatal.pathway.models import Reconfirmation
from perinatal.patients.models import Patient
from perinatal.plans import services as plans
from perinatal.plans.models import InfusionChair, TreatmentPlan


class NothingToConfirm(Exception):
    """The infusion is not flagged: there is nothing to re-confirm."""


def _lock(patient_id: int) -> None:
    Patient.objects.select_for_update().filter(pk=patient_id).values_list("pk").first()


def sign_plan(plan: TreatmentPlan, *, user) -> TreatmentPlan:
    """Sign ``plan`` if her chart allows it today; ``plans.SignRefused`` lists what does not."""
    with transaction.atomic():
        _lock(plan.patient_id)
        return plans.sign(plan, user=user, verdict=gates.for_signing(plan))


def book_infusion(
    plan: TreatmentPlan,
    *,
    visit_type: ConsultationType,
    location: Location,
    start: datetime,
    clinician: Clinician,
    chair: InfusionChair,
    user,
) -> Appointment:
    """Book the infusion day of ``plan`` if every gate holds on that day; ``GateClosed`` lists
    what does not, ``plans.InfusionClash`` and ``plans.NotBookable`` as before."""
    with transaction.atomic():
        _lock(plan.patient_id)
        verdict = gates.for_booking(plan, start=start, minutes=visit_type.duration_minutes)
        return plans.book_infusion(
            plan,
            visit_type=visit_type,
            location=location,
            start=start,
            clinician=clinician,
            chair=chair,
            user=user,
            verdict=verdict,
        )


def reconfirm(appointment: Appointment, *, user, note: str) -> Reconfirmation:
    """A clinician confirms a flagged infusion may go ahead: only when every gate holds again
    for its day (``GateClosed`` otherwise: cancel it instead)."""
    if not can(user, Can.WRITE_PLANS):
        raise GateClosed(["Only a clinician who writes plans may re-confirm an infusion."])
    if not note.strip():
        raise GateClosed(["Say what was checked before re-confirming."])
    patient = appointment.patient
    if patient is None:
        raise NothingToConfirm
    with transaction.atomic():
        _lock(patient.pk)
        appointment = Appointment.objects.select_related("plan__protocol").get(pk=appointment.pk)
        flag = gates.flag_of(gates.evidence(patient), appointment)
        if flag is None:
            raise NothingToConfirm
        if not flag.gates_hold:
            raise GateClosed(list(flag.reasons))
        return Reconfirmation.objects.create(
            appointment=appointment,
            patient=patient,
            confirmed_by=user,
            note=note.strip(),
        )
