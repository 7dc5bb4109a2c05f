"""The gates of the care pathway: what her chart must prove before a plan is signed or an
infusion booked, read from the records every time, never from a status someone typed.

- A plan is signed only with a signed consultation whose decision lets treatment go ahead,
  within the clinic's validity window, no hard stop present, the off-label treatment consent in
  force, and (where the clinic's settings, or the decision, ask for it) the consent to share with
  her OB and her OB's clearance.
- An infusion is booked only from the signed plan in force, with every plan gate holding on the
  infusion's day, her delivery recorded on or before that day (no infusion while pregnant), her
  OB told where the clinic asks for it, and no other infusion of hers overlapping it or within
  the protocol's minimum interval (the database refuses that too: booking migration 0008).
- A booked infusion whose evidence changed after booking (a consent withdrawn, a newer decision
  against it, her OB's concerns) is flagged: it stays flagged until a clinician re-confirms it,
  which the gates must allow, or it is cancelled.

The evidence of many patients is read in a fixed number of queries (``evidence_for``), so the
work queue can check every booked infusion at once.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date

from perinatal.booking.models import Appointment
from perinatal.consents.models import ConsentWithdrawal, Kind, SignedConsent
from perinatal.consult.models import Addendum, EligibilityAssessment
from perinatal.lib.gates import Blocked, Step, Verdict
from perinatal.obcare.models import CarePlanLetter
from perinatal.pathway.models import GateSettings, Reconfirmation
from perinatal.patients.models import Patient
from perinatal.plans.models import TreatmentPlan

Decision = EligibilityAssessment.Decision


def _day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localdate(value)
    return format_date(value, "j M Y")


@dataclass
class Evidence:
    """What her records say, as the gates read them."""

    patient: Patient
    settings: GateSettings
    decision: EligibilityAssessment | None = None  # the newest signed one
    decisions: list[EligibilityAssessment] = field(default_factory=list)  # newest first
    consents: set[str] = field(default_factory=set)  # kinds signed and not withdrawn
    withdrawals: list[ConsentWithdrawal] = field(default_factory=list)
    letters: list[CarePlanLetter] = field(default_factory=list)  # newest first, drafts left out
    plan: TreatmentPlan | None = None  # the signed plan in force
    infusions: list[Appointment] = field(default_factory=list)  # booked, from a plan
    reconfirmations: list[Reconfirmation] = field(default_factory=list)
    addenda_stops: list[Addendum] = field(default_factory=list)  # addenda naming a hard stop

    @property
    def needs_ob_clearance(self) -> bool:
        return self.settings.ob_clearance_before_plan or (
            self.decision is not None and self.decision.decision == Decision.NEEDS_OB_CLEARANCE
        )

    @property
    def clearance(self) -> CarePlanLetter | None:
        """Her OB's newest answer given since the decision, if any."""
        if self.decision is None or self.decision.decided_at is None:
            return None
        for letter in self.letters:
            if letter.responded_at and letter.responded_at >= self.decision.decided_at:
                return letter
        return None

    def hard_stops(self) -> list[str]:
        if self.decision is None:
            return []
        stops = [answer["text"] for answer in self.decision.present_hard_stops]
        stops += [
            f"{flag['drug']} ({flag['line']})"
            for flag in self.decision.note.medication_flags
            if flag.get("severity") == "hard_stop"
        ]
        stops += [
            f"{a.hard_stop} (addendum of {_day(a.signed_at)})"
            for a in self.addenda_stops
            if a.note_id == self.decision.note_id
        ]
        return stops


def evidence_for(patients: list[Patient]) -> dict[int, Evidence]:
    """The evidence of each patient, by id, in nine queries whatever their number."""
    settings = GateSettings.objects.current()
    found = {p.pk: Evidence(patient=p, settings=settings) for p in patients}
    ids = list(found)
    for assessment in (
        EligibilityAssessment.objects.filter(note__patient__in=ids, decided_at__isnull=False)
        .select_related("note")
        .order_by("-decided_at", "-id")
    ):
        found[assessment.note.patient_id or 0].decisions.append(assessment)
    for signed in SignedConsent.objects.in_force().filter(patient__in=ids):
        found[signed.patient_id].consents.add(signed.kind)
    for withdrawal in ConsentWithdrawal.objects.filter(patient__in=ids).select_related("signed"):
        found[withdrawal.patient_id].withdrawals.append(withdrawal)
    for letter in (
        CarePlanLetter.objects.filter(patient__in=ids, kind=CarePlanLetter.Kind.CARE_PLAN)
        .exclude(status=CarePlanLetter.Status.DRAFTED)
        .order_by("-created_at", "-id")
        .only("id", "patient_id", "status", "sent_at", "responded_at", "created_at")
    ):
        found[letter.patient_id].letters.append(letter)
    for plan in TreatmentPlan.objects.current().filter(patient__in=ids).select_related("protocol"):
        found[plan.patient_id].plan = plan
    for appointment in Appointment.objects.filter(
        patient__in=ids, plan__isnull=False, status=Appointment.Status.BOOKED
    ).order_by("starts_at"):
        found[appointment.patient_id or 0].infusions.append(appointment)
    for again in Reconfirmation.objects.filter(patient__in=ids).order_by("-confirmed_at"):
        found[again.patient_id].reconfirmations.append(again)
    for addendum in (
        Addendum.objects.filter(note__patient__in=ids)
        .exclude(hard_stop="")
        .select_related("note")
        .order_by("signed_at")
    ):
        found[addendum.note.patient_id or 0].addenda_stops.append(addendum)
    for evidence in found.values():
        evidence.decision = evidence.decisions[0] if evidence.decisions else None
    return found


