"""A manage link's token opens an appointment: it never reaches a log line."""

import logging
from types import SimpleNamespace

from perinatal.lib.redact import AccessLogger, TokenFilter, redact

TOKEN = "kgnOF-jc4z1K6Kk_CyxqThSBc__c8bb6hgrKh7VKpag"


def test_tokens_are_redacted_from_paths():
    assert (
        redact(f"Conflict: /appointment/{TOKEN}/change/")
        == "Conflict: /appointment/[token]/change/"
    )
    assert (
        redact(f"GET /es/appointment/{TOKEN}/ HTTP/1.1") == "GET /es/appointment/[token]/ HTTP/1.1"
    )
    assert redact(f"/api/v1/bookings/{TOKEN}/cancel") == "/api/v1/bookings/[token]/cancel"
    assert redact("/api/v1/bookings") == "/api/v1/bookings"
    assert redact("/book/free-video-consultation/details/?start=x") == (
        "/book/free-video-consultation/details/?start=x"
    )


def test_the_console_handler_filters_django_request_warnings(settings):
    console = logging.getLogger("django").handlers[0]
    assert any(isinstance(f, TokenFilter) for f in console.filters)
    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "Conflict: %s",
        (f"/appointment/{TOKEN}/change/",),
        None,
    )
    for f in console.filters:
        f.filter(record)
    assert TOKEN not in console.format(record)


def test_the_gunicorn_access_log_is_redacted():
    from gunicorn.config import Config

    logger = AccessLogger(Config())
    request = SimpleNamespace(
        method="GET",
        path=f"/appointment/{TOKEN}/",
        query="tz=UTC",
        uri=f"/appointment/{TOKEN}/?tz=UTC",
        version=(1, 1),
        headers=[],
    )
    response = SimpleNamespace(status="200 OK", headers=[], sent=10, response_length=10)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/appointment/{TOKEN}/?tz=UTC",
        "PATH_INFO": f"/appointment/{TOKEN}/",
        "QUERY_STRING": "tz=UTC",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
    }
    from datetime import timedelta

    atoms = logger.atoms(response, request, environ, timedelta(seconds=0.01))
    assert TOKEN not in " ".join(str(v) for v in atoms.values())
