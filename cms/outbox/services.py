"""Queuing mail: what every part of the platform calls to write to someone.

``enqueue`` is called inside the transaction of the action that causes the mail (an answer
saved, a subscription confirmed): the mail is queued if and only if the action commits, and the
same ``dedupe_key`` never queues a second mail. The task worker is asked to send
(:mod:`cms.outbox.tasks`) with the mail: when the task queue is a table of the outbox's own
database (the production backend), the task is queued in the same transaction, so that the
action, its mail and the task that sends it commit together, in one commit, or not at all; with
any other backend, once the transaction has committed (:func:`request_delivery_with_commit`).
Should a request be lost all the same, the publicity scheduler's sweep asks again every minute
for anything due (:func:`sweep`)."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import make_msgid

from django.conf import settings
from django.db import connections, router, transaction
from django.utils import timezone

from cms.core.inserts import insert_unless_taken

from . import delivery
from .models import OutgoingMail
from .tasks import send_due_mail

logger = logging.getLogger(__name__)
BATCH = 500  # rows per insert, and keys per query (within every database's parameter limit)


@dataclass(frozen=True)
class Draft:
    """One mail to queue."""

    to: str
    subject: str
    body: str = field(repr=False)
    dedupe_key: str
    purpose: str  # what the admin lists it as: 异议答复, 订阅确认 …
    html: str = field(default="", repr=False)
    headers: dict[str, str] = field(default_factory=dict)
    owner: str = ""  # what it is deleted with


def message_id() -> str:
    """A Message-ID in the sender's own domain (not the machine's name)."""
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" >") or "localhost"
    return make_msgid(domain=domain)


def _row(draft: Draft, now: datetime) -> OutgoingMail:
    return OutgoingMail(
        recipient=draft.to,
        subject=draft.subject[:300],
        body_text=draft.body,
        body_html=draft.html,
        headers=dict(draft.headers),
        purpose=draft.purpose[:40],
        dedupe_key=draft.dedupe_key,
        owner=draft.owner,
        message_id=message_id(),
        next_attempt_at=now,
        created_at=now,
    )


def request_delivery() -> None:
    """Asks the task worker to send what is due. Never raises: the mail is safe in the outbox
    whatever happens here, and the scheduler's sweep asks again."""
    try:
        send_due_mail.enqueue()
    except Exception as error:  # the action that queued the mail has succeeded regardless
        logger.warning("mail delivery not requested: %s", type(error).__name__)


def task_queue_shares_the_outbox_database() -> bool:
    """Whether the send task is queued as a row of the outbox's own database (django-tasks'
    database backend), a row that can commit with the mail."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    return isinstance(send_due_mail.get_backend(), DatabaseBackend) and (
        router.db_for_write(DBTaskResult) == router.db_for_write(OutgoingMail)
    )


def request_delivery_with_commit() -> None:
    """Asks the task worker to send the mail just queued, as the current transaction commits.
    A task queued in the outbox's database is queued now, in the transaction: it commits with
    the mail (no second commit, and no crash between two commits can leave a mail without its
    task), and an error queuing it fails the action as any of its statements would. With any
    other backend, or outside a transaction, once committed (a backend that runs the task at
    once must never send a mail whose transaction may yet roll back)."""
    connection = connections[router.db_for_write(OutgoingMail)]
    if connection.in_atomic_block and task_queue_shares_the_outbox_database():
        send_due_mail.enqueue()
    else:
        transaction.on_commit(request_delivery)


def enqueue(draft: Draft, now: datetime | None = None) -> tuple[OutgoingMail, bool]:
    """Queues ``draft`` in the current transaction; (the mail, whether it is new). A key already
    used queues nothing and gives the mail queued under it.

    One statement for a new mail (``INSERT … ON CONFLICT (dedupe_key) DO NOTHING RETURNING``,
    which SQLite and PostgreSQL both speak) where ``get_or_create`` takes four: every objection
    with an address queues its receipt in the request that files it."""
    row = _row(draft, now or timezone.now())
    if not insert_unless_taken(row, "dedupe_key"):
        return OutgoingMail.objects.get(dedupe_key=draft.dedupe_key), False
    request_delivery_with_commit()
    return row, True


def enqueue_many(drafts: Iterable[Draft], now: datetime | None = None) -> int:
    """Queues many mails at once (alerts to every subscriber); keys already used are skipped.
    How many were new."""
    now = now or timezone.now()
    rows = [_row(draft, now) for draft in drafts]
    added = 0
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        keys = [row.dedupe_key for row in batch]
        before = OutgoingMail.objects.filter(dedupe_key__in=keys).count()
        OutgoingMail.objects.bulk_create(batch, ignore_conflicts=True)
        added += OutgoingMail.objects.filter(dedupe_key__in=keys).count() - before
    if added:
        request_delivery_with_commit()
    return added


def delete_owned_by(owner: str) -> int:
    """Deletes every mail of ``owner``, sent or not (what it held goes with it)."""
    deleted, _by_model = OutgoingMail.objects.filter(owner=owner).delete()
    return deleted


def sweep(now: datetime | None = None) -> list[str]:
    """The scheduler's minute: asks for delivery if anything is due, and deletes mail past its
    retention. What it did, for the scheduler's log (no address)."""
    now = now or timezone.now()
    done = []
    if delivery.has_due(now):
        request_delivery()
        done.append("mail due: delivery requested")
    if purged := delivery.purge(now):
        done.append(f"mail purged: {purged}")
    return done
