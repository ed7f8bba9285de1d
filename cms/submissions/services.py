"""What every public submission shares (objections, comments on a draft policy): storing one
with its receipt, idempotent replays, the lookup by receipt number and code, mail to the
submitter (through the outbox), and purging the submitter's identity. Each write is one
transaction."""

import hashlib
import hmac
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from wagtail.log_actions import log

from cms.core.inserts import insert_unless_taken
from cms.outbox import services as outbox

from . import rules
from .errors import ApiError
from .models import PERSONAL_FIELDS, PublicSubmission

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Receipt:
    """A stored submission (an objection, or a comment) and the lookup code shown once."""

    record: PublicSubmission
    lookup_code: str = field(repr=False)  # never in a traceback's variables
    replayed: bool = False


def signing_keys() -> list[str]:
    """SECRET_KEY, then every key in SECRET_KEY_FALLBACKS: digests made before a key rotation
    still match."""
    return [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]


@dataclass(frozen=True)
class PayloadDigest:
    """A submission's content keyed under each signing key (the current one first): it tells a
    retry from a different submission, and without the key confirms no guessed identity."""

    under_each_key: tuple[str, ...]

    @property
    def current(self) -> str:
        return self.under_each_key[0]

    def matches(self, stored: str) -> bool:
        results = [hmac.compare_digest(stored, digest) for digest in self.under_each_key]
        return any(results)


def payload_digest(data: dict, evidence: Sequence = ()) -> PayloadDigest:
    """What identifies a submission's content, keyed (``rules.keyed_payload_digest``); each of
    ``evidence`` (an objection's files) counts by the SHA-256 of its ``content``."""
    payload = {k: str(v.pk if hasattr(v, "pk") else v) for k, v in sorted(data.items())}
    payload["evidence"] = [hashlib.sha256(e.content).hexdigest() for e in evidence]
    content = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
    return PayloadDigest(tuple(rules.keyed_payload_digest(content, key) for key in signing_keys()))


def replay(
    model: type[PublicSubmission], key: str, digest: PayloadDigest, noun: tuple[str, str]
) -> Receipt | None:
    """The earlier receipt for a retry with the same Idempotency-Key; 409 for other content.
    The lookup code comes back unsealed with the key: nothing else can give it."""
    existing = model.objects.filter(
        idempotency_key_hash=rules.idempotency_key_digest(model.submission_kind, key)
    ).first()
    return None if existing is None else replay_of(existing, key, digest, noun)


def replay_of(
    existing: PublicSubmission, key: str, digest: PayloadDigest, noun: tuple[str, str]
) -> Receipt:
    """:func:`replay` for ``existing``, the record already found stored under ``key``."""
    kind = existing.submission_kind
    if not digest.matches(existing.payload_digest):
        raise ApiError(
            "idempotency_key_reused",
            f"该幂等键已用于另一份不同的{noun[0]}。",
            f"This Idempotency-Key was already used for a different {noun[1]}.",
            status_code=409,
        )
    lookup_code = rules.unseal_lookup_code(kind, existing.lookup_code_sealed, key)
    if lookup_code is None:
        lookup_code = reissue_lookup_code(existing, key)
    return Receipt(existing, lookup_code, replayed=True)


def reissue_lookup_code(record: PublicSubmission, key: str) -> str:
    """A new code for a row the migration could not seal (its code derived from a SECRET_KEY no
    longer configured, so the old code no longer opens it anyway)."""
    kind = record.submission_kind
    lookup_code = rules.new_lookup_code()
    record.lookup_code_hash = rules.lookup_code_digest(kind, lookup_code, settings.SECRET_KEY)
    record.lookup_code_sealed = rules.seal_lookup_code(kind, lookup_code, key)
    record.save(update_fields=["lookup_code_hash", "lookup_code_sealed"])
    return lookup_code


