"""Shared fixtures: named personas and the clinic they work in.

Tests that only PostgreSQL can show carry ``@pytest.mark.postgres`` and are skipped on SQLite.
"""

import pytest
from django.conf import settings
from django.core.cache import cache


def _on_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def pytest_collection_modifyitems(config, items):
    if _on_postgres():
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL to run)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _quick_password_hashing(settings):
    """Staff accounts are made in most tests and none of them tests hashing; the production
    hasher would cost about half a second a password."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clinic(db):
    from perinatal.ops.demo.clinic import load_demo_clinic

    clinic, _ = load_demo_clinic()
    return clinic


@pytest.fixture
def front_desk(db):
    """The front desk (role ``front_desk``, with an authenticator); sign in with
    ``tests.harness.sign_in``. The admin is not theirs: it needs a configuring role."""
    from tests.harness import make_staff

    return make_staff("front_desk", username="frontdesk")


@pytest.fixture
def outsider(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user("outsider", password="a long test password 2")


class RecordingSMTPHandler:
    """An aiosmtpd handler that keeps every accepted message; ``before_accept`` may refuse one."""

    def __init__(self):
        import threading

        self.messages = []
        self.lock = threading.Lock()
        self.before_accept = None

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes
        from email.policy import default

        message = message_from_bytes(envelope.content, policy=default)
        if self.before_accept and self.before_accept(message, session.peer) is False:
            return "451 4.3.0 Not accepted, try again later"
        with self.lock:
            self.messages.append(message)
        return "250 OK"


@pytest.fixture
def smtp_server():
    """A real SMTP server on a free loopback port; ``.handler.messages`` holds what arrived."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = RecordingSMTPHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    controller.handler = handler
    yield controller
    controller.stop()


@pytest.fixture
def smtp_mail(smtp_server, settings):
    """Django sends through the test SMTP server; returns the server's list of messages."""
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": smtp_server.port},
        }
    }
    return smtp_server.handler.messages


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Let the suite empty the audit table between tests (see audit migration 0002); a test of
    the append-only rule removes this permit inside its own transaction."""
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO audit_purge_permit (reason) VALUES ('test suite')")


@pytest.fixture
def staff(db):
    """``staff(role)`` makes a staff account with a confirmed authenticator."""
    from tests.harness import make_staff

    return make_staff
