"""What the pathway adds to the work queue: booked infusions that may not start as they stand
(every one is urgent: a gate stopped holding after booking). A fixed number of queries."""

from django.urls import reverse
from django.utils import timezone

from perinatal.accounts.roles import Can
from perinatal.lib.backoffice import URGENT, QueueCount, QueueItem
from perinatal.pathway.gates import flagged_infusions


def flagged(limit: int) -> list[QueueItem]:
    items = []
    for flag in flagged_infusions():
        appointment = flag.appointment
        assert appointment.patient is not None  # flagged infusions are hers
        items.append(
            QueueItem(
                priority=URGENT,
                at=appointment.starts_at,
                kind="infusion_flagged",
                title=f"Infusion may not start: {appointment.patient.name}",
                detail=f"{timezone.localtime(appointment.starts_at):%d %b %H:%M}. "
                + " ".join(flag.reasons),
                capability=Can.SEE_QUEUE,
                link_capability=Can.SEE_SCHEDULE,
                url=reverse("schedule:appointment", args=[appointment.public_id]),
                patient_public_id=appointment.patient.public_id,
                badges=("re-confirm" if flag.gates_hold else "blocked",),
            )
        )
    return items  # urgent: every one is listed, whatever the limit


def flagged_counts() -> list[QueueCount]:
    return [QueueCount("infusion_flagged", URGENT, Can.SEE_QUEUE, len(flagged_infusions()))]


KIND_NAMES = {"infusion_flagged": "Infusions that may not start"}
