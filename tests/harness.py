"""What several test modules and the benches share that is not a fixture: imported as
``tests.harness`` (``conftest`` modules shadow each other by name and cannot be imported
reliably). It lives outside the ``perinatal`` package, which holds no test-only code."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

# Every page a visitor can reach without signing in, in the default language (Spanish adds /es).
PUBLIC_PAGES = [
    "/",
    "/ketamine-for-postpartum-depression/",
    "/check/",
    "/help-now/",
    "/call-back/",
    "/call-back/thanks/",
    "/book/",
    # A times page; with its zone in the address, booking.js has no reason to reload it.
    "/book/free-video-consultation/?tz=America/New_York",
]


def database_url_for_subprocesses() -> str:
    """The test database as a DATABASE_URL, so real worker or server processes share it."""
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def _socket_inode(local_port: int, remote_port: int) -> str | None:
    """The inode of the TCP socket from ``local_port`` to ``remote_port``; a local port number
    can be in use at once by connections to other servers (PostgreSQL), so both ends count."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, remote = (int(f.rsplit(":", 1)[1], 16) for f in fields[1:3])
            if (local, remote) == (local_port, remote_port):
                return fields[9]
    return None


def _owns_socket(pid: int, inode: str) -> bool:
    fd_dir = Path(f"/proc/{pid}/fd")
    try:
        return any(os.readlink(fd) == f"socket:[{inode}]" for fd in fd_dir.iterdir())
    except (FileNotFoundError, ProcessLookupError):
        return False


class Workers:
    """Real ``manage.py worker`` processes on the test database, sending to a real SMTP server."""

    def __init__(self, smtp_port: int, count: int):
        self.smtp_port = smtp_port
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url_for_subprocesses(),
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "EMAIL_USE_TLS": "0",
            "PERINATAL_OUTBOX_LEASE_SECONDS": "2",
            "PERINATAL_TASK_LEASE_SECONDS": "2",
            "PERINATAL_WORKER_SWEEP_SECONDS": "1",
            "PERINATAL_VAR_DIR": str(settings.VAR_DIR),
        }
        self.count = count
        self.processes: list[subprocess.Popen] = []
        self.kills = 0

    def start_missing(self):
        self.processes = [p for p in self.processes if p.poll() is None]
        while len(self.processes) < self.count:
            self.processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "manage.py",
                        "worker",
                        "--queue-name",
                        "*",
                        "--interval",
                        "0.2",
                        "--no-startup-delay",
                        "-v",
                        "0",
                    ],
                    cwd=Path(settings.BASE_DIR),
                    env=self.env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )

    def kill_sender(self, peer_port: int) -> bool:
        """SIGKILL the worker whose socket is connected from ``peer_port`` (found via /proc)."""
        inode = _socket_inode(peer_port, self.smtp_port)
        for process in self.processes:
            if process.poll() is None and inode and _owns_socket(process.pid, inode):
                process.send_signal(signal.SIGKILL)
                process.wait()
                self.kills += 1
                return True
        return False

    def supervise(self, *, until, seconds: float) -> None:
        """Keep ``count`` workers running, as a process supervisor would, restarting any that
        died, until ``until()`` is true or ``seconds`` pass; then stop them all."""
        self.start_missing()
        try:
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline and not until():
                self.start_missing()
                time.sleep(0.3)
        finally:
            self.stop()

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def make_staff(role: str, username: str | None = None, **fields):
    """A staff account with ``role`` and a confirmed authenticator app (TOTP device)."""
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = get_user_model().objects.create_user(
        username or role,
        password=fields.pop("password", "a long test password 1"),
        role=role,
        first_name=fields.pop("first_name", role.replace("_", " ").title()),
        **fields,
    )
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user


