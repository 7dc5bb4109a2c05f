"""The infusion day's pages: the board of every chair today, and one page per infusion that
follows her from check-in to discharge. Each form posts to its own step; a refusal shows the
page again with what was typed and every reason, with status 422."""

import csv
from datetime import datetime, timedelta

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.views.decorators.http import require_POST

from perinatal.accounts.access import staff_view
from perinatal.accounts.countersign import NotConfirmed, second_person
from perinatal.accounts.roles import Can, can
from perinatal.audit.log import record
from perinatal.audit.models import Action as Audit
from perinatal.booking.models import Appointment
from perinatal.infusion import board as day_board
from perinatal.infusion import forms, next_day, services
from perinatal.infusion import letter as ob_letter
from perinatal.infusion.models import DaySettings, InfusionSession, VialUse
from perinatal.lib.records import Locked
from perinatal.screening.content import crisis_resources
from perinatal.screening.forms import ScreeningForm
from perinatal.screening.services import public_instrument

AUDIT_REFRESH_MINUTES = 15
NOT_CHECKED_IN = "She is not checked in yet."


def _appointment(public_id) -> Appointment:
    return get_object_or_404(
        Appointment.objects.select_related(
            "patient", "plan__protocol", "chair", "location", "infusion_session"
        ).filter(plan__isnull=False),
        public_id=public_id,
    )


def _session(appointment) -> InfusionSession | None:
    return getattr(appointment, "infusion_session", None)


# --- The board --------------------------------------------------------------------------------


@staff_view(Can.SEE_SCHEDULE)
def board(request):
    """Every chair today. ``?rows=1`` answers the rows alone, which the page fetches every few
    seconds to stay current without a reload."""
    clinical = can(request.user, Can.SEE_CLINICAL)
    rows = day_board.today(timezone.now())
    context = {"nav": "day", "locations": rows, "clinical": clinical, "now": timezone.now()}
    refresh = request.GET.get("rows") == "1"
    # The rows refresh every few seconds: one audit event when the board opens, then one per
    # AUDIT_REFRESH_MINUTES it stays open, not one per refresh.
    last = request.session.get("board_audited_at", 0)
    now = timezone.now().timestamp()
    if not refresh or now - last > AUDIT_REFRESH_MINUTES * 60:
        record(Audit.VIEW, model="infusion.board", detail={"page": "day board"})
        request.session["board_audited_at"] = now
    return render(
        request, "infusion/_board_rows.html" if refresh else "infusion/board.html", context
    )


# --- One infusion ------------------------------------------------------------------------------


def _page(request, appointment, status=200, **bound):
    session = _session(appointment)
    patient = appointment.patient
    day = DaySettings.objects.current()
    plan = appointment.plan
    context = {
        "nav": "day",
        "appointment": appointment,
        "session": session,
        "patient": patient,
        "plan": plan,
        "day": day,
        "staff_may_discharge": can(request.user, Can.SIGN_DISCHARGE),
        "now": timezone.now(),
    }
    if session is None:
        context["check_in_form"] = bound.get("check_in_form") or forms.CheckInForm(
            initial={
                "escort_name": plan.escort_name,
                "escort_phone": plan.escort_phone,
                "childcare_by": plan.childcare_by,
            }
        )
    else:
        observations = list(session.observations.select_related("recorded_by"))
        context.update(
            observations=observations,
            events=list(session.events.select_related("by")),
            vials=list(session.vials.select_related("recorded_by", "waste_witness")),
            adverse=list(session.adverse_events.all()),
            waiting=services.waiting_for_action(session),
            today_screen=services.todays_screen(session),
            next_due=services.next_observation_due(session),
            start_problems=(services.start_problems(session) if not session.started_at else []),
            prepare_form=bound.get("prepare_form") or forms.PrepareForm(),
            verify_form=bound.get("verify_form") or forms.VerifyForm(),
            vial_form=bound.get("vial_form")
            or forms.VialForm(initial={"concentration_mg_per_ml": session.concentration_mg_per_ml}),
            close_vial_form=bound.get("close_vial_form") or forms.CloseVialForm(session=session),
            observation_form=bound.get("observation_form") or forms.ObservationForm(day=day),
            act_form=bound.get("act_form") or forms.ActForm(),
            change_form=bound.get("change_form") or forms.ChangeForm(),
            adverse_form=bound.get("adverse_form") or forms.AdverseForm(),
            go_ahead_form=bound.get("go_ahead_form") or forms.GoAheadForm(),
            discharge_form=bound.get("discharge_form")
            or forms.DischargeForm(
                checklist=day.checklist(), initial={"escort": session.escort_name}
            ),
            discharge_problems=(
                services.discharge_problems(session, ticked=day.checklist(), escort="x")
                if session.stopped_at and not session.discharged_at
                else []
            ),
        )
    context["refusals"] = bound.get("refusals", [])
    record(Audit.VIEW, session or appointment, patient=appointment.patient_id)
    return render(request, "infusion/session.html", context, status=status)


