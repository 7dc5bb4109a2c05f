"""Signing locks a note and its decision; later changes are addenda, shown in order."""

import pytest
from django.core.exceptions import ValidationError

from perinatal.consult import services
from perinatal.consult.models import (
    Addendum,
    ConsultationNote,
    EligibilityAssessment,
    EligibilityCriterion,
    Locked,
    Severity,
)
from perinatal.consult.tests.helpers import criterion, note_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(signed_in, clinician, patient):
    """A complete draft saved through the page: the signed-in client and the note."""
    client = signed_in(clinician)
    bipolar = criterion("History of bipolar")
    client.post(
        f"/staff/patients/{patient.public_id}/consultations/new/",
        note_data(present=[bipolar], **{f"reason_{bipolar.pk}": "Euthymic 4 years on lithium."}),
    )
    return client, ConsultationNote.objects.get()


def test_signing_records_the_signer_and_time_of_note_and_decision(draft, clinician):
    client, note = draft
    review = client.get(f"/staff/consultations/{note.public_id}/sign/")
    assert review.status_code == 200
    assert "Sign note and decision" in review.content.decode()

    response = client.post(f"/staff/consultations/{note.public_id}/sign/")
    assert response.status_code == 302
    note.refresh_from_db()
    assessment = note.assessment
    assert note.is_signed and note.signed_by == clinician and note.signed_at is not None
    assert assessment.decided_by == clinician and assessment.decided_at == note.signed_at


def test_a_signed_note_and_decision_refuse_changes_in_the_model(draft, clinician):
    _client, note = draft
    services.sign(note=note, user=clinician)
    note = ConsultationNote.objects.get(pk=note.pk)
    note.goals = "changed"
    with pytest.raises(Locked):
        note.save()
    with pytest.raises(Locked):
        note.delete()
    assessment = EligibilityAssessment.objects.get(note=note)
    assessment.reasons = "changed"
    with pytest.raises(Locked):
        assessment.save()
    with pytest.raises(Locked):
        services.sign(note=note, user=clinician)


def test_a_signed_note_has_no_edit_form_and_a_post_changes_nothing(draft, clinician):
    client, note = draft
    client.post(f"/staff/consultations/{note.public_id}/sign/")

    page = client.get(f"/staff/consultations/{note.public_id}/").content.decode()
    assert "Save draft" not in page and 'name="goals"' not in page
    assert "Sign and add addendum" in page

    response = client.post(f"/staff/consultations/{note.public_id}/", note_data(goals="rewritten"))
    assert response.status_code == 409
    assert "cannot be edited" in response.content.decode()
    assert ConsultationNote.objects.get(pk=note.pk).goals == "To enjoy time with my baby again"


def test_addenda_appear_under_the_note_in_order(draft, clinician, staff):
    client, note = draft
    client.post(f"/staff/consultations/{note.public_id}/sign/")
    first = client.post(
        f"/staff/consultations/{note.public_id}/addendum/", {"text": "OB confirms normal BP."}
    )
    assert first.status_code == 302 and first.url.endswith("#addenda")
    client.post(f"/staff/consultations/{note.public_id}/addendum/", {"text": "Escort: her sister."})

    page = client.get(f"/staff/consultations/{note.public_id}/").content.decode()
    assert page.index("OB confirms normal BP.") < page.index("Escort: her sister.")
    addendum = Addendum.objects.first()
    assert addendum.author == clinician and addendum.signed_at is not None
    with pytest.raises(Locked):
        addendum.save()


def test_an_empty_addendum_is_refused(draft):
    client, note = draft
    client.post(f"/staff/consultations/{note.public_id}/sign/")
    response = client.post(f"/staff/consultations/{note.public_id}/addendum/", {"text": ""})
    assert response.status_code == 200
    assert not Addendum.objects.exists()


def test_a_draft_takes_no_addendum(draft):
    client, note = draft
    response = client.post(f"/staff/consultations/{note.public_id}/addendum/", {"text": "x"})
    assert response.status_code == 302
    assert not Addendum.objects.exists()


def test_a_draft_can_be_edited_until_signed(draft):
    client, note = draft
    response = client.post(
        f"/staff/consultations/{note.public_id}/", note_data(goals="Go back to work")
    )
    assert response.status_code == 302
    assert ConsultationNote.objects.get(pk=note.pk).goals == "Go back to work"
    edit = client.get(f"/staff/consultations/{note.public_id}/").content.decode()
    assert "Go back to work" in edit and "Save draft" in edit


def test_signed_answers_keep_the_checklist_as_it_read(draft, clinician):
    client, note = draft
    client.post(f"/staff/consultations/{note.public_id}/sign/")
    bipolar = criterion("History of bipolar")
    bipolar.text = "Bipolar disorder type I or II"
    bipolar.kind = Severity.HARD_STOP
    bipolar.save()
    EligibilityCriterion.objects.filter(text__startswith="No escort").update(is_active=False)

    answers = EligibilityAssessment.objects.get(note=note).answers
    kept = next(a for a in answers if a["criterion"] == bipolar.pk)
    assert (kept["text"], kept["kind"], kept["present"]) == (
        "History of bipolar disorder",
        "caution",
        True,
    )
    page = client.get(f"/staff/consultations/{note.public_id}/").content.decode()
    assert "History of bipolar disorder" in page
    assert "Bipolar disorder type I or II" not in page
    assert "No escort for the treatment day" in page


