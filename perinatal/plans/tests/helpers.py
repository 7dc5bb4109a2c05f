"""What the plans tests share: the demo clinic with its chairs and infusion type, a patient,
plans written and signed through the services, and infusion times a few days ahead."""

import zoneinfo
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from perinatal.booking.models import Clinician, ConsultationType
from perinatal.clinic.models import Location
from perinatal.ops.demo.plans import INFUSION_TYPE
from perinatal.pathway.tests import helpers as pathway_helpers
from perinatal.patients.models import Patient
from perinatal.plans import services
from perinatal.plans.models import FollowUpSchedule, InfusionChair, Protocol, TreatmentPlan
from tests.harness import make_patient

BOSTON = "Boston — Back Bay"


def a_patient(**overrides) -> Patient:
    fields = {
        "delivery_date": timezone.localdate() - timedelta(weeks=6),
        "breastfeeding": Patient.Breastfeeding.YES,
        "support_name": "Ben Example",
        "support_phone": "+16175550124",
    }
    return make_patient(**{**fields, **overrides})


def plan_fields(**overrides) -> dict:
    """What a clinician types into the plan form, everything confirmed."""
    fields = {
        "protocol": Protocol.objects.default().pk,
        "weight_kg": "72.5",
        "timing": TreatmentPlan.Timing.WEEKS_POSTPARTUM,
        "weeks_postpartum": "8",
        "planned_date": "",
        "timing_rationale": "After her six-week check.",
        "lactation": TreatmentPlan.Lactation.EXPRESS_AND_DISCARD,
        "discard_hours": "12",
        "lactation_notes": "",
        "escort_confirmed": "on",
        "escort_name": "Ben Example",
        "escort_phone": "617 555 0124",
        "childcare_confirmed": "on",
        "childcare_by": "Her mother",
        "follow_up": FollowUpSchedule.objects.default().pk,
        "notes": "",
    }
    fields.update(overrides)
    return {name: value for name, value in fields.items() if value is not None}


def draft_plan(patient: Patient, author, **overrides) -> TreatmentPlan:
    values = {
        "protocol": Protocol.objects.default(),
        "follow_up": FollowUpSchedule.objects.default(),
        "weight_kg": Decimal("72.5"),
        "timing": TreatmentPlan.Timing.AFTER_DELIVERY,
        "lactation": TreatmentPlan.Lactation.CONTINUE,
        "escort_confirmed": True,
        "escort_name": "Ben Example",
        "escort_phone": "+16175550124",
        "childcare_confirmed": True,
        "childcare_by": "Her mother",
    }
    values.update(overrides)
    return services.save_draft(TreatmentPlan(patient=patient, **values), user=author)


def signed_plan(patient: Patient, clinician, **overrides) -> TreatmentPlan:
    """A plan signed through the care pathway, its evidence made first."""
    return pathway_helpers.sign(draft_plan(patient, clinician, **overrides), clinician)


def boston() -> Location:
    return Location.objects.get(name=BOSTON)


def infusion_type() -> ConsultationType:
    return ConsultationType.objects.get(slug=INFUSION_TYPE["slug"])


def chairs(location: Location) -> list[InfusionChair]:
    return list(InfusionChair.objects.filter(location=location).order_by("name"))


def clinicians(location: Location) -> list[Clinician]:
    return list(Clinician.objects.filter(locations=location).order_by("pk"))


def local_start(location: Location, days: int = 9, hour: int = 10) -> datetime:
    """A weekday ``days`` or more from today, at ``hour`` in the location's zone."""
    zone = zoneinfo.ZoneInfo(location.time_zone)
    day: date = timezone.localdate() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(hour), tzinfo=zone)


def when_fields(location: Location, start: datetime) -> dict:
    local = start.astimezone(zoneinfo.ZoneInfo(location.time_zone))
    return {
        "location": location.pk,
        "visit_type": infusion_type().pk,
        "date": local.date().isoformat(),
        "time": local.strftime("%H:%M"),
    }
