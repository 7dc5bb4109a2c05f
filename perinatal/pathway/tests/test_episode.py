"""The pathway bar on her chart and the risk banner on every page about her."""

from datetime import timedelta

from perinatal.consents.models import Kind, SignedConsent
from perinatal.consents.services import withdraw
from perinatal.consult.models import EligibilityAssessment
from perinatal.ops.demo.patients import sign_eligible_note
from perinatal.pathway import episode, gates
from perinatal.pathway.risks import risks_of
from perinatal.pathway.tests.helpers import consent, ob_answers, sign
from perinatal.plans.tests.helpers import draft_plan
from perinatal.screening.models import CallbackRequest, Screening
from tests.harness import sign_in


def states(patient) -> dict[str, str]:
    return {s.key: s.state for s in episode.episode_of(gates.evidence(patient)).steps}


def test_the_bar_blocks_in_order_and_unblocks_as_each_step_is_done(patient, clinician):
    assert states(patient)["consultation"] in ("current", "todo")
    sign_eligible_note(patient, clinician)
    assert (states(patient)["consultation"], states(patient)["consents"]) == ("done", "blocked")
    consent(patient, clinician)
    assert (states(patient)["consents"], states(patient)["ob"]) == ("done", "blocked")
    draft = draft_plan(patient, clinician)
    ob_answers(patient, clinician)
    assert (states(patient)["ob"], states(patient)["plan"]) == ("done", "current")
    sign(draft, clinician)
    assert (states(patient)["plan"], states(patient)["infusion"]) == ("done", "current")
    assert states(patient)["follow_up"] == "todo"


def test_a_not_eligible_decision_stops_the_episode_and_a_new_visit_starts_another(
    patient, clinician
):
    note = sign_eligible_note(patient, clinician)
    EligibilityAssessment.objects.filter(note=note).update(
        decision=EligibilityAssessment.Decision.NOT_ELIGIBLE, reasons="Current psychosis."
    )
    current = episode.episode_of(gates.evidence(patient))
    assert current.stopped_reason.startswith("Not eligible")
    assert [s.state for s in current.steps] == ["stopped"]

    sign_eligible_note(patient, clinician)  # seen again months later
    ev = gates.evidence(patient)
    assert episode.episode_of(ev).stopped_reason == ""
    (past,) = episode.past_episodes(ev)
    assert "Current psychosis." in past.outcome


def test_the_chart_shows_the_bar_with_each_block_and_its_fix(client, patient, clinician):
    sign_eligible_note(patient, clinician)
    sign_in(client, clinician)

    page = client.get(f"/staff/patients/{patient.public_id}/").content.decode()

    assert 'aria-labelledby="pathway-heading"' in page
    assert "Her consent to off-label IV ketamine treatment is not in force." in page
    assert f'href="/staff/patients/{patient.public_id}/consents/"' in page


def test_front_desk_sees_no_pathway_bar(client, patient, clinician, staff):
    sign_eligible_note(patient, clinician)
    sign_in(client, staff("front_desk"))
    page = client.get(f"/staff/patients/{patient.public_id}/").content.decode()
    assert "pathway-heading" not in page


def test_the_risk_banner_names_a_recent_self_harm_answer_and_a_withdrawn_consent(
    client, patient, clinician, staff
):
    Screening.objects.create(
        instrument="epds",
        instrument_version="1",
        language="en",
        answers=[],
        item_scores=[0] * 9 + [2],
        total=12,
        band="possible",
        safety_alert=True,
        channel="web",
        patient=patient,
    )
    consent(patient, clinician, Kind.TREATMENT)
    withdraw(
        signed=SignedConsent.objects.get(patient=patient, kind=Kind.TREATMENT),
        how="phone",
        by=clinician,
    )
    sign_in(client, staff("front_desk"))

    for path in (
        f"/staff/patients/{patient.public_id}/",
        f"/staff/patients/{patient.public_id}/consents/",
    ):
        page = client.get(path).content.decode()
        assert "Self-harm answered positive on a screen of" in page, path
        assert "Consent withdrawn on" in page, path


def test_the_risk_banner_names_a_self_harm_answer_her_call_back_links(client, patient, staff):
    """A screen taken before she had a record reaches her through the call-back it asked for."""
    screen = Screening.objects.create(
        instrument="epds",
        instrument_version="1",
        language="en",
        answers=[],
        item_scores=[0] * 9 + [2],
        total=12,
        band="possible",
        safety_alert=True,
        channel="web",
    )
    CallbackRequest.objects.create(
        first_name="Ana", phone="+16175550100", language="en", screening=screen, patient=patient
    )
    Screening.objects.create(  # another mother's answer, linked to no one's call-back
        instrument="epds",
        instrument_version="1",
        language="en",
        answers=[],
        item_scores=[0] * 9 + [2],
        total=12,
        band="possible",
        safety_alert=True,
        channel="web",
    )
    sign_in(client, staff("front_desk"))

    page = client.get(f"/staff/patients/{patient.public_id}/").content.decode()

    assert "Self-harm answered positive on a screen of" in page
    assert len(risks_of(patient)) == 1


def test_an_old_self_harm_answer_leaves_the_banner(client, patient, clinician):
    screen = Screening.objects.create(
        instrument="epds",
        instrument_version="1",
        language="en",
        answers=[],
        item_scores=[0] * 9 + [1],
        total=9,
        band="low",
        safety_alert=True,
        channel="web",
        patient=patient,
    )
    Screening.objects.filter(pk=screen.pk).update(created_at=screen.created_at - timedelta(days=31))
    sign_in(client, clinician)
    page = client.get(f"/staff/patients/{patient.public_id}/").content.decode()
    assert "Self-harm answered positive" not in page
