"""``perinatal serve``: a working clinic in one command.

Creates ``var/``, applies migrations, loads the demo clinic once, then runs the web server
(gunicorn) and the background worker side by side. Ctrl-C (or SIGTERM) stops both.

Links in emails lead to where ``serve`` listens (``--host``, ``--port``) unless
``PERINATAL_SITE_URL`` says otherwise; both children get that address, since the worker renders
the emails and the web server the links it returns.
"""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from perinatal.ops.demo.clinic import load_demo_back_office, load_demo_clinic
from perinatal.ops.demo.patients import load_demo_patients
from perinatal.ops.demo.staff import load_demo as load_demo_staff

WILDCARD_HOSTS = {"0.0.0.0", "::", ""}  # noqa: S104 (names, not a bind)


def site_url(host: str, port: int) -> str:
    """``PERINATAL_SITE_URL`` if set, else this server's own address (loopback for a wildcard)."""
    configured = os.environ.get("PERINATAL_SITE_URL", "").strip()
    if configured:
        return configured.rstrip("/")
    if host in WILDCARD_HOSTS:
        host = "127.0.0.1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class Command(BaseCommand):
    help = "Run the clinic: migrate, load the demo data once, start the web server and the worker."
    requires_system_checks = ["__all__"]

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--web-workers", type=int, default=2, help="gunicorn processes")
        parser.add_argument("--no-demo", action="store_true", help="Do not load the demo clinic.")
        parser.add_argument("--no-worker", action="store_true", help="Do not start the worker.")

    def handle(self, *args, host, port, web_workers, no_demo, no_worker, **options):
        address = site_url(host, port)
        settings.SITE_URL = address  # for anything this process renders, as for its children
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        if settings.PRODUCTION:
            call_command("collectstatic", interactive=False, verbosity=0)
        if not no_demo:
            clinic, created = load_demo_clinic()
            load_demo_back_office()
            demo_staff = load_demo_staff()
            load_demo_patients()  # after the staff: the demo clinician signs their notes
            self.stdout.write(f"Clinic: {clinic.name}{' (created)' if created else ''}")
            self.stdout.write("\n".join(demo_staff.lines()))
            self.stdout.write(f"Back office: {address}/staff/")

        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "perinatal.settings",
            "PERINATAL_SITE_URL": address,
        }
        children = [
            subprocess.Popen(  # noqa: S603 (our interpreter, fixed arguments)
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "perinatal.wsgi",
                    "--preload",  # load (and freeze) the app once, before the workers fork
                    "--bind",
                    f"{host}:{port}",
                    "--workers",
                    str(web_workers),
                    "--threads",
                    "4",
                    "--access-logfile",
                    "-",
                    "--logger-class",
                    "perinatal.lib.redact.AccessLogger",
                    "--graceful-timeout",
                    "5",
                    "--no-control-socket",
                ],
                env=env,
            )
        ]
        if not no_worker:
            children.append(
                subprocess.Popen(
                    [sys.executable, "-m", "django", "worker", "--queue-name", "*"], env=env
                )
            )
        self.stdout.write(f"Links in emails lead to {address}/")
        self.stdout.write(f"Serving on http://{host}:{port}/ — press Ctrl-C to stop.")
        self.stdout.flush()

        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                if any(child.poll() is not None for child in children):
                    break
                time.sleep(0.5)
        finally:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 10
            for child in children:
                try:
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()
        failed = [c for c in children if c.returncode not in (0, -signal.SIGTERM, -signal.SIGINT)]
        if failed and not stopping:
            raise CommandError("A server process stopped unexpectedly; see its output above.")
        self.stdout.write("Stopped.")
