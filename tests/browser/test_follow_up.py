"""Her follow-up link in Chromium on a phone: she answers with a positive self-harm item and
sees the crisis lines at once; the clinician's work queue shows her first; she then opens her
progress after giving her date of birth. axe-core finds nothing on her pages."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from perinatal.followup import services
from perinatal.followup.models import FollowUp
from perinatal.followup.tests.helpers import infusion_given, link_in
from perinatal.notify.models import Message
from tests.harness import make_staff, restore_shipped_defaults, signed_in_cookie

pytestmark = pytest.mark.browser

BORN = date(1990, 6, 2)
SOMETIMES = 1  # position of "Sometimes" (score 2) on EPDS item 10
STATION = {"viewport": {"width": 1366, "height": 900}, "is_mobile": False, "has_touch": False}


@pytest.fixture
def her_link(clinic):
    """Her infusion given and discharged; her first questionnaire's window moved to now (its
    timing has tests of its own), and its invitation sent."""
    restore_shipped_defaults()
    staff = {
        "clinician": make_staff("clinician", username="dr-okafor"),
        "nurse": make_staff("nurse", username="nurse-ruiz"),
        "checker": make_staff("nurse", username="nurse-park"),
    }
    session = infusion_given(
        staff["clinician"], staff["nurse"], staff["checker"], date_of_birth=BORN
    )
    first = FollowUp.objects.filter(session=session).order_by("opens_at").first()
    now = timezone.now()
    FollowUp.objects.filter(pk=first.pk).update(
        opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=2)
    )
    services.sweep()
    message = Message.objects.get(template="follow_up_invitation", about_id=first.pk)
    return link_in(message), session, staff["clinician"]


def test_she_answers_with_self_harm_sees_help_tops_the_queue_and_opens_her_progress(
    her_link,
    page,
    new_context,
    live_server,
    answer_epds,
    low_answers,
    assert_no_axe_violations,
    assert_fits_phone,
):
    link, session, clinician = her_link
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("How you are feeling now")
    assert_no_axe_violations(page)
    assert_fits_phone(page)
    answer_epds(page, {**low_answers, 10: SOMETIMES})
    page.get_by_role("button", name="Send my answers").click()
    crisis = page.locator("#crisis")
    expect(crisis).to_be_visible()
    expect(crisis.locator('a[href="tel:988"]')).to_be_visible()
    assert_no_axe_violations(page)
    assert_fits_phone(page)

    desk = new_context(**STATION)
    desk.add_cookies([signed_in_cookie(clinician, live_server.url)])
    queue = desk.new_page()
    queue.goto("/staff/queue/")
    first_item = queue.locator("main li").first
    expect(first_item).to_contain_text("Self-harm answer to a follow-up questionnaire")
    expect(first_item).to_contain_text(session.patient.name)

    page.get_by_role("link", name="See how you have been doing").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("See how you have been doing")
    expect(page.locator("main")).not_to_contain_text("EPDS")
    assert_no_axe_violations(page)
    page.get_by_label("Your date of birth, or your baby's").fill(BORN.isoformat())
    page.get_by_role("button", name="Show my progress").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How you have been doing")
    expect(page.get_by_role("img", name="EPDS scores over time")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Your infusion")
    assert_no_axe_violations(page)
    assert_fits_phone(page)
