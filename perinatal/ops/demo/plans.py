"""Demo infusion setup: two chairs per location and the infusion day appointment type.

Idempotent. The appointment type is not offered online (``is_active=False``): staff book it from
a signed plan. Its length (preparation, a 40-minute infusion and two hours' observation) is a
demo value the clinic sets for itself.
"""

from django.db import transaction

from perinatal.booking.models import Clinician, ConsultationType
from perinatal.clinic.models import Location
from perinatal.plans.models import InfusionChair, Protocol

# Its name goes into her reminders and calendar, which others may see on her phone or a shared
# calendar: it says when and where, not what treatment.
INFUSION_TYPE = {
    "slug": "iv-ketamine-infusion",
    "name": "Treatment day",
    "name_es": "Día de tratamiento",
    "mode": ConsultationType.Mode.IN_PERSON,
    "duration_minutes": 180,
    "buffer_minutes": 30,
    "is_active": False,
    "order": 10,
}
CHAIRS = ["Chair 1", "Chair 2"]


@transaction.atomic
def load_demo() -> None:
    infusion, created = ConsultationType.objects.get_or_create(
        slug=INFUSION_TYPE["slug"], defaults=INFUSION_TYPE
    )
    if created:
        infusion.clinicians.set(Clinician.objects.filter(is_active=True))
    for location in Location.objects.filter(is_active=True):
        for name in CHAIRS:
            InfusionChair.objects.get_or_create(location=location, name=name)
    Protocol.objects.filter(is_default=True, visit_type__isnull=True).update(visit_type=infusion)
