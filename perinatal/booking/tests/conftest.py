"""A small clinic for booking tests: one location per zone asked for, clinicians with weekly
hours, and a policy that offers any time from now on (tests set their own notice rules)."""

from datetime import time

import pytest

from perinatal.booking.models import Clinician, ConsultationType, WeeklyHours
from perinatal.clinic.models import Clinic, Location


class Setup:
    def __init__(self):
        self.clinic = Clinic.objects.create(
            name="Test Clinic",
            phone="+16175550100",
            email="clinic@example.org",
            min_notice_hours=0,
            horizon_days=800,
            change_notice_hours=24,
            slot_step_minutes=30,
            video_link_base="https://video.example.org/r",
        )
        self.locations: dict[str, Location] = {}

    def location(self, zone: str, name: str | None = None) -> Location:
        name = name or zone
        if name not in self.locations:
            self.locations[name] = Location.objects.create(
                clinic=self.clinic, name=name, address=f"1 {name} Street", time_zone=zone
            )
        return self.locations[name]

    def clinician(self, name: str, location: Location, hours=((0, 9, 17),)) -> Clinician:
        """``hours``: (weekday, from hour, until hour) triples in the location's wall time."""
        clinician = Clinician.objects.create(name=name)
        clinician.locations.add(location)
        for weekday, starts, ends in hours:
            WeeklyHours.objects.create(
                clinician=clinician,
                location=location,
                weekday=weekday,
                starts=time(starts) if isinstance(starts, int) else starts,
                ends=time(ends) if isinstance(ends, int) else ends,
            )
        return clinician

    def consultation(
        self, *clinicians, mode="video", minutes=30, buffer=0, slug=None
    ) -> ConsultationType:
        consultation = ConsultationType.objects.create(
            slug=slug or f"{mode}-{minutes}-{ConsultationType.objects.count()}",
            name=f"{mode} {minutes}",
            mode=mode,
            duration_minutes=minutes,
            buffer_minutes=buffer,
        )
        consultation.clinicians.set(clinicians)
        return consultation


@pytest.fixture
def setup(db):
    return Setup()


def person(**overrides):
    from datetime import date

    from perinatal.booking.services import Person

    fields = {
        "name": "Ana Example",
        "email": "ana@example.org",
        "phone": "+16175550123",
        "language": "en",
        "stage": "postpartum",
        "key_date": date(2026, 1, 5),
    }
    return Person(**{**fields, **overrides})
