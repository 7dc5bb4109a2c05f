"""A state machine over her episode: notes signed with random decisions and hard stops,
consents signed and withdrawn, her OB clearing or not, delivery recorded or not, plans signed,
infusions booked and cancelled, in any order. Whatever happens, an infusion is booked only when
every gate holds on its day, judged here by a model kept apart from the gates' own code."""

from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from perinatal.booking import services as booking
from perinatal.booking.models import Appointment, AppointmentEvent
from perinatal.consents.models import Kind, SignedConsent
from perinatal.consents.services import withdraw
from perinatal.consult.models import EligibilityAssessment
from perinatal.lib.gates import GateClosed
from perinatal.ops.demo.patients import sign_eligible_note
from perinatal.pathway import gates, services
from perinatal.pathway.models import GateSettings
from perinatal.pathway.tests.helpers import consent, ob_answers
from perinatal.plans import services as plans
from perinatal.plans.models import TreatmentPlan
from perinatal.plans.tests.helpers import (
    a_patient,
    boston,
    chairs,
    clinicians,
    draft_plan,
    infusion_type,
    local_start,
)

Decision = EligibilityAssessment.Decision


@dataclass
class Model:
    """What the machine did, and so what the gates should conclude."""

    decision: str | None = None
    hard_stop: bool = False
    decided: int = 0  # the step at which the latest decision was signed
    consents: set[str] = field(default_factory=set)
    withdrawn_since_booking: bool = False
    ob_answer: tuple[int, str] | None = None  # (step, "cleared" | "concerns")
    letter_step: int | None = None
    delivered: date | None = None
    plan_signed: bool = False

    def plan_may_be_signed(self) -> bool:
        cleared = (
            self.ob_answer is not None
            and self.ob_answer[0] > self.decided
            and self.ob_answer[1] == "cleared"
        )
        return (
            self.decision in (Decision.ELIGIBLE, Decision.NEEDS_OB_CLEARANCE)
            and not self.hard_stop
            and {Kind.TREATMENT, Kind.OB_SHARING} <= self.consents
            and cleared  # the shipped default asks for her OB's clearance
        )

    def infusion_may_be_booked(self, day: date) -> bool:
        return (
            self.plan_signed
            and self.plan_may_be_signed()
            and self.delivered is not None
            and self.delivered <= day
            and self.letter_step is not None
            and self.letter_step > self.decided
        )


