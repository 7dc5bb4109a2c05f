"""Keep secrets and patient details out of logs.

- A private-link token opens an appointment or an OB's letter, so it is a secret.
- A query string on a staff path (the back office, the staff API, the admin) says what staff
  searched for: a patient's name, phone number or email. Its values are replaced, its keys kept
  (``/staff/patients/?q=[redacted]&page=[redacted]``), wherever such a URL appears: the request
  line, and the Referer of the page that follows.

``TokenFilter`` rewrites log records from Django; ``AccessLogger`` does the same for gunicorn's
access log (``--logger-class perinatal.lib.redact.AccessLogger``).
"""

import logging
import re

TOKEN_IN_PATH = re.compile(r"(/(?:api/v1/bookings|appointment|ob/letters|consent)/)[^/?\s\"']+")
# The paths whose pages may show or search patient records; shared with the Referrer-Policy.
STAFF_PATHS = ("/staff/", "/api/v1/staff/", "/admin/")
STAFF_QUERY = re.compile(r"(/(?:staff|api/v1/staff|admin)(?:/[^?#\s\"']*)?\?)([^#\s\"']*)")
QUERY_VALUE = re.compile(r"=[^&;]*")
HIDDEN = "=[redacted]"


def redact_query(query: str) -> str:
    return QUERY_VALUE.sub(HIDDEN, query)


def redact(text: str) -> str:
    text = TOKEN_IN_PATH.sub(r"\1[token]", text)
    return STAFF_QUERY.sub(lambda m: m[1] + redact_query(m[2]), text)


def is_staff_path(path: str) -> bool:
    return (path.rstrip("/") + "/").startswith(STAFF_PATHS)


class TokenFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.msg = record.getMessage()
            record.args = None
        record.msg = redact(str(record.msg))
        return True


try:
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # gunicorn is a production dependency, but keep imports of this safe
    # mypy takes the first definition as the only one; this fallback stands in where it fails.
    _GunicornLogger = object  # type: ignore[misc,assignment]


class AccessLogger(_GunicornLogger):
    def atoms(self, resp, req, environ, request_time):
        """gunicorn's atoms, redacted. The query string alone (``%(q)s``, ``QUERY_STRING``)
        carries no path to recognise, so on a staff path it is replaced wherever it appears."""
        atoms = super().atoms(resp, req, environ, request_time)
        query = environ.get("QUERY_STRING", "")
        private_query = bool(query) and is_staff_path(environ.get("PATH_INFO", ""))

        def clean(value: str) -> str:
            if private_query:
                value = value.replace(query, redact_query(query))
            return redact(value)

        return {k: clean(v) if isinstance(v, str) else v for k, v in atoms.items()}
