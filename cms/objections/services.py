"""Submitting, looking up, answering and purging objections. Each write is one transaction."""

import hashlib
import hmac
import json
import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from wagtail.log_actions import log

from cms.domain.errors import GuardError
from cms.notices import rules as notice_rules
from cms.notices.guards import NoticeGuardError
from cms.notices.services import start_correction

from . import rules, staging
from .errors import ApiError
from .evidence import EvidenceType
from .models import PERSONAL_FIELDS, Objection, ObjectionEvidence, PublicSubmission

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Evidence:
    """An uploaded file that has passed the checks: its bytes, detected type and clean name."""

    content: bytes
    kind: EvidenceType
    original_name: str


@dataclass(frozen=True)
class Receipt:
    """A stored submission (an objection, or a comment) and the lookup code shown once."""

    record: PublicSubmission
    lookup_code: str = field(repr=False)  # never in a traceback's variables
    replayed: bool = False

    @property
    def objection(self) -> PublicSubmission:
        return self.record


def unanswered_for_notice(notice) -> int:
    return Objection.objects.filter(notice_id=notice.pk).exclude(status="answered").count()


def ensure_accepting(notice, now: datetime) -> None:
    """Objections only inside the window of a live notice under publicity; the server decides."""
    try:
        notice_rules.check_objection(notice.publicity_window, now)
    except GuardError as error:
        raise ApiError(error.code, error.message, error.message_en, status_code=409) from error
    if not notice.live or notice.state_at(now) != notice_rules.NoticeState.UNDER_PUBLICITY:
        raise ApiError(
            "notice_not_under_publicity",
            "该公告不在公示中（已撤回、已更正或尚未发布），不受理异议。",
            "This notice is not under publicity (withdrawn, corrected or not published).",
            status_code=409,
        )


# --- shared by every public submission (objections here, comments in cms.consultation) ------


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


def payload_digest(data: dict, evidence: list[Evidence] = ()) -> PayloadDigest:
    """What identifies a submission's content, keyed (``rules.keyed_payload_digest``)."""
    payload = {k: str(v.pk if hasattr(v, "pk") else v) for k, v in sorted(data.items())}
    payload["evidence"] = [hashlib.sha256(e.content).hexdigest() for e in evidence]
    content = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
    return PayloadDigest(tuple(rules.keyed_payload_digest(content, key) for key in signing_keys()))


def replay(
    model: type[PublicSubmission], key: str, digest: PayloadDigest, noun=("异议", "objection")
):
    """The earlier receipt for a retry with the same Idempotency-Key; 409 for other content.
    The lookup code comes back unsealed with the key: nothing else can give it."""
    kind = model.submission_kind
    existing = model.objects.filter(
        idempotency_key_hash=rules.idempotency_key_digest(kind, key)
    ).first()
    if existing is None:
        return None
    if not digest.matches(existing.payload_digest):
        raise ApiError(
            "idempotency_key_reused",
            f"该幂等键已用于另一份不同的{noun[0]}。",
            f"This Idempotency-Key was already used for a different {noun[1]}.",
            status_code=409,
        )
    lookup_code = rules.unseal_lookup_code(kind, existing.lookup_code_sealed, key)
    if lookup_code is None:
        lookup_code = _reissue_lookup_code(existing, key)
    return Receipt(existing, lookup_code, replayed=True)


def _reissue_lookup_code(record: PublicSubmission, key: str) -> str:
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
    noun=("异议", "objection"),
    attach: Callable[[PublicSubmission], None] | None = None,
    cleanup: Callable[[], None] = lambda: None,
) -> Receipt:
    """Creates the record with its receipt number and hashed lookup code, and whatever
    ``attach`` adds, in one transaction; on failure ``cleanup`` removes files already written.
    A concurrent retry with the same key that won the race gets its receipt."""
    kind = model.submission_kind
    lookup_code = rules.new_lookup_code()
    try:
        with transaction.atomic():
            record = model.objects.create(
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
            if attach is not None:
                attach(record)
    except IntegrityError:
        cleanup()
        if idempotency_key and (receipt := replay(model, idempotency_key, digest, noun)):
            return receipt  # a concurrent retry with the same key won the race
        raise
    except BaseException:
        cleanup()
        raise
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


def send_answer(record: PublicSubmission, subject: str, body: str) -> bool:
    """The answer by e-mail to the address given, if any; whether it was sent. A failure is
    logged with the receipt number and the error's class, never the address."""
    if not record.email:
        return False
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [record.email])
    except (smtplib.SMTPException, OSError) as error:
        # No traceback: an SMTP error's text names the address.
        logger.error(
            "answer e-mail for %s not sent: %s", record.receipt_number, type(error).__name__
        )
        return False
    return True


# --- objections ---------------------------------------------------------------------------


