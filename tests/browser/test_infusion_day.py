"""The infusion day in Chromium: two mothers in two chairs at once, from check-in to discharge.

A nurse at the station (1366 by 900) runs both chairs; two colleagues check the doses and witness
the waste as themselves on her screen (their own password and authenticator code); the front desk
watches the day board on a tablet (768 by 1024) in another browser context, and sees each change
within five seconds without reloading. The clinician signs both discharges on a tablet. axe-core
finds nothing on any page of the day.

The recovery time is set to zero for the test (a director's setting), since the live server
keeps real time.
"""

import re
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from perinatal.accounts.tests.helpers import authenticator, code_for
from perinatal.infusion.models import DaySettings, InfusionSession, VialUse
from perinatal.notify.models import Message
from perinatal.obcare.tests.helpers import LINK
from perinatal.pathway import services as pathway
from perinatal.plans.tests.helpers import (
    a_patient,
    boston,
    chairs,
    clinicians,
    infusion_type,
    signed_plan,
)
from tests.harness import make_staff, restore_shipped_defaults, signed_in_cookie

pytestmark = pytest.mark.browser

PASSWORD = "a long test password 1"
STATION = {"viewport": {"width": 1366, "height": 900}, "is_mobile": False, "has_touch": False}
TABLET = {"viewport": {"width": 768, "height": 1024}, "is_mobile": False, "has_touch": True}


@pytest.fixture
def day(clinic):
    restore_shipped_defaults()
    DaySettings.objects.update(recovery_minutes=0)
    clinician = make_staff("clinician", username="dr-okafor", first_name="Maya", last_name="Okafor")
    staff = {
        "nurse": make_staff("nurse", username="nurse-ruiz", first_name="Lena", last_name="Ruiz"),
        "checker": make_staff("nurse", username="nurse-park", first_name="Jin", last_name="Park"),
        "clinician": clinician,
        "desk": make_staff("front_desk", username="desk", first_name="Ada", last_name="Desk"),
    }
    location = boston()
    soon = (timezone.now() + timedelta(minutes=5)).replace(second=0, microsecond=0)
    appointments = []
    for seat, name in enumerate(["Grace Okoye", "Sofia Ramirez"]):
        plan = signed_plan(a_patient(name=name), clinician)
        appointments.append(
            pathway.book_infusion(
                plan,
                visit_type=infusion_type(),
                location=location,
                start=soon,
                clinician=clinicians(location)[seat],
                chair=chairs(location)[seat],
                user=clinician,
            )
        )
    return staff, appointments


def _context(new_context, live_server, user, shape):
    context = new_context(**shape)
    context.add_cookies([signed_in_cookie(user, live_server.url)])
    return context


def _code(user, step: int = 0) -> str:
    """The code their authenticator shows now, or ``step`` time steps ahead (a code once used
    is refused for the rest of its step, and the device accepts the next step's)."""
    return code_for(authenticator(user), at=time.time() + 30 * step)


def _check_in(page):
    page.get_by_label("Her full name and date of birth match the record").check()
    page.get_by_label("The baby is with").fill("Her mother")
    page.get_by_label("She has fasted as the protocol asks").check()
    page.get_by_label("Not pregnant, as she reports (no test needed)").check()
    page.get_by_label("Her breastfeeding plan was read back").check()
    for label, value in [
        ("Systolic (mmHg)", "121"),
        ("Diastolic (mmHg)", "77"),
        ("Heart rate (per minute)", "74"),
        ("SpO₂ (%)", "98"),
        ("Breaths per minute", "14"),
    ]:
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name="Check her in").click()


def _second_person(page, user, step=0):
    page.get_by_label(re.compile("(Your|Witness's) username")).fill(user.username)
    page.get_by_label(re.compile("(Your|Witness's) password")).fill(PASSWORD)
    page.get_by_label(re.compile("(Code from your authenticator app|Witness's code)")).fill(
        _code(user, step)
    )


def _observe(page, systolic="124"):
    form = page.locator("form", has=page.get_by_role("button", name="Save the observations"))
    for label, value in [
        ("Systolic (mmHg)", systolic),
        ("Diastolic (mmHg)", "78"),
        ("Heart rate (per minute)", "76"),
        ("SpO₂ (%)", "98"),
        ("Breaths per minute", "14"),
        ("Sedation, MOAA/S (0 to 5)", "5"),
    ]:
        form.get_by_label(label).fill(value)
    form.get_by_role("button", name="Save the observations").click()


