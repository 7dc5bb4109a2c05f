"""The audit log for people who oversee access (``Can.SEE_AUDIT``): search it, export it, and see
who looked at or changed one patient's record. Reading the log is itself written to the log.
"""

from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from perinatal.accounts.access import staff_view
from perinatal.accounts.roles import Can, Role, can
from perinatal.audit.log import record
from perinatal.audit.models import Action, AuditEvent
from perinatal.audit.search import AuditSearchForm, csv_rows, page_number, page_of
from perinatal.patients.models import Patient

ROLE_LABELS = dict(Role.choices)


def _rows(events):
    return [
        {
            "event": event,
            "role": ROLE_LABELS.get(event.role, event.role),
            "detail": sorted((event.detail or {}).items()),
        }
        for event in events
    ]


@staff_view(Can.SEE_AUDIT)
def audit(request):
    form = AuditSearchForm(request.GET)
    number = page_number(request)
    used = form.used()
    record(
        Action.SEARCH,
        model=AuditEvent._meta.label_lower,
        patient=form.cleaned_data.get("patient") if form.is_valid() else None,
        detail={"filters": used, "page": number},
    )
    page = page_of(form.events(), number)
    context = {"form": form, "page": page, "rows": _rows(page.events), "nav": "audit"}
    return render(request, "accounts/audit.html", context)


@staff_view(Can.SEE_AUDIT)
def export(request):
    form = AuditSearchForm(request.GET)
    # The events up to now: the file holds exactly the rows counted in its own audit event,
    # not that event nor anything written while it streams (nothing is ever removed).
    latest = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    events = form.events().filter(id__lte=latest)
    record(
        Action.EXPORT,
        model=AuditEvent._meta.label_lower,
        patient=form.cleaned_data.get("patient") if form.is_valid() else None,
        detail={"filters": form.used(), "rows": events.count()},
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(csv_rows(events), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response


@staff_view(Can.SEE_AUDIT)
def patient_history(request, pk: int):
    """Who looked at or changed this patient's record, when and from where, including the
    records since merged into hers."""
    patient = get_object_or_404(Patient.objects.only("pk", "name"), pk=pk)
    record(Action.VIEW, patient, patient=patient, detail={"page": "access history"})
    ids = [patient.pk, *Patient.objects.filter(merged_into=patient).values_list("pk", flat=True)]
    page = page_of(AuditEvent.objects.filter(patient_id__in=ids), page_number(request))
    context = {
        "patient": patient,
        # An administrator oversees access without seeing who the patients are.
        "show_name": can(request.user, Can.SEE_CONTACTS),
        "page": page,
        "rows": _rows(page.events),
        "nav": "audit",
    }
    return render(request, "accounts/patient_history.html", context)