def store_submission(
    model: type[PublicSubmission],
    fields: dict,
    *,
    idempotency_key: str | None,
    digest: PayloadDigest,
    now: datetime,
    receipt_prefix: str,
    noun: tuple[str, str],
    attach: Callable[[PublicSubmission], None] | None = None,
    cleanup: Callable[[], None] = lambda: None,
) -> Receipt:
    """Creates the record with its receipt number and hashed lookup code, and whatever
    ``attach`` adds, in one transaction; on failure ``cleanup`` removes files already written.
    A concurrent retry with the same key that won the race gets its receipt.

    No savepoint: the insert never fails on the key (:func:`~cms.core.inserts.insert_unless_taken`),
    and a failure after it leaves the enclosing transaction marked for rollback, so nothing of
    the request commits (nor its count): never a record without what ``attach`` adds."""
    kind = model.submission_kind
    lookup_code = rules.new_lookup_code()
    try:
        with transaction.atomic(savepoint=False):
            record = model(
                receipt_number=rules.new_receipt_number(now, receipt_prefix),
                lookup_code_hash=rules.lookup_code_digest(kind, lookup_code, settings.SECRET_KEY),
                lookup_code_sealed=(
                    rules.seal_lookup_code(kind, lookup_code, idempotency_key)
                    if idempotency_key
                    else ""
                ),
                idempotency_key_hash=(
                    rules.idempotency_key_digest(kind, idempotency_key) if idempotency_key else None
                ),
                payload_digest=digest.current,
                consented_at=now,
                **fields,
            )
            inserted = insert_unless_taken(record, "idempotency_key_hash")
            if inserted and attach is not None:
                attach(record)
    except BaseException:
        cleanup()
        raise
    if not inserted:  # a concurrent retry with the same key committed first
        cleanup()
        if receipt := replay(model, idempotency_key, digest, noun):
            return receipt
        raise IntegrityError(f"{noun[1]}: the Idempotency-Key's row is gone")
    logger.info("%s received: %s", noun[1], record.receipt_number)
    return Receipt(record, lookup_code, replayed=False)


def person_fields(data: dict, type_field: str) -> dict:
    """The submitter's identity as validated by the serializer (personal data)."""
    return {
        type_field: data[type_field],
        "real_name": data["real_name"],
        "organisation": data.get("organisation", ""),
        "phone": data["phone"],
        "email": data["email"],
        "postal_address": data["postal_address"],
    }


def find_by_receipt(model: type[PublicSubmission], receipt_number: str, lookup_code: str):
    """The record if both match; the same answer, in the same time, for every miss."""
    record = model.objects.filter(receipt_number=receipt_number).first()
    stored = record.lookup_code_hash if record else rules.LOOKUP_DIGEST_PREFIX
    matches = rules.lookup_code_matches(model.submission_kind, lookup_code, stored, signing_keys())
    return record if record and matches else None


def purge_submissions(
    queryset,
    now: datetime,
    *,
    log_action: str,
    before_blanking: Callable[[PublicSubmission], None] = lambda record: None,
    settled: Callable[[PublicSubmission], bool] = lambda record: True,
) -> int:
    """Blanks the submitter's identity, and the digest of what they sent, on every record of
    ``queryset`` not yet purged that was answered more than the retention period ago, or that
    was submitted that long ago and never answered once ``settled`` says nothing more will come
    of it. The handling record (text, answer) stays."""
    cutoff = now - timedelta(days=settings.OBJECTION_RETENTION_DAYS)
    due = queryset.filter(personal_data_purged_at__isnull=True).filter(
        Q(status="answered", answered_at__lt=cutoff)
        | (~Q(status="answered") & Q(created_at__lt=cutoff))
    )
    count = 0
    for record in due:
        if not record.is_answered and not settled(record):
            continue
        with transaction.atomic():
            before_blanking(record)
            for name in PERSONAL_FIELDS:
                setattr(record, name, "")
            record.payload_digest = ""
            record.personal_data_purged_at = now
            record.save()
            log(instance=record, action=log_action, user=None)
        count += 1
    return count


def queue_mail(record: PublicSubmission, what: str, purpose: str, subject: str, body: str) -> bool:
    """Queues a mail to the address the submitter gave, if any, in the current transaction
    (cms.outbox): it goes out once the transaction commits, and never if it rolls back. Queued
    once per submission and ``what`` (``answer``, ``receipt``) however often this runs; an SMTP
    outage delays it, failing nothing. Whether a mail is (or already was) queued."""
    if not record.email:
        return False
    key = f"{record.submission_kind}-{what}:{record.pk}"
    outbox.enqueue(outbox.Draft(record.email, subject, body, key, purpose))
    return True


def queue_answer(record: PublicSubmission, purpose: str, subject: str, body: str) -> bool:
    """The answer by e-mail (:func:`queue_mail`)."""
    return queue_mail(record, "answer", purpose, subject, body)
