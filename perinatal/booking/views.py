"""The public booking pages and the private page behind each appointment's manage link.

Everything a visitor chooses (type, place, time, zone) travels in the URL; nothing personal
does. The manage link's token is the only key to an appointment and is never logged by us.
"""

import secrets
import zoneinfo
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from urllib.parse import quote

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from perinatal.booking import services
from perinatal.booking.forms import DetailsForm
from perinatal.booking.models import Appointment, AppointmentEvent, ConsultationType
from perinatal.booking.slots import (
    Policy,
    Slot,
    bookings_version,
    days_with_slots,
    next_free,
    offered_types,
    schedule_version,
    slot_at,
)
from perinatal.booking.zones import (
    parse_day,
    parse_instant,
    valid_zone,
    zone_choices,
    zone_label,
)
from perinatal.clinic.models import Clinic, Location, current_clinic_version
from perinatal.clinic.pagecache import private_page
from perinatal.lib.ratelimit import rate_limited, retry_after
from perinatal.screening.content import crisis_resources
from perinatal.screening.views import session_screening

JUST_DONE = "booking:just-done"
FORM_KEY = "booking:form-key"
BOOKED_HERE = "booking:booked-here"


@dataclass(frozen=True)
class SlotRow:
    """One time button: what it sends, what it says in her zone and at the place."""

    href: str
    label: str
    place_label: str


def slot_rows(
    slots: list[Slot], zone: str, place_zone: str | None, link: str = ""
) -> list[SlotRow]:
    """Times formatted once in Python: a template block per slot cost more than the search."""
    tz = zoneinfo.ZoneInfo(zone)
    place_tz = zoneinfo.ZoneInfo(place_zone) if place_zone and place_zone != zone else None
    suffix = "&tz=" + quote(zone, safe="")
    rows = []
    for slot in slots:
        start = slot.start.strftime("%Y-%m-%dT%H:%M:%SZ")
        rows.append(
            SlotRow(
                href=f"{link}?start={start}{suffix}",
                label=time_format(slot.start.astimezone(tz), "TIME_FORMAT"),
                place_label=time_format(slot.start.astimezone(place_tz), "TIME_FORMAT")
                if place_tz
                else "",
            )
        )
    return rows


def _consultation(slug: str, location_id=None) -> tuple[ConsultationType, Location | None]:
    consultation = get_object_or_404(ConsultationType, slug=slug, is_active=True)
    if consultation.in_person != (location_id is not None):
        raise Http404
    place = None
    if location_id is not None:
        place = get_object_or_404(Location, public_id=location_id, is_active=True)
    return consultation, place


def _zone(request, default: str) -> str:
    return valid_zone(request.GET.get("tz") or request.POST.get("tz")) or default


def _default_zone(place: Location | None) -> str:
    return place.time_zone if place else settings.TIME_ZONE


def _times_context(request, consultation, place, zone, link: str, **search) -> dict:
    now = timezone.now()
    policy = Policy.of(Clinic.objects.current())
    today = now.astimezone(zoneinfo.ZoneInfo(zone)).date()
    from_day = max(parse_day(request.GET.get("from")) or today, today)
    where = {"location": place} if place else {}
    days, next_day = days_with_slots(
        consultation,
        zone=zone,
        from_day=from_day,
        horizon_end=now + policy.horizon,
        **where,
        **search,
    )
    # One day at a time: the days with free times make the picker, the chosen one (else the
    # first) lists its times.
    wanted = parse_day(request.GET.get("day"))
    chosen_day, chosen = next(
        ((day, slots) for day, slots in days if day == wanted), days[0] if days else (None, [])
    )
    place_zone = place.time_zone if place else None
    return {
        "consultation": consultation,
        "place": place,
        "zone": zone,
        "zone_label": zone_label(zone),
        "zone_choices": zone_choices(zone),
        "days": [day for day, _slots in days],
        "chosen_day": chosen_day,
        "slots": slot_rows(chosen, zone, place_zone, link),
        "next_day": next_day,
        "from_day": from_day if from_day != today else None,
        "type_label": consultation.label(get_language()),
    }


def choose(request):
    return render(request, "booking/choose.html", {"options": offered_types(get_language())})


TIMES_CACHE_SECONDS = settings.PERINATAL_SCHEDULE_CACHE_SECONDS


def times(request, slug, location=None):
    """Free times for everyone alike, so the list is rendered once per change and reused.

    The key names what the list depends on: language, type, place, zone, first and chosen day,
    and the versions of the schedule, of the bookings and of the clinic. A booking anywhere
    moves the bookings version; a time that passes the minimum notice drops off within a minute
    (and booking it then says so and offers the next ones).
    """
    consultation, place = _consultation(slug, location)
    zone = _zone(request, _default_zone(place))
    key = ":".join(
        [
            "times",
            get_language(),
            str(consultation.pk),
            str(place.pk if place else 0),
            zone,
            str(parse_day(request.GET.get("from")) or ""),
            str(parse_day(request.GET.get("day")) or ""),
            schedule_version(),
            bookings_version(),
            current_clinic_version(),
        ]
    )
    cached = cache.get(key)
    if cached is None:
        link = reverse("booking:details", args=[slug, location] if location else [slug])
        context = _times_context(request, consultation, place, zone, link)
        context["slot_days"] = render_to_string("booking/_slot_days.html", context, request)
        del context["days"], context["slots"]
        cached = context
        cache.set(key, cached, TIMES_CACHE_SECONDS)
    cached["slot_days"] = mark_safe(cached["slot_days"])  # noqa: S308 (our own rendering)
    return render(request, "booking/times.html", cached)


