"""Text messages: a small provider interface, so the outbox can send a text as it sends an email.

A backend is a class with ``send(to=..., body=..., message_id=...)`` that raises on failure (the
outbox then retries, as for email). ``PERINATAL_TEXT_BACKEND`` names it. The file backend, for
the demo and tests, writes each text to its own file, private to the server's user (texts carry
private links); a retried text overwrites its own file, so none is written twice. An adapter for
a real provider is a class of the same shape.
"""

import os
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class TextBackend(Protocol):
    def send(self, *, to: str, body: str, message_id: str) -> None: ...


class FileBackend:
    def __init__(self, directory: str | Path | None = None):
        self.directory = Path(directory or settings.PERINATAL_TEXT_DIR)

    def send(self, *, to: str, body: str, message_id: str) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self.directory / f"{message_id}.txt"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(f"To: {to}\nMessage-ID: {message_id}\n\n{body}\n")


def backend() -> TextBackend:
    return import_string(settings.PERINATAL_TEXT_BACKEND)()
