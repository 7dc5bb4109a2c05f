"""The back office's front: the day's schedule, the work queue, finding a patient, her chart,
call-backs and suggested duplicates.

Every view is gated by ``staff_view`` and writes one audit event per request for the patient
data it shows (list pages: one event with a count, never the names or what was searched for).
"""

from collections import defaultdict
from datetime import date, datetime
from typing import cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Field, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from perinatal.accounts.access import staff_view
from perinatal.accounts.roles import Can, can, capabilities
from perinatal.audit.log import record
from perinatal.audit.models import Action
from perinatal.backoffice import queue as work_queue
from perinatal.backoffice import sources
from perinatal.backoffice.forms import CallbackOutcomeForm
from perinatal.backoffice.timeline import entries_for
from perinatal.backoffice.today import schedule
from perinatal.lib.backoffice import OB_LETTER, OTHER, TO_CONFIRM, UNSIGNED_CONSENT, URGENT
from perinatal.patients import services
from perinatal.patients.access import get_patient_for
from perinatal.patients.forms import (
    MergeDecisionForm,
    PatientForm,
    SearchForm,
)
from perinatal.patients.models import MergeSuggestion, Patient
from perinatal.screening import services as screening_services
from perinatal.screening.charts import Result, score_charts
from perinatal.screening.content import crisis_resources, risk_factors
from perinatal.screening.instruments import definition
from perinatal.screening.models import CallbackRequest, Screening
from perinatal.screening.sources import results_of

PAGE_SIZE = 25
CANDIDATES = 10
QUEUE_GROUP_ROWS = 15
TIMELINE_ROWS = 40  # the newest; the whole story on request
PRIORITY_HEADINGS = {
    URGENT: "Urgent: act now",
    TO_CONFIRM: "To confirm and call back",
    UNSIGNED_CONSENT: "Consents waiting for a signature",
    OB_LETTER: "OB letters waiting for an answer",
    OTHER: "Other",
}


# --- Today ---------------------------------------------------------------------------------


@staff_view(Can.SEE_SCHEDULE)
def home(request):
    now = timezone.now()
    locations = schedule(now)
    counts = work_queue.counts_for(request.user) if can(request.user, Can.SEE_QUEUE) else []
    shown = sum(len(day["appointments"]) for place in locations for day in place["days"])
    record(Action.VIEW, model="booking.appointment", detail={"page": "home", "rows": shown})
    return render(
        request,
        "backoffice/home.html",
        {
            "nav": "home",
            "locations": locations,
            "queue_summary": work_queue.summary(counts),
            "urgent_count": sum(count.count for count in counts if count.priority == URGENT),
            "search_form": SearchForm(),
        },
    )


# --- Work queue ----------------------------------------------------------------------------


@staff_view(Can.SEE_QUEUE)
def queue(request):
    # Urgent items are always listed in full; a long routine group shows its oldest first and
    # says how many more wait, so the page stays quick to read and to load.
    show_all = request.GET.get("all") == "1"
    limit = work_queue.SOURCE_LIMIT if show_all else QUEUE_GROUP_ROWS
    items = work_queue.items_for(request.user, limit)
    groups = defaultdict(list)
    for item in items:
        groups[item.priority].append(item)
    # Every urgent item is listed, so they are their own count; the routine groups are counted.
    counts = work_queue.counts_for(request.user, urgent_kinds=False)
    totals = work_queue.totals_by_priority(counts)
    totals[URGENT] = len(groups.get(URGENT, []))
    sections = []
    for priority, group in sorted(groups.items()):
        listed = group if priority == URGENT else group[:limit]
        sections.append(
            {
                "priority": priority,
                "urgent": priority == URGENT,
                "heading": PRIORITY_HEADINGS.get(priority, "Other"),
                "items": listed,
                "total": max(totals.get(priority, 0), len(group)),
            }
        )
    shown = sum(len(section["items"]) for section in sections)
    record(Action.VIEW, model="patients.queue", detail={"page": "queue", "rows": shown})
    return render(
        request,
        "backoffice/queue.html",
        {"nav": "queue", "groups": sections, "count": sum(totals.values())},
    )


# --- Call-backs ----------------------------------------------------------------------------


@staff_view(Can.HANDLE_CALLBACKS)
def callback(request, public_id):
    callback = get_object_or_404(
        CallbackRequest.objects.select_related("screening", "patient"), public_id=public_id
    )
    find = SearchForm(request.GET or None)
    found = []
    if find.is_valid() and find.cleaned_data["q"]:
        found = list(Patient.objects.search(find.cleaned_data["q"])[:CANDIDATES])
        record(Action.SEARCH, model="patients.patient", detail={"results": len(found)})
    if request.method == "POST":
        form = CallbackOutcomeForm(request.POST)
        if form.is_valid():
            screening_services.record_callback(
                callback,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                patient=form.cleaned_data["patient"],
                user=request.user,
            )
            messages.success(request, "Call-back recorded.")
            return redirect("backoffice:queue")
    else:
        form = CallbackOutcomeForm(initial={"patient": callback.patient_id})
    record(Action.VIEW, callback, patient=callback.patient_id)
    return render(
        request,
        "backoffice/callback.html",
        {
            "nav": "queue",
            "callback": callback,
            "form": form,
            "find": find,
            "candidates": _candidates(callback, found, form),
            "chosen": str(form["patient"].value() or ""),
            "searched": bool(find.is_bound and find.data.get("q")),
            "crisis": crisis_resources("en") if callback.urgent else [],
            "screen": _screen_summary(callback.screening)
            if can(request.user, Can.SEE_CLINICAL)
            else None,
        },
    )