def test_signing_is_refused_when_the_checklist_changed_since_the_draft(draft, clinician):
    client, note = draft
    EligibilityCriterion.objects.create(text="Allergy to ketamine", kind=Severity.HARD_STOP)
    response = client.post(f"/staff/consultations/{note.public_id}/sign/")
    assert response.status_code == 400
    assert "New item: “Allergy to ketamine”" in response.content.decode()
    assert not ConsultationNote.objects.get(pk=note.pk).is_signed
    with pytest.raises(ValidationError):
        services.sign(note=note, user=clinician)

    # Answering the new checklist on the draft makes it signable.
    client.post(
        f"/staff/consultations/{note.public_id}/",
        note_data(
            present=[criterion("History of bipolar")],
            **{f"reason_{criterion('History of bipolar').pk}": "Stable."},
        ),
    )
    assert client.post(f"/staff/consultations/{note.public_id}/sign/").status_code == 302


def test_a_note_without_a_decision_cannot_be_signed(signed_in, clinician, patient):
    client = signed_in(clinician)
    client.post(
        f"/staff/patients/{patient.public_id}/consultations/new/",
        note_data(decision="", reasons=""),
    )
    note = ConsultationNote.objects.get()
    review = client.get(f"/staff/consultations/{note.public_id}/sign/").content.decode()
    assert "Record the eligibility decision before signing." in review
    assert "Sign note and decision" not in review
    assert client.post(f"/staff/consultations/{note.public_id}/sign/").status_code == 400


def test_a_note_with_a_blank_safety_question_cannot_be_signed(clinician, patient):
    note = services.new_note(patient=patient, clinician=clinician)
    note.save()
    EligibilityAssessment.objects.create(
        note=note,
        answers=[
            {**c.snapshot(), "present": False, "reason": ""}
            for c in EligibilityCriterion.objects.active()
        ],
        decision="not_eligible",
        reasons="Incomplete.",
    )
    with pytest.raises(ValidationError, match="diagnosed with bipolar disorder"):
        services.sign(note=note, user=clinician)


# --- Checklist items bound to the note's answers ------------------------------------------------


def _draft(clinician, patient, **note_fields):
    """A complete draft saved through the services: every checklist item absent and
    "eligible" unless ``present`` names items, with ``note_fields`` on the note."""
    present = note_fields.pop("present", ())
    note = services.new_note(patient=patient, clinician=clinician)
    for question in ConsultationNote.REQUIRED_ANSWERS:
        setattr(note, question, "no")
    note.breastfeeding = "no"
    for name, value in note_fields.items():
        setattr(note, name, value)
    note.save()
    EligibilityAssessment.objects.create(
        note=note,
        answers=[
            {
                **c.snapshot(),
                "present": c.text in present,
                "reason": "Planned for." if c.text in present else "",
            }
            for c in EligibilityCriterion.objects.active()
        ],
        decision="eligible",
        reasons="No hard stop.",
    )
    return note


@pytest.mark.parametrize(
    ("answers", "item"),
    [
        ({"psychosis_history": "yes"}, "History of bipolar disorder"),
        ({"preeclampsia_history": "preeclampsia"}, "History of pre-eclampsia"),
        ({"breastfeeding": "partly"}, "Breastfeeding"),
    ],
)
def test_a_note_cannot_be_signed_when_its_answers_contradict_the_checklist(
    clinician, patient, answers, item
):
    note = _draft(clinician, patient, **answers)

    with pytest.raises(ValidationError, match="is marked absent, but the note records") as refused:
        services.sign(note=note, user=clinician)

    assert item in str(refused.value)
    note.refresh_from_db()
    assert not note.is_signed


def test_a_current_psychosis_answer_makes_the_hard_stop_present_and_eligible_impossible(
    clinician, patient
):
    stop = criterion("Current psychosis").text
    absent = _draft(clinician, patient, current_psychotic_symptoms="yes")
    with pytest.raises(ValidationError, match="psychotic symptoms now"):
        services.sign(note=absent, user=clinician)
    absent.assessment.delete()
    absent.delete()

    with pytest.raises(ValidationError, match="A hard stop is present"):
        _draft(clinician, patient, current_psychotic_symptoms="yes", present=[stop])


def test_answers_and_items_that_agree_sign(clinician, patient):
    bipolar = criterion("History of bipolar").text
    note = _draft(clinician, patient, psychosis_history="yes", present=[bipolar])
    services.sign(note=note, user=clinician)
    note.refresh_from_db()
    assert note.is_signed