def evidence(patient: Patient) -> Evidence:
    return evidence_for([patient])[patient.pk]


# --- The gates ---------------------------------------------------------------------------------


def _fix(name: str, patient: Patient) -> str:
    return reverse(name, args=[patient.public_id])


def plan_gates(ev: Evidence, on: date) -> list[Blocked]:
    """What stops a plan being signed (or given) on ``on``; empty when nothing does."""
    patient, settings = ev.patient, ev.settings
    blocked: list[Blocked] = []
    decision = ev.decision
    see_her = (_fix("consult:new", patient), "Write a consultation note")
    if decision is None:
        blocked.append(
            Blocked(
                "consultation", "No consultation with an eligibility decision is signed.", *see_her
            )
        )
    else:
        signed_on = _day(decision.decided_at)
        if decision.decision not in EligibilityAssessment.PERMISSIVE:
            blocked.append(
                Blocked(
                    "eligibility",
                    f"Her latest eligibility decision (signed {signed_on}) is "
                    f"“{decision.get_decision_display().lower()}”.",
                    *see_her,
                )
            )
        valid_until = timezone.localdate(decision.decided_at) + timedelta(
            days=settings.consultation_valid_days
        )
        if on > valid_until:
            blocked.append(
                Blocked(
                    "consultation_expired",
                    f"Her consultation of {signed_on} holds until {_day(valid_until)} "
                    f"({settings.consultation_valid_days} days), not on {_day(on)}: see her again.",
                    *see_her,
                )
            )
        stops = ev.hard_stops()
        if stops:
            blocked.append(
                Blocked(
                    "hard_stop",
                    f"A hard stop is present: {'; '.join(stops)}. It cannot be overridden.",
                )
            )
    consents_page = (_fix("consents:patient", patient), "Consents")
    if Kind.TREATMENT not in ev.consents:
        blocked.append(
            Blocked(
                "treatment_consent",
                "Her consent to off-label IV ketamine treatment is not in force.",
                *consents_page,
            )
        )
    if (ev.needs_ob_clearance or settings.ob_letter_before_infusion) and (
        Kind.OB_SHARING not in ev.consents
    ):
        blocked.append(
            Blocked(
                "ob_consent",
                "Her consent to share information with her OB is not in force.",
                *consents_page,
            )
        )
    if ev.needs_ob_clearance and decision is not None:
        answer = ev.clearance
        letter_page = (_fix("obcare:letter_new", patient), "Write to her OB")
        if answer is None:
            blocked.append(
                Blocked(
                    "ob_clearance",
                    "Her OB has not cleared the treatment since her consultation.",
                    *letter_page,
                )
            )
        elif answer.status == CarePlanLetter.Status.CONCERNS:
            blocked.append(
                Blocked(
                    "ob_clearance",
                    f"Her OB answered with concerns on {_day(answer.responded_at)}.",
                    *letter_page,
                )
            )
    return blocked


def _interval_days(plan: TreatmentPlan) -> int:
    return plan.protocol.min_days_between_infusions


def _signed_at(decision: EligibilityAssessment) -> datetime:
    assert decision.decided_at is not None  # evidence holds signed decisions only
    return decision.decided_at


def ob_not_told(patient: Patient) -> Blocked:
    return Blocked(
        "ob_told",
        "No care-plan letter has been sent to her OB since her consultation.",
        _fix("obcare:letter_new", patient),
        "Write to her OB",
    )


def _busy(ev: Evidence, start: datetime, end: datetime, plan: TreatmentPlan, skip: int | None):
    """Her other booked infusion overlapping [start, end] or within the protocol's minimum
    interval of it, if any."""
    gap = timedelta(days=_interval_days(plan))
    for other in ev.infusions:
        if other.pk == skip:
            continue
        if other.starts_at < end + gap and start < other.ends_at + gap:
            return other
    return None