@staff_view(Can.RUN_INFUSION)
def session_page(request, public_id):
    return _page(request, _appointment(public_id))


def _refused(request, appointment, reasons, **bound):
    return _page(request, appointment, status=422, refusals=reasons, **bound)


def _done(appointment, text, request):
    messages.success(request, text)
    return redirect("infusion:session", appointment.public_id)


@staff_view(Can.RUN_INFUSION)
@require_POST
def check_in(request, public_id):
    appointment = _appointment(public_id)
    form = forms.CheckInForm(request.POST)
    if not form.is_valid():
        return _refused(request, appointment, [], check_in_form=form)
    data = dict(form.cleaned_data)
    baseline = services.Baseline(**{k: data.pop(k) for k in services.Baseline.__annotations__})
    try:
        services.check_in(appointment, by=request.user, baseline=baseline, **data)
    except services.Refused as refusal:
        return _refused(request, appointment, refusal.reasons, check_in_form=form)
    return _done(appointment, "Checked in; every gate of the pathway asked again.", request)


def _step(request, public_id, form_class, key, run, done_text, form_kwargs=None):
    """The common shape of a step: bind the form, run the service, show refusals in place."""
    appointment = _appointment(public_id)
    session = _session(appointment)
    if session is None:
        return _refused(request, appointment, [NOT_CHECKED_IN])
    form = form_class(request.POST, **(form_kwargs(session) if form_kwargs else {}))
    if not form.is_valid():
        return _refused(request, appointment, [], **{key: form})
    try:
        run(session, form)
    except services.Refused as refusal:
        return _refused(request, appointment, refusal.reasons, **{key: form})
    except NotConfirmed as refusal:
        return _refused(request, appointment, [str(refusal)], **{key: form})
    except Locked as refusal:
        return _refused(request, appointment, [str(refusal)])
    return _done(appointment, done_text, request)


@staff_view(Can.RUN_INFUSION)
@require_POST
def prepare(request, public_id):
    def run(session, form):
        services.prepare(
            session,
            by=request.user,
            weight_kg=form.cleaned_data["weight_kg"],
            concentration=form.cleaned_data["concentration"],
        )

    return _step(request, public_id, forms.PrepareForm, "prepare_form", run, "Dose worked out.")


@staff_view(Can.RUN_INFUSION)
@require_POST
def verify(request, public_id):
    def run(session, form):
        data = form.cleaned_data
        checker = second_person(
            request,
            username=data["username"],
            password=data["password"],
            code=data["code"],
            capability=Can.RUN_INFUSION,
            first=session.prepared_by,
        )
        services.verify(session, by=checker, dose_mg=data["dose_mg"], volume_ml=data["volume_ml"])

    return _step(
        request, public_id, forms.VerifyForm, "verify_form", run, "Dose checked by a second person."
    )


@staff_view(Can.RUN_INFUSION)
@require_POST
def open_vial(request, public_id):
    def run(session, form):
        services.open_vial(session, by=request.user, **form.cleaned_data)

    return _step(request, public_id, forms.VialForm, "vial_form", run, "Vial recorded.")


