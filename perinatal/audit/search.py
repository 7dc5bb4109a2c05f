"""Searching the audit log: the filter form, one page of events, and the CSV export.

A page is read with one query whatever the size of the log: the events carry everything shown
(no joins), and instead of counting every match the page asks for one row more than it shows to
know whether an older page exists.
"""

import csv
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django import forms
from django.apps import apps
from django.conf import settings
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.text import capfirst

from perinatal.audit.log import tracked_models
from perinatal.audit.models import Action, AuditEvent

PAGE_SIZE = 50
# Largest id a database integer column holds; a longer number names no record.
MAX_ID = 2**63 - 1
FIRST_DAY = date(2000, 1, 1)
# Beyond any log's length; a larger page number would overflow the query's offset.
LAST_PAGE = 10**9
# Actions where the username typed is in ``detail``, because no one was signed in.
_ATTEMPTS = [Action.SIGN_IN_FAILED, Action.LOCKED_OUT]


def record_types() -> dict[str, str]:
    """The kinds of record the log speaks of that staff look for, by label, named as a person
    reads them ("Consultation note"): patient data (every model saved under audit), staff
    accounts (sign-in events) and the log itself. Django's and libraries' internal tables
    (sessions, content types, lockout counters) are never what someone searches for."""
    models: list[type[Model]] = [
        *tracked_models(),
        apps.get_model(settings.AUTH_USER_MODEL),
        AuditEvent,
    ]
    names = {model._meta.label_lower: str(capfirst(model._meta.verbose_name)) for model in models}
    return dict(sorted(names.items(), key=lambda item: item[1]))


def record_type_name(label: str) -> str:
    """ "Appointment" for ``booking.appointment``; a label the log holds from an older version
    of the code, or for something that is not a table (``patients.queue``), as it is."""
    try:
        return capfirst(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


def _model_choices():
    return [("", "Any record"), *record_types().items()]


class AuditSearchForm(forms.Form):
    person = forms.CharField(
        label="Person (username)",
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false"}),
    )
    patient = forms.IntegerField(
        label="Patient number", required=False, min_value=1, max_value=MAX_ID
    )
    action = forms.ChoiceField(
        label="Action", required=False, choices=[("", "Any action"), *Action.choices]
    )
    model = forms.ChoiceField(label="Record type", required=False, choices=())
    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="Until (inclusive)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def _within_the_log(self, name: str):
        # The log began after 2000 and cannot be later than tomorrow: clamp a typed 0001-01-01
        # or 9999-12-31 to that range (the range means the same), so nothing overflows.
        day = self.cleaned_data[name]
        return day and min(max(day, FIRST_DAY), timezone.localdate() + timedelta(days=1))

    def clean_since(self):
        return self._within_the_log("since")

    def clean_until(self):
        return self._within_the_log("until")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = _model_choices()

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end of the range is before its start.")
        return data

    def used(self) -> list[str]:
        """Names of the filters given (for the audit event about this search: never values)."""
        if not self.is_valid():
            return []
        return sorted(name for name, value in self.cleaned_data.items() if value not in ("", None))

    def events(self):
        """The matching events, newest first. An invalid form matches nothing."""
        if not self.is_valid():
            return AuditEvent.objects.none()
        data = self.cleaned_data
        events = AuditEvent.objects.all()
        if data["person"]:
            person = data["person"].strip()
            events = events.filter(
                Q(actor_label__iexact=person)
                | Q(action__in=_ATTEMPTS, detail__username__iexact=person)
            )
        if data["patient"]:
            events = events.filter(patient_id=data["patient"])
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["model"]:
            events = events.filter(model=data["model"])
        if data["since"]:
            events = events.filter(at__gte=_start_of(data["since"]))
        if data["until"]:
            events = events.filter(at__lt=_start_of(data["until"] + timedelta(days=1)))
        return events


def _start_of(day) -> datetime:
    """Midnight at the start of ``day`` in the clinic's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass
class Page:
    events: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def page_of(events, number: int) -> Page:
    """One page of events in one query: a row more than the page holds says if more follow."""
    number = max(1, number)
    start = (number - 1) * PAGE_SIZE
    rows = list(events.order_by("-at", "-id")[start : start + PAGE_SIZE + 1])
    return Page(events=rows[:PAGE_SIZE], number=number, has_next=len(rows) > PAGE_SIZE)


def page_number(request) -> int:
    try:
        return min(max(1, int(request.GET.get("page", "1"))), LAST_PAGE)
    except ValueError:
        return 1


CSV_COLUMNS = [
    "at",
    "person",
    "role",
    "action",
    "record type",
    "record id",
    "patient",
    "address",
    "request",
    "path",
    "detail",
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """A spreadsheet must not run a cell as a formula (a username typed at sign-in is free
    text)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


class _Echo:
    def write(self, value):
        return value


def csv_rows(events):
    """The CSV export, line by line, streamed from the database in chunks."""
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for event in events.order_by("-at", "-id").iterator(chunk_size=2000):
        yield writer.writerow(
            [
                _cell(value)
                for value in (
                    timezone.localtime(event.at).isoformat(),
                    event.actor_label,
                    event.role,
                    event.action,
                    event.model,
                    event.object_id,
                    event.patient_id,
                    event.ip,
                    event.request_id,
                    event.path,
                    json.dumps(event.detail, sort_keys=True) if event.detail else "",
                )
            ]
        )
