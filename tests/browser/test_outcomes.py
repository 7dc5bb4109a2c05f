"""The outcome dashboard in Chromium, on the demo's cohort: the medical director reads the
charts and their tables on a laptop and a tablet; axe-core finds nothing."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.harness import make_staff, restore_shipped_defaults, signed_in_cookie

pytestmark = pytest.mark.browser

LAPTOP = {"viewport": {"width": 1366, "height": 900}, "is_mobile": False, "has_touch": False}
TABLET = {"viewport": {"width": 768, "height": 1024}, "is_mobile": False, "has_touch": True}


def test_the_director_reads_the_outcomes_on_a_laptop_and_a_tablet(
    new_context, live_server, assert_no_axe_violations, tmp_path
):
    restore_shipped_defaults()  # a committing test before this one may have wiped them
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 (closed with the run)
    director = make_staff("director", username="dr-director", first_name="Ruth")
    for shape in (LAPTOP, TABLET):
        context = new_context(**shape)
        context.add_cookies([signed_in_cookie(director, live_server.url)])
        page = context.new_page()
        page.goto("/staff/")
        page.get_by_role("link", name="Outcomes").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Outcomes")
        change = page.get_by_role("img", name="Mean change in score from baseline")
        expect(change).to_be_visible()
        expect(page.get_by_role("table").first).to_contain_text("of 12")
        assert_no_axe_violations(page)
        page.screenshot(
            path=str(tmp_path / f"outcomes-{shape['viewport']['width']}.png"), full_page=True
        )
        with page.expect_download() as download:
            page.get_by_role("link", name="Download these figures (CSV)").click()
        assert download.value.suggested_filename.startswith("outcomes-epds-")
