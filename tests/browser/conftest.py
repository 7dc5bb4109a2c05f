"""Browser tests: the system Chromium, driven by Playwright, against pytest-django's live server.

Every test here runs on a phone-sized screen (360 by 740 pixels, touch), the way most mothers
reach the site. The live server is threaded; with SQLite the test database is a file, so the
server thread sees what a test commits, and tests using it run in transactions that are flushed
afterwards.

Chromium is not downloaded by Playwright: the Debian package is launched from ``CHROMIUM_PATH``
(default ``/usr/bin/chromium``). If it is missing, a newcomer's first ``uv run pytest`` stays green:
the browser tests are skipped with one line saying how to get it. Under CI (``CI`` set, as
``.ci/run`` does) a missing browser fails the run instead: CI installs it, and a green run there
must mean the browser tests ran.
"""

import os
from pathlib import Path

import pytest
import pytest_playwright_axe

# Playwright's sync API keeps an event loop running in the test thread, which makes Django refuse
# ORM calls from that thread. The tests only read and set up data there, never concurrently.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "locale": "en-US",
}
AXE_SOURCE = (Path(pytest_playwright_axe.__file__).parent / "resources" / "axe.min.js").read_text(
    encoding="utf-8"
)
SUBRESOURCES = {"stylesheet", "script", "image", "font"}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _under_ci() -> bool:
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


@pytest.fixture(scope="session", autouse=True)
def _chromium():
    """Skip (or, under CI, fail) every browser test before any server starts if there is no
    browser; the run ends with one line on how to get it."""
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return
    if _under_ci():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}. CI must run the browser tests: install it "
            "(apt-get install chromium) or set CHROMIUM_PATH.",
            pytrace=False,
        )
    _skipped_for_want_of_chromium.append(True)
    pytest.skip("no Chromium (how to get it: the line above)")


_skipped_for_want_of_chromium: list[bool] = []


def pytest_terminal_summary(terminalreporter):
    if _skipped_for_want_of_chromium:
        terminalreporter.write_line(
            f"Browser tests skipped: Chromium not found at {CHROMIUM}. To run them, "
            "apt-get install chromium (or set CHROMIUM_PATH).",
            yellow=True,
            bold=True,
        )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, live_server):
    return {**browser_context_args, "base_url": live_server.url}


@pytest.fixture
def browser_problems():
    """CSP violations, script errors and missing styles or scripts seen by any page of the test."""
    return []


@pytest.fixture
def new_context(new_context, browser_problems):
    """pytest-playwright's contexts: a phone unless told otherwise, watched for CSP violations,
    script errors and failed subresources. (``page`` and ``context`` come from here too.)"""

    def make(**kwargs):
        context = new_context(**{**PHONE, **kwargs})

        def on_console(message):
            if message.type == "error" and "Content Security Policy" in message.text:
                browser_problems.append(f"CSP: {message.text} ({message.location.get('url')})")

        def on_response(response):
            # A missing stylesheet or script leaves the page unstyled or the crisis panel inert.
            if response.status >= 400 and response.request.resource_type in SUBRESOURCES:
                browser_problems.append(f"HTTP {response.status}: {response.url}")

        context.on("console", on_console)
        context.on("response", on_response)
        context.on(
            "weberror", lambda error: browser_problems.append(f"script error: {error.error}")
        )
        return context

    yield make
    assert not browser_problems, "The browser reported problems:\n" + "\n".join(browser_problems)


@pytest.fixture(autouse=True)
def _demo_clinic(live_server, clinic):
    """Every page shows the demo clinic; the live server makes the database transactional."""
    return clinic


def _assert_no_axe_violations(page):
    """Run axe-core on the page as it stands and fail with a readable list of what it found.

    The page needs JavaScript on: with ``java_script_enabled=False`` axe.run never resolves and
    the test hangs, so check such pages' widths only and run axe on the same page with scripts.
    """
    page.evaluate(AXE_SOURCE)  # evaluated through DevTools, so the page's CSP does not apply
    results = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    violations = results["violations"]
    if not violations:
        return
    lines = [f"axe found {len(violations)} problem(s) on {page.url}:"]
    for violation in violations:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
        more = len(violation["nodes"]) - len(targets)
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}\n"
            f"    at {', '.join(targets)}{f' and {more} more' if more > 0 else ''}"
        )
    pytest.fail("\n".join(lines), pytrace=False)


@pytest.fixture
def assert_no_axe_violations():
    """``assert_no_axe_violations(page)``: axe-core finds no WCAG 2.2 A/AA problem on the page."""
    return _assert_no_axe_violations


# Where the answer scoring 0 sits on each EPDS item (perinatal/screening/instruments/epds.en.toml):
# first on items 1, 2 and 4, last on the others.
EPDS_SCORING_ZERO = {1: 0, 2: 0, 3: 3, 4: 0, 5: 3, 6: 3, 7: 3, 8: 3, 9: 3, 10: 3}


def _answer_epds(page, answers):
    """Choose, for each ``{item number: option position}``, that option on the check page."""
    for item, position in answers.items():
        page.locator(f"fieldset#id_q{item} input[type=radio]").nth(position).check()


@pytest.fixture
def answer_epds():
    return _answer_epds


@pytest.fixture
def low_answers():
    """Every EPDS item answered with the option that scores 0."""
    return dict(EPDS_SCORING_ZERO)


def _assert_fits_phone(page):
    """Nothing on the page is wider than the phone's screen: no sideways scrolling."""
    width = page.evaluate("document.documentElement.scrollWidth")
    screen = page.viewport_size["width"]
    if width <= screen:
        return
    too_wide = page.evaluate(
        """(screen) => [...document.querySelectorAll('body *')]
            .filter((el) => el.getBoundingClientRect().right > screen + 0.5)
            .slice(0, 5)
            .map((el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                 + (el.className ? '.' + String(el.className).split(' ').join('.') : '')
                 + ' ' + JSON.stringify((el.textContent || '').trim().slice(0, 40)))""",
        screen,
    )
    pytest.fail(
        f"{page.url} is {width}px wide on a {screen}px screen; too wide: {too_wide}", pytrace=False
    )


@pytest.fixture
def assert_fits_phone():
    """``assert_fits_phone(page)``: the page does not scroll sideways at the phone's width."""
    return _assert_fits_phone
