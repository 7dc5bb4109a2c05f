"""``perinatal serve`` on an empty folder gives a working clinic, and Ctrl-C stops everything."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from email import message_from_string
from email.message import EmailMessage
from email.policy import default
from pathlib import Path

import pytest
from django.conf import settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 60) -> bytes:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (loopback)
                return response.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def book_first_free_time(port: int) -> tuple[str, str]:
    """Book the demo's first free video time through the API; its manage link and token."""
    now = datetime.now(UTC)
    query = urllib.parse.urlencode(
        {
            "type": "free-video-consultation",
            "start": now.isoformat(),
            "end": (now + timedelta(days=14)).isoformat(),
        }
    )
    slots = json.loads(wait_for(f"http://127.0.0.1:{port}/api/v1/slots?{query}"))
    body = {
        "type": "free-video-consultation",
        "start": slots[0]["start"],
        "name": "Ana Example",
        "email": "ana@example.org",
        "phone": "617 555 0123",
        "stage": "postpartum",
        "key_date": (now - timedelta(days=40)).date().isoformat(),
        "consent_to_contact": True,
    }
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/bookings",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
        assert response.status == 201
        booked = json.loads(response.read())
    return booked["manage_url"], booked["manage_token"]


def wait_for_mail(mailbox: Path, subject: str, to: str, timeout: float = 30) -> EmailMessage:
    """The first message with ``subject`` to ``to`` the file mail backend wrote (one file per
    connection, messages separated by a line of dashes; the demo patients get mail too)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in mailbox.iterdir():
            for raw in path.read_text().split("\n" + "-" * 79 + "\n"):
                message = message_from_string(raw.strip(), policy=default)
                if message["Subject"] == subject and message["To"] == to:
                    return message
        time.sleep(0.5)
    raise AssertionError(f"no mail with subject {subject!r} in {mailbox}")


@pytest.mark.slow
def test_serve_runs_a_demo_clinic_and_stops_cleanly_on_ctrl_c(tmp_path):
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "PERINATAL_", "DATABASE_URL", "EMAIL_"))
    }
    env |= {  # no PERINATAL_SITE_URL: links in emails must follow the port serve runs on
        "PERINATAL_VAR_DIR": str(tmp_path / "var"),
        "PERINATAL_WORKER_SWEEP_SECONDS": "1",
    }
    command = [str(Path(sys.executable).parent / "perinatal"), "serve", "--port", str(port)]
    server = subprocess.Popen(
        command,
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        # Migrations and the demo data come first: minutes on a busy two-core machine.
        home = wait_for(f"http://127.0.0.1:{port}/", timeout=240).decode()
        assert "Harbor Perinatal Mental Health (demo)" in home
        css = wait_for(f"http://127.0.0.1:{port}/static/perinatal/site.css")
        assert b"--brand" in css  # static files are served with DEBUG off

        # A call-back request goes all the way through the outbox to a (file) mailbox.
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        page = opener.open(f"http://127.0.0.1:{port}/help-now/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = f"csrfmiddlewaretoken={token}&first_name=Ana&phone=6175550123".encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/call-back/",
            data=data,
            headers={"Referer": f"http://127.0.0.1:{port}/help-now/"},
        )
        assert "/call-back/thanks/" in opener.open(request).geturl()
        mailbox = tmp_path / "var" / "sent-mail"
        deadline = time.monotonic() + 30
        while not (mailbox.exists() and any(mailbox.iterdir())) and time.monotonic() < deadline:
            time.sleep(0.5)
        sent = "".join(p.read_text() for p in mailbox.iterdir())
        assert "call-back request waiting" in sent
        assert "Ana" not in sent

        # The demo clinic takes a booking; the worker sends its invitation; its link opens it.
        manage_url, manage_token = book_first_free_time(port)
        assert manage_url.startswith(f"http://127.0.0.1:{port}/appointment/")
        confirmation = wait_for_mail(mailbox, "Your appointment is booked", "ana@example.org")
        (invitation,) = [p for p in confirmation.walk() if p.get_content_type() == "text/calendar"]
        assert invitation.get_param("method") == "REQUEST"
        assert "BEGIN:VEVENT" in invitation.get_content()
        # The worker's email carries a link of its own, at serve's own address, that opens it.
        emailed = re.search(
            rf"http://127\.0\.0\.1:{port}/appointment/[\w-]+/",
            confirmation.get_body(("plain",)).get_content(),
        )
        assert emailed, "no link at serve's address in the confirmation"
        assert b"Your appointment" in wait_for(emailed[0])
        assert b"Your appointment" in wait_for(manage_url)
    finally:
        os.killpg(server.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        output, _ = server.communicate(timeout=30)
    assert server.returncode == 0, output
    assert "Demo staff sign-in" in output and "clinician" in output
    assert "Stopped." in output
    assert "/appointment/[token]/" in output  # the access log shows the visit ...
    assert manage_token not in output  # ... but never the key to it
    assert subprocess.run(["pgrep", "-f", f"127.0.0.1:{port}"], capture_output=True).returncode == 1


@pytest.mark.slow
def test_serve_twice_loads_the_demo_clinic_once(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "PERINATAL_", "DATABASE_URL"))
    }
    env |= {"PERINATAL_VAR_DIR": str(tmp_path / "var")}
    perinatal = str(Path(sys.executable).parent / "perinatal")
    for _ in range(2):
        subprocess.run(
            [perinatal, "migrate", "-v", "0"], cwd=settings.BASE_DIR, env=env, check=True
        )
        subprocess.run(
            [perinatal, "demo"], cwd=settings.BASE_DIR, env=env, check=True, capture_output=True
        )
    count = subprocess.run(
        [
            perinatal,
            "shell",
            "--no-imports",
            "-c",
            "from perinatal.clinic.models import Clinic, Location; print(Clinic.objects.count(), Location.objects.count())",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    assert count.stdout.split() == ["1", "2"]


@pytest.mark.parametrize(
    ("host", "port", "configured", "expected"),
    [
        ("127.0.0.1", 8311, "", "http://127.0.0.1:8311"),
        ("0.0.0.0", 8311, "", "http://127.0.0.1:8311"),  # noqa: S104 (what a user may type)
        ("::1", 8311, "", "http://[::1]:8311"),
        ("127.0.0.1", 8311, "https://clinic.example.org/", "https://clinic.example.org"),
    ],
)
def test_serve_links_follow_its_own_address_unless_the_site_url_is_set(
    monkeypatch, host, port, configured, expected
):
    from perinatal.ops.management.commands.serve import site_url

    monkeypatch.setenv("PERINATAL_SITE_URL", configured)
    assert site_url(host, port) == expected
