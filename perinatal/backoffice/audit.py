"""The audit log for people who oversee access (``Can.SEE_AUDIT``): search it, export it, and see
who looked at or changed one patient's record. Reading the log is itself written to the log.
"""

from django.apps import apps
from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from perinatal.accounts.access import staff_view
from perinatal.accounts.roles import Can, Role, can
from perinatal.audit.log import record
from perinatal.audit.models import Action, AuditEvent
from perinatal.audit.search import (
    AuditSearchForm,
    csv_rows,
    page_number,
    page_of,
    record_type_name,
    record_types,
)
from perinatal.patients.access import get_patient_for
from perinatal.patients.models import Patient

ROLE_LABELS = dict(Role.choices)


def _titles(events) -> dict[tuple[str, str], str]:
    """Each record's own title (``str()``), by (label, id): one query per kind of record on
    the page, for the kinds in the record-type menu only. A record since deleted has none."""
    wanted: dict[str, set[str]] = {}
    for event in events:
        if event.model in record_types() and event.object_id:
            wanted.setdefault(event.model, set()).add(event.object_id)
    titles = {}
    for label, ids in wanted.items():
        model = apps.get_model(label)
        # Every required foreign key joined: a title may name its form or its note.
        joined = [
            field.name
            for field in model._meta.concrete_fields
            if field.is_relation and not field.null
        ]
        try:
            rows = model._base_manager.filter(pk__in=ids)
            rows = rows.select_related(*joined) if joined else rows
            titles.update({(label, str(row.pk)): str(row) for row in rows})
        except (ValueError, ValidationError):  # an id of another shape than the key's
            continue
    return titles


def _rows(events, *, names: bool):
    """The events with what a person reads: the kind of record and, for those who may see who
    the patients are, the record's title and the patient's name (two queries and one per kind
    of record, whatever the page's size). Others read the kind and the number."""
    titles = _titles(events) if names else {}
    patient_ids = {event.patient_id for event in events if event.patient_id}
    patients = {
        pk: (public_id, name)
        for pk, public_id, name in Patient._base_manager.filter(pk__in=patient_ids).values_list(
            "pk", "public_id", "name"
        )
    }
    rows = []
    for event in events:
        kind = record_type_name(event.model) if event.model else ""
        title = titles.get((event.model, event.object_id))
        if title:
            record_text = f"{kind}: {title}"
        elif event.object_id:
            record_text = f"{kind} {event.object_id}"
        else:
            record_text = kind
        rows.append(
            {
                "event": event,
                "role": ROLE_LABELS.get(event.role, event.role),
                "record": record_text,
                "patient": patients[event.patient_id][1]
                if names and event.patient_id in patients
                else (_("patient %(number)s") % {"number": event.patient_id}),
                "patient_public_id": patients.get(event.patient_id, (None, ""))[0],
                "detail": sorted((event.detail or {}).items()),
            }
        )
    return rows


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
    rows = _rows(page.events, names=can(request.user, Can.SEE_CONTACTS))
    context = {"form": form, "page": page, "rows": rows, "nav": "audit"}
    return render(request, "backoffice/audit.html", context)


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
def patient_history(request, public_id):
    """Who looked at or changed this patient's record, when and from where, including the
    records since merged into hers."""
    patient = get_patient_for(request.user, public_id)
    record(Action.VIEW, patient, patient=patient, detail={"page": "access history"})
    ids = [patient.pk, *Patient.objects.filter(merged_into=patient).values_list("pk", flat=True)]
    page = page_of(AuditEvent.objects.filter(patient_id__in=ids), page_number(request))
    # An administrator oversees access without seeing who the patients are.
    show_name = can(request.user, Can.SEE_CONTACTS)
    context = {
        "patient": patient,
        "show_name": show_name,
        "page": page,
        "rows": _rows(page.events, names=show_name),
        "nav": "audit",
    }
    return render(request, "backoffice/patient_history.html", context)
