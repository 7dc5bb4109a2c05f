"""Every kind of back-office page fits a phone (360 px) and a tablet (768 px) without sideways
scrolling, with a record whose email address is long enough to overflow a card, and axe-core
finds nothing on it.

Staff are signed in with a stored session (both factors done), as ``tests.harness`` makes
it for a browser; the sign-in pages themselves are checked signed out.
"""

from datetime import timedelta

import pytest

from perinatal.booking import services as booking
from perinatal.booking.models import ConsultationType
from perinatal.booking.slots import find_slots
from perinatal.booking.tests.helpers import person
from perinatal.consult.services import new_note
from perinatal.obcare.models import Obstetrician
from perinatal.obcare.services import draft_letter
from perinatal.obcare.tests.helpers import set_ob
from perinatal.plans.tests.helpers import boston, clinicians, local_start, signed_plan
from perinatal.screening.services import request_callback
from tests.harness import make_staff, restore_shipped_defaults, signed_in_cookie

pytestmark = pytest.mark.browser

LONG_EMAIL = "daniela.alejandra.moreno-villanueva.postpartum@hospital-example-long-domain.org"
WIDTHS = [360, 768]


@pytest.fixture
def records(clinic):
    """One patient with everything a back-office page shows: a booked video consultation, an
    urgent call-back, a consultation note, a signed plan, her OB and a care-plan letter."""
    restore_shipped_defaults()

    video = ConsultationType.objects.get(slug="free-video-consultation")
    video.clinicians.set(clinicians(boston())[:1])
    start = local_start(boston())
    slot = find_slots(video, start=start, end=start + timedelta(days=7))[0]
    appointment, _ = booking.book(
        video, slot.start, person(name="Daniela Moreno", email=LONG_EMAIL), via="web"
    )
    patient = appointment.patient
    set_ob(
        patient,
        Obstetrician.objects.create(
            name="Dr. June Whitaker, MD",
            practice="Back Bay Women's Health and Maternal-Fetal Medicine Associates",
            email="june.whitaker.maternal-fetal-medicine@back-bay-womens-health.example.org",
            phone="+16175550111",
        ),
    )
    director = make_staff("director", first_name="Maya", last_name="Okafor")
    callback = request_callback(
        first_name="Daniela", phone=patient.phone, language="en", screening=None, urgent=True
    )
    callback.patient = patient
    callback.save()
    note = new_note(patient=patient, clinician=director)
    note.save()
    plan = signed_plan(patient, director)
    letter = draft_letter(patient=patient, author=director)
    return {
        "director": director,
        "pages": [
            "/staff/",
            "/staff/queue/",
            f"/staff/callbacks/{callback.public_id}/",
            f"/staff/patients/{patient.public_id}/",
            f"/staff/patients/{patient.public_id}/edit/",
            f"/staff/appointments/{appointment.public_id}/",
            f"/staff/consultations/{note.public_id}/",
            f"/staff/patients/{patient.public_id}/consents/",
            f"/staff/plans/{plan.public_id}/",
            f"/staff/plans/{plan.public_id}/book/",
            "/staff/obs/",
            f"/staff/patients/{patient.public_id}/ob/",
            f"/staff/patients/{patient.public_id}/ob/edit/",
            f"/staff/ob-letters/{letter.public_id}/",
            f"/staff/ob-letters/{letter.public_id}/print/",
            "/staff/audit/",
            f"/staff/patients/{patient.public_id}/access/",
            "/staff/merges/",
            "/staff/account/",
            "/staff/day/",
            "/staff/day/vials/",
        ],
    }


@pytest.mark.parametrize("width", WIDTHS)
def test_every_staff_page_fits_the_screen(
    width, records, new_context, live_server, assert_fits_phone, assert_no_axe_violations
):
    context = new_context(viewport={"width": width, "height": 900})
    context.add_cookies([signed_in_cookie(records["director"], live_server.url)])
    page = context.new_page()
    too_wide = []
    for path in records["pages"]:
        response = page.goto(path)
        assert response.status == 200, path
        assert page.url.endswith(path), f"{path} went to {page.url}"
        width = page.evaluate("document.scrollingElement.scrollWidth")
        if width > page.viewport_size["width"]:
            too_wide.append(path)
            continue
        assert_no_axe_violations(page)
    for path in too_wide:  # fail naming what overflows on the first page too wide
        page.goto(path)
        assert_fits_phone(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_sign_in_page_fits_the_screen(width, new_context, assert_fits_phone):
    page = new_context(viewport={"width": width, "height": 900}).new_page()
    page.goto("/staff/sign-in/")
    assert_fits_phone(page)