def infusion_gates(
    ev: Evidence,
    *,
    plan: TreatmentPlan,
    start: datetime,
    end: datetime,
    appointment: int | None = None,
) -> list[Blocked]:
    """What stops an infusion from ``plan`` at ``start`` (ending at ``end``); ``appointment``
    is the booking being checked, when it exists already."""
    patient, settings = ev.patient, ev.settings
    day = timezone.localdate(start)
    blocked: list[Blocked] = []
    if ev.plan is None or ev.plan.pk != plan.pk:
        blocked.append(Blocked("plan", "Only her signed plan in force can be booked."))
    blocked += plan_gates(ev, on=day)
    edit = (_fix("backoffice:edit", patient), "Record her delivery")
    if patient.delivery_date is None:
        blocked.append(
            Blocked(
                "pregnant",
                "Her delivery is not recorded: no infusion is booked before she has had the baby.",
                *edit,
            )
        )
    elif patient.delivery_date > day:
        blocked.append(
            Blocked(
                "pregnant",
                f"Her delivery is recorded on {_day(patient.delivery_date)}, after {_day(day)}.",
                *edit,
            )
        )
    if settings.ob_letter_before_infusion and not any(
        letter.sent_at and (ev.decision is None or letter.sent_at >= _signed_at(ev.decision))
        for letter in ev.letters
    ):
        blocked.append(ob_not_told(patient))
    other = _busy(ev, start, end, plan, appointment)
    if other is not None:
        blocked.append(
            Blocked(
                "other_infusion",
                f"She has another infusion on {_day(other.starts_at)}, within "
                f"{_interval_days(plan)} days of this one.",
            )
        )
    return blocked


def _fresh(plan: TreatmentPlan) -> Evidence:
    """Her evidence as the database has it now, not as an instance loaded earlier says."""
    return evidence(Patient.objects.get(pk=plan.patient_id))


def for_signing(plan: TreatmentPlan, *, on: date | None = None) -> Verdict:
    ev = _fresh(plan)
    return Verdict(
        Step.SIGN_PLAN,
        plan.patient_id,
        plan.pk,
        tuple(plan_gates(ev, on or timezone.localdate())),
    )


def for_booking(
    plan: TreatmentPlan, *, start: datetime, minutes: int, appointment: int | None = None
) -> Verdict:
    ev = _fresh(plan)
    end = start + timedelta(minutes=minutes)
    return Verdict(
        Step.BOOK_INFUSION,
        plan.patient_id,
        plan.pk,
        tuple(infusion_gates(ev, plan=plan, start=start, end=end, appointment=appointment)),
    )


# --- Infusions whose evidence changed after booking --------------------------------------------


def breaking_events(ev: Evidence, since: datetime) -> list[tuple[datetime, str]]:
    """What happened after ``since`` that would have stopped the booking: a consent the gates
    need withdrawn, a decision against treatment, her OB's concerns."""
    found: list[tuple[datetime, str]] = [
        (w.withdrawn_at, f"She withdrew her consent ({w.signed.get_kind_display()}).")
        for w in ev.withdrawals
        if w.withdrawn_at > since and w.signed.kind in (Kind.TREATMENT, Kind.OB_SHARING)
    ]
    found += [
        (_signed_at(d), f"A newer eligibility decision says “{d.get_decision_display().lower()}”.")
        for d in ev.decisions
        if _signed_at(d) > since
        and (d.decision not in EligibilityAssessment.PERMISSIVE or d.present_hard_stops)
    ]
    found += [
        (letter.responded_at, "Her OB answered with concerns.")
        for letter in ev.letters
        if letter.responded_at
        and letter.responded_at > since
        and letter.status == CarePlanLetter.Status.CONCERNS
    ]
    return sorted(found)


@dataclass(frozen=True)
class Flag:
    """A booked infusion that may not start: why, and whether a re-confirmation could lift it."""

    appointment: Appointment
    reasons: tuple[str, ...]
    gates_hold: bool


def flag_of(ev: Evidence, appointment: Appointment) -> Flag | None:
    """Why this booked infusion may not start as it stands; None when it may."""
    assert appointment.plan_id is not None
    plan = ev.plan if ev.plan and ev.plan.pk == appointment.plan_id else appointment.plan
    assert plan is not None
    blocked = infusion_gates(
        ev,
        plan=plan,
        start=appointment.starts_at,
        end=appointment.ends_at,
        appointment=appointment.pk,
    )
    checked = max(
        [appointment.created_at]
        + [r.confirmed_at for r in ev.reconfirmations if r.appointment_id == appointment.pk]
    )
    events = breaking_events(ev, since=checked)
    if not blocked and not events:
        return None
    reasons = tuple([b.reason for b in blocked] + [text for _, text in events])
    return Flag(appointment=appointment, reasons=reasons, gates_hold=not blocked)


def flagged_infusions(now: datetime | None = None) -> list[Flag]:
    """Every booked infusion still to come that may not start as it stands, soonest first."""
    now = now or timezone.now()
    upcoming = list(
        Appointment.objects.filter(
            plan__isnull=False, status=Appointment.Status.BOOKED, ends_at__gt=now
        )
        .select_related("patient", "plan__protocol")
        .order_by("starts_at")
    )
    patients = {a.patient_id: a.patient for a in upcoming if a.patient is not None}
    evidence_by_id = evidence_for(list(patients.values()))
    flags = []
    for appointment in upcoming:
        if appointment.patient_id not in evidence_by_id:
            continue
        flag = flag_of(evidence_by_id[appointment.patient_id], appointment)
        if flag is not None:
            flags.append(flag)
    return flags
