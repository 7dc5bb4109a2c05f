"""Writing, signing and revising a treatment plan from the chart, as each role sees it."""

import re
import uuid
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from perinatal.audit.models import Action, AuditEvent
from perinatal.pathway.tests import helpers as pathway_helpers
from perinatal.plans import services, summary
from perinatal.plans.models import Locked, TreatmentPlan
from perinatal.plans.sources import plans as plan_timeline
from perinatal.plans.tests.helpers import draft_plan, plan_fields, signed_plan
from tests.harness import sign_in

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_a_clinician_writes_a_plan_and_the_dose_is_worked_out_from_her_weight(
    client, patient, clinician
):
    sign_in(client, clinician)
    page = client.get(f"/staff/patients/{patient.public_id}/plans/new/")
    assert page.status_code == 200
    # The chart's defaults: the clinic's protocol and schedule, her support person as escort.
    assert page.context["form"].initial["escort_name"] == "Ben Example"

    response = client.post(f"/staff/patients/{patient.public_id}/plans/new/", plan_fields())

    plan = TreatmentPlan.objects.get(patient=patient)
    assert response.status_code == 302
    assert response["Location"] == f"/staff/plans/{plan.public_id}/"
    assert (plan.version, plan.status) == (1, TreatmentPlan.Status.DRAFT)
    assert (plan.dose_mg_per_kg, plan.infusion_minutes) == (Decimal("0.50"), 40)
    assert plan.weight_kg == Decimal("72.5")
    assert plan.dose_mg == Decimal("36.3")
    assert plan.escort_phone == "+16175550124"
    assert plan.discard_hours == 12
    assert plan.created_by == clinician
    page = client.get(f"/staff/plans/{plan.public_id}/")
    assert "36.3 mg" in page.content.decode()


def test_the_form_asks_for_what_each_choice_needs(client, patient, clinician):
    sign_in(client, clinician)
    response = client.post(
        f"/staff/patients/{patient.public_id}/plans/new/",
        plan_fields(weeks_postpartum="", discard_hours="", escort_phone="", childcare_by=""),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"weeks_postpartum", "discard_hours", "escort_phone", "childcare_by"}
    assert not TreatmentPlan.objects.exists()


def test_no_hours_are_kept_when_she_is_not_expressing_and_discarding(client, patient, clinician):
    sign_in(client, clinician)
    client.post(
        f"/staff/patients/{patient.public_id}/plans/new/",
        plan_fields(lactation=TreatmentPlan.Lactation.CONTINUE, discard_hours="12"),
    )
    assert TreatmentPlan.objects.get().discard_hours is None


def test_signing_needs_the_escort_and_the_childcare_confirmed(client, patient, clinician):
    sign_in(client, clinician)
    plan = draft_plan(
        patient, clinician, escort_confirmed=False, childcare_confirmed=False, childcare_by=""
    )
    page = client.get(f"/staff/plans/{plan.public_id}/")
    assert "Before it can be signed" in page.content.decode()

    response = client.post(f"/staff/plans/{plan.public_id}/sign/", follow=True)

    assert response.status_code == 200
    said = " ".join(messages_of(response))
    assert "escort" in said and "baby" in said
    plan.refresh_from_db()
    assert plan.status == TreatmentPlan.Status.DRAFT and plan.signed_at is None
    # The database holds the same rule, whatever writes the row.
    with pytest.raises(IntegrityError), transaction.atomic():
        TreatmentPlan.objects.filter(pk=plan.pk).update(
            status=TreatmentPlan.Status.SIGNED, signed_by=clinician, signed_at=plan.created_at
        )


def test_a_signed_plan_is_locked(client, patient, clinician):
    sign_in(client, clinician)
    plan = draft_plan(patient, clinician)
    pathway_helpers.make_ready(patient, clinician)

    response = client.post(f"/staff/plans/{plan.public_id}/sign/", follow=True)

    assert messages_of(response) == ["Plan version 1 signed."]
    plan.refresh_from_db()
    assert plan.status == TreatmentPlan.Status.SIGNED
    assert plan.signed_by == clinician and plan.signed_at is not None
    signed_event = AuditEvent.objects.get(action=Action.SIGN, model="plans.treatmentplan")
    assert (signed_event.model, signed_event.object_id) == ("plans.treatmentplan", str(plan.pk))
    assert signed_event.patient_id == patient.pk

    plan.weight_kg = Decimal("90")
    with pytest.raises(Locked):
        plan.save()
    with pytest.raises(Locked):
        plan.delete()
    # The page shows it without a form, and refuses a changed copy.
    assert client.get(f"/staff/plans/{plan.public_id}/").context["form"] is None
    assert (
        client.post(f"/staff/plans/{plan.public_id}/", plan_fields(weight_kg="90")).status_code
        == 404
    )
    assert client.post(f"/staff/plans/{plan.public_id}/sign/", follow=True).status_code == 200
    plan.refresh_from_db()
    assert plan.weight_kg == Decimal("72.5")


