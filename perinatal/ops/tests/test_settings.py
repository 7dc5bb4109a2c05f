"""Production refuses unsafe settings; every response carries the security headers."""

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command

from perinatal.checks import production_is_safe

GOOD_KEY = "k" * 20 + "a-long-random-production-secret-key-0123456789"


def run_python(*argv, **env):
    """Python in a fresh process, in this checkout, with none of this run's Django or Perinatal
    settings: only ``env`` on top of the var dir."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PERINATAL_"))}
    return subprocess.run(
        [sys.executable, *argv],
        cwd=settings.BASE_DIR,
        env=base | {"PERINATAL_VAR_DIR": str(settings.VAR_DIR)} | env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def run_manage(*args, **env):
    return run_python("manage.py", *args, **env)


PRODUCTION = {
    "PERINATAL_PRODUCTION": "1",
    "DJANGO_SECRET_KEY": GOOD_KEY,
    "DJANGO_ALLOWED_HOSTS": "clinic.example.org",
    "EMAIL_HOST": "smtp.example.org",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def test_check_deploy_reports_nothing_in_production_mode():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("env", "error"),
    [
        ({"DJANGO_SECRET_KEY": ""}, "perinatal.E001"),
        ({"DJANGO_SECRET_KEY": "django-insecure-" + "x" * 50}, "perinatal.E001"),
        ({"DJANGO_DEBUG": "1"}, "perinatal.E002"),
        ({"DJANGO_ALLOWED_HOSTS": ""}, "perinatal.E005"),
        ({"REDIS_URL": ""}, "perinatal.E010"),
    ],
)
def test_production_start_up_fails_on_unsafe_settings(env, error):
    result = run_manage("check", **(PRODUCTION | env))
    assert result.returncode != 0
    assert error in result.stderr


def test_one_declared_process_may_run_without_a_shared_cache():
    env = PRODUCTION | {"REDIS_URL": "", "PERINATAL_ONE_PROCESS": "1"}
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_wsgi_app_refuses_to_load_with_a_default_key():
    result = run_python("-c", "import perinatal.wsgi", **(PRODUCTION | {"DJANGO_SECRET_KEY": ""}))
    assert result.returncode != 0
    assert "Refusing to start in production" in result.stderr


def test_the_wsgi_app_loads_every_view_and_exempts_them_from_garbage_collection():
    probe = (
        "import gc, sys; before = gc.get_freeze_count(); import perinatal.wsgi; "
        "print(before, gc.get_freeze_count(), 'perinatal.backoffice.views' in sys.modules)"
    )
    result = run_python("-c", probe)
    assert result.returncode == 0, result.stderr
    before, frozen, views_loaded = result.stdout.split()
    # Settings, apps, models, the URLconf and the views: well over ten thousand objects.
    assert int(frozen) - int(before) > 10_000
    assert views_loaded == "True"


def test_production_cookies_are_secure_host_only_and_hsts_is_on():
    script = (
        "import django, os; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_SSL_REDIRECT)"
    )
    result = run_python(
        "-c", script, **(PRODUCTION | {"DJANGO_SETTINGS_MODULE": "perinatal.settings"})
    )
    assert result.stdout.split() == [
        "__Host-sessionid",
        "__Host-csrftoken",
        "True",
        "True",
        "31536000",
        "True",
        "True",
    ]


def test_a_missing_csp_is_an_error_in_production(settings):
    settings.PRODUCTION = True
    settings.SECRET_KEY = GOOD_KEY
    settings.SECURE_CSP = {}
    assert "perinatal.E003" in {e.id for e in production_is_safe()}
    settings.SECURE_CSP = {
        **{key: ["'none'"] for key in ("default-src", "object-src", "frame-ancestors", "base-uri")},
        "script-src": ["'self'", "'unsafe-inline'"],
    }
    assert "perinatal.E003" in {e.id for e in production_is_safe()}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/ketamine-for-postpartum-depression/",
        "/check/",
        "/help-now/",
        "/es/",
        "/api/v1/instruments",
    ],
)
def test_every_response_carries_the_security_headers(client, clinic, path):
    response = client.get(path)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    for directive in (
        "default-src 'none'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_scripts_run_only_with_the_page_nonce(client, clinic):
    response = client.get("/check/")
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    scripts = re.findall(r"<script[^>]*>", response.text)
    assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts)


@pytest.mark.django_db
def test_every_form_carries_a_csrf_token(client, clinic):
    client.post("/check/", {"q1": "0"})  # a session so the result page can render too
    for path in ("/check/", "/help-now/", "/call-back/"):
        html = client.get(path).text
        forms = re.findall(r"<form[^>]*method=\"post\".*?</form>", html, flags=re.S)
        assert forms, path
        assert all("csrfmiddlewaretoken" in form for form in forms), path


@pytest.mark.django_db
def test_no_migrations_are_missing():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_sqlite_runs_in_wal_mode_with_immediate_transactions():
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    assert connection.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
