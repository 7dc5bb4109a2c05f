"""What the chart's timeline and the work queue learn from consents.

Each source runs one query. Timeline entries and queue items say only which form and where it
stands; the signed text is one click away, on the printable page.
"""

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.db.models import Min
from django.urls import reverse
from django.utils import timezone

from perinatal.accounts.roles import Can
from perinatal.consents.models import ConsentRequest, Method
from perinatal.consents.services import requests_of
from perinatal.consents.staff_views import consent_rows
from perinatal.lib.backoffice import (
    UNSIGNED_CONSENT,
    QueueCount,
    QueueItem,
    TimelineEntry,
)


def remind_after() -> timedelta:
    """How long an unsigned form waits before it shows in the work queue."""
    return timedelta(hours=settings.PERINATAL_CONSENT_REMIND_HOURS)


def _channel(method: str) -> str:
    return "on the clinic tablet" if method == Method.TABLET else "by private link"


def consent_events(patient, limit=None) -> list[TimelineEntry]:
    requests = requests_of(patient)
    sent = defaultdict(list)
    entries = []
    page = reverse("consents:patient", args=[patient.public_id])
    for consent_request in requests:
        sent[consent_request.token_digest].append(consent_request)
        signed = getattr(consent_request, "signed", None)
        if signed is None:
            continue
        label = signed.get_kind_display()
        entries.append(
            TimelineEntry(
                at=signed.signed_at,
                kind="consent",
                title=f"Consent signed: {label}",
                detail=f"Version {signed.version} ({signed.language}), {_channel(signed.method)}",
                capability=Can.SEND_CONSENTS,
                url=reverse("consents:printable", args=[consent_request.public_id]),
            )
        )
        withdrawal = getattr(signed, "withdrawal", None)
        if withdrawal is not None:
            entries.append(
                TimelineEntry(
                    at=withdrawal.withdrawn_at,
                    kind="consent",
                    title=f"Consent withdrawn: {label}",
                    detail=withdrawal.get_how_display(),
                    capability=Can.SEND_CONSENTS,
                    url=page,
                )
            )
    for bundle in sent.values():
        first = bundle[0]
        entries.append(
            TimelineEntry(
                at=first.created_at,
                kind="consent",
                title="Consent forms sent: "
                + ", ".join(r.template.get_kind_display() for r in bundle),
                detail=_channel(first.channel),
                capability=Can.SEND_CONSENTS,
                url=page,
            )
        )
    return entries


def _waiting():
    """Forms still unsigned a while after sending, and links that expired unsigned."""
    return ConsentRequest.objects.filter(
        status=ConsentRequest.Status.SENT, created_at__lte=timezone.now() - remind_after()
    )


def unsigned_consents(limit: int) -> list[QueueItem]:
    """One item per patient, so a bundle of three forms is one thing to chase: the ``limit``
    patients who have waited longest (two queries)."""
    now = timezone.now()
    longest = (
        _waiting()
        .values("patient_id")
        .annotate(since=Min("created_at"))
        .order_by("since", "patient_id")
        .values_list("patient_id", flat=True)[:limit]
    )
    waiting = (
        _waiting()
        .filter(patient_id__in=list(longest))
        .select_related("template", "patient")
        .only(
            "created_at",
            "expires_at",
            "patient_id",
            "patient__name",
            "patient__public_id",
            "template__kind",
        )
        .order_by("created_at", "id")
    )
    by_patient: dict[int, list[ConsentRequest]] = defaultdict(list)
    for consent_request in waiting:
        by_patient[consent_request.patient_id].append(consent_request)
    items = []
    for requests in by_patient.values():
        expired = [r for r in requests if r.expires_at <= now]
        forms = ", ".join(sorted({r.template.get_kind_display() for r in requests}))
        items.append(
            QueueItem(
                priority=UNSIGNED_CONSENT,
                at=requests[0].created_at,
                kind="consent",
                title=f"{'Consent link expired' if expired else 'Consent unsigned'}: "
                f"{requests[0].patient.name}",
                detail=f"{forms} — {'send again' if expired else 'remind her or use the tablet'}",
                capability=Can.SEND_CONSENTS,
                url=reverse("consents:patient", args=[requests[0].patient.public_id]),
                patient_public_id=requests[0].patient.public_id,
                badges=("expired",) if expired else ("unsigned",),
            )
        )
    return items


KIND_NAMES = {
    "consent": "Patients with consent forms to sign",
}


def unsigned_consent_counts() -> list[QueueCount]:
    patients = _waiting().values("patient_id").distinct().count()  # one item per patient
    return [QueueCount("consent", UNSIGNED_CONSENT, Can.SEND_CONSENTS, patients)]


def chart_section(patient, staff_can) -> dict | None:
    """The chart's consent panel: where each of her forms stands, for those who send them."""
    if "consents.send" not in staff_can:
        return None
    return {"rows": consent_rows(patient)}
