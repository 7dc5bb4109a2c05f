"""A clinician's day in the back office, in Chromium, through the real pages only.

She signs in with her password and authenticator code, calls back an urgent mother from the work
queue and links the call to her record, runs the consultation (one caution present, with a
reason) and signs her "eligible", has the three consent forms signed through the mother's private
link, links the OB from the directory and sends the care-plan letter, which the OB acknowledges
and clears through their own link, then writes and signs the treatment plan and books the
infusion day on a chair. axe-core finds nothing on any page visited, by anyone.

Three browser contexts: the clinician's desk (1280 by 800), the mother's phone, the OB's desk.
Emails go through the real outbox to a real SMTP server; the links are read from them.
"""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from perinatal.accounts.tests.helpers import PASSWORD, authenticator, code_for
from perinatal.audit.models import Action, AuditEvent
from perinatal.booking.models import Appointment
from perinatal.consents.models import Kind, SignedConsent
from perinatal.notify.delivery import deliver_due
from perinatal.obcare.models import CarePlanLetter, Obstetrician
from perinatal.obcare.tests.helpers import set_ob
from perinatal.ops.demo.plans import INFUSION_TYPE
from perinatal.patients.models import Patient
from perinatal.plans.models import Protocol, TreatmentPlan
from perinatal.screening.instruments import get_instrument
from perinatal.screening.services import request_callback, save_screening
from tests.harness import make_patient, make_staff, restore_shipped_defaults

pytestmark = pytest.mark.browser

DESK = {"viewport": {"width": 1280, "height": 800}, "is_mobile": False, "has_touch": False}

NAME = "Daniela Moreno"
FIRST_NAME = "Daniela"
EMAIL = "daniela.moreno@example.org"
PHONE = "+16175550188"
OB_NAME = "Dr. June Whitaker, MD"
OB_PRACTICE = "Back Bay Women's Health"
OB_EMAIL = "jwhitaker@bbwh.example.org"
OB_SIGNS_AS = "June Whitaker"
BOSTON = "Boston — Back Bay"
INFUSION = INFUSION_TYPE["name"]  # the demo infusion visit
CLINICIAN = "Dr. Maya Okafor, MD (demo)"
CAUTION = "Breastfeeding"  # the default checklist's caution she has
# EPDS item scores (1 to 10): a high total, and item 10 (thoughts of self-harm) above zero.
EPDS_SCORES = [2, 2, 2, 1, 2, 2, 2, 2, 1, 2]


# --- Setup -----------------------------------------------------------------------------------------


@pytest.fixture
def mailbox(smtp_mail, settings, live_server):
    """The outbox sends to the test SMTP server, and links in emails lead to the live server."""
    settings.SITE_URL = live_server.url
    return smtp_mail


@pytest.fixture
def clinic_defaults(clinic):
    """What the data migrations ship and the live server's flush after an earlier test wiped."""
    restore_shipped_defaults()
    return clinic


@pytest.fixture
def mother(clinic_defaults):
    """Six weeks after a vaginal birth at 39 weeks, breastfeeding; her OB as she named it when
    booking, not yet matched to the directory."""
    today = timezone.localdate()
    patient = make_patient(
        name=NAME,
        email=EMAIL,
        phone=PHONE,
        date_of_birth=date(1994, 9, 21),
        stage=Patient.Stage.POSTPARTUM,
        delivery_date=today - timedelta(weeks=6),
        delivery=Patient.Delivery.VAGINAL,
        gestation_weeks_at_birth=39,
        nicu_stay=False,
        breastfeeding=Patient.Breastfeeding.YES,
        support_name="Luis Moreno",
        support_relation="partner",
        support_phone="+16175550177",
        contact_consent_at=timezone.now() - timedelta(days=3),
        contact_consent_text="The clinic may contact me by email, text message and phone.",
    )
    set_ob(patient, None, name_given="Dr. June Whitaker", practice_given=OB_PRACTICE)
    return patient