def test_two_mothers_in_two_chairs_from_check_in_to_discharge(
    day, new_context, live_server, assert_no_axe_violations, answer_epds, low_answers
):
    staff, appointments = day
    desk = _context(new_context, live_server, staff["desk"], TABLET).new_page()
    desk.goto("/staff/day/")
    board = desk.locator("#board")
    expect(board).to_contain_text("Grace Okoye")
    expect(board).to_contain_text("Arriving")
    assert_no_axe_violations(desk)

    station = _context(new_context, live_server, staff["nurse"], STATION).new_page()
    checkers = [staff["checker"], staff["clinician"]]
    for n, appointment in enumerate(appointments):
        station.goto(f"/staff/infusions/{appointment.public_id}/")
        assert_no_axe_violations(station)
        _check_in(station)
        expect(station.get_by_role("heading", name=re.compile("Checked in"))).to_be_visible()
        row = board.locator("tr", has_text=appointment.patient.name)
        expect(row).to_contain_text("Checked in", timeout=5000)  # the other device, no reload

        station.get_by_role("link", name=re.compile("Hand her the tablet")).click()
        assert_no_axe_violations(station)
        answer_epds(station, low_answers)
        station.get_by_role("button", name="Send my answers").click()
        station.get_by_role("link", name="Staff: back to the infusion day").click()

        station.get_by_label("Weight today (kg)").fill("70.0")
        station.get_by_label("Vial strength (mg/mL)").fill("10")
        station.get_by_role("button", name="Work out the dose").click()
        session = InfusionSession.objects.get(appointment=appointment)
        _second_person(station, checkers[n])
        station.get_by_label("The dose you worked out (mg)").fill(str(session.dose_mg))
        station.get_by_label("The volume to draw (mL)").fill(str(session.volume_ml))
        station.get_by_role("button", name="Confirm the dose").click()
        expect(station.locator(".messages")).to_contain_text("checked by a second person")

        station.get_by_text("Record a vial").click()
        station.get_by_label("Strength (mg/mL)", exact=False).last.fill("10")
        station.get_by_label("Lot").fill(f"K24-{n}")
        station.get_by_label("Expiry").fill(f"{timezone.localdate() + timedelta(days=300)}")
        station.get_by_label("Drawn (mg)").fill("40.0")
        station.get_by_role("button", name="Record the vial").click()
        expect(station.get_by_text("Every check is done")).to_be_visible()
        assert_no_axe_violations(station)
        station.get_by_role("button", name="Start the infusion").click()
        expect(row).to_contain_text("Infusing", timeout=5000)

    # Both infusing at once; observations on each, then stop, close the vial, observe again.
    for n, appointment in enumerate(appointments):
        station.goto(f"/staff/infusions/{appointment.public_id}/")
        _observe(station)
        station.locator("select[name=change-kind]").select_option("stop")
        station.get_by_role("button", name="Record", exact=True).click()
        session = InfusionSession.objects.get(appointment=appointment)
        station.get_by_text("Close a vial's record").click()
        station.get_by_label("Given (mg)").fill(str(session.dose_mg))
        station.get_by_label("Wasted (mg)").fill(str(Decimal("40.0") - session.dose_mg))
        _second_person(station, checkers[1 - n], step=1)
        station.get_by_role("button", name="Close the record").click()
        expect(station.locator(".messages")).to_contain_text("Vial record closed")
        _observe(station)
        expect(board.locator("tr", has_text=appointment.patient.name)).to_contain_text(
            re.compile("Recovering|Ready to leave"), timeout=5000
        )
    assert all(v.drawn_mg == v.given_mg + v.wasted_mg for v in VialUse.objects.all())
    assert {v.waste_witness_id for v in VialUse.objects.all()} == {
        staff["checker"].pk,
        staff["clinician"].pk,
    }

    clinician = _context(new_context, live_server, staff["clinician"], TABLET).new_page()
    for appointment in appointments:
        clinician.goto(f"/staff/infusions/{appointment.public_id}/")
        form = clinician.locator(
            "form", has=clinician.get_by_role("button", name="Sign the discharge")
        )
        for box in form.get_by_role("checkbox").all():
            box.check()
        assert_no_axe_violations(clinician)
        form.get_by_role("button", name="Sign the discharge").click()
        expect(clinician.get_by_text("The record is signed and locked")).to_be_visible()
        expect(board.locator("tr", has_text=appointment.patient.name)).to_contain_text(
            "Left", timeout=5000
        )
    clinician.goto(f"/staff/infusions/{appointments[0].public_id}/record/")
    assert_no_axe_violations(clinician)

    # After the day: an addendum to the locked record, and the day's summary to her OB.
    clinician.get_by_label("Addendum").fill("Called her at 6 pm: no headache, resting at home.")
    clinician.get_by_role("button", name="Sign and add").click()
    expect(clinician.get_by_text("Called her at 6 pm")).to_be_visible()
    clinician.get_by_role("button", name="Draft a summary for her OB").click()
    expect(clinician.get_by_role("heading", level=1)).to_contain_text("Infusion summary to")
    assert_no_axe_violations(clinician)
    clinician.get_by_role("button", name=re.compile("^Send to")).click()
    link = LINK.search(Message.objects.filter(template="ob_letter").latest("id").body_text)
    assert link is not None
    ob = new_context(**TABLET).new_page()
    ob.goto(f"{live_server.url}/ob/letters/{link.group(1)}/")
    expect(ob.get_by_text("no answer is needed")).to_be_visible()
    assert_no_axe_violations(ob)
    ob.get_by_role("button", name="Mark as read").click()
    expect(ob.get_by_text("you marked this summary as read")).to_be_visible()

    station.goto("/staff/day/vials/")
    expect(station.get_by_text("K24-0")).to_be_visible()
    assert_no_axe_violations(station)
    assert all(s.is_locked for s in InfusionSession.objects.all())
