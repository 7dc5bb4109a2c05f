"""What booking tests share that is not a fixture: a small clinic, a person, a screen, and one
fixed week (a Monday morning in June 2026, before a Wednesday 10:00 in Denver)."""

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

from perinatal.booking.models import Clinician, ConsultationType, WeeklyHours
from perinatal.booking.services import Person
from perinatal.clinic.models import Clinic, Location
from perinatal.screening.instruments import get_instrument
from perinatal.screening.models import Screening
from perinatal.screening.services import save_screening

DENVER = zoneinfo.ZoneInfo("America/Denver")
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)  # Monday 06:00 in Denver
AT_TEN = datetime(2026, 6, 3, 10, tzinfo=DENVER)  # Wednesday, two days on
AT_ELEVEN = AT_TEN + timedelta(hours=1)


class Setup:
    def __init__(self) -> None:
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


def person(**overrides) -> Person:
    fields = {
        "name": "Ana Example",
        "email": "ana@example.org",
        "phone": "+16175550123",
        "language": "en",
        "stage": "postpartum",
        "key_date": date(2026, 1, 5),
    }
    return Person(**{**fields, **overrides})


def screened(*, self_harm: bool) -> Screening:
    """An anonymous EPDS stored as the self-screen stores it, with item 10 (self-harm) answered
    above zero or not."""
    epds = get_instrument("epds", "en")
    assert epds is not None
    item10 = epds.items[-1]
    answer = next(i for i, o in enumerate(item10.options) if (o.score > 0) == self_harm)
    scored = epds.score([0] * (len(epds.items) - 1) + [answer])
    assert scored.safety_alert == self_harm
    return save_screening(scored=scored, risk_factors=[], channel=Screening.Channel.WEB)
