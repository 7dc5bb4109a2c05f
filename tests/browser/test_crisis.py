"""A mother answers that the thought of harming herself has come to her (EPDS item 10).

The crisis lines must reach her at once, with or without JavaScript, ahead of her score; she can
ask for a call back, and staff see that request first, marked urgent. The alert email carries no
name or number.
"""

import re

import pytest
from playwright.sync_api import expect

from perinatal.notify.models import Message
from perinatal.screening.models import CallbackRequest, Screening
from tests.harness import signed_in_cookie

pytestmark = pytest.mark.browser

SOMETIMES = 1  # position of "Sometimes" (score 2) on EPDS item 10
NEVER = 3  # position of "Never" (score 0)
FIRST_NAME = "Marisol"
PHONE = "617 555 0199"


def _assert_result_opens_with_crisis_lines(page):
    expect(page).to_have_url(re.compile(r"/check/result/$"))
    first_section = page.locator("main > h1 + section")
    expect(first_section).to_have_id("crisis")
    crisis = page.locator("#crisis")
    expect(crisis.get_by_role("heading", level=2)).to_have_text("You deserve help right now")
    expect(crisis.locator('a[href="tel:988"]')).to_have_text("Call 988")
    expect(crisis.locator('a[href="tel:+18338526262"]')).to_contain_text("1-833-TLC-MAMA")
    expect(crisis.locator('a[href="tel:911"]')).to_have_text("Call 911")
    expect(crisis.locator('a[href="sms:988"]')).to_have_count(1)
    # Ahead of the score, in reading order and on the screen.
    assert page.evaluate(
        """() => Boolean(document.querySelector('#crisis').compareDocumentPosition(
            document.querySelector('section.result')) & Node.DOCUMENT_POSITION_FOLLOWING)"""
    )
    assert crisis.bounding_box()["y"] < page.locator("section.result").bounding_box()["y"]
    expect(crisis).to_be_in_viewport()


def test_self_harm_answer_brings_crisis_lines_first_and_a_call_back(
    page,
    new_context,
    front_desk,
    live_server,
    answer_epds,
    low_answers,
    assert_no_axe_violations,
    assert_fits_phone,
):
    page.goto("/check/")
    panel = page.locator("#crisis-inline-q10")
    answer_epds(page, {n: p for n, p in low_answers.items() if n != 10})
    expect(panel).to_be_hidden()

    # The lines show as soon as she chooses the answer, before she sends the form.
    answer_epds(page, {10: SOMETIMES})
    expect(panel).to_be_visible()
    expect(panel.locator('a[href="tel:988"]')).to_be_visible()
    expect(panel.locator('a[href="tel:911"]')).to_be_visible()
    answer_epds(page, {10: NEVER})
    expect(panel).to_be_hidden()
    answer_epds(page, {10: SOMETIMES})
    expect(panel).to_be_visible()
    assert_no_axe_violations(page)
    assert_fits_phone(page)

    page.get_by_role("button", name="See my result").click()
    _assert_result_opens_with_crisis_lines(page)
    expect(page.locator(".result .score strong")).to_have_text("2")
    assert_no_axe_violations(page)
    assert_fits_phone(page)

    callback = page.locator("section.callback")
    callback.get_by_label("Your first name").fill(FIRST_NAME)
    callback.get_by_label("Phone number we can call").fill(PHONE)
    callback.get_by_role("button", name="Please call me back").click()

    expect(page).to_have_url(re.compile(r"/call-back/thanks/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you. We will call you.")
    expect(page.locator('main a[href="tel:988"]')).to_be_visible()
    assert_no_axe_violations(page)

    page.goto("/help-now/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Get help now")
    assert_no_axe_violations(page)

    request = CallbackRequest.objects.get()
    assert request.urgent
    assert request.first_name == FIRST_NAME
    assert request.phone == "+16175550199"
    assert request.screening == Screening.objects.get(safety_alert=True)

    alert = Message.objects.get(template="callback_alert")
    assert alert.to == "oncall@example.org"
    assert "URGENT" in alert.subject
    for private in (FIRST_NAME, PHONE, "0199", "+16175550199"):
        assert private not in alert.subject
        assert private not in alert.body_text
        assert private not in alert.body_html

    # Staff, on their own computer, see her request at the top of the queue, marked urgent.
    staff = new_context(viewport={"width": 1280, "height": 800}, is_mobile=False, has_touch=False)
    desk = staff.new_page()
    staff.add_cookies([signed_in_cookie(front_desk, live_server.url)])
    desk.goto("/staff/queue/")
    item = desk.get_by_text(FIRST_NAME).first
    expect(item).to_be_visible()
    expect(desk.locator(".badge.urgent").first).to_be_visible()


def test_self_harm_answer_without_javascript_still_opens_with_crisis_lines(
    new_context, answer_epds, low_answers
):
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/check/")
    answer_epds(page, {**low_answers, 10: SOMETIMES})
    expect(page.locator("#crisis-inline-q10")).to_be_hidden()  # no script to show it
    page.get_by_role("button", name="See my result").click()
    _assert_result_opens_with_crisis_lines(page)
    assert Screening.objects.get().safety_alert


def test_call_back_with_a_bad_phone_keeps_her_name_and_says_what_is_wrong(
    page, assert_no_axe_violations
):
    page.goto("/call-back/")
    page.get_by_label("Your first name").fill(FIRST_NAME)
    page.get_by_label("Phone number we can call").fill("12")
    page.get_by_role("button", name="Please call me back").click()

    expect(page).to_have_url(re.compile(r"/call-back/$"))
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("does not look like a phone number")
    phone = page.get_by_label("Phone number we can call")
    expect(phone).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#" + phone.get_attribute("aria-describedby"))).to_contain_text(
        "does not look like a phone number"
    )
    expect(page.get_by_label("Your first name")).to_have_value(FIRST_NAME)
    expect(phone).to_have_value("12")
    assert CallbackRequest.objects.count() == 0
    assert not Message.objects.exists()
    assert_no_axe_violations(page)