def sign_in(client, user):
    """Sign ``user`` in on ``client`` with both factors, as if they had typed a code."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def signed_in_session_key(user) -> str:
    """A stored session as the sign-in flow leaves it: ``user``, their backend and the second
    factor verified. For clients that cannot use ``sign_in``: a browser, a load generator."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "perinatal.accounts.backends.StaffBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.filter(user=user).first().persistent_id
    store.create()
    return store.session_key


def signed_in_cookie(user, site_url: str) -> dict:
    """A browser cookie (Playwright's shape) for a session in which ``user`` has signed in."""
    from django.conf import settings

    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": signed_in_session_key(user),
        "url": site_url,
    }


def make_patient(**fields):
    """A patient record with what a booking gives (name, contacts, stage); ``fields`` add to
    or replace it."""
    from perinatal.patients.models import Patient

    values = {
        "name": "Ana Example",
        "email": "ana@example.org",
        "phone": "+16175550123",
        "language": "en",
        "stage": Patient.Stage.POSTPARTUM,
    }
    return Patient.objects.create(**(values | fields))


def sign_in_as(client, role: str, username: str | None = None):
    """A new staff account with ``role``, signed in on ``client`` with both factors; returns it."""
    user = make_staff(role, username)
    sign_in(client, user)
    return user


def assert_queue_counts_agree():
    """Every queue source and the counts the staff home shows describe the same items: kind
    by kind, priority and capability, the counts equal the items a source lists without limit."""
    from collections import Counter

    from perinatal.backoffice import sources

    unlimited = 10**9
    listed = Counter(
        (item.kind, item.priority, item.capability)
        for source in sources.QUEUE
        for item in source(unlimited)
    )
    counted = {
        (count.kind, count.priority, count.capability): count.count
        for counter in sources.COUNTS
        for count in counter()
        if count.count
    }
    assert counted == dict(listed)


def appointment_linked_from(text: str):
    """The appointment that the first manage link in ``text`` (a path, a URL or an email body)
    opens: links are minted per email and stored as digests, so a test follows one."""
    import re

    from perinatal.booking.services import by_token

    match = re.search(r"/appointment/([\w-]+)/", text)
    assert match, f"no link to an appointment in {text[:200]!r}"
    return by_token(match.group(1))


def restore_shipped_defaults() -> None:
    """What the data migrations ship, which a test that commits (a live server, a transactional
    test) may have wiped on its way out: the eligibility checklist and drug list, the consent
    forms, the default protocol and follow-up, the chairs and the infusion visit."""
    import importlib

    from django.apps import apps

    from perinatal.ops.demo.consents import load_demo as load_consent_forms
    from perinatal.ops.demo.plans import load_demo as load_infusion_setup

    for migration in (
        "perinatal.consult.migrations.0002_default_configuration",
        "perinatal.plans.migrations.0002_default_protocol_and_follow_up",
    ):
        importlib.import_module(migration).add_defaults(apps, None)
    importlib.import_module(
        "perinatal.consult.migrations.0003_checklist_items_bound_to_answers"
    ).bind_defaults(apps, None)
    pathway_defaults = "perinatal.pathway.migrations.0002_default_gate_settings"
    importlib.import_module(pathway_defaults).add_defaults(apps, None)
    day_defaults = "perinatal.infusion.migrations.0002_default_day_settings"
    importlib.import_module(day_defaults).add_defaults(apps, None)
    outcome_defaults = "perinatal.outcomes.migrations.0002_default_definitions"
    importlib.import_module(outcome_defaults).add_defaults(apps, None)
    load_consent_forms()
    load_infusion_setup()


def chart_section_html(template_name: str, patient, staff_can) -> str:
    """One app's panel as the chart shows it: its template rendered with what its
    ``chart_section`` function gives (``perinatal.backoffice.sources.CHART``)."""
    from django.template.loader import render_to_string

    from perinatal.backoffice import sources

    section = dict(sources.CHART)[template_name](patient, staff_can)
    return render_to_string(
        template_name, {"patient": patient, "staff_can": staff_can, "section": section}
    )
