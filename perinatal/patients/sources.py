"""What the patient record hands the back office: possible duplicate records for the work
queue, with their count."""

from django.urls import reverse

from perinatal.accounts.roles import Can
from perinatal.lib.backoffice import OTHER, QueueCount, QueueItem
from perinatal.patients.models import MergeSuggestion

KIND_NAMES = {"merge": "Possible duplicate records"}


def _open_suggestions():
    return MergeSuggestion.objects.filter(status=MergeSuggestion.Status.OPEN)


def possible_duplicates(limit: int) -> list[QueueItem]:
    suggestions = (
        _open_suggestions()
        .select_related("patient", "candidate")
        .only(
            "public_id",
            "reason",
            "created_at",
            "patient__name",
            "patient__public_id",
            "candidate__name",
        )
        .order_by("created_at", "pk")
    )[:limit]
    return [
        QueueItem(
            priority=OTHER,
            at=suggestion.created_at,
            kind="merge",
            title=f"Possible duplicate: {suggestion.patient.name} and {suggestion.candidate.name}",
            detail=f"Same {suggestion.reason}",
            capability=Can.MERGE_PATIENTS,
            url=reverse("backoffice:merge", args=[suggestion.public_id]),
            patient_public_id=suggestion.patient.public_id,
        )
        for suggestion in suggestions
    ]


def duplicate_counts() -> list[QueueCount]:
    return [QueueCount("merge", OTHER, Can.MERGE_PATIENTS, _open_suggestions().count())]
