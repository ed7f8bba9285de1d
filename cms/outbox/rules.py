"""What the outbox decides, as plain functions: when a mail that failed is tried again, which
refusals are final, how an error is written down without the address in it, and how an address
is shown to those who may not read it.

SMTP errors carry the server's text, which often repeats the recipient's address; only the
error's class and its SMTP codes are ever kept or logged."""

import smtplib
from datetime import timedelta
from typing import Final

#: The first retry waits this long; each further one twice as long as the one before …
RETRY_BASE_SECONDS: Final = 60
#: … but never longer than this.
RETRY_CAP_SECONDS: Final = 3600


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt: 1, 2, 4, 8 … minutes, at most
    an hour. retry_delay(1) → 1 minute; retry_delay(7) → 1 hour."""
    exponent = min(max(attempts, 1) - 1, 16)
    return timedelta(seconds=min(RETRY_BASE_SECONDS * 2**exponent, RETRY_CAP_SECONDS))


def _permanent_code(code: int | None) -> bool:
    return code is not None and 500 <= code < 600


def is_permanent(error: BaseException) -> bool:
    """Whether trying again cannot help: the server refused this recipient, or this message,
    for good (5xx). Anything else is tried again: no connection, a timeout, a temporary refusal
    (4xx), and refusals of the login or the sender, which are the configuration's, not the
    mail's, and pass once it is put right."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in error.recipients.values()]
        return bool(codes) and all(_permanent_code(code) for code in codes)
    if isinstance(error, smtplib.SMTPDataError):
        return _permanent_code(error.smtp_code)
    return False


def stops_the_run(error: BaseException) -> bool:
    """Whether the error is the connection's rather than one message's: the server cannot be
    reached, hung up, or refused the login or the sender. The run stops there; the mails not yet
    tried keep their turn for the next run instead of each spending an attempt on the outage."""
    return not isinstance(error, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError)


def error_summary(error: BaseException) -> str:
    """The error as kept on the mail and logged: its class and SMTP codes, never its text.
    SMTPRecipientsRefused({addr: (550, b'no such user')}) → 'SMTPRecipientsRefused 550'."""
    name = type(error).__name__
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted({str(code) for code, _text in error.recipients.values()})
        return " ".join([name, *codes])
    code = getattr(error, "smtp_code", None)
    if isinstance(code, int) and code > 0:
        return f"{name} {code}"
    return name


def mask_address(address: str) -> str:
    """An address as shown to staff who may not read it: its first letter, its domain's first
    letter and the top-level domain. 'zhao.li@example.org' → 'z***@e***.org'."""
    local, _at, domain = (address or "").strip().rpartition("@")
    if not local:
        return "***"
    host, dot, top = domain.rpartition(".")
    shown_domain = f"{host[:1]}***{dot}{top}" if host else f"{domain[:1]}***"
    return f"{local[:1]}***@{shown_domain}"
