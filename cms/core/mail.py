"""Mail in embedded mode: one file per message under ``var/mail/``, readable by its owner only.

Mail carries a submitter's or a subscriber's address (answers, receipts, alerts): printed on the
console it went into ``var/cms.log`` with everything else. Here each message is a ``.eml`` file
(mode 0600) in a directory only the owner may enter (0700). Every mail reaches this backend (or,
in production, the SMTP relay) through the outbox (:mod:`cms.outbox`), from the task worker."""

import os
import uuid
from datetime import datetime

from django.core.mail.backends import filebased

FILE_MODE = 0o600
DIRECTORY_MODE = 0o700


class PrivateFileEmailBackend(filebased.EmailBackend):
    """Django's file backend (``EMAIL_FILE_PATH``), one private file per message."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        os.chmod(self.file_path, DIRECTORY_MODE)

    def open(self) -> bool:
        """Nothing to open: each message is a file of its own (Django's file backend would
        create a shared ``.log`` file here, with the process's default mode)."""
        return False

    def close(self) -> None:
        pass

    def send_messages(self, email_messages) -> int:
        sent = 0
        for message in email_messages:
            try:
                self._write_private(message)
            except OSError:
                if not self.fail_silently:
                    raise
                continue
            sent += 1
        return sent

    def _write_private(self, message) -> str:
        name = f"{datetime.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:12]}.eml"
        path = os.path.join(self.file_path, name)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(message.message().as_bytes(linesep="\n"))
        return path
