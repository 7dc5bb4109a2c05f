"""The evidence a plan needs, made through the services staff and patients use."""

from perinatal.consents import services as consents
from perinatal.consents.models import Kind, Method
from perinatal.obcare.models import Obstetrician
from perinatal.ops.demo import obcare as demo_obs
from perinatal.ops.demo.patients import ob_clears, sign_eligible_note, sign_forms
from perinatal.pathway import gates
from perinatal.pathway import services as pathway
from perinatal.plans.models import TreatmentPlan


def consent(patient, by, *kinds: str) -> None:
    """She signs ``kinds`` (both the treatment and OB-sharing forms by default) on her link."""
    token, _ = consents.send_forms(
        patient=patient,
        kinds=list(kinds or (Kind.TREATMENT, Kind.OB_SHARING)),
        by=by,
        channel=Method.LINK,
    )
    sign_forms(patient, token)


def ob_answers(patient, by, response: str = "cleared") -> None:
    if not Obstetrician.objects.exclude(email="").exists():
        demo_obs.load_demo()
    ob_clears(patient, by, response=response)


def make_ready(patient, clinician) -> None:
    """Whatever of the plan's evidence is missing: a signed eligible consultation, both
    consents, her OB's clearance where the clinic asks for it (in that order, as the pathway
    takes them)."""
    ev = gates.evidence(patient)
    if ev.decision is None or ev.decision.decision != "eligible":
        sign_eligible_note(patient, clinician)
    missing = {Kind.TREATMENT, Kind.OB_SHARING} - ev.consents
    if missing:
        consent(patient, clinician, *sorted(missing))
    ev = gates.evidence(patient)
    if ev.needs_ob_clearance and ev.clearance is None:
        ob_answers(patient, clinician)


def sign(plan: TreatmentPlan, clinician) -> TreatmentPlan:
    """Sign ``plan`` through the pathway, making its evidence first."""
    make_ready(plan.patient, clinician)
    return pathway.sign_plan(plan, user=clinician)