def test_a_change_after_signing_is_a_new_version_and_the_first_is_kept(client, patient, clinician):
    sign_in(client, clinician)
    first = signed_plan(patient, clinician)

    page = client.get(f"/staff/patients/{patient.public_id}/plans/new/")
    assert page.context["form"].initial["weight_kg"] == Decimal("72.5")  # carried over
    client.post(f"/staff/patients/{patient.public_id}/plans/new/", plan_fields(weight_kg="80"))
    second = TreatmentPlan.objects.get(patient=patient, version=2)
    assert second.supersedes == first and second.status == TreatmentPlan.Status.DRAFT
    # Until the new version is signed, the first stays in force.
    assert list(TreatmentPlan.objects.current()) == [first]
    assert summary.for_letter(patient)[0][1].endswith("for a weight of 72.5 kg.")
    # A second "new plan" opens the draft that exists rather than starting a rival one.
    response = client.get(f"/staff/patients/{patient.public_id}/plans/new/")
    assert response["Location"] == f"/staff/plans/{second.public_id}/"

    client.post(f"/staff/plans/{second.public_id}/sign/")

    assert list(TreatmentPlan.objects.current()) == [TreatmentPlan.objects.get(pk=second.pk)]
    first.refresh_from_db()
    assert first.status == TreatmentPlan.Status.SIGNED and first.weight_kg == Decimal("72.5")
    assert "for a weight of 80.0 kg" in summary.for_letter(patient)[0][1]
    old = client.get(f"/staff/plans/{first.public_id}/").content.decode()
    assert "A later signed version replaces this one" in old


def test_the_letter_proposes_the_draft_until_a_plan_is_signed(patient, clinician):
    assert summary.for_letter(patient) == []
    draft_plan(patient, clinician)
    proposed = dict(summary.for_letter(patient))
    assert "for a weight of 72.5 kg" in proposed["Proposed treatment plan"]
    assert "not yet signed" in proposed["Proposed"]

    signed_plan_ = TreatmentPlan.objects.get()

    pathway_helpers.sign(signed_plan_, clinician)

    sections = dict(summary.for_letter(patient))
    assert list(sections) == [
        "Treatment plan",
        "Timing",
        "Breastfeeding",
        "On the day",
        "Follow-up",
        "Signed",
    ]
    assert "0.5 mg/kg IV over 40 minutes" in sections["Treatment plan"]
    assert "36.3 mg" in sections["Treatment plan"]
    assert sections["Breastfeeding"] == "Continue breastfeeding."
    assert "1, 7, 14, 30, 42, 90, 180" in sections["Follow-up"]
    assert "Maya Okafor" in sections["Signed"]


