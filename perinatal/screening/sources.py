"""What screening hands the back office: her questionnaire results and call-back requests for
the chart's timeline, open call-back requests for the work queue, with their counts.

An urgent call-back is shown to everyone who sees the queue, front desk included, so that it can
never wait unseen; it says that it is urgent, never what she answered.
"""

from django.db.models import Count, F, Q
from django.urls import reverse

from perinatal.accounts.roles import Can
from perinatal.lib.backoffice import TO_CONFIRM, URGENT, QueueCount, QueueItem, TimelineEntry
from perinatal.lib.phones import format_phone
from perinatal.screening.instruments import abbreviation, band_label
from perinatal.screening.models import CallbackRequest, Screening

KIND_NAMES = {"callback": "Call-back requests"}


def results_of(patient) -> list[tuple]:
    """Every questionnaire result of hers, newest first, as (instrument, total, band,
    safety_alert, created_at): one query."""
    return list(
        Screening.objects.filter(patient=patient)
        .order_by("-created_at", "-pk")
        .values_list("instrument", "total", "band", "safety_alert", "created_at")
    )


def screens(patient, limit) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            at=at,
            kind="screen",
            title=f"{abbreviation(instrument)} screen: {total}",
            detail=band_label(instrument, band)
            + (" · self-harm item answered above zero" if safety_alert else ""),
            capability=Can.SEE_CLINICAL,
        )
        for instrument, total, band, safety_alert, at in results_of(patient)[:limit]
    ]


def callbacks(patient, limit) -> list[TimelineEntry]:
    rows = (
        CallbackRequest.objects.filter(patient=patient)
        .only("public_id", "urgent", "status", "created_at", "staff_note")
        .order_by("-created_at", "-pk")
    )[:limit]
    return [
        TimelineEntry(
            at=callback.created_at,
            kind="callback",
            title=f"{'Urgent call-back' if callback.urgent else 'Call-back'} requested",
            detail=f"{callback.get_status_display()}"
            + (f" · {callback.staff_note}" if callback.staff_note else ""),
            capability=Can.HANDLE_CALLBACKS,
            url=reverse("backoffice:callback", args=[callback.public_id]),
        )
        for callback in rows
    ]


def urgent_and_oldest(queryset, limit: int) -> list:
    """Every urgent row, then the oldest ``limit`` of the rest: two queries."""
    oldest = queryset.order_by("created_at", "pk")
    return [*oldest.filter(urgent=True), *oldest.filter(urgent=False)[:limit]]


def _open_callbacks():
    return CallbackRequest.objects.filter(
        status__in=[CallbackRequest.Status.NEW, CallbackRequest.Status.CALLING]
    )


def callback_requests(limit: int) -> list[QueueItem]:
    return [
        QueueItem(
            priority=URGENT if callback.urgent else TO_CONFIRM,
            at=callback.created_at,
            kind="callback",
            title=f"{'Urgent call-back' if callback.urgent else 'Call-back'}: "
            f"{callback.first_name}",
            detail=format_phone(callback.phone),
            capability=Can.SEE_QUEUE,
            link_capability=Can.HANDLE_CALLBACKS,
            url=reverse("backoffice:callback", args=[callback.public_id]),
            patient_public_id=callback.patient_public_id,
            badges=_callback_badges(callback),
        )
        for callback in urgent_and_oldest(
            _open_callbacks()
            .only(
                "public_id", "first_name", "phone", "urgent", "status", "created_at", "patient_id"
            )
            .annotate(patient_public_id=F("patient__public_id")),
            limit,
        )
    ]


def callback_counts() -> list[QueueCount]:
    """Open call-back requests, urgent and routine: one query."""
    counts = _open_callbacks().aggregate(
        urgent_calls=Count("pk", filter=Q(urgent=True)),
        routine_calls=Count("pk", filter=Q(urgent=False)),
    )
    return [
        QueueCount("callback", URGENT, Can.SEE_QUEUE, counts["urgent_calls"]),
        QueueCount("callback", TO_CONFIRM, Can.SEE_QUEUE, counts["routine_calls"]),
    ]


def _callback_badges(callback) -> tuple[str, ...]:
    badges = ["urgent"] if callback.urgent else []
    if callback.status == CallbackRequest.Status.CALLING:
        badges.append("being called")
    return tuple(badges)
