"""The mother's pages measured in Chromium on a 360-pixel phone and a 1366-pixel desktop: the
header leaves the first screen to the page, times and phone numbers never break inside, every
question stays inside its box, and nothing scrolls sideways."""

import pytest
from playwright.sync_api import expect

from perinatal.clinic.models import Location

pytestmark = pytest.mark.browser

SCREENS = {
    "phone": {"viewport": {"width": 360, "height": 740}},
    "desktop": {"viewport": {"width": 1366, "height": 768}, "is_mobile": False, "has_touch": False},
}
VIDEO = "/book/free-video-consultation/"
EASTERN = "America/New_York"

# For every element matched: its height, its line height, how many line boxes its text makes,
# and whether its content is wider than itself.
MEASURE = """(elements) => elements.map((el) => {
    const style = getComputedStyle(el);
    const range = document.createRange();
    range.selectNodeContents(el);
    const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
    return {
        text: el.textContent.trim(),
        height: el.getBoundingClientRect().height,
        line: parseFloat(style.lineHeight),
        lines: tops.size,
        overflows: el.scrollWidth > el.clientWidth + 1,
    };
})"""


def _screen(new_context, screen):
    return new_context(**SCREENS[screen], timezone_id=EASTERN).new_page()


def _assert_no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width}px wide"


def _assert_one_line_each(page, selector):
    measured = page.locator(selector).evaluate_all(MEASURE)
    assert measured, f"nothing matches {selector}"
    broken = [m for m in measured if m["lines"] != 1 or m["overflows"]]
    assert not broken, f"{selector} breaks or overflows on {page.url}: {broken[:3]}"
    return measured


@pytest.mark.parametrize("screen", SCREENS)
def test_the_times_page_shows_one_day_with_times_on_one_line(
    new_context, screen, assert_no_axe_violations
):
    page = _screen(new_context, screen)
    page.goto(f"{VIDEO}?tz={EASTERN}")
    expect(page.locator("section.day")).to_have_count(1)
    days = page.locator(".day-picker li a")
    assert 2 <= days.count() <= 5
    expect(page.locator('.day-picker a[aria-current="date"]')).to_have_count(1)
    expect(page.locator(".zone-note")).to_have_text("Times are shown in Eastern Time.")

    for slot in _assert_one_line_each(page, "a.slot"):
        assert slot["height"] <= max(44, slot["line"] * 1.5 + 12), slot  # one line of text
    _assert_one_line_each(page, ".day-picker li a span")
    # Even columns: every time button in a row has the same width.
    widths = {
        round(w)
        for w in page.locator("a.slot").evaluate_all(
            "(links) => links.map((a) => a.getBoundingClientRect().width)"
        )
    }
    assert len(widths) == 1, widths
    _assert_no_sideways_scroll(page)
    assert_no_axe_violations(page)

    # Another day, picked from the row of days, replaces the list.
    first = page.locator("a.slot").first.get_attribute("href")
    days.nth(1).click()
    expect(page.locator(".day-picker li").nth(1).locator("a")).to_have_attribute(
        "aria-current", "date"
    )
    assert page.locator("a.slot").first.get_attribute("href") != first
    _assert_one_line_each(page, "a.slot")


@pytest.mark.parametrize("screen", SCREENS)
def test_times_in_two_zones_keep_each_time_on_one_line(new_context, screen):
    denver = Location.objects.get(name="Denver — Cherry Creek")
    page = _screen(new_context, screen)
    page.goto(f"/book/free-in-person-consultation/{denver.public_id}/?tz={EASTERN}")
    expect(page.locator("section.day")).to_contain_text(
        "The smaller time is the local time at Denver — Cherry Creek."
    )
    _assert_one_line_each(page, "a.slot .slot-time")
    _assert_one_line_each(page, "a.slot .slot-local")
    wide = [m for m in page.locator("a.slot").evaluate_all(MEASURE) if m["overflows"]]
    assert not wide, f"times wider than their button: {wide[:3]}"
    _assert_no_sideways_scroll(page)


@pytest.mark.parametrize("path", ["/", "/es/", VIDEO, f"/es{VIDEO}"])
@pytest.mark.parametrize("screen", SCREENS)
def test_name_and_menu_leave_the_first_screen_to_the_page(new_context, screen, path):
    page = _screen(new_context, screen)
    page.goto(path)
    header = page.locator(".site-header").bounding_box()
    share = header["height"] / page.viewport_size["height"]
    assert share <= 0.18, f"the header takes {share:.0%} of the first screen on {path}"
    _assert_one_line_each(page, ".main-nav a")
    _assert_no_sideways_scroll(page)


@pytest.mark.parametrize("path", ["/help-now/", "/es/help-now/"])
@pytest.mark.parametrize("screen", SCREENS)
def test_a_hotline_number_never_breaks_inside(new_context, screen, path):
    page = _screen(new_context, screen)
    page.goto(path)
    hotline = page.locator('a[href="tel:+18338526262"]')
    expect(hotline).to_contain_text("1-833-TLC-MAMA (1-833-852-6262)")
    words = _assert_one_line_each(page, '.crisis-actions a[href="tel:+18338526262"] .nowrap')
    assert [w["text"] for w in words] == ["1-833-TLC-MAMA", "(1-833-852-6262)"]
    _assert_no_sideways_scroll(page)


@pytest.mark.parametrize("screen", SCREENS)
def test_every_question_stays_inside_its_box(new_context, screen):
    page = _screen(new_context, screen)
    page.goto("/check/")
    outside = page.locator("fieldset.question").evaluate_all(
        """(boxes) => boxes.map((box) => {
            const outer = box.getBoundingClientRect();
            const top = outer.top + parseFloat(getComputedStyle(box).borderTopWidth);
            const legend = box.querySelector('legend').getBoundingClientRect();
            return {legend: box.querySelector('legend').textContent.trim(),
                    inside: legend.top >= top && legend.bottom <= outer.bottom
                        && legend.left >= outer.left && legend.right <= outer.right};
        }).filter((q) => !q.inside)"""
    )
    assert not outside, f"questions crossing their box: {outside}"
    assert screen == "desktop" or page.locator("fieldset.question legend").evaluate_all(
        "(ls) => ls.some((l) => l.getClientRects()[0].height > 1.5 * parseFloat("
        "getComputedStyle(l).lineHeight))"
    ), "no question runs over two lines here, so the test shows nothing"
    _assert_no_sideways_scroll(page)


def test_the_spanish_menu_agrees_with_the_spanish_check_page(page, assert_no_axe_violations):
    page.goto("/es/check/")
    expect(page.locator("form.screen-form")).to_have_count(0)
    expect(page.locator(".main-nav a[href='/es/check/']")).to_have_count(0)
    english = page.locator('main a[href="/check/"]')
    expect(english).to_have_text("Hacer el cuestionario en inglés")
    expect(english).to_have_attribute("hreflang", "en")
    expect(page.locator("footer address")).to_contain_text("De lunes a viernes, de 8 a 18 h")
    assert_no_axe_violations(page)
    page.goto("/check/")
    expect(page.locator(".main-nav a[href='/check/']")).to_have_count(1)
