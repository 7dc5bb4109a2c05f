"""An infusion given and discharged on a fixed autumn date, so that its follow-ups cross the
daylight-saving changes of 2026 (Europe on 25 October, the United States on 1 November)."""

import re
from datetime import UTC, datetime

import time_machine

from perinatal.booking.models import Appointment
from perinatal.infusion.tests.helpers import booked_infusion, discharged
from perinatal.notify.models import Message
from perinatal.plans.tests.helpers import a_patient
from perinatal.screening.instruments import get_instrument

# Booked on Thursday 8 October 2026; the helper books nine days on, on a weekday: Monday 19
# October. Days 1, 7 and 14 fall on 20 October, 26 October and 2 November.
BOOKED_ON = datetime(2026, 10, 8, 14, 0, tzinfo=UTC)


def infusion_given(
    clinician, nurse, checker, *, zone: str | None = None, seat: int = 0, **patient_fields
):
    """Her infusion on 19 October, discharged through the services; ``zone`` is the time zone
    she gave when she booked a consultation herself (none: the clinic's location's)."""
    with time_machine.travel(BOOKED_ON, tick=False) as traveller:
        appointment = booked_infusion(clinician, seat=seat, patient=a_patient(**patient_fields))
        if zone:
            Appointment.objects.filter(pk=appointment.pk).update(own_time_zone=zone)
        traveller.move_to(appointment.starts_at)
        return discharged(appointment, nurse, checker, clinician, traveller)


def link_in(message: Message) -> str:
    found = re.search(r"https?://[^/\s]+(/\S*how-are-you/\S+/)", message.body_text)
    assert found, message.body_text
    return found.group(1)


def epds_answers(*, total_from_items: int = 0, self_harm: int = 0) -> dict[str, str]:
    """Form data for the English EPDS: item 10 at ``self_harm``; the first items at their
    highest score until ``total_from_items`` is reached (each at most 3), the rest at 0."""
    epds = get_instrument("epds", "en")
    assert epds is not None
    data, left = {}, total_from_items
    for item in epds.items:
        want = self_harm if item.safety else min(left, 3)
        if not item.safety:
            left -= want
        position = next(n for n, option in enumerate(item.options) if option.score == want)
        data[f"q{item.number}"] = str(position)
    assert left == 0, "more than the non-safety items can hold"
    return data
