"""Embedded mode on one machine: SQLite, local files, Django's development server."""

from .base import *  # noqa: F403

DEBUG = True
# Mail (answers to objections and comments, with the submitter's address) is written to files
# under var/mail/ readable by the owner only, never to the console and so never to var/cms.log.
EMAIL_BACKEND = "cms.core.mail.PrivateFileEmailBackend"
EMAIL_FILE_PATH = VAR_DIR / "mail"  # noqa: F405
VAR_DIR.mkdir(parents=True, exist_ok=True)  # noqa: F405
