"""Demo clinicians, consultation types and hours, so a fresh clone has times to book."""

from datetime import time

from django.db import transaction

from perinatal.booking.models import Clinician, ConsultationType, WeeklyHours
from perinatal.clinic.models import Clinic

DEMO_CLINICIANS = [
    ("Dr. Maya Okafor, MD (demo)", "Boston — Back Bay"),
    ("Dr. Lena Brandt, PMHNP (demo)", "Boston — Back Bay"),
    ("Dr. Sofia Reyes, MD (demo)", "Denver — Cherry Creek"),
]
WORKDAYS = range(5)  # Monday to Friday
BLOCKS = [(time(9), time(12)), (time(13), time(17))]


@transaction.atomic
def load_demo_booking(clinic: Clinic) -> bool:
    """Create the demo booking setup unless consultation types already exist."""
    if ConsultationType.objects.exists():
        return False
    if not clinic.video_link_base:
        clinic.video_link_base = "https://video.example.org/perinatal"
        clinic.save(update_fields=["video_link_base"])
    video = ConsultationType.objects.create(
        slug="free-video-consultation",
        name="Free consultation by video",
        name_es="Consulta gratuita por video",
        mode=ConsultationType.Mode.VIDEO,
        duration_minutes=30,
        buffer_minutes=10,
        order=1,
    )
    in_person = ConsultationType.objects.create(
        slug="free-in-person-consultation",
        name="Free consultation in person",
        name_es="Consulta gratuita en persona",
        mode=ConsultationType.Mode.IN_PERSON,
        duration_minutes=45,
        buffer_minutes=15,
        order=2,
    )
    locations = {location.name: location for location in clinic.locations.all()}
    for name, location_name in DEMO_CLINICIANS:
        location = locations[location_name]
        clinician = Clinician.objects.create(name=name)
        clinician.locations.add(location)
        clinician.consultation_types.add(video, in_person)
        WeeklyHours.objects.bulk_create(
            WeeklyHours(
                clinician=clinician, location=location, weekday=day, starts=starts, ends=ends
            )
            for day in WORKDAYS
            for starts, ends in BLOCKS
        )
    return True