@staff_view(Can.RUN_INFUSION)
@require_POST
def close_vial(request, public_id):
    def run(session, form):
        data = form.cleaned_data
        witness = None
        if data["wasted_mg"] > 0:
            witness = second_person(
                request,
                username=data["username"],
                password=data["password"],
                code=data["code"],
                capability=Can.RUN_INFUSION,
                first=data["vial"].recorded_by,
            )
        services.close_vial(
            data["vial"], given_mg=data["given_mg"], wasted_mg=data["wasted_mg"], witness=witness
        )

    return _step(
        request,
        public_id,
        forms.CloseVialForm,
        "close_vial_form",
        run,
        "Vial record closed.",
        form_kwargs=lambda session: {"session": session},
    )


@staff_view(Can.SIGN_DISCHARGE)
@require_POST
def go_ahead(request, public_id):
    def run(session, form):
        services.go_ahead(session, by=request.user, note=form.cleaned_data["note"])

    return _step(request, public_id, forms.GoAheadForm, "go_ahead_form", run, "Decision recorded.")


@staff_view(Can.RUN_INFUSION)
@require_POST
def start(request, public_id):
    appointment = _appointment(public_id)
    session = _session(appointment)
    if session is None:
        return _refused(request, appointment, [NOT_CHECKED_IN])
    try:
        services.start(session, by=request.user)
    except (services.Refused, Locked) as refusal:
        reasons = getattr(refusal, "reasons", [str(refusal)])
        return _refused(request, appointment, reasons)
    return _done(appointment, "Infusion started.", request)


@staff_view(Can.RUN_INFUSION)
@require_POST
def change(request, public_id):
    def run(session, form):
        data = form.cleaned_data
        services.change(
            session, by=request.user, kind=data["kind"], rate=data["rate"], note=data["note"]
        )

    return _step(request, public_id, forms.ChangeForm, "change_form", run, "Recorded.")


@staff_view(Can.RUN_INFUSION)
@require_POST
def observe(request, public_id):
    def run(session, form):
        obs = services.observe(session, by=request.user, **form.values())
        if obs.outside:
            messages.warning(request, "Outside the limits: " + " ".join(obs.outside))

    return _step(
        request,
        public_id,
        forms.ObservationForm,
        "observation_form",
        run,
        "Observations saved.",
        form_kwargs=lambda session: {"day": DaySettings.objects.current()},
    )


@staff_view(Can.RUN_INFUSION)
@require_POST
def act(request, public_id):
    def run(session, form):
        waiting = services.waiting_for_action(session)
        if waiting is None:
            raise services.Refused("No reading is waiting for an action.")
        data = form.cleaned_data
        services.act_on(waiting, by=request.user, action=data["action"], note=data["note"])

    return _step(request, public_id, forms.ActForm, "act_form", run, "Action recorded.")


@staff_view(Can.RUN_INFUSION)
@require_POST
def adverse(request, public_id):
    def run(session, form):
        services.adverse_event(session, by=request.user, **form.cleaned_data)

    return _step(request, public_id, forms.AdverseForm, "adverse_form", run, "Event recorded.")


@staff_view(Can.RUN_INFUSION)
@require_POST
def resolve(request, public_id):
    appointment = _appointment(public_id)
    session = _session(appointment)
    if session is None:
        return _refused(request, appointment, [NOT_CHECKED_IN])
    chosen = request.POST.get("event", "")
    valid = chosen.isdigit() and len(chosen) < 10
    event = session.adverse_events.filter(pk=int(chosen)).first() if valid else None
    if event is None:
        return _refused(request, appointment, ["Choose the event that resolved."])
    try:
        services.resolve(event)
    except Locked as refusal:
        return _refused(request, appointment, [str(refusal)])
    return _done(appointment, "Marked resolved.", request)


@staff_view(Can.SIGN_DISCHARGE)
@require_POST
def discharge(request, public_id):
    checklist = DaySettings.objects.current().checklist()

    def run(session, form):
        data = form.cleaned_data
        services.discharge(
            session,
            by=request.user,
            ticked=data["ticked"],
            escort=data["escort"],
            notes=data["notes"],
        )

    return _step(
        request,
        public_id,
        forms.DischargeForm,
        "discharge_form",
        run,
        "Discharge signed; the record is locked.",
        form_kwargs=lambda session: {"checklist": checklist},
    )


