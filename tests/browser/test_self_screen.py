"""A mother checks how she is feeling on her phone: the EPDS self-screen, start to result."""

import re

import pytest
from playwright.sync_api import expect

from perinatal.screening.models import Screening

pytestmark = pytest.mark.browser


def _checked_positions(page):
    """{item number: chosen option position} as the check page shows it now."""
    return page.evaluate(
        """() => Object.fromEntries(
            [...document.querySelectorAll('fieldset[id^="id_q"]')].map((set) => [
                Number(set.id.slice(4)),
                [...set.querySelectorAll('input[type=radio]')].findIndex((r) => r.checked),
            ]))"""
    )


def test_mother_screens_on_a_phone_and_sees_a_low_result(
    page, answer_epds, low_answers, assert_no_axe_violations, assert_fits_phone
):
    page.goto("/")
    assert_no_axe_violations(page)

    page.get_by_role("link", name="Check how you are feeling").first.click()
    expect(page).to_have_url(re.compile(r"/check/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check how you are feeling")
    assert page.locator("fieldset#id_q10 input[type=radio]").count() == 4
    assert_no_axe_violations(page)

    answer_epds(page, low_answers)
    expect(page.locator("#crisis-inline-q10")).to_be_hidden()
    page.get_by_role("button", name="See my result").click()

    expect(page).to_have_url(re.compile(r"/check/result/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your result")
    expect(page.locator(".result .score strong")).to_have_text("0")
    expect(page.locator(".result .score")).to_contain_text("out of 30")
    expect(page.locator("#score-heading")).to_have_text("Few signs of depression")
    expect(page.locator(".result .note")).to_contain_text("A screen is not a diagnosis.")
    expect(page.locator("aside.citation")).to_contain_text(
        "Cox JL, Holden JM, Sagovsky R. Detection of postnatal depression"
    )
    expect(page.locator("aside.citation")).to_contain_text("Edinburgh Postnatal Depression Scale")
    expect(page.locator("#crisis")).to_have_count(0)
    expect(page.locator("section.callback")).to_have_count(0)
    assert_no_axe_violations(page)
    assert_fits_phone(page)

    screening = Screening.objects.get()
    assert (screening.total, screening.safety_alert, screening.band) == (0, False, "fewer")


def test_blank_form_is_refused_with_every_question_listed(
    page, assert_no_axe_violations, assert_fits_phone
):
    page.goto("/check/")
    page.get_by_role("button", name="See my result").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()  # screen.js moves focus there, so it is read out first
    expect(summary.locator("li")).to_have_count(10)
    expect(summary.locator("li").first).to_have_text("Please choose an answer for question 1.")
    expect(page.locator("fieldset.question.has-error")).to_have_count(10)
    expect(page).to_have_url(re.compile(r"/check/$"))
    assert Screening.objects.count() == 0
    assert_no_axe_violations(page)
    assert_fits_phone(page)

    # The summary's links lead to the question that needs an answer.
    summary.get_by_role("link", name="Please choose an answer for question 7.").click()
    expect(page.locator("#id_q7_0")).to_be_focused()


def test_one_missing_answer_keeps_everything_she_chose(
    page, answer_epds, low_answers, assert_no_axe_violations
):
    page.goto("/check/")
    answers = {**low_answers, 6: 1, 8: 2}
    del answers[9]
    answer_epds(page, answers)
    first_factor = page.locator('input[name="risk_factors"]').first
    first_factor.check()
    page.get_by_role("button", name="See my result").click()

    summary = page.locator(".error-summary")
    expect(summary.locator("li")).to_have_count(1)
    expect(summary).to_contain_text("Please choose an answer for question 9.")
    expect(page).to_have_url(re.compile(r"/check/$"))
    assert Screening.objects.count() == 0
    assert _checked_positions(page) == {str(n): answers.get(n, -1) for n in range(1, 11)}
    expect(page.locator('input[name="risk_factors"]').first).to_be_checked()
    assert_no_axe_violations(page)

    answer_epds(page, {9: 3})
    page.get_by_role("button", name="See my result").click()
    expect(page).to_have_url(re.compile(r"/check/result/$"))
    expect(page.locator(".result .score strong")).to_have_text("3")


def test_change_my_answers_shows_what_she_chose(page, answer_epds, low_answers):
    answers = {**low_answers, 1: 1, 4: 2, 7: 0}
    page.goto("/check/")
    answer_epds(page, answers)
    page.locator('input[name="risk_factors"]').nth(2).check()
    page.get_by_role("button", name="See my result").click()
    expect(page.locator(".result .score strong")).to_have_text("6")

    page.get_by_role("link", name="Change my answers").click()
    expect(page).to_have_url(re.compile(r"/check/$"))
    assert _checked_positions(page) == {str(n): answers[n] for n in range(1, 11)}
    expect(page.locator('input[name="risk_factors"]').nth(2)).to_be_checked()

    # Changing one answer replaces her earlier screen rather than adding a second one.
    answer_epds(page, {1: 0})
    page.get_by_role("button", name="See my result").click()
    expect(page.locator(".result .score strong")).to_have_text("5")
    assert list(Screening.objects.values_list("total", flat=True)) == [5]


def test_back_button_from_the_result_keeps_her_answers(page, answer_epds, low_answers):
    answers = {**low_answers, 2: 1, 5: 1}
    page.goto("/check/")
    answer_epds(page, answers)
    page.get_by_role("button", name="See my result").click()
    expect(page).to_have_url(re.compile(r"/check/result/$"))

    page.go_back()
    expect(page).to_have_url(re.compile(r"/check/$"))
    expect(page.locator("fieldset#id_q10 input[type=radio]").nth(3)).to_be_checked()
    assert _checked_positions(page) == {str(n): answers[n] for n in range(1, 11)}
