"""Mail kept in files (no SMTP server configured) is readable by the server's user only."""

import os
import stat

from django.core.mail import EmailMessage


def test_mail_files_and_their_folder_are_private_whatever_the_umask(settings, tmp_path):
    folder = tmp_path / "sent-mail"
    settings.MAILERS = {
        "default": {
            "BACKEND": "perinatal.notify.mailfiles.PrivateFileBackend",
            "OPTIONS": {"file_path": str(folder)},
        }
    }
    previous = os.umask(0o022)
    try:
        EmailMessage(
            "Your appointment", "Your private link: /appointment/x/", to=["a@example.org"]
        ).send(using="default")
    finally:
        os.umask(previous)
    files = list(folder.iterdir())
    assert len(files) == 1 and b"private link" in files[0].read_bytes()
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