def _form_key(request) -> str:
    """The booking form's key for this browser: made on its first visit, the same every time
    the page is drawn again, for as long as the session lasts (an hour, or until the browser
    closes)."""
    if FORM_KEY not in request.session:
        request.session[FORM_KEY] = secrets.token_urlsafe(16)
    return request.session[FORM_KEY]


def _booked_here(request) -> bool:
    """Whether this browser booked a consultation that is still to come."""
    ids = request.session.get(BOOKED_HERE)
    if not ids:
        return False
    upcoming = Appointment.objects.upcoming_consultations(timezone.now())
    return upcoming.filter(public_id__in=ids).exists()


def _remember_booked_here(request, appointment: Appointment) -> None:
    request.session[BOOKED_HERE] = [
        *request.session.get(BOOKED_HERE, [])[-4:],
        str(appointment.public_id),
    ]


@private_page
@require_http_methods(["GET", "HEAD", "POST"])
def details(request, slug, location=None):
    """Her details for one time. Over the rate limit the filled-in form comes back with the
    message, so nothing she typed is lost (the generic 429 page would lose it).

    Back after booking must not book again. Chromium shows the form again (refetched, since
    the page is ``no-store``, or from its back/forward cache) with her answers refilled, and she
    may press the button once more, for the same time or for one the page now offers instead.
    Two guards, neither trusting what the browser restores:

    1. The hidden key is the session's (``_form_key``), so a refetched page carries the same
       one as the first; the booking's idempotency key is made from it and the request
       (``DetailsForm.booking_key``). The same time and email again return the first
       appointment and its page, whichever clinician was free.
    2. A new request from a browser that has booked an upcoming consultation (``BOOKED_HERE``)
       is not booked at once: the page asks first, saying that if she already has a booking
       with this email and phone its details have gone to her email (sent only when one
       exists, through the outbox), and books when she presses on (``another``). The page is
       the same whether or not a booking exists, so it tells whoever typed the address nothing.
       The trigger is this browser's own booking, never the address: asking only when the
       address has a booking would say so. A duplicate made from another browser is booked,
       and staff see the two together in the work queue (``perinatal.backoffice.queue``).
    """
    consultation, place = _consultation(slug, location)
    zone = _zone(request, _default_zone(place))
    data = request.POST if request.method == "POST" else request.GET
    start = parse_instant(data.get("start"))
    times_url = reverse("booking:times", args=[slug, location] if location else [slug])
    if start is None:
        return redirect(f"{times_url}?{urlencode({'tz': zone})}")
    screening = session_screening(request)  # this browser's own: for the crisis lines
    # Only a recent screen may travel with the booking.
    attachable = screening if screening and screening.attachable_at(timezone.now()) else None
    language = get_language()
    consent_text = services.contact_consent_text()
    where = {"location": place} if place else {}
    problem, alternatives = "", []
    shared = {  # what the details page and the "booked already?" page both show
        "consultation": consultation,
        "type_label": consultation.label(language),
        "place": place,
        "start": start,
        "end": start + timedelta(minutes=consultation.duration_minutes),
        "zone": zone,
        "zone_label": zone_label(zone),
        "zone_differs": bool(place and place.time_zone != zone),
        "times_url": f"{times_url}?{urlencode({'tz': zone})}",
        "crisis_resources": crisis_resources(language)
        if screening and screening.safety_alert
        else None,
    }

    wait = retry_after(request, "booking") if request.method == "POST" else 0
    if request.method == "POST":
        form = DetailsForm(
            request.POST, consent_text=consent_text, offer_screening=attachable is not None
        )
        if wait:
            problem = "busy"
        elif form.is_valid():
            data = form.cleaned_data
            attach = bool(attachable and data.get("attach_screening"))
            key = form.booking_key(consultation=consultation, location=place, start=start)
            repeat = bool(key) and Appointment.objects.filter(idempotency_key=key).exists()
            if not (repeat or data["another"]) and _booked_here(request):
                services.send_details_again(email=data["email"], phone=data["phone"])
                typed = [
                    (name, value)
                    for name, values in request.POST.lists()
                    if name not in ("csrfmiddlewaretoken", "another")
                    for value in values
                ]
                return render(
                    request,
                    "booking/booked_already.html",
                    {**shared, "typed": typed},
                )
            try:
                appointment, created = services.book(
                    consultation,
                    start,
                    services.Person.from_data(data, own_time_zone=zone),
                    via=Appointment.Via.WEB,
                    location=place,
                    idempotency_key=key,
                    screening=attachable if attach else None,
                    consent_text=consent_text,
                )
            except services.SlotTaken as exc:
                problem, alternatives = "taken", exc.next_free
            except services.NotOffered:
                problem, alternatives = "gone", next_free(consultation, start, **where)
            else:
                if created:
                    _remember_booked_here(request, appointment)
                request.session[JUST_DONE] = "booked"
                url = reverse("booking:manage", args=[services.issue_manage_link(appointment)])
                return redirect(f"{url}?{urlencode({'tz': zone})}")
    else:
        form = DetailsForm(
            initial={
                "language": language,
                "idempotency_key": _form_key(request),
            },
            consent_text=consent_text,
            offer_screening=attachable is not None,
        )
        if slot_at(consultation, start, **where) is None:
            problem, alternatives = "gone", next_free(consultation, start, **where)

    return render(
        request,
        "booking/details.html",
        {
            **shared,
            "form": form,
            "problem": problem,
            "alternatives": alternatives,
            "screening": attachable,
        },
        status={"taken": 409, "busy": 429}.get(problem, 200) if request.method == "POST" else 200,
    )


