"""Every public page, in English and Spanish: no WCAG 2.2 A/AA problem axe can find, and nothing
wider than a 360-pixel phone screen."""

import pytest

from tests.harness import PUBLIC_PAGES as ENGLISH_PAGES

pytestmark = pytest.mark.browser

PUBLIC_PAGES = ENGLISH_PAGES + [f"/es{path}" for path in ENGLISH_PAGES]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_has_no_axe_violations(page, path, assert_no_axe_violations):
    response = page.goto(path)
    assert response.status == 200
    assert_no_axe_violations(page)


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_does_not_scroll_sideways_on_a_phone(page, path, assert_fits_phone):
    page.goto(path)
    assert page.viewport_size["width"] == 360
    assert_fits_phone(page)


def test_spanish_check_explains_the_questionnaire_is_not_available(page):
    page.goto("/es/check/")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator("form.screen-form").count() == 0
    assert page.locator('main a[hreflang="en"][href="/check/"]').count() == 1
