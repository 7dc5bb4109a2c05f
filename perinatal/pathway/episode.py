"""Where she is in her treatment episode, derived from her records each time it is asked.

Nobody types a status: each step is done, current, blocked or still to come because of what
her chart holds (``gates.Evidence``), so the bar on her chart cannot drift from the records.
An episode ends "stopped" when a signed decision says she is not eligible; when she is seen
again after that, a new episode starts and the stopped one is listed below the current one.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from perinatal.booking.models import Appointment
from perinatal.consult.models import ConsultationNote, EligibilityAssessment
from perinatal.lib.gates import Blocked
from perinatal.pathway import gates

DONE, CURRENT, BLOCKED, TODO, STOPPED = "done", "current", "blocked", "todo", "stopped"


@dataclass
class Step:
    key: str
    label: str
    state: str = TODO
    detail: str = ""
    blocked: list[Blocked] = field(default_factory=list)


@dataclass
class Episode:
    steps: list[Step]
    stopped_reason: str = ""

    @property
    def current(self) -> Step | None:
        return next((s for s in self.steps if s.state != DONE), None)


@dataclass(frozen=True)
class PastEpisode:
    started: datetime | None
    ended: datetime
    outcome: str


def _pick(blocked: list[Blocked], *keys: str) -> list[Blocked]:
    return [b for b in blocked if b.gate in keys]


def episode_of(ev: gates.Evidence, now: datetime | None = None) -> Episode:
    """Her current episode as steps, in the order the pathway takes them."""
    now = now or timezone.now()
    patient = ev.patient
    today = timezone.localdate(now)
    decision = ev.decision
    seen_since = _seen_since(patient, gates._signed_at(decision) if decision else None)
    if decision is not None and decision.decision == EligibilityAssessment.Decision.NOT_ELIGIBLE:
        if not seen_since:
            return Episode(
                steps=[Step("consultation", "Consultation", STOPPED, decision.reasons)],
                stopped_reason=f"Not eligible (decision signed {gates._day(decision.decided_at)}).",
            )
        decision = None  # a new episode: seen again since that decision
    plan_blocked = gates.plan_gates(ev, on=today)
    infusion = next((a for a in ev.infusions if ev.plan and a.plan_id == ev.plan.pk), None)

    booked = Step("booked", "Consultation booked")
    if decision is not None or seen_since or _seen_since(patient, None):
        booked.state = DONE
    signed = Step("consultation", "Consultation signed")
    if decision is not None:
        signed.state = DONE
        signed.detail = decision.get_decision_display()
    else:
        signed.blocked = _pick(plan_blocked, "eligibility")
    expired = _pick(plan_blocked, "consultation_expired", "hard_stop", "eligibility")
    if expired:
        signed.state, signed.blocked = BLOCKED, expired
    consents = Step("consents", "Consents in force")
    consents.blocked = _pick(plan_blocked, "treatment_consent", "ob_consent")
    consents.state = DONE if not consents.blocked else TODO
    ob = Step("ob", "OB cleared" if ev.needs_ob_clearance else "OB informed")
    if ev.needs_ob_clearance:
        ob.blocked = _pick(plan_blocked, "ob_clearance")
        ob.state = DONE if decision is not None and not ob.blocked else TODO
    elif _letter_sent(ev):
        ob.state = DONE
    elif ev.settings.ob_letter_before_infusion:
        ob.blocked = [gates.ob_not_told(patient)]
    else:
        ob.state, ob.detail = DONE, "not asked for by the clinic"
    plan = Step("plan", "Plan signed")
    if ev.plan is not None:
        plan.state = DONE
        plan.detail = f"version {ev.plan.version}"
    else:
        plan.blocked = plan_blocked
    book = Step("infusion", "Infusion booked")
    given = Step("given", "Infusion given")
    if infusion is not None:
        book.state = DONE
        book.detail = gates._day(infusion.starts_at)
        flag = gates.flag_of(ev, infusion)
        if flag is not None:
            book.state = BLOCKED
            book.blocked = [Blocked("flagged", reason) for reason in flag.reasons]
        elif infusion.ends_at <= now:
            given.state = DONE
    elif ev.plan is not None:
        probe = gates.infusion_gates(ev, plan=ev.plan, start=now, end=now)
        book.blocked = _pick(probe, "pregnant", "ob_told", "other_infusion")
    follow = Step("follow_up", "Follow-up")
    closed = Step("closed", "Closed")
    steps = [booked, signed, consents, ob, plan, book, given, follow, closed]
    _settle(steps)
    return Episode(steps=steps)


def _letter_sent(ev: gates.Evidence) -> bool:
    since = ev.decision.decided_at if ev.decision else None
    return any(
        letter.sent_at and (since is None or letter.sent_at >= since) for letter in ev.letters
    )


def _settle(steps: list[Step]) -> None:
    """The first step not done is current, or blocked when something stops it; later steps
    that are not done wait."""
    first = True
    for step in steps:
        if step.state in (DONE, STOPPED):
            continue
        if first:
            step.state = BLOCKED if step.blocked else CURRENT
            first = False
        elif step.state != BLOCKED:
            step.state = TODO


def _seen_since(patient, since: datetime | None) -> bool:
    """A consultation booked or a note begun after ``since`` (ever, for None)."""
    notes = ConsultationNote.objects.filter(patient=patient)
    visits = Appointment.objects.booked().filter(patient=patient, plan__isnull=True)
    if since is not None:
        notes = notes.filter(created_at__gt=since)
        visits = visits.filter(created_at__gt=since)
    return notes.exists() or visits.exists()


def past_episodes(ev: gates.Evidence) -> list[PastEpisode]:
    """Episodes that ended before the current one: each "not eligible" decision she was seen
    again after."""
    ended = [
        d
        for d in reversed(ev.decisions)
        if d.decision == EligibilityAssessment.Decision.NOT_ELIGIBLE
        and (d is not ev.decisions[0] or _seen_since(ev.patient, d.decided_at))
    ]
    past = []
    started = None
    for decision in ended:
        past.append(
            PastEpisode(
                started=started,
                ended=gates._signed_at(decision),
                outcome=f"Stopped: not eligible ({decision.reasons.strip()[:120]})",
            )
        )
        started = gates._signed_at(decision)
    return past