# --- Controlled substances --------------------------------------------------------------------


@staff_view(Can.RUN_INFUSION)
def vials(request):
    """Every vial opened between two dates, each balanced; as a page to print or as CSV."""
    dates = forms.VialDatesForm(request.GET)
    start, end = dates.dates()
    window = (
        timezone.make_aware(datetime.combine(start, datetime.min.time())),
        timezone.make_aware(datetime.combine(end + timedelta(days=1), datetime.min.time())),
    )
    rows = list(
        VialUse.objects.filter(recorded_at__gte=window[0], recorded_at__lt=window[1])
        .select_related("session__patient", "recorded_by", "waste_witness")
        .order_by("recorded_at")
    )
    record(
        Audit.EXPORT if request.GET.get("format") == "csv" else Audit.VIEW,
        model="infusion.vialuse",
        detail={"from": str(start), "to": str(end), "rows": len(rows)},
    )
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="ketamine-{start}-{end}.csv"'
        writer = csv.writer(response)
        writer.writerow(
            [
                "recorded at", "patient", "product", "mg/mL", "lot", "expiry", "drawn mg",
                "given mg", "wasted mg", "balances", "recorded by", "waste witnessed by",
            ]
        )  # fmt: skip
        for v in rows:
            writer.writerow(
                [
                    timezone.localtime(v.recorded_at).isoformat(timespec="minutes"),
                    v.session.patient.name, v.product, v.concentration_mg_per_ml, v.lot,
                    v.expiry, v.drawn_mg, v.given_mg, v.wasted_mg,
                    "yes" if v.closed_at and v.drawn_mg == v.given_mg + v.wasted_mg else "OPEN",
                    v.recorded_by, v.waste_witness or "",
                ]
            )  # fmt: skip
        return response
    totals = {
        "drawn": sum((v.drawn_mg for v in rows), start=0),
        "given": sum((v.given_mg for v in rows), start=0),
        "wasted": sum((v.wasted_mg for v in rows), start=0),
        "open": sum(1 for v in rows if v.closed_at is None),
    }
    return render(
        request,
        "infusion/vials.html",
        {"nav": "day", "rows": rows, "start": start, "end": end, "totals": totals, "dates": dates},
    )


@staff_view(Can.SEE_CLINICAL)
def session_record(request, public_id):
    """The day's record, read-only and ready to print."""
    appointment = _appointment(public_id)
    return _record(request, appointment, _session(appointment))


def _record(request, appointment, session, *, addendum_form=None, status=200):
    context = {"nav": "patients", "appointment": appointment, "session": session}
    context.update(patient=appointment.patient, plan=appointment.plan)
    if session is not None:
        context.update(
            observations=list(session.observations.select_related("recorded_by")),
            events=list(session.events.select_related("by")),
            vials=list(session.vials.select_related("recorded_by", "waste_witness")),
            adverse=list(session.adverse_events.all()),
            addenda=list(session.addenda.select_related("author")),
            addendum_form=addendum_form or forms.AddendumForm(),
            summaries=ob_letter.drafted_for(session),
            summary_blocked=ob_letter.blocked(session) if session.is_locked else "",
        )
    record(
        Audit.VIEW,
        session or appointment,
        patient=appointment.patient_id,
        detail={"page": "record"},
    )
    return render(request, "infusion/record.html", context, status=status)


@staff_view(Can.RUN_INFUSION)
@require_POST
def addendum(request, public_id):
    """Add to the signed record: the record itself stays as it was signed."""
    appointment = _appointment(public_id)
    session = _session(appointment)
    form = forms.AddendumForm(request.POST)
    if session is None or not form.is_valid():
        return _record(request, appointment, session, addendum_form=form, status=400)
    try:
        services.add_addendum(session, by=request.user, text=form.cleaned_data["text"])
    except services.Refused as refusal:
        form.add_error("text", " ".join(refusal.reasons))
        return _record(request, appointment, session, addendum_form=form, status=422)
    messages.success(request, "Addendum signed and added to the record.")
    return redirect("infusion:record", appointment.public_id)


