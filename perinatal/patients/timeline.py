"""The chart's story: what every app says happened to a patient, newest first.

``entries_for(patient, user, limit)`` asks each registered timeline source, keeps the entries
the person may see, sorts them and keeps the newest ``limit``. This module also registers the
sources this app and the apps without a back office of their own (booking, screening, notify)
contribute: screens, appointments, call-backs and the emails sent to her. Each source runs a
fixed number of queries.
"""

from html import escape

from django.contrib.contenttypes.models import ContentType
from django.template.defaultfilters import linebreaksbr
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from perinatal.accounts.roles import Can, capabilities
from perinatal.booking.models import Appointment, ConsultationType
from perinatal.lib.dates import day_month_year_time, month_abbreviations
from perinatal.lib.links import linker
from perinatal.lib.memo import once
from perinatal.notify.models import Message
from perinatal.patients.registry import TimelineEntry, timeline_source, timeline_sources
from perinatal.patients.scores import abbreviation, band_label
from perinatal.screening.models import CallbackRequest, Screening


def entries_for(patient, user, limit: int | None = None) -> tuple[list[TimelineEntry], bool]:
    """Her newest ``limit`` entries this person may see (all when None), and whether there are
    older ones."""
    allowed = capabilities(user)
    # One more than is shown, from each source, tells whether anything older exists.
    wanted = None if limit is None else limit + 1
    entries = [
        entry
        for source in timeline_sources()
        for entry in source(patient, wanted)
        if entry.capability in allowed
    ]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit], limit is not None and len(entries) > limit


def entries_html(entries: list[TimelineEntry]) -> SafeString:
    """The entries as the chart's list items, newest first as given.

    Written here rather than in the template: forty entries with two date filters each were
    about a third of the chart's template time. Times are in the page's zone, as the date
    filter shows them; every piece of text is escaped, and a detail's line breaks kept.
    """
    zone, months = timezone.get_current_timezone(), month_abbreviations()
    items = []
    for entry in entries:
        at = entry.at.astimezone(zone)
        title = conditional_escape(entry.title)
        if entry.url:
            title = f'<a href="{conditional_escape(entry.url)}">{title}</a>'
        detail = (
            f'<div class="small muted">{linebreaksbr(entry.detail, autoescape=True)}</div>'
            if entry.detail
            else ""
        )
        items.append(
            f'<li><time datetime="{at.isoformat()}">{day_month_year_time(at, months)}</time> '
            f'<span class="badge">{escape(entry.kind)}</span> {title}{detail}</li>'
        )
    return SafeString("".join(items))


def results_of(patient) -> list[tuple]:
    """Every questionnaire result of hers, newest first, as (instrument, total, band,
    safety_alert, created_at): one query, once per page (the score charts and the timeline both
    read them)."""
    return once(
        patient,
        "screening.results",
        lambda: list(
            Screening.objects.filter(patient=patient)
            .order_by("-created_at", "-pk")
            .values_list("instrument", "total", "band", "safety_alert", "created_at")
        ),
    )


@timeline_source
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


def appointments_of(patient) -> list[Appointment]:
    """All her appointments, newest first: one query, once per page (her appointments and the
    emails about them both ask). A patient has a handful."""
    return once(
        patient,
        "booking.appointments",
        lambda: list(
            Appointment.objects.filter(patient=patient)
            .select_related("consultation_type")
            .only(
                "public_id",
                "email",
                "consultation_type__name",
                "consultation_type__name_es",
                "clinician_name",
                "location_name",
                "mode",
                "starts_at",
                "status",
                "time_zone",
            )
            .order_by("-starts_at", "-pk")
        ),
    )


@timeline_source
def appointments(patient, limit) -> list[TimelineEntry]:
    link = linker("schedule:appointment")
    rows = appointments_of(patient)[:limit]
    language = get_language()  # the type as staff read it; the booking keeps hers
    entries = []
    for appointment in rows:
        cancelled = appointment.status == Appointment.Status.CANCELLED
        # A video call happens nowhere in particular: the location it was booked under is only
        # whose hours it used.
        where = (
            appointment.get_mode_display()
            if appointment.mode == ConsultationType.Mode.VIDEO
            else appointment.location_name
        )
        entries.append(
            TimelineEntry(
                at=appointment.starts_at,
                kind="appointment",
                title=f"{appointment.consultation_type.label(language)}"
                f"{' (cancelled)' if cancelled else ''}",
                detail=f"with {appointment.clinician_name} · {where}",
                capability=Can.SEE_SCHEDULE,
                url=link(appointment.pk),
            )
        )
    return entries


@timeline_source
def callbacks(patient, limit) -> list[TimelineEntry]:
    link = linker("patients:callback")
    rows = (
        CallbackRequest.objects.filter(patient=patient)
        .only("urgent", "status", "created_at", "staff_note")
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
            url=link(callback.pk),
        )
        for callback in rows
    ]


@timeline_source
def messages(patient, limit) -> list[TimelineEntry]:
    """Emails to her addresses, sent or still to send: subject and state only (subjects never
    carry PHI).

    A sister or friend may share her address; messages about an appointment
    (``Message.about``) are kept only when the appointment is hers, and say which one. One
    query, for the messages to any of her addresses (her appointments are read once for the
    page; the appointment's content type is Django's cached one).
    """
    hers = {appointment.pk: appointment for appointment in appointments_of(patient)}
    # Exactly as written: messages are addressed with the email she booked with or the one
    # on her record, and an exact match can use an index on the address.
    addresses = {a.email for a in hers.values() if a.email} | ({patient.email} - {""})
    if not addresses:
        return []
    # A withdrawn message (a reminder for a booking since moved or cancelled) was never sent:
    # it is no event in her story.
    rows = (
        Message.objects.filter(to__in=sorted(addresses))
        .exclude(status=Message.Status.CANCELLED)
        .only("subject", "status", "created_at", "sent_at", "about_type", "about_id")
    )
    appointment_type = ContentType.objects.get_for_model(Appointment)
    zone, months, language = timezone.get_current_timezone(), month_abbreviations(), get_language()
    entries = []
    for message in rows:
        detail = message.get_status_display()
        if message.about_type_id == appointment_type.pk:
            appointment = hers.get(message.about_id)
            if appointment is None:
                continue  # about someone else's appointment
            when = day_month_year_time(appointment.starts_at.astimezone(zone), months)
            label = appointment.consultation_type.label(language)
            detail += f" · about {label} on {when}"
        entries.append(
            TimelineEntry(
                at=message.sent_at or message.created_at,
                kind="message",
                title=f"Email: {message.subject}",
                detail=detail,
                capability=Can.SEE_CONTACTS,
            )
        )
    return entries
