"""Sending what the outbox holds: run by the task worker (:mod:`cms.outbox.tasks`), never in a
request.

Each mail is claimed before it is sent: a conditional update moves it from 待发送 to 发送中 with
a fresh claim token and a lease of ``OUTBOX_LEASE_SECONDS``, and only the worker whose update
changed the row sends it. Two workers therefore never send the same mail, on SQLite as on
PostgreSQL, with no lock held while the SMTP server talks. The outcome is written only under the
same token, so a worker that lost its claim changes nothing.

A worker that dies after claiming a mail leaves it 发送中; once its lease has run out, the next run
claims it again. That is the one way a mail can go out twice: when the worker died after the SMTP
server had accepted the message but before 已发送 was committed. SMTP gives no way to ask
whether a message was accepted, so delivery is at least once; every attempt carries the
Message-ID fixed when the mail was queued, by which mail clients and servers may recognise the
copy.

An SMTP outage fails no one's action: the mail stays queued, is tried again after 1, 2, 4 …
minutes (at most an hour apart) and gives up only after ``OUTBOX_MAX_ATTEMPTS`` attempts. A
refusal for good (5xx for the recipient or the message) gives up at once. The error is kept as
its class and SMTP code, never its text, which may name the address; logs name the mail by its
id and purpose only."""

import contextlib
import logging
import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import mail
from django.db.models import F, Q
from django.utils import timezone

from . import rules
from .models import MailState, OutgoingMail

logger = logging.getLogger(__name__)

SENT, RETRY, FAILED, LOST = "sent", "retry", "failed", "lost"


@dataclass(frozen=True)
class Claim:
    """A mail this worker may send: its id and the token its claim wrote."""

    pk: int
    token: str


def due_filter(now: datetime) -> Q:
    """Mails to send at ``now``: queued and due, or being sent by a worker whose lease ran out."""
    return Q(state=MailState.QUEUED, next_attempt_at__lte=now) | Q(
        state=MailState.SENDING, lease_expires_at__lte=now
    )


def has_due(now: datetime | None = None) -> bool:
    return OutgoingMail.objects.filter(due_filter(now or timezone.now())).exists()


def claim_next(skip: tuple[int, ...] = ()) -> Claim | None:
    """Claims the mail due longest, or None when nothing is due. A row another worker claimed
    in the meantime is passed over (its conditional update changes nothing)."""
    now = timezone.now()
    lease = timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    candidates = (
        OutgoingMail.objects.filter(due_filter(now))
        .exclude(pk__in=skip)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", "claim_token")[:20]
    )
    for pk, previous in candidates:
        token = secrets.token_hex(16)
        won = (
            OutgoingMail.objects.filter(due_filter(now), pk=pk, claim_token=previous)
            .update(
                state=MailState.SENDING,
                claim_token=token,
                lease_expires_at=now + lease,
                attempts=F("attempts") + 1,
            )
        )  # fmt: skip
        if won:
            return Claim(pk, token)
    return None


def message_for(row: OutgoingMail, connection) -> mail.EmailMultiAlternatives:
    headers = {"Auto-Submitted": "auto-generated", **row.headers, "Message-ID": row.message_id}
    message = mail.EmailMultiAlternatives(
        row.subject,
        row.body_text,
        settings.DEFAULT_FROM_EMAIL,
        [row.recipient],
        headers=headers,
        connection=connection,
    )
    if row.body_html:
        message.attach_alternative(row.body_html, "text/html")
    return message


def _settle(claim: Claim, **fields) -> None:
    """Writes the outcome, if the claim still holds (nobody took the mail over, nobody
    deleted it)."""
    OutgoingMail.objects.filter(pk=claim.pk, claim_token=claim.token).update(
        lease_expires_at=None, **fields
    )


def send_claimed(claim: Claim, connection) -> tuple[str, BaseException | None]:
    """Sends the claimed mail through ``connection``; the outcome and the error, if any."""
    row = OutgoingMail.objects.filter(pk=claim.pk, claim_token=claim.token).first()
    if row is None:
        return LOST, None  # deleted (its subscription cancelled) or taken over meanwhile
    try:
        connection.open()  # once per run: the backend keeps an open connection open
        if connection.send_messages([message_for(row, connection)]) != 1:
            raise OSError("the mail backend did not send the message")
    except Exception as error:  # every failure is recorded; none is lost
        summary = rules.error_summary(error)
        if rules.is_permanent(error) or row.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            _settle(claim, state=MailState.FAILED, last_error=summary)
            logger.error("mail %s (%s) not sent, gave up: %s", row.pk, row.purpose, summary)
            return FAILED, error
        retry_at = timezone.now() + rules.retry_delay(row.attempts)
        _settle(claim, state=MailState.QUEUED, last_error=summary, next_attempt_at=retry_at)
        logger.warning(
            "mail %s (%s) not sent, attempt %s, will retry: %s",
            row.pk, row.purpose, row.attempts, summary,
        )  # fmt: skip
        return RETRY, error
    _settle(claim, state=MailState.SENT, sent_at=timezone.now(), last_error="")
    logger.info("mail %s (%s) sent", row.pk, row.purpose)
    return SENT, None


def send_due(limit: int | None = None) -> dict[str, int]:
    """Sends what is due, one mail at a time over one connection, until nothing is due, the
    ``limit`` (``OUTBOX_BATCH_SIZE``) is reached, or the connection fails (the next run carries
    on). Counts by outcome."""
    limit = settings.OUTBOX_BATCH_SIZE if limit is None else limit
    counts: Counter[str] = Counter()
    tried: list[int] = []
    connection = mail.get_connection(fail_silently=False)
    try:
        while len(tried) < limit and (claim := claim_next(tuple(tried))) is not None:
            tried.append(claim.pk)
            outcome, error = send_claimed(claim, connection)
            counts[outcome] += 1
            if error is not None:
                with contextlib.suppress(Exception):
                    connection.close()  # a connection an error interrupted is not reused
                if rules.stops_the_run(error):
                    break
    finally:
        with contextlib.suppress(Exception):
            connection.close()
    return dict(counts)


def purge(now: datetime | None = None) -> int:
    """Deletes mails sent, or given up on, more than ``OUTBOX_RETENTION_DAYS`` ago."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.OUTBOX_RETENTION_DAYS)
    old = Q(state=MailState.SENT, sent_at__lt=cutoff) | Q(
        state=MailState.FAILED, created_at__lt=cutoff
    )
    deleted, _by_model = OutgoingMail.objects.filter(old).delete()
    return deleted