def _candidates(callback, found, form) -> list[Patient]:
    """Records she may be: the one already linked, the one chosen, those with her number,
    and what staff searched for. One query."""
    # The record chosen as the form read it, never the raw value: a typed id may be no record's,
    # or too long for the database to compare.
    chosen = form.cleaned_data.get("patient") if form.is_bound else None
    ids = [i for i in (callback.patient_id, chosen.pk if chosen else None) if i]
    same_phone = Patient.objects.current().filter(phone=callback.phone).values("pk")[:CANDIDATES]
    wanted = Patient.objects.current().filter(Q(pk__in=ids) | Q(pk__in=same_phone))
    candidates = {patient.pk: patient for patient in wanted}
    for patient in found:
        candidates.setdefault(patient.pk, patient)
    return list(candidates.values())


def _screen_summary(screening: Screening | None) -> dict | None:
    if screening is None:
        return None
    instrument = definition(screening.instrument)
    safety_numbers = {item.number: item for item in instrument.safety_items} if instrument else {}
    answers = [
        {"item": safety_numbers[a["item"]], "answer": a["text"], "score": a["score"]}
        for a in screening.answers
        if a.get("item") in safety_numbers
    ]
    labels = {factor.code: factor.label for factor in risk_factors("en")}
    return {
        "screening": screening,
        "name": instrument.abbreviation if instrument else screening.instrument.upper(),
        "max_total": instrument.max_total if instrument else None,
        "band": next((b.label for b in instrument.bands if b.code == screening.band), "")
        if instrument
        else screening.band,
        "safety_answers": answers,
        "risk_factors": [labels.get(code, code) for code in screening.risk_factors],
    }


# --- Finding a patient ---------------------------------------------------------------------