@staff_view(Can.SEND_OB_LETTERS)
@require_POST
def ob_summary(request, public_id):
    """Draft the day's summary for her OB; staff check it on the letter's page, then send it."""
    appointment = _appointment(public_id)
    session = _session(appointment)
    if session is None:
        messages.error(request, NOT_CHECKED_IN)
        return redirect("infusion:record", appointment.public_id)
    try:
        letter = ob_letter.draft(session, by=request.user)
    except ob_letter.NotReady as refusal:
        messages.error(request, str(refusal))
        return redirect("infusion:record", appointment.public_id)
    messages.success(request, "Summary drafted. Check it, then send it to her OB.")
    return redirect("obcare:letter", public_id=letter.public_id)


@staff_view(Can.HANDLE_CALLBACKS)
@require_POST
def next_day_handled(request, public_id):
    """Someone called her about her next-day check-in (or read her answers) and says so."""
    appointment = _appointment(public_id)
    session = _session(appointment)
    check = getattr(session, "next_day", None) if session else None
    note = request.POST.get("note", "").strip()
    if check is None or not note:
        messages.error(request, "Write what was done (who you spoke to, what you agreed).")
    else:
        next_day.handle(check, by=request.user, note=note)
        messages.success(request, "Recorded; it has left the work queue.")
    return redirect("infusion:record", appointment.public_id)


@staff_view(Can.RUN_INFUSION)
def instructions(request, public_id):
    """Her written instructions for after the infusion, in her language, to print and hand her
    at check-in and again at discharge: no driving until the next day, the breastfeeding plan
    she signed with the time until which to discard milk, the crisis lines, the clinic's phone."""
    appointment = _appointment(public_id)
    session = _session(appointment)
    plan = appointment.plan
    language = (appointment.patient.language if appointment.patient else "") or "en"
    discard_until = None
    if plan and plan.discard_hours and session and session.stopped_at:
        discard_until = session.stopped_at + timedelta(hours=plan.discard_hours)
    record(Audit.EXPORT, session or appointment, patient=appointment.patient_id,
           detail={"page": "instructions", "format": "print"})  # fmt: skip
    with translation.override(language):
        return render(
            request,
            "infusion/instructions.html",
            {
                "nav": "day",
                "appointment": appointment,
                "plan": plan,
                "session": session,
                "discard_until": discard_until,
                "crisis_resources": crisis_resources(language),
                "language": language,
            },
        )


@staff_view(Can.RUN_INFUSION)
def questionnaire(request, public_id):
    """The day's questionnaire, in her language, for her to fill in on the clinic tablet: the
    self-screen's instrument, stored against her record. A self-harm answer shows her the crisis
    lines and stops the start until a clinician has seen her."""
    appointment = _appointment(public_id)
    session = _session(appointment)
    if session is None:
        return _refused(request, appointment, [NOT_CHECKED_IN])
    language = session.patient.language or "en"
    instrument = public_instrument(language) or public_instrument("en")
    if instrument is None:
        return _refused(request, appointment, ["The clinic has no questionnaire switched on."])
    with translation.override(language):
        form = ScreeningForm(request.POST or None, instrument=instrument, language=language)
        if request.method == "POST" and form.is_valid():
            try:
                screen = services.day_questionnaire(session, instrument.score(form.positions()))
            except Locked as refusal:
                return _refused(request, appointment, [str(refusal)])
            return render(
                request,
                "infusion/questionnaire_done.html",
                {
                    "appointment": appointment,
                    "crisis": screen.safety_alert,
                    "crisis_resources": crisis_resources(language),
                },
            )
        record(Audit.VIEW, session, patient=session.patient_id, detail={"page": "questionnaire"})
        return render(
            request,
            "infusion/questionnaire.html",
            {"form": form, "instrument": instrument, "appointment": appointment},
            status=400 if form.is_bound else 200,
        )
