"""What the back-office tests share (and a few others that need a patient): a clinic with one
Denver location and clinician, bookings made through the booking service as a mother makes them,
screens stored as the self-screen stores them, and signed-in staff. The clock is the booking
tests' Monday (``NOW``)."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from perinatal.booking import services
from perinatal.booking.tests.helpers import DENVER, NOW, Setup, person, screened
from perinatal.screening.instruments import get_instrument
from perinatal.screening.models import Screening
from perinatal.screening.services import request_callback, save_screening

__all__ = ["DENVER", "NOW", "person", "screened"]

TODAY_NINE = NOW.astimezone(DENVER).replace(hour=9, minute=0)  # Monday 09:00 in Denver


class Clinic:
    """One location in Denver, one clinician working 08:00-20:00 every day, 30-minute video
    consultations."""

    def __init__(self):
        self.setup = setup = Setup()
        self.location = setup.location("America/Denver", "Denver")
        self.clinician = setup.clinician(
            "Dr Rivera", self.location, hours=[(day, 8, 20) for day in range(7)]
        )
        self.consultation = setup.consultation(self.clinician, mode="video", minutes=30)
        self.next_start = TODAY_NINE

    def book(self, when=None, *, screening=None, **who):
        """Book as she would, at ``when`` or the next free half hour from Monday 09:00."""
        if when is None:
            when = self.next_start
            self.next_start += timedelta(minutes=30)
            if self.next_start.hour >= 20:  # her day is over: tomorrow at nine
                self.next_start = (self.next_start + timedelta(days=1)).replace(hour=9, minute=0)
        appointment, _ = services.book(
            self.consultation, when, person(**who), via="web", screening=screening
        )
        return appointment


def epds(*scores: int) -> Screening:
    """An anonymous EPDS whose items score these (the rest 0), stored as the self-screen does.
    Scores, not positions: several EPDS items are scored in reverse."""
    instrument = get_instrument("epds", "en")
    assert instrument is not None
    padded = list(scores) + [0] * (len(instrument.items) - len(scores))
    positions = [
        next(i for i, option in enumerate(item.options) if option.score == score)
        for item, score in zip(instrument.items, padded, strict=True)
    ]
    return save_screening(
        scored=instrument.score(positions), risk_factors=["history"], channel="web"
    )


def screened_for(patient, *scores: int, at=None) -> Screening:
    screen = epds(*scores)
    screen.patient = patient
    if at is not None:
        screen.created_at = at
    screen.save()
    return screen


def callback(*, urgent: bool, first_name="Rosa", phone="+16175550199", screening=None):
    return request_callback(
        first_name=first_name,
        phone=phone,
        language="en",
        screening=screening,
        urgent=urgent,
    )


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(context.captured_queries)