@pytest.fixture
def her_ob(db):
    return Obstetrician.objects.create(
        name=OB_NAME, practice=OB_PRACTICE, phone="+16175550161", email=OB_EMAIL
    )


def _epds_with_self_harm():
    instrument = get_instrument("epds", "en")
    positions = [
        next(i for i, option in enumerate(item.options) if option.score == score)
        for item, score in zip(instrument.items, EPDS_SCORES, strict=True)
    ]
    scored = instrument.score(positions)
    assert scored.safety_alert
    return save_screening(scored=scored, risk_factors=["history"], channel="web")


@pytest.fixture
def calls(mailbox, mother):
    """Two call-back requests as the public page stores them: an ordinary one first, then hers,
    urgent because her screen answered the self-harm item above zero."""
    request_callback(
        first_name="Grace", phone="+16175550111", language="en", screening=None, urgent=False
    )
    return request_callback(
        first_name=FIRST_NAME,
        phone=PHONE,
        language="en",
        screening=_epds_with_self_harm(),
        urgent=False,
    )


def _deliver(mailbox, to: str) -> list:
    """Run the outbox sweep as the worker would; the plain text of what reached ``to``."""
    before = len(mailbox)
    sent = deliver_due()
    arrived = mailbox[before:]
    assert sent == len(arrived), f"the sweep sent {sent}, the server received {len(arrived)}"
    return [
        message.get_body(preferencelist=("plain",)).get_content()
        for message in arrived
        if message["To"] == to
    ]


def _link(texts: list[str], path: str, base_url: str) -> str:
    found = [url for text in texts for url in re.findall(rf"{re.escape(base_url)}{path}\S+/", text)]
    assert len(found) == 1, texts
    return found[0]


def _card(page, heading: str):
    """The card (a section labelled by its heading) on the page titled ``heading``."""
    return page.get_by_role("region", name=heading, exact=True)


def _desk(new_context):
    context = new_context(**DESK)
    context.set_default_timeout(15_000)
    return context.new_page()


def _step(page, key):
    """A step of the care pathway bar on her chart."""
    return page.locator(f"section.pathway li[data-step={key}]")


def _expect_steps(page, **states):
    for key, state in states.items():
        expect(_step(page, key)).to_have_class(re.compile(rf"\b{state}\b"))


def _h1(page):
    return page.get_by_role("heading", level=1)


# --- The day ---------------------------------------------------------------------------------------