class Episode(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.clinician = Episode.clinician
        self.patient = a_patient(delivery_date=None, stage="pregnant")
        self.patient.due_date = timezone.localdate() + timedelta(days=10)
        self.patient.save()
        self.model = Model()
        self.step = 0
        self.plan: TreatmentPlan | None = None

    @initialize(
        start=st.sampled_from(["nothing", "ready", "plan signed"]),
        delivered=st.sampled_from([None, -30, -5, 14]),
    )
    def start_from(self, start, delivered):
        """Most episodes start with the consultation, consents and clearance done (and some
        with the plan signed), so the later steps are reached often, not by long luck."""
        if start != "nothing":
            self.sign_a_note(Decision.ELIGIBLE, hard_stop=False)
            self.sign_a_consent(Kind.TREATMENT)
            self.sign_a_consent(Kind.OB_SHARING)
            self.her_ob_answers("cleared")
        if start == "plan signed":
            self.sign_a_plan()
        if delivered is not None:
            self.record_her_delivery(delivered)

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    def tick(self):
        self.step += 1

    @rule(
        decision=st.sampled_from(
            [Decision.ELIGIBLE, Decision.NOT_ELIGIBLE, Decision.NEEDS_OB_CLEARANCE]
        ),
        hard_stop=st.sampled_from([False, False, True]),
    )
    def sign_a_note(self, decision, hard_stop):
        self.tick()
        note = sign_eligible_note(self.patient, self.clinician)
        assessment = EligibilityAssessment.objects.get(note=note)
        answers = assessment.answers
        if hard_stop:
            next(a for a in answers if a["kind"] == "hard_stop")["present"] = True
        EligibilityAssessment.objects.filter(pk=assessment.pk).update(
            decision=decision, answers=answers
        )
        self.model.decision, self.model.hard_stop, self.model.decided = (
            decision,
            hard_stop,
            self.step,
        )

    @rule(kind=st.sampled_from([Kind.TREATMENT, Kind.OB_SHARING]))
    def sign_a_consent(self, kind):
        self.tick()
        consent(self.patient, self.clinician, kind)
        self.model.consents.add(kind)

    @rule(kind=st.sampled_from([Kind.TREATMENT, Kind.OB_SHARING]))
    def withdraw_a_consent(self, kind):
        self.tick()
        for signed in SignedConsent.objects.in_force().filter(patient=self.patient, kind=kind):
            withdraw(signed=signed, how="phone", by=self.clinician)
        self.model.consents.discard(kind)

    @rule(answer=st.sampled_from(["cleared", "concerns"]))
    def her_ob_answers(self, answer):
        if Kind.OB_SHARING not in self.model.consents:
            return  # a letter cannot be sent without her consent to share
        self.tick()
        ob_answers(self.patient, self.clinician, response=answer)
        self.model.ob_answer = (self.step, answer)
        self.model.letter_step = self.step

    @rule(days_ago=st.sampled_from([-30, -5, 0, 14, 42]))
    def record_her_delivery(self, days_ago):
        self.tick()
        self.patient.stage = "postpartum"
        self.patient.delivery_date = timezone.localdate() - timedelta(days=days_ago)
        self.patient.save()
        self.model.delivered = self.patient.delivery_date

    @rule()
    def sign_a_plan(self):
        self.tick()
        draft = TreatmentPlan.objects.filter(
            patient=self.patient, status=TreatmentPlan.Status.DRAFT
        ).first() or draft_plan(self.patient, self.clinician)
        expected = self.model.plan_may_be_signed()
        try:
            self.plan = services.sign_plan(draft, user=self.clinician)
        except plans.SignRefused:
            assert not expected, "a plan the evidence allows was refused"
        else:
            assert expected, "a plan was signed without the evidence"
            self.model.plan_signed = True

    @precondition(lambda self: self.plan is not None)
    @rule(days=st.integers(min_value=1, max_value=25))
    def book_an_infusion(self, days):
        assert self.plan is not None
        self.tick()
        location = boston()
        start = local_start(location, days=days)
        expected = self.model.infusion_may_be_booked(timezone.localdate(start))
        try:
            services.book_infusion(
                self.plan,
                visit_type=infusion_type(),
                location=location,
                start=start,
                clinician=clinicians(location)[0],
                chair=chairs(location)[0],
                user=self.clinician,
            )
        except (GateClosed, plans.NotBookable, plans.InfusionClash):
            booked = False
        else:
            booked = True
        if booked:
            assert expected, "an infusion was booked without every gate holding on its day"

    @rule()
    def cancel_her_infusions(self):
        self.tick()
        for appointment in Appointment.objects.booked().filter(patient=self.patient):
            booking.cancel(appointment, actor=AppointmentEvent.Actor.STAFF, user=self.clinician)

    @invariant()
    def an_infusion_the_evidence_no_longer_allows_is_flagged(self):
        flagged = {flag.appointment.pk for flag in gates.flagged_infusions()}
        for appointment in Appointment.objects.booked().filter(
            patient=self.patient, plan__isnull=False
        ):
            if not self.model.infusion_may_be_booked(timezone.localdate(appointment.starts_at)):
                assert appointment.pk in flagged, "an infusion the gates forbid is not flagged"


@pytest.mark.slow
def test_the_episode_never_books_an_infusion_the_gates_forbid(infusion_clinic, clinician):
    assert GateSettings.objects.current().ob_clearance_before_plan
    Episode.clinician = clinician
    run_state_machine_as_test(
        Episode,
        settings=settings(
            max_examples=60,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