@staff_view(Can.FIND_PATIENTS)
def search(request):
    form = SearchForm(request.GET or None)
    page = None
    if form.is_valid() and form.cleaned_data["q"]:
        paginator = Paginator(Patient.objects.search(form.cleaned_data["q"]), PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        record(Action.SEARCH, model="patients.patient", detail={"results": paginator.count})
    return render(
        request, "backoffice/search.html", {"nav": "patients", "form": form, "page": page}
    )


# --- The chart -----------------------------------------------------------------------------


# The score charts are the chart's heaviest part (a mark and a table row per result), so their
# drawing is kept in the cache, keyed by her public id, how many results she has and when the
# newest was taken, the language and the time zone: a new or merged-in result draws them afresh.
# See "Cached fragments" in docs/architecture.md for why this is acceptable for health data.
SCORE_CHARTS_SECONDS = 600


@staff_view(Can.SEE_CONTACTS)
def chart(request, public_id):
    patient = get_patient_for(request.user, public_id)
    clinical = can(request.user, Can.SEE_CLINICAL)
    staff_can = capabilities(request.user)
    results = results_of(patient) if clinical else []
    by_code = defaultdict(list)
    for code, total, band, alert, at in results:
        by_code[code].append(Result(at=at, total=total, band=band, safety_alert=alert))
    today = timezone.localdate()
    whole_story = request.GET.get("timeline") == "all"
    timeline, older = entries_for(patient, request.user, None if whole_story else TIMELINE_ROWS)
    record(Action.VIEW, patient, patient=patient)
    return render(
        request,
        "backoffice/chart.html",
        {
            "nav": "patients",
            "patient": patient,
            "age": patient.age_on(today),
            "gestation": patient.gestation_on(today),
            "weeks_postpartum": patient.weeks_postpartum_on(today),
            "timeline": timeline,
            "older_entries": older,
            # Drawn only when the cached drawing is missing (see SCORE_CHARTS_SECONDS).
            "charts": lambda: score_charts(by_code),
            "scores_version": f"{len(results)}-{results[0][4].isoformat() if results else ''}",
            "scores_seconds": SCORE_CHARTS_SECONDS,
            "clinical": clinical,
            "sections": [
                (template, section)
                for template, chart_section in sources.CHART
                if (section := chart_section(patient, staff_can)) is not None
            ],
        },
    )


@staff_view(Can.EDIT_PATIENTS)
def edit(request, public_id):
    patient = get_patient_for(request.user, public_id)
    name = patient.name
    if request.method == "POST":
        before = _editable_values(patient)
        form = PatientForm(request.POST, instance=patient)
        if form.is_valid():  # fills the instance with what was typed
            after = _editable_values(patient)
            changed = [field for field in before if before[field] != after[field]]
            if changed:
                patient.save(update_fields=[*changed, "updated_at"])
                messages.success(request, "Saved.")
            else:
                messages.info(request, "Nothing was changed.")
            return redirect("backoffice:chart", patient.public_id)
    else:
        form = PatientForm(instance=patient)
    record(Action.VIEW, patient, patient=patient, detail={"page": "edit"})
    return render(
        request,
        "backoffice/edit.html",
        {"nav": "patients", "patient": patient, "name": name, "form": form},
    )


def _editable_values(patient: Patient) -> dict:
    return {
        field: getattr(patient, cast(Field, Patient._meta.get_field(field)).attname)
        for field in PatientForm.Meta.fields
    }


# --- Possible duplicates -------------------------------------------------------------------


@staff_view(Can.MERGE_PATIENTS)
def merges(request):
    suggestions = (
        MergeSuggestion.objects.filter(status=MergeSuggestion.Status.OPEN)
        .select_related("patient", "candidate")
        .order_by("created_at", "pk")
    )
    page = Paginator(suggestions, PAGE_SIZE).get_page(request.GET.get("page"))
    record(
        Action.VIEW,
        model="patients.mergesuggestion",
        detail={"page": "merges", "rows": len(page.object_list)},
    )
    return render(request, "backoffice/merges.html", {"nav": "patients", "page": page})


@staff_view(Can.MERGE_PATIENTS)
def merge(request, public_id):
    suggestion = get_object_or_404(
        MergeSuggestion.objects.select_related(
            "patient__ob__obstetrician", "candidate__ob__obstetrician", "decided_by"
        ),
        public_id=public_id,
    )
    form = MergeDecisionForm(request.POST or None, suggestion=suggestion)
    is_open = suggestion.status == MergeSuggestion.Status.OPEN
    if request.method == "POST":
        if not is_open:
            messages.warning(request, "This suggestion was decided already.")
            return redirect("backoffice:merge", suggestion.public_id)
        if form.is_valid():
            return _decide(request, suggestion, form.keep_id())
    pair = [suggestion.candidate, suggestion.patient]
    counts = _linked_counts(pair)
    for patient in pair:
        record(Action.VIEW, patient, patient=patient, detail={"page": "merge"})
    return render(
        request,
        "backoffice/merge.html",
        {
            "nav": "patients",
            "suggestion": suggestion,
            "pair": [(patient, counts[patient.pk]) for patient in pair],
            "rows": _comparison(pair),
            "form": form,
            "is_open": is_open,
        },
    )


def _decide(request, suggestion, keep_id):
    try:
        if keep_id is None:
            services.keep_apart(suggestion, user=request.user)
            messages.success(request, "Kept as two records of different people.")
            return redirect("backoffice:merges")
        keep = next(p for p in (suggestion.patient, suggestion.candidate) if p.pk == keep_id)
        moved = services.decide_merge(suggestion, keep=keep, user=request.user)
    except services.AlreadyDecided:
        messages.warning(request, "Someone else decided this suggestion already.")
        return redirect("backoffice:merge", suggestion.public_id)
    except services.MergeRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("backoffice:merge", suggestion.public_id)
    total = sum(moved.values())
    messages.success(
        request, f"Merged: {total} linked record{'s' if total != 1 else ''} moved to this chart."
    )
    return redirect("backoffice:chart", keep.public_id)


def _linked_counts(pair: list[Patient]) -> dict[int, list[tuple[str, int]]]:
    """How many rows of each kind hang on each record: one query per linked model."""
    counts: dict[int, list[tuple[str, int]]] = {patient.pk: [] for patient in pair}
    for relation in services.patient_links():
        model, name = relation.related_model, relation.field.name
        rows = (
            model._base_manager.filter(**{f"{name}__in": [p.pk for p in pair]})
            .values(name)
            .annotate(n=Count("pk"))
            .values_list(name, "n")
        )
        found = dict(rows)
        for patient in pair:
            if found.get(patient.pk):
                counts[patient.pk].append(
                    (str(model._meta.verbose_name_plural).capitalize(), found[patient.pk])
                )
    return counts


COMPARED = [
    ("Name", "name"),
    ("Date of birth", "date_of_birth"),
    ("Email", "email"),
    ("Mobile phone", "phone"),
    ("Language", "get_language_display"),
    ("Stage", "get_stage_display"),
    ("Due date", "due_date"),
    ("Delivery date", "delivery_date"),
    ("OB", "ob.obstetrician"),
    ("OB as she named them", "ob.name_given"),
    ("Support person", "support_name"),
    ("Record started", "created_at"),
]


def _comparison(pair: list[Patient]) -> list[tuple[str, list, bool]]:
    """Rows of (label, values, differ) for the side-by-side table."""
    rows = []
    for label, attribute in COMPARED:
        values = []
        for patient in pair:
            value: object = patient
            for name in attribute.split("."):  # a row another app keeps may be missing
                value = getattr(value, name, None)
            values.append(_shown(value() if callable(value) else value))
        rows.append((label, values, len(set(values)) > 1))
    return rows


def _shown(value) -> str:
    if isinstance(value, datetime):
        return f"{timezone.localtime(value):%d %b %Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d %b %Y}"
    return str(value or "")
