"""Keep private-link tokens out of logs: a token opens an appointment or an OB's letter, so it is
a secret.

``TokenFilter`` rewrites log records from Django; ``AccessLogger`` does the same for gunicorn's
access log (``--logger-class perinatal.lib.redact.AccessLogger``).
"""

import logging
import re

TOKEN_IN_PATH = re.compile(r"(/(?:api/v1/bookings|appointment|ob/letters|consent)/)[^/?\s\"']+")


def redact(text: str) -> str:
    return TOKEN_IN_PATH.sub(r"\1[token]", text)


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
    _GunicornLogger = object


class AccessLogger(_GunicornLogger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {k: redact(v) if isinstance(v, str) else v for k, v in atoms.items()}