def _manage_context(request, appointment, token: str) -> dict:
    zone = _zone(request, appointment.display_time_zone)  # hers, as in her emails
    return {
        "appointment": appointment,
        "token": token,
        "zone": zone,
        "zone_label": zone_label(zone),
        # A video call has no place whose clock matters to her.
        "zone_differs": not appointment.is_video and zone != appointment.time_zone,
        "place_zone_label": zone_label(appointment.time_zone),
        "can_change": services.can_change_online(appointment),
        # For everyone alike: the link may be read by someone she did not tell.
        "crisis_resources": crisis_resources(get_language()),
    }


def opens_link(view):
    """For the pages a manage link opens: a link whose appointment is over says so (410)."""

    @wraps(view)
    def wrapped(request, token, *args, **kwargs):
        try:
            return view(request, token, *args, **kwargs)
        except services.LinkPassed:
            return render(request, "booking/link_passed.html", status=410)

    return wrapped


@private_page
@opens_link
def manage(request, token):
    appointment = services.by_token(token)
    context = _manage_context(request, appointment, token)
    context["just_done"] = request.session.pop(JUST_DONE, None)
    response = render(request, "booking/manage.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@private_page
@opens_link
def calendar_file(request, token):
    appointment = services.by_token(token)
    ics = services.invitation(appointment, Clinic.objects.current(), method="PUBLISH")
    response = HttpResponse(ics, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="appointment.ics"'
    return response


@private_page
@require_http_methods(["GET", "HEAD", "POST"])
@rate_limited("manage")
@opens_link
def change(request, token):
    appointment = services.by_token(token)
    if not services.can_change_online(appointment):
        return redirect("booking:manage", token)
    zone = _zone(request, appointment.display_time_zone)
    place = appointment.location if appointment.consultation_type.in_person else None
    agreed = {
        "duration": timedelta(minutes=appointment.duration_minutes),
        "buffer": timedelta(minutes=appointment.buffer_minutes),
        "ignore": appointment,
    }
    manage_url = reverse("booking:manage", args=[token])
    start = parse_instant(request.POST.get("start") or request.GET.get("start"))
    problem, alternatives = "", []
    if request.method == "POST" and start == appointment.starts_at:
        return redirect(f"{manage_url}?{urlencode({'tz': zone})}")  # nothing to move
    if request.method == "POST" and start:
        try:
            services.reschedule(appointment, start, actor=AppointmentEvent.Actor.PATIENT)
        except services.SlotTaken as exc:
            problem, alternatives = "taken", exc.next_free
        except services.NotOffered:
            where = {"location": place} if place else {}
            problem = "gone"
            alternatives = next_free(appointment.consultation_type, start, **where, **agreed)
        except (services.TooLateToChange, services.NotBooked):
            return redirect("booking:manage", token)
        else:
            request.session[JUST_DONE] = "changed"
            return redirect(f"{manage_url}?{urlencode({'tz': zone})}")
    if start and not problem:
        return render(
            request,
            "booking/change_confirm.html",
            {
                **_manage_context(request, appointment, token),
                "start": start,
                "end": start + timedelta(minutes=appointment.duration_minutes),
            },
        )
    context = _times_context(
        request,
        appointment.consultation_type,
        place,
        zone,
        reverse("booking:change", args=[token]),
        **agreed,
    )
    context.update(_manage_context(request, appointment, token))
    context.update(
        {
            "problem": problem,
            "alternatives": alternatives,
        }
    )
    return render(
        request,
        "booking/change.html",
        context,
        status=409 if problem == "taken" else 200,
    )


@private_page
@require_http_methods(["GET", "HEAD", "POST"])
@rate_limited("manage")
@opens_link
def cancel(request, token):
    appointment = services.by_token(token)
    if not services.can_change_online(appointment):
        return redirect("booking:manage", token)
    if request.method == "POST":
        try:
            services.cancel(appointment, actor=AppointmentEvent.Actor.PATIENT)
        except (services.TooLateToChange, services.NotBooked):
            pass
        else:
            request.session[JUST_DONE] = "cancelled"
        return redirect("booking:manage", token)
    return render(request, "booking/cancel.html", _manage_context(request, appointment, token))
