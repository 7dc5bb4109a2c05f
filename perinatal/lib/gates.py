"""A gate's verdict, handed down to the service that takes a clinical step.

The care pathway (``perinatal.pathway``) reads the evidence of every clinical app, so it sits
above them; the services that sign a plan (``plans``) and make an appointment (``booking``) sit
below it and cannot ask it. So the pathway decides first and passes its verdict down, and those
services refuse any verdict that is not for this step, this patient and this plan, or that does
not hold:

    verdict = gates.for_signing(plan)        # perinatal.pathway
    plans.services.sign(plan, user=user, verdict=verdict)   # raises GateClosed unless it holds
"""

from dataclasses import dataclass
from enum import StrEnum


class Step(StrEnum):
    SIGN_PLAN = "sign plan"
    BOOK_INFUSION = "book infusion"


@dataclass(frozen=True)
class Blocked:
    """One gate that does not hold: which (a short key), why (for staff), and where to fix it."""

    gate: str
    reason: str
    fix_url: str = ""
    fix_label: str = ""


@dataclass(frozen=True)
class Verdict:
    step: Step
    patient_id: int
    plan_id: int
    blocked: tuple[Blocked, ...] = ()

    @property
    def holds(self) -> bool:
        return not self.blocked

    @property
    def reasons(self) -> list[str]:
        return [b.reason for b in self.blocked]


class GateClosed(Exception):
    """The evidence does not allow the step; ``reasons`` say why, for staff."""

    def __init__(self, reasons: list[str], blocked: tuple[Blocked, ...] = ()):
        super().__init__(" ".join(reasons))
        self.reasons = reasons
        self.blocked = blocked


def require(verdict: Verdict | None, *, step: Step, patient_id: int, plan_id: int) -> None:
    """Refuse unless ``verdict`` was given for this step, patient and plan, and holds."""
    if verdict is None or (verdict.step, verdict.patient_id, verdict.plan_id) != (
        step,
        patient_id,
        plan_id,
    ):
        raise GateClosed([f"The care pathway has not checked this step ({step})."])
    if not verdict.holds:
        raise GateClosed(verdict.reasons, verdict.blocked)
