"""A newcomer without Chromium gets a green first run and one line on how to get it; CI does not."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

HOW_TO_GET_IT = "apt-get install chromium"


def run_browser_tests(tmp_path, **env):
    """pytest on one browser test file, in a fresh process, with no browser where it looks."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "PERINATAL_", "CHROMIUM_PATH")) and k != "CI"
    }
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/browser/test_public_pages.py",
            "-q",
            "-p",
            "no:cacheprovider",
        ],
        cwd=settings.BASE_DIR,
        env=base
        | {"PERINATAL_VAR_DIR": str(tmp_path), "CHROMIUM_PATH": str(tmp_path / "no-chromium")}
        | env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_without_chromium_outside_ci_browser_tests_skip_with_one_line_on_how_to_get_it(tmp_path):
    result = run_browser_tests(tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert " skipped" in output and "passed" not in output and "failed" not in output
    lines = [line for line in output.splitlines() if HOW_TO_GET_IT in line]
    assert len(lines) == 1, output
    assert str(tmp_path / "no-chromium") in lines[0]


@pytest.mark.slow
def test_without_chromium_under_ci_browser_tests_fail(tmp_path):
    result = run_browser_tests(tmp_path, CI="true")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "skipped" not in output
    assert f"Chromium not found at {tmp_path / 'no-chromium'}" in output