def submit_objection(
    data: dict, evidence: list[Evidence], idempotency_key: str | None, now: datetime | None = None
) -> Receipt:
    """Stores the objection and its files together, or nothing at all."""
    now = now or timezone.now()
    item = data["item"]
    notice = item.notice.specific
    digest = payload_digest(data, evidence)
    if idempotency_key and (receipt := replay(Objection, idempotency_key, digest)):
        return receipt
    ensure_accepting(notice, now)
    staged: list[str] = []

    def attach(objection: Objection) -> None:
        """Each file is staged, and moved into place once the objection is committed."""
        for upload in evidence:
            record = ObjectionEvidence(
                objection=objection,
                original_name=upload.original_name,
                extension=upload.kind.extension,
                content_type=upload.kind.content_type,
                size=len(upload.content),
                sha256=hashlib.sha256(upload.content).hexdigest(),
            )
            staged.append(staging.stage(record, upload.content))
            record.save()

    fields = {
        "notice": notice,
        "item": item,
        "content": data["content"],
        **person_fields(data, "objector_type"),
    }
    return store_submission(
        Objection,
        fields,
        idempotency_key=idempotency_key,
        digest=digest,
        now=now,
        receipt_prefix="YY",
        attach=attach,
        cleanup=lambda: staging.discard(staged),
    )


def _delete_files(records: list[ObjectionEvidence]) -> None:
    for record in records:
        if record.file:
            record.file.storage.delete(record.file.name)


def lookup(receipt_number: str, lookup_code: str) -> Objection | None:
    """The objection if both match; the same answer, in the same time, for every miss."""
    return find_by_receipt(Objection, receipt_number, lookup_code)


class AlreadyAnswered(Exception):
    """The objection was answered already: an answer, once sent, is final."""


def answer_objection(
    objection: Objection, user, outcome: str, investigation: str | None, answer: str
):
    """调查处理意见: records the answer, sends it to the objector, and on an upheld objection
    starts a correction of the notice (never an edit in place). 不予受理 (inadmissible) is an
    answer like the others, whose text is the reason; it starts nothing. ``investigation``
    None keeps what was recorded."""
    outcome = rules.Outcome(outcome)
    if not answer.strip():
        raise ValueError("answer required")
    now = timezone.now()
    with transaction.atomic():
        objection = Objection.objects.select_for_update().get(pk=objection.pk)
        if objection.is_answered:
            raise AlreadyAnswered(objection.receipt_number)
        objection.status = rules.ObjectionStatus.ANSWERED
        objection.outcome, objection.answer = outcome, answer
        if investigation is not None:
            objection.investigation = investigation
        objection.answered_at, objection.answered_by = now, user
        objection.save()
        log(instance=objection, action="objections.answer", user=user,
            data={"outcome": outcome.value})  # fmt: skip
        correction = None
        if outcome is rules.Outcome.UPHELD:
            notice = objection.notice.specific
            correction = notice.corrections.filter(live=False).first()
            if correction is None:
                try:
                    correction = start_correction(notice, user, now)
                except NoticeGuardError:
                    correction = None
    heading = "不予受理的理由" if outcome is rules.Outcome.INADMISSIBLE else "调查处理意见"
    # Once committed: an answer rolled back with an enclosing transaction (a bulk action that
    # failed half-way) is never mailed.
    subject = f"关于您所提异议的调查处理意见（受理编号 {objection.receipt_number}）"
    body = (
        f"受理编号：{objection.receipt_number}\n处理结论：{outcome.label}\n\n"
        f"{heading}：\n{answer}\n"
    )
    transaction.on_commit(partial(send_answer, objection, subject, body))
    logger.info("objection answered: %s", objection.receipt_number)
    return objection, correction


def declare_inadmissible(objections, user, reason: str) -> list[Objection]:
    """不予受理 for several objections with one reason, each answered as if on its own (its
    audit log entry, its e-mail); any answered in the meantime is left as it was."""
    if not reason.strip():
        raise ValueError("reason required")
    answered = []
    for objection in objections:
        try:
            answered.append(
                answer_objection(objection, user, rules.Outcome.INADMISSIBLE, None, reason)[0]
            )
        except AlreadyAnswered:
            continue
    return answered


def mark_investigating(objection: Objection, user) -> None:
    if objection.status == rules.ObjectionStatus.RECEIVED:
        objection.status = rules.ObjectionStatus.INVESTIGATING
        objection.save(update_fields=["status"])
        log(instance=objection, action="objections.investigate", user=user)


# A notice in these states takes no more objections: one left unanswered there is purged too.
SETTLED_NOTICE_STATES = frozenset(
    {
        notice_rules.NoticeState.CLOSED,
        notice_rules.NoticeState.FINALISED,
        notice_rules.NoticeState.CORRECTED,
        notice_rules.NoticeState.WITHDRAWN,
    }
)


def purge_personal_data(now: datetime | None = None) -> int:
    """Blanks the objector's identity and deletes evidence files after the retention period:
    after the answer, or after submission for one never answered whose notice is closed,
    corrected or withdrawn."""
    now = now or timezone.now()
    states: dict[int, notice_rules.NoticeState] = {}

    def settled(objection: Objection) -> bool:
        if objection.notice_id not in states:
            states[objection.notice_id] = objection.notice.state_at(now)
        return states[objection.notice_id] in SETTLED_NOTICE_STATES

    def delete_evidence(objection: Objection) -> None:
        _delete_files(list(objection.evidence.all()))
        objection.evidence.all().delete()

    return purge_submissions(
        Objection.objects.all(),
        now,
        log_action="objections.purge",
        before_blanking=delete_evidence,
        settled=settled,
    )
