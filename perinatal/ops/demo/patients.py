"""Demo patients: five fictional mothers, one at each step of the pathway, so that a newcomer's
back office shows real shapes at once (a call-back to return, a consultation booked, a note
signed, consent forms out, her OB's clearance and a treatment plan signed).

They are made by the services staff and patients use (screening, booking, the consultation
note, consents, the plan), so the records hang together and the audit log has them the way it
has real ones (the actor is "system"). Names are invented, phone numbers are in the fictional
555-01xx range and email addresses are at example.org; dates count from the day they are first
loaded. Each one is looked up by her email (the call-back by its phone) first, so loading the
demo again adds nothing. Only the demo clinic gets them, never in production.

This sits with the commands, above every app it calls.
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from perinatal.booking import services as booking
from perinatal.booking.models import Appointment, ConsultationType
from perinatal.booking.slots import next_free
from perinatal.clinic.models import Clinic
from perinatal.consents import services as consents
from perinatal.consents.models import Kind, Method
from perinatal.consult import services as consult
from perinatal.consult.models import (
    ConsultationNote,
    EligibilityAssessment,
    EligibilityCriterion,
)
from perinatal.obcare import services as obcare
from perinatal.obcare.models import Obstetrician, PatientOb
from perinatal.ops.demo.clinic import DEMO_NAME
from perinatal.ops.demo.infusion_day import load_demo_day
from perinatal.ops.demo.outcomes import load_demo_cohort
from perinatal.pathway import services as pathway
from perinatal.patients.models import Patient
from perinatal.plans import services as plans
from perinatal.plans.models import FollowUpSchedule, Protocol, TreatmentPlan
from perinatal.screening.instruments import get_instrument
from perinatal.screening.models import CallbackRequest
from perinatal.screening.services import request_callback, save_screening

DEMO_CLINICIAN = "clinician"  # the demo staff account (perinatal.ops.demo.staff) who signs
VIDEO = "free-video-consultation"
ALL_FORMS = [Kind.TREATMENT, Kind.OB_SHARING, Kind.TELEHEALTH]
# EPDS item scores (items 1 to 10) of a moderate screen, item 10 (self-harm) at zero.
MODERATE_EPDS = [1, 2, 2, 1, 1, 2, 1, 2, 1, 0]

CALLBACK = {"first_name": "Rosa", "phone": "+16175550151", "language": "es"}
# Each mother: who she is, weeks since the birth (or until it), and how far she has come.
MOTHERS = [
    {
        "name": "Hannah Whitfield",
        "email": "hannah.whitfield@example.org",
        "phone": "+16175550152",
        "weeks": 5,
        "step": "booked",
    },
    {
        "name": "Keisha Morgan",
        "email": "keisha.morgan@example.org",
        "phone": "+16175550153",
        "weeks": 8,
        "step": "note signed",
    },
    {
        "name": "Mei Lin Chen",
        "email": "mei.lin.chen@example.org",
        "phone": "+13035550154",
        "weeks": 10,
        "step": "consents out",
    },
    {
        "name": "Olivia Bennett",
        "email": "olivia.bennett@example.org",
        "phone": "+16175550155",
        "weeks": 12,
        "step": "plan signed",
    },
]
STEPS = ["booked", "note signed", "consents out", "plan signed"]


def load_demo_patients() -> int:
    """Add the demo mothers the demo clinic does not have yet; returns how many were added."""
    clinic = Clinic.objects.filter(is_current=True).first()
    if settings.PRODUCTION or clinic is None or clinic.name != DEMO_NAME:
        return 0
    clinician = get_user_model().objects.get(username=DEMO_CLINICIAN)
    added = 0
    if not CallbackRequest.objects.filter(phone=CALLBACK["phone"]).exists():
        request_callback(**CALLBACK, screening=_moderate_screen(), urgent=False)
        added += 1
    for mother in MOTHERS:
        if Patient.objects.filter(email__iexact=mother["email"]).exists():
            continue
        with transaction.atomic():
            _bring_to_step(mother, clinician)
        added += 1
    with transaction.atomic():
        added += load_demo_day(_to_a_signed_plan)
    with transaction.atomic():
        added += load_demo_cohort(_to_a_signed_plan)
    return added


def _to_a_signed_plan(mother: dict, clinician) -> Patient:
    _bring_to_step({**mother, "step": "plan signed"}, clinician)
    return Patient.objects.get(email__iexact=mother["email"])


def _moderate_screen():
    instrument = get_instrument("epds", "en")
    positions = [
        next(i for i, option in enumerate(item.options) if option.score == score)
        for item, score in zip(instrument.items, MODERATE_EPDS, strict=True)
    ]
    return save_screening(scored=instrument.score(positions), risk_factors=[], channel="web")


def _bring_to_step(mother: dict, clinician) -> None:
    """Book her free consultation; for the later steps, as if it took place by phone already:
    note and eligibility signed, consent forms sent (and for the last, signed, her OB written to
    and clearing it), plan signed."""
    today = timezone.localdate()
    birth = today - timedelta(weeks=mother["weeks"])
    reached = STEPS.index(mother["step"])
    if reached == 0:
        _book(mother, birth)
        return
    patient = Patient.objects.create(
        name=mother["name"],
        email=mother["email"],
        phone=mother["phone"],
        language="en",
        stage=Patient.Stage.POSTPARTUM,
        delivery_date=birth,
        delivery=Patient.Delivery.VAGINAL,
        breastfeeding=Patient.Breastfeeding.YES,
        contact_consent_at=timezone.now(),
        contact_consent_text=booking.contact_consent_text(),
    )
    sign_eligible_note(patient, clinician)
    if reached == 1:
        return
    token, _ = consents.send_forms(
        patient=patient, kinds=ALL_FORMS, by=clinician, channel=Method.LINK
    )
    if reached == 2:
        return
    sign_forms(patient, token)
    draft = _draft_plan(patient, clinician)
    ob_clears(patient, clinician)  # the letter proposes the draft plan
    pathway.sign_plan(draft, user=clinician)


def sign_forms(patient: Patient, token: str) -> None:
    """She signs, on her link, every form sent under ``token``."""
    bundle = consents.bundle_for(token)
    consents.sign(
        bundle=bundle,
        request_ids=[r.pk for r in bundle.to_sign],
        signer_name=patient.name,
        ip=None,
        user_agent="demo data",
    )


def ob_clears(patient: Patient, clinician, response: str = "cleared") -> None:
    """Her OB (the first in the demo directory unless she has one) is sent a care-plan letter
    and answers it: cleared, unless ``response`` says "concerns"."""
    her_ob, _ = PatientOb.objects.get_or_create(patient=patient)
    if her_ob.obstetrician_id is None:
        her_ob.obstetrician = Obstetrician.objects.exclude(email="").order_by("pk").first()
        her_ob.save()
    letter = obcare.draft_letter(patient=patient, author=clinician)
    letter = obcare.send_letter(letter, by=clinician)
    obcare.respond(
        letter,
        obcare.Answer(
            response=response,
            text="" if response == "cleared" else "Her blood pressure needs review first.",
            name="Dr. Laura Chen",
            role="OB",
        ),
    )


def _book(mother: dict, birth) -> Appointment:
    video = ConsultationType.objects.get(slug=VIDEO)
    slot = next_free(video, after=timezone.now() + timedelta(days=2), count=1)[0]
    person = booking.Person(
        name=mother["name"],
        email=mother["email"],
        phone=mother["phone"],
        language="en",
        stage=Patient.Stage.POSTPARTUM,
        key_date=birth,
    )
    appointment, _ = booking.book(
        video, slot.start, person, via=Appointment.Via.WEB, screening=_moderate_screen()
    )
    return appointment


def sign_eligible_note(patient: Patient, clinician) -> ConsultationNote:
    note = consult.new_note(patient=patient, clinician=clinician)
    for question in ConsultationNote.REQUIRED_ANSWERS:
        setattr(note, question, "no")
    note.save()
    items = [item.snapshot() for item in EligibilityCriterion.objects.active()]
    # What her answers make present (breastfeeding, say) is present, with the reason given.
    present = consult.made_present(note, items)
    answers = [
        {**item, "present": item["criterion"] in present, "reason": ""}
        | (
            {"reason": "Discussed with her; a plan is agreed."}
            if item["criterion"] in present
            else {}
        )
        for item in items
    ]
    consult.save_draft(
        note=note,
        answers=answers,
        decision=EligibilityAssessment.Decision.ELIGIBLE,
        reasons="No hard stop or caution present; she wants to go ahead.",
    )
    consult.sign(note=note, user=clinician)
    return note


def _draft_plan(patient: Patient, clinician) -> TreatmentPlan:
    return plans.save_draft(
        TreatmentPlan(
            patient=patient,
            protocol=Protocol.objects.default(),
            follow_up=FollowUpSchedule.objects.default(),
            weight_kg=Decimal("68.0"),
            timing=TreatmentPlan.Timing.AFTER_DELIVERY,
            lactation=TreatmentPlan.Lactation.EXPRESS_AND_DISCARD,
            discard_hours=12,
            escort_confirmed=True,
            escort_name="Sam Bennett",
            escort_phone="+16175550156",
            childcare_confirmed=True,
            childcare_by="Her mother",
        ),
        user=clinician,
    )
