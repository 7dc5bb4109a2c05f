"""Mail written to files when no SMTP server is configured (the demo, a trial install).

The files hold whole messages, private links included, so only the server's own user may read
them: each file is created 0600 in a 0700 folder, whatever the process's umask.
"""

import os

from django.core.mail.backends import filebased


class PrivateFileBackend(filebased.EmailBackend):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        os.chmod(self.file_path, 0o700)

    def open(self):
        if self.stream is not None:
            return False
        fd = os.open(self._get_filename(), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self.stream = os.fdopen(fd, "ab")
        return True