def test_front_desk_sees_that_a_plan_is_signed_but_not_its_clinical_content(
    client, patient, clinician, front_desk_user
):
    draft = draft_plan(patient, clinician)
    sign_in(client, front_desk_user)
    assert (
        client.get(f"/staff/plans/{draft.public_id}/").status_code == 404
    )  # drafts: clinical staff
    assert client.get(f"/staff/patients/{patient.public_id}/plans/new/").status_code == 404
    assert client.post(f"/staff/plans/{draft.public_id}/sign/").status_code == 404

    pathway_helpers.sign(draft, clinician)

    page = client.get(f"/staff/plans/{draft.public_id}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Book the infusion" in html and "Ben Example" in html and "Her mother" in html
    # As words: a random CSRF token may well contain "mg".
    for clinical in ("mg", "Breastfeeding", "72.5", "Protocol", "discard"):
        assert not re.search(rf"\b{re.escape(clinical)}\b", html), clinical


def test_a_nurse_reads_plans_and_cannot_change_or_sign_them(client, patient, clinician, staff):
    plan = draft_plan(patient, clinician)
    sign_in(client, staff("nurse"))
    page = client.get(f"/staff/plans/{plan.public_id}/")
    assert page.status_code == 200 and page.context["form"] is None
    assert "36.3 mg" in page.content.decode()
    assert client.post(f"/staff/plans/{plan.public_id}/", plan_fields()).status_code == 404
    assert client.post(f"/staff/plans/{plan.public_id}/sign/").status_code == 404
    assert client.get(f"/staff/patients/{patient.public_id}/plans/new/").status_code == 404


@pytest.mark.parametrize("role", ["admin", None])
def test_outsiders_get_404(client, patient, clinician, staff, role):
    plan = signed_plan(patient, clinician)
    if role:
        sign_in(client, staff(role))
        for path in (
            f"/staff/plans/{plan.public_id}/",
            f"/staff/plans/{plan.public_id}/book/",
            f"/staff/patients/{patient.public_id}/plans/new/",
        ):
            assert client.get(path).status_code == 404, path
    else:
        sign_in(client, clinician)
        assert client.get(f"/staff/plans/{plan.pk + 100}/").status_code == 404
        assert client.get(f"/staff/patients/{uuid.uuid4()}/plans/new/").status_code == 404


def test_each_look_at_a_plan_is_audited_and_so_is_each_change(client, patient, clinician):
    sign_in(client, clinician)
    client.post(f"/staff/patients/{patient.public_id}/plans/new/", plan_fields())
    plan = TreatmentPlan.objects.get()
    client.get(f"/staff/plans/{plan.public_id}/")
    client.post(f"/staff/plans/{plan.public_id}/", plan_fields(weight_kg="70"))

    events = list(
        AuditEvent.objects.filter(model="plans.treatmentplan")
        .order_by("id")
        .values_list("action", "patient_id", "actor_id")
    )
    assert events == [
        (Action.CREATE, patient.pk, clinician.pk),
        (Action.VIEW, patient.pk, clinician.pk),
        (Action.UPDATE, patient.pk, clinician.pk),
    ]
    assert TreatmentPlan.objects.get().dose_mg == Decimal("35.0")


def test_signing_is_refused_when_she_was_found_not_eligible(client, patient, clinician):
    from perinatal.consult import services as consult
    from perinatal.consult.models import ConsultationNote
    from perinatal.consult.tests.helpers import note_data

    plan = draft_plan(patient, clinician)
    sign_in(client, clinician)
    client.post(
        f"/staff/patients/{patient.public_id}/consultations/new/",
        note_data(decision="not_eligible", reasons="Active psychosis."),
    )
    consult.sign(note=ConsultationNote.objects.get(patient=patient), user=clinician)

    response = client.post(f"/staff/plans/{plan.public_id}/sign/", follow=True)

    assert any("not eligible" in message for message in messages_of(response))
    plan.refresh_from_db()
    assert plan.status == TreatmentPlan.Status.DRAFT


def test_the_timeline_shows_each_version_to_clinical_staff(patient, clinician):
    signed_plan(patient, clinician)
    draft_plan(patient, clinician, weight_kg=Decimal("80"))

    entries = plan_timeline(patient)

    assert [e.title for e in sorted(entries, key=lambda e: e.title)] == [
        "Treatment plan, version 1: signed",
        "Treatment plan, version 2: draft",
    ]
    assert {e.capability for e in entries} == {"chart.clinical"}
    assert "40.0 mg" in next(e.detail for e in entries if "version 2" in e.title)


def test_the_letter_writes_the_planned_day_and_the_signing_day_in_the_day_style(patient, clinician):
    from datetime import UTC, date, datetime

    import time_machine

    with time_machine.travel(datetime(2026, 12, 4, 21, 9, tzinfo=UTC), tick=False):
        signed_plan(
            patient,
            clinician,
            timing=TreatmentPlan.Timing.WEEKS_POSTPARTUM,
            weeks_postpartum=6,
            planned_date=date(2026, 12, 15),
        )

    sections = dict(summary.for_letter(patient))

    assert sections["Timing"] == "6 weeks postpartum; planned for 15 Dec 2026."
    assert sections["Signed"].endswith("on 4 Dec 2026.")


def test_a_new_version_has_its_own_public_id(patient, clinician):
    """Found on the way: copying a signed plan into a new draft copied its public id too."""
    first = signed_plan(patient, clinician)
    draft = services.save_draft(services.draft_from(first), user=clinician)
    assert draft.version == 2
    assert draft.public_id != first.public_id
    assert TreatmentPlan.objects.get(public_id=first.public_id).version == 1
