"""The clinic's logo and the site's icon load in a real browser on every public page."""

import pytest

from tests.harness import PUBLIC_PAGES

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("path", [*PUBLIC_PAGES, "/es/"])
def test_the_logo_and_the_favicon_load_on_every_public_page(page, path):
    failed = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(path)
    logo = page.locator(".brand img")
    assert logo.get_attribute("src") == "/clinic/logo"
    assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", logo.element_handle())
    icon = page.locator("link[rel=icon]").get_attribute("href")
    fetched = page.request.get(icon)
    assert fetched.ok and fetched.headers["content-type"].startswith("image/")
    assert page.request.get("/favicon.ico").ok  # what a browser asks for on a bare file
    assert failed == []