def test_a_clinicians_day(
    new_context, live_server, mailbox, mother, her_ob, calls, assert_no_axe_violations
):
    urgent_call = calls
    user = make_staff("clinician", username="mokafor", first_name="Maya", last_name="Okafor")
    staff = _desk(new_context)
    check = assert_no_axe_violations

    # 1. Sign in: password, then the code from her authenticator app; she lands on Today.
    staff.goto("/staff/sign-in/")
    expect(_h1(staff)).to_have_text("Sign in")
    check(staff)
    staff.get_by_label("Username").fill("mokafor")
    staff.get_by_label("Password").fill(PASSWORD)
    staff.get_by_role("button", name="Continue").click()
    expect(_h1(staff)).to_have_text("Enter your code")
    check(staff)
    staff.get_by_label("Code (required)", exact=True).fill(code_for(authenticator(user)))
    staff.get_by_role("button", name="Sign in").click()
    expect(staff).to_have_url(f"{live_server.url}/staff/")
    expect(_h1(staff)).to_have_text("Today")
    expect(staff.locator(".staff-header")).to_contain_text("Maya Okafor · Clinician")
    queue_card = _card(staff, "Work queue")
    expect(queue_card.locator(".alert.urgent")).to_contain_text("1 urgent item waiting")
    check(staff)

    # 2. The work queue: her urgent call-back is at the top, above the older ordinary one.
    staff.get_by_role("link", name="Open the work queue").click()
    expect(_h1(staff)).to_have_text("Work queue")
    first_group = staff.locator("section.card").first
    expect(first_group.get_by_role("heading", level=2)).to_contain_text("Urgent: act now")
    top = first_group.locator("li").first
    expect(top).to_contain_text(f"Urgent call-back: {FIRST_NAME}")
    expect(top.locator(".badge.urgent")).to_have_text("urgent")
    expect(staff.locator("main")).to_contain_text("Call-back: Grace")
    check(staff)

    top.get_by_role("link", name=f"Urgent call-back: {FIRST_NAME}").click()
    expect(_h1(staff)).to_have_text(f"Urgent call-back: {FIRST_NAME}")
    expect(staff.get_by_role("note")).to_contain_text("her screen flagged a self-harm answer")
    screen = _card(staff, "Her screen")
    expect(screen).to_contain_text("EPDS")
    expect(screen.locator(".badge.urgent")).to_have_text("self-harm item above zero")
    check(staff)

    staff.get_by_label(re.compile(r"Done: we spoke")).check()
    staff.get_by_label("Note", exact=True).fill(
        "Spoke with her at length: safe now, partner at home, knows 988. Consultation today."
    )
    staff.get_by_label(re.compile(rf"{NAME}.*same phone")).check()
    staff.get_by_role("button", name="Save the outcome").click()
    expect(_h1(staff)).to_have_text("Work queue")
    expect(staff.get_by_role("status")).to_contain_text("Call-back recorded.")
    expect(staff.locator("main")).not_to_contain_text(f"Urgent call-back: {FIRST_NAME}")
    expect(staff.locator("main")).to_contain_text("Call-back: Grace")
    check(staff)
    urgent_call.refresh_from_db()
    assert (urgent_call.status, urgent_call.patient_id) == ("done", mother.pk)

    # Her chart: the call-back and her screen are on it now.
    staff.goto(f"/staff/patients/{mother.public_id}/")
    expect(_h1(staff)).to_have_text(NAME)
    obstetric = _card(staff, "Obstetric status")
    expect(obstetric).to_contain_text("6 weeks postpartum")
    expect(obstetric).to_contain_text("Breastfeeding")
    expect(obstetric).to_contain_text("as she gave it, not in the directory yet")
    timeline = _card(staff, "Timeline")
    expect(timeline).to_contain_text(f"EPDS screen: {sum(EPDS_SCORES)}")
    expect(timeline).to_contain_text("Urgent call-back requested")
    expect(timeline).to_contain_text("partner at home, knows 988")
    # What matters first: the self-harm answer on top of every page about her, and the
    # pathway stopped at its first step until a consultation is signed.
    expect(staff.locator(".risk-banner")).to_contain_text("Self-harm answered positive")
    _expect_steps(staff, consents="todo", plan="todo", infusion="todo")
    expect(staff.locator("section.pathway li[aria-current=step]")).to_have_count(1)
    check(staff)

    # 3. The consultation: required answers, one caution present with its reason, eligible.
    staff.get_by_role("link", name="Start consultation note").click()
    expect(_h1(staff)).to_have_text(f"New consultation note: {NAME}")
    check(staff)
    answers = {
        "History of self-harm": "No",
        "History of suicide attempts": "No",
        "Diagnosed with bipolar disorder": "No",
        "Ever had an episode of mania or hypomania": "No",
        "Ever had psychosis (hallucinations, delusions)": "No",
        "Parent, sibling or child with bipolar disorder or psychosis": "Unknown",
        "Psychotic symptoms now": "No",
    }
    for question, answer in answers.items():
        group = staff.get_by_role("group", name=re.compile(rf"^{re.escape(question)}"))
        group.get_by_label(answer, exact=True).check()
    staff.get_by_label("Current medications").fill("Sertraline 50 mg daily\nPrenatal vitamin")
    staff.get_by_label("Systolic (mmHg)").fill("118")
    staff.get_by_label("Diastolic (mmHg)").fill("76")
    staff.get_by_label("Weight (kg)").fill("72.5")
    staff.get_by_label("Her goals").fill("To feel like herself again and enjoy her baby.")
    for row in staff.locator("#section-checklist .criterion").all():
        criterion = row.locator("legend").first.inner_text()
        if criterion.startswith(CAUTION):
            row.get_by_label("Present", exact=True).check()
            row.locator("textarea").fill(
                "Exclusively breastfeeding: lactation plan agreed; OB and paediatrician informed."
            )
        else:
            row.get_by_label("Absent", exact=True).check()
    decision = staff.locator("#section-decision")
    decision.get_by_label("Eligible", exact=True).check()
    decision.get_by_label("Reasons for the decision").fill(
        f"Severe postpartum depression (EPDS {sum(EPDS_SCORES)}) despite sertraline; no hard "
        "stop; the breastfeeding caution is managed by the lactation plan."
    )
    staff.get_by_role("button", name="Save and review for signing").click()
    expect(_h1(staff)).to_have_text(f"Review and sign: {NAME}")
    expect(staff.get_by_role("alert")).to_have_count(0)
    check(staff)
    staff.get_by_role("button", name="Sign note and decision").click()
    expect(staff.get_by_role("status")).to_contain_text(
        "Consultation note and eligibility decision signed."
    )
    check(staff)

    staff.goto(f"/staff/patients/{mother.public_id}/")
    notes = _card(staff, "Consultation notes")
    expect(notes.locator(".badge.ok", has_text="signed")).to_have_count(1)
    expect(notes.locator(".badge.ok", has_text="Eligible")).to_have_count(1)
    _expect_steps(staff, consultation="done", consents="blocked", plan="todo")
    expect(_step(staff, "consents")).to_contain_text("treatment is not in force")
    check(staff)

    # 4. Consents: sent by email; she signs all three on her phone; the chart shows them signed.
    consents = _card(staff, "Consent forms")
    for kind in Kind.labels:
        expect(consents).to_contain_text(f"{kind}: Not sent")
    consents.get_by_role("link", name="Send consent forms").click()
    expect(_h1(staff)).to_have_text(f"Consent forms: {NAME}")
    check(staff)
    staff.get_by_role("button", name="Email her a private link").click()
    expect(staff.get_by_role("status")).to_contain_text(
        "Email with a private link queued (3 forms)"
    )
    expect(staff.locator("tbody .badge.warn", has_text="Waiting for her signature")).to_have_count(
        3
    )
    check(staff)

    consent_link = _link(_deliver(mailbox, EMAIL), "/consent/", live_server.url)
    phone = new_context().new_page()
    phone.goto(consent_link)
    expect(_h1(phone)).to_have_text("Your forms to read and sign")
    expect(phone.locator("section.consent-doc")).to_have_count(3)
    check(phone)
    for box in phone.locator("section.consent-doc input[type=checkbox]").all():
        box.check()
    phone.get_by_label("Your full name").fill(NAME)
    phone.get_by_role("button", name="Sign").click()
    expect(_h1(phone)).to_have_text("Thank you: your forms are signed")
    expect(phone.locator(".notice li")).to_have_count(3)
    check(phone)

    staff.goto(f"/staff/patients/{mother.public_id}/")
    consents = _card(staff, "Consent forms")
    for kind in Kind.labels:
        expect(consents).to_contain_text(f"{kind}: Signed")
    expect(consents.locator(".badge.ok")).to_have_count(3)
    _expect_steps(staff, consents="done", ob="blocked", plan="todo")
    expect(_step(staff, "ob")).to_contain_text("Her OB has not cleared the treatment")
    check(staff)

    # 5. Her OB: linked from the directory, the letter drafted and sent; the OB acknowledges
    # and clears it through the letter's link; the chart shows it cleared.
    _card(staff, "Her OB").get_by_role("link", name="Link her OB").click()
    expect(_h1(staff)).to_have_text(f"Link {NAME}\N{RIGHT SINGLE QUOTATION MARK}s OB")
    check(staff)
    staff.get_by_role("button", name=f"Link {OB_NAME}").click()
    expect(staff.get_by_role("status")).to_contain_text(f"{OB_NAME} ({OB_PRACTICE}) is now linked")
    ob_card = _card(staff, "Her OB")
    expect(ob_card).to_contain_text(OB_EMAIL)
    check(staff)

    ob_card.get_by_role("link", name="Write a care-plan letter").click()
    expect(_h1(staff)).to_have_text(f"Care-plan letter to {OB_NAME}")
    check(staff)
    staff.get_by_label("Covering note").fill(
        "Dear Dr. Whitaker, we would value your clearance for the plan below."
    )
    staff.get_by_role("button", name="Save the draft").click()
    expect(staff.get_by_role("status")).to_contain_text("Draft saved.")
    expect(staff.locator(".spread .badge")).to_have_text("Drafted")
    check(staff)
    staff.get_by_role("button", name=f"Send to {OB_EMAIL}").click()
    expect(staff.get_by_role("status")).to_contain_text(f"Sent to {OB_EMAIL}.")
    expect(staff.locator(".spread .badge")).to_have_text("Sent")
    check(staff)
    letter_page = staff.url

    letter_link = _link(_deliver(mailbox, OB_EMAIL), "/ob/letters/", live_server.url)
    ob = _desk(new_context)
    ob.goto(letter_link)
    expect(_h1(ob)).to_contain_text("Care-plan letter from")
    expect(ob.locator("main")).to_contain_text(NAME)
    check(ob)
    ob.get_by_role("button", name="Acknowledge receipt").click()
    expect(ob.get_by_role("status")).to_contain_text("Receipt acknowledged on")
    check(ob)
    ob.get_by_label("I clear her for this plan").check()
    ob.get_by_label("Your name").fill(OB_SIGNS_AS)
    ob.get_by_label("Your role").fill("Obstetrician")
    ob.get_by_role("button", name="Send my answer").click()
    expect(ob.get_by_role("status")).to_contain_text("Your answer (cleared) was recorded")
    check(ob)

    staff.goto(letter_page)
    expect(staff.locator(".spread .badge.ok")).to_have_text("Cleared by the OB")
    expect(staff.locator(".alert.ok")).to_contain_text(f"Cleared by {OB_SIGNS_AS} (Obstetrician)")
    check(staff)
    staff.get_by_role("link", name=re.compile(r"^Back to .* chart$")).click()
    expect(_h1(staff)).to_have_text(NAME)
    ob_card = _card(staff, "Her OB")
    expect(ob_card.locator("li .badge.ok")).to_have_text("Cleared by the OB")
    _expect_steps(staff, ob="done", plan="current", infusion="todo")
    check(staff)

    # 6. The treatment plan: the default protocol, her weight, escort and childcare, follow-up.
    staff.get_by_role("link", name="Write a treatment plan").click()
    expect(_h1(staff)).to_have_text("New treatment plan")
    check(staff)
    expect(staff.get_by_label("Protocol")).to_have_value(str(Protocol.objects.default().pk))
    staff.get_by_label("Weight (kg)").fill("72.5")
    staff.get_by_label("After delivery, when she is ready").check()
    staff.get_by_label("Why this timing").fill("She is six weeks postpartum and ready now.")
    staff.get_by_label("Continue breastfeeding").check()
    staff.get_by_label("An adult escort will take her home").check()
    expect(staff.get_by_label("Escort's name")).to_have_value("Luis Moreno")
    staff.get_by_label("Childcare for the day is arranged").check()
    staff.get_by_label("Who looks after the baby").fill("Her mother, Carmen")
    expect(staff.get_by_label("Follow-up schedule", exact=False)).to_contain_text(
        "Standard follow-up"
    )
    staff.get_by_role("button", name="Save the draft").click()
    expect(staff.get_by_role("status")).to_contain_text("Draft saved.")
    expect(_h1(staff)).to_contain_text("Treatment plan, version 1")
    expect(_h1(staff).locator(".badge")).to_have_text("draft")
    expect(staff.locator("main")).to_contain_text("Worked out when last saved: 36.3 mg")
    check(staff)
    staff.get_by_role("button", name="Sign the plan").click()
    expect(staff.get_by_role("status")).to_contain_text("Plan version 1 signed.")
    expect(_h1(staff).locator(".badge")).to_have_text("signed")
    treatment = _card(staff, "Treatment")
    expect(treatment).to_contain_text("0.5 mg/kg IV over 40 minutes")
    expect(treatment).to_contain_text("36.3 mg")
    day = _card(staff, "The day")
    expect(day).to_contain_text("Confirmed: Luis Moreno")
    expect(day).to_contain_text("Arranged: Her mother, Carmen")
    check(staff)

    # 7. The infusion day, booked from the plan with a clinician and a chair.
    staff.get_by_role("link", name="Book the infusion").first.click()
    expect(_h1(staff)).to_have_text("Book the infusion")
    check(staff)
    when = timezone.localdate() + timedelta(days=8)
    while when.weekday() >= 5:
        when += timedelta(days=1)
    staff.get_by_label("Location (required)", exact=True).select_option(label=BOSTON)
    staff.get_by_label("Appointment (required)", exact=True).select_option(label=INFUSION)
    staff.get_by_label("Date (required)", exact=True).fill(when.isoformat())
    staff.get_by_label("Start time").fill("10:00")
    staff.get_by_role("button", name="Show who is free").click()
    expect(staff.get_by_role("heading", name="Who and where")).to_be_visible()
    check(staff)
    staff.get_by_label(CLINICIAN).check()
    staff.get_by_label("Chair 1").check()
    staff.get_by_role("button", name=re.compile(r"^Book the infusion for ")).click()
    expect(staff.get_by_role("status")).to_contain_text("Infusion booked; she has been emailed.")
    expect(_h1(staff)).to_contain_text(f"{INFUSION}, ")
    expect(_h1(staff)).to_contain_text("10:00")
    expect(staff.locator(".spread .badge.ok")).to_have_text("confirmed")
    booked = _card(staff, "Appointment")
    expect(booked.locator('dt:text-is("Chair") + dd')).to_have_text("Chair 1")
    expect(booked.locator('dt:text-is("Clinician") + dd')).to_have_text(CLINICIAN)
    expect(booked.locator('dt:text-is("Where") + dd')).to_have_text(BOSTON)
    check(staff)
    staff.goto(f"/staff/patients/{mother.public_id}/")
    _expect_steps(staff, plan="done", infusion="done", given="current")
    check(staff)

    # Her own account, from her name at the top of every page.
    staff.locator(".staff-header").get_by_role("link", name="Maya Okafor · Clinician").click()
    expect(_h1(staff)).to_have_text("Your account")
    expect(staff.locator("main")).to_contain_text("unused recovery code")
    check(staff)

    # What the database keeps of the day.
    assert AuditEvent.objects.filter(action=Action.SIGN_IN, actor_id=user.pk).count() == 1
    assert AuditEvent.objects.filter(
        action=Action.VIEW,
        actor_id=user.pk,
        model="patients.patient",
        object_id=str(mother.pk),
        path=f"/staff/patients/{mother.public_id}/",
    ).exists()
    signed = SignedConsent.objects.filter(patient=mother)
    assert sorted(signed.values_list("kind", flat=True)) == sorted(Kind.values)
    assert set(signed.values_list("signer_name", "method")) == {(NAME, "link")}
    letter = CarePlanLetter.objects.get(patient=mother)
    assert letter.status == CarePlanLetter.Status.CLEARED
    assert (letter.responder_name, letter.sent_to) == (OB_SIGNS_AS, OB_EMAIL)
    assert letter.acknowledged_at is not None
    plan = TreatmentPlan.objects.get(patient=mother)
    assert plan.is_signed and plan.signed_by == user
    infusion = Appointment.objects.get(plan=plan)
    assert (infusion.chair.name, infusion.clinician_name) == ("Chair 1", CLINICIAN)
    assert infusion.location_name == BOSTON
