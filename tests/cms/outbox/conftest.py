"""The SMTP server the outbox's tests send through (tests/cms/smtp.py)."""

from ..smtp import mailbox, smtp_server, smtp_settings  # noqa: F401
