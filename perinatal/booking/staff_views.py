"""The back office's appointment page: see one appointment, confirm it, move it, cancel it,
and close its self-harm flag.

Seeing needs ``Can.SEE_SCHEDULE``; the actions ``Can.MANAGE_SCHEDULE``; closing the flag
``Can.CLOSE_URGENT`` (clinicians). Moving and cancelling go through the same services as the
patient's own pages (``perinatal.booking.services``), so the overlap rules, the emails with their
calendar files and the reminders behave the same. Times are read and shown in the appointment's
location's zone.
"""

import zoneinfo
from datetime import datetime
from typing import cast

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from perinatal.accounts.access import staff_view
from perinatal.accounts.roles import Can, can
from perinatal.audit.log import record
from perinatal.audit.models import Action
from perinatal.booking import services
from perinatal.booking.models import Appointment, AppointmentEvent, Clinician
from perinatal.booking.slots import STAFF_REACH, local_instant


class MoveForm(forms.Form):
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(
        label="Start time (the location's time)",
        widget=forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M"),
    )
    clinician = forms.ModelChoiceField(queryset=Clinician.objects.none(), empty_label=None)

    def __init__(self, *args, appointment: Appointment, **kwargs):
        self.zone = zoneinfo.ZoneInfo(appointment.time_zone)
        local = appointment.starts_at.astimezone(self.zone)
        kwargs.setdefault(
            "initial",
            {"date": local.date(), "time": local.time(), "clinician": appointment.clinician_id},
        )
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["clinician"]).queryset = Clinician.objects.filter(
            Q(locations=appointment.location_id, is_active=True) | Q(pk=appointment.clinician_id)
        ).distinct()

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if data["date"] > timezone.localdate() + STAFF_REACH:
            self.add_error("date", "Choose a date within the next year.")
        elif local_instant(data["date"], data["time"], self.zone) is None:
            self.add_error("time", "The clocks skip that time that night; choose another.")
        elif self.start() <= timezone.now():
            self.add_error("date", "Choose a time in the future.")
        return data

    def start(self) -> datetime:
        wall = datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"])
        return wall.replace(tzinfo=self.zone)


class CloseUrgentForm(forms.Form):
    note = forms.CharField(
        label="What was done",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Say what was done: who reached her, how, and what next."},
    )


def appointment_for(public_id) -> Appointment:
    return get_object_or_404(
        Appointment.objects.select_related(
            "patient",
            "clinician",
            "location",
            "chair",
            "confirmed_by",
            "urgent_closed_by",
            "consultation_type",
        ),
        public_id=public_id,
    )


def _page(
    request, appointment, *, move_form=None, close_form=None, problems=(), free=(), status=200
):
    record(Action.VIEW, appointment, patient=appointment.patient_id)
    manage = can(request.user, Can.MANAGE_SCHEDULE) and appointment.is_booked
    if manage and move_form is None:
        move_form = MoveForm(appointment=appointment)
    may_close = (
        appointment.urgent
        and appointment.urgent_closed_at is None
        and can(request.user, Can.CLOSE_URGENT)
    )
    if may_close and close_form is None:
        close_form = CloseUrgentForm()
    return render(
        request,
        "schedule/appointment.html",
        {
            "nav": "home",
            "appointment": appointment,
            "events": appointment.events.select_related("user"),
            "manage": manage,
            "move_form": move_form,
            "close_form": close_form if may_close else None,
            "problems": problems,
            "free": free,
        },
        status=status,
    )


@staff_view(Can.SEE_SCHEDULE)
def appointment(request, public_id):
    return _page(request, appointment_for(public_id))


@staff_view(Can.MANAGE_SCHEDULE)
@require_POST
def confirm(request, public_id):
    """Staff checked the new booking: it leaves the work queue's "to confirm" list."""
    appointment = appointment_for(public_id)
    done = Appointment.objects.filter(
        pk=appointment.pk, status=Appointment.Status.BOOKED, confirmed_at__isnull=True
    ).update(confirmed_at=timezone.now(), confirmed_by=request.user)
    if done:
        record(
            Action.UPDATE,
            appointment,
            patient=appointment.patient_id,
            detail={"fields": ["confirmed_at", "confirmed_by"]},
        )
        messages.success(request, "Booking confirmed.")
    elif appointment.is_booked:
        messages.info(request, "This booking was already confirmed.")
    else:
        messages.error(request, "A cancelled appointment cannot be confirmed.")
    return redirect("schedule:appointment", appointment.public_id)


def _chair_free(appointment: Appointment, slots) -> list:
    """Of ``slots``, those at which this appointment's chair is free too (one query)."""
    if appointment.chair_id is None or not slots:
        return list(slots)
    buffer = appointment.blocked_until - appointment.ends_at
    length = appointment.ends_at - appointment.starts_at
    held = list(
        Appointment.objects.booked()
        .filter(
            chair_id=appointment.chair_id,
            starts_at__lt=slots[-1].start + length + buffer,
            blocked_until__gt=slots[0].start,
        )
        .exclude(pk=appointment.pk)
        .values_list("starts_at", "blocked_until")
    )
    return [
        slot
        for slot in slots
        if not any(b < slot.start + length + buffer and slot.start < e for b, e in held)
    ]


@staff_view(Can.MANAGE_SCHEDULE)
@require_POST
def move(request, public_id):
    appointment = appointment_for(public_id)
    form = MoveForm(request.POST, appointment=appointment)
    if not form.is_valid():
        return _page(request, appointment, move_form=form)
    try:
        moved = services.reschedule(
            appointment,
            form.start(),
            actor=AppointmentEvent.Actor.STAFF,
            user=request.user,
            clinician=form.cleaned_data["clinician"],
        )
    except services.SlotTaken as taken:
        problem = "The clinician" + (" or the chair" if appointment.chair_id else "")
        problem += " is taken for part of that time; nothing was changed."
        return _page(
            request,
            appointment,
            move_form=form,
            problems=[problem],
            free=_chair_free(appointment, taken.next_free),
            status=409,
        )
    except services.NotBooked:
        messages.error(request, "A cancelled appointment cannot be moved.")
        return redirect("schedule:appointment", appointment.public_id)
    if moved.sequence == appointment.sequence:
        messages.info(request, "That is its time already; nothing was changed.")
    else:
        messages.success(request, "Moved; she has been emailed the new time.")
    return redirect("schedule:appointment", appointment.public_id)


@staff_view(Can.MANAGE_SCHEDULE)
@require_POST
def cancel(request, public_id):
    appointment = appointment_for(public_id)
    if not appointment.is_booked:
        messages.info(request, "This appointment was already cancelled.")
    else:
        services.cancel(appointment, actor=AppointmentEvent.Actor.STAFF, user=request.user)
        messages.success(request, "Cancelled; she has been emailed.")
    return redirect("schedule:appointment", appointment.public_id)


@staff_view(Can.CLOSE_URGENT)
@require_POST
def close_urgent(request, public_id):
    """A clinician reached her: the self-harm flag leaves the work queue (booked or not)."""
    appointment = appointment_for(public_id)
    form = CloseUrgentForm(request.POST)
    if not form.is_valid():
        return _page(request, appointment, close_form=form)
    closed = services.close_urgent(
        appointment=appointment, user=request.user, note=form.cleaned_data["note"]
    )
    if closed:
        messages.success(request, "Urgent flag closed; it has left the work queue.")
    elif appointment.urgent:
        messages.info(request, "This urgent flag was already closed.")
    else:
        messages.info(request, "This appointment was not flagged urgent.")
    return redirect("schedule:appointment", appointment.public_id)
