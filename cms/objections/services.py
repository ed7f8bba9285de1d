"""Submitting, looking up, answering and purging objections. Each write is one transaction."""

import hashlib
import hmac
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.log_actions import log

from cms.notices import rules as notice_rules
from cms.notices.guards import NoticeGuardError
from cms.notices.services import start_correction

from . import rules
from .errors import ApiError
from .models import PERSONAL_FIELDS, Objection, ObjectionEvidence, PublicSubmission

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Evidence:
    """An uploaded file that has passed the checks: its bytes, detected type and clean name."""

    content: bytes
    kind: rules.EvidenceType
    original_name: str


@dataclass(frozen=True)
class Receipt:
    """A stored submission (an objection, or a comment) and the lookup code shown once."""

    record: PublicSubmission
    lookup_code: str
    replayed: bool

    @property
    def objection(self) -> PublicSubmission:
        return self.record


def unanswered_for_notice(notice) -> int:
    return Objection.objects.filter(notice_id=notice.pk).exclude(status="answered").count()


def ensure_accepting(notice, now: datetime) -> None:
    """Objections only inside the window of a live notice under publicity; the server decides."""
    try:
        notice_rules.check_objection(notice.publicity_window, now)
    except notice_rules.GuardError as error:
        raise ApiError(error.code, error.message, error.message_en, status_code=409) from error
    if not notice.live or notice.state_at(now) != notice_rules.NoticeState.UNDER_PUBLICITY:
        raise ApiError(
            "notice_not_under_publicity",
            "该公告不在公示中（已撤回、已更正或尚未发布），不受理异议。",
            "This notice is not under publicity (withdrawn, corrected or not published).",
            status_code=409,
        )


# --- shared by every public submission (objections here, comments in cms.consultation) ------


def payload_digest(data: dict, evidence: list[Evidence] = ()) -> str:
    """What identifies a submission's content, to tell a retry from a different submission."""
    payload = {k: str(v.pk if hasattr(v, "pk") else v) for k, v in sorted(data.items())}
    payload["evidence"] = [hashlib.sha256(e.content).hexdigest() for e in evidence]
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def replay(model: type[PublicSubmission], key: str, digest: str, noun=("异议", "objection")):
    """The earlier receipt for a retry with the same Idempotency-Key; 409 for other content."""
    existing = model.objects.filter(idempotency_key=key).first()
    if existing is None:
        return None
    if existing.payload_digest != digest:
        raise ApiError(
            "idempotency_key_reused",
            f"该幂等键已用于另一份不同的{noun[0]}。",
            f"This Idempotency-Key was already used for a different {noun[1]}.",
            status_code=409,
        )
    return Receipt(existing, rules.new_lookup_code(settings.SECRET_KEY, key), replayed=True)


def store_submission(
    model: type[PublicSubmission],
    fields: dict,
    *,
    idempotency_key: str | None,
    digest: str,
    now: datetime,
    receipt_prefix: str,
    noun=("异议", "objection"),
    attach: Callable[[PublicSubmission], None] | None = None,
    cleanup: Callable[[], None] = lambda: None,
) -> Receipt:
    """Creates the record with its receipt number and hashed lookup code, and whatever
    ``attach`` adds, in one transaction; on failure ``cleanup`` removes files already written.
    A concurrent retry with the same key that won the race gets its receipt."""
    lookup_code = rules.new_lookup_code(settings.SECRET_KEY, idempotency_key)
    try:
        with transaction.atomic():
            record = model.objects.create(
                receipt_number=rules.new_receipt_number(now, receipt_prefix),
                lookup_code_hash=rules.lookup_code_digest(settings.SECRET_KEY, lookup_code),
                idempotency_key=idempotency_key or None,
                payload_digest=digest,
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
    stored = record.lookup_code_hash if record else ""
    given = rules.lookup_code_digest(settings.SECRET_KEY, lookup_code)
    matches = hmac.compare_digest(stored.encode(), given.encode())
    return record if record and matches else None


def purge_submissions(
    queryset,
    now: datetime,
    *,
    log_action: str,
    before_blanking: Callable[[PublicSubmission], None] = lambda record: None,
) -> int:
    """Blanks the submitter's identity on every record of ``queryset`` answered more than the
    retention period ago and not yet purged; the handling record (text, answer) stays."""
    cutoff = now - timedelta(days=settings.OBJECTION_RETENTION_DAYS)
    due = queryset.filter(
        status="answered", answered_at__lt=cutoff, personal_data_purged_at__isnull=True
    )
    count = 0
    for record in due:
        with transaction.atomic():
            before_blanking(record)
            for name in PERSONAL_FIELDS:
                setattr(record, name, "")
            record.personal_data_purged_at = now
            record.save()
            log(instance=record, action=log_action, user=None)
        count += 1
    return count


def send_answer(record: PublicSubmission, subject: str, body: str) -> None:
    """The answer by e-mail to the address given, if any (never logged)."""
    if record.email:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [record.email])


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
    stored: list[ObjectionEvidence] = []

    def attach(objection: Objection) -> None:
        for upload in evidence:
            record = ObjectionEvidence(
                objection=objection,
                original_name=upload.original_name,
                extension=upload.kind.extension,
                content_type=upload.kind.content_type,
                size=len(upload.content),
                sha256=hashlib.sha256(upload.content).hexdigest(),
            )
            record.file.save("evidence", ContentFile(upload.content), save=False)
            stored.append(record)
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
        cleanup=lambda: _delete_files(stored),
    )


def _delete_files(records: list[ObjectionEvidence]) -> None:
    for record in records:
        if record.file:
            record.file.storage.delete(record.file.name)


def lookup(receipt_number: str, lookup_code: str) -> Objection | None:
    """The objection if both match; the same answer, in the same time, for every miss."""
    return find_by_receipt(Objection, receipt_number, lookup_code)


def answer_objection(objection: Objection, user, outcome: str, investigation: str, answer: str):
    """调查处理意见: records the answer, sends it to the objector, and on an upheld objection
    starts a correction of the notice (never an edit in place)."""
    outcome = rules.Outcome(outcome)
    if not answer.strip():
        raise ValueError("answer required")
    now = timezone.now()
    with transaction.atomic():
        objection = Objection.objects.select_for_update().get(pk=objection.pk)
        objection.status = rules.ObjectionStatus.ANSWERED
        objection.outcome, objection.investigation, objection.answer = (
            outcome,
            investigation,
            answer,
        )
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
    send_answer(
        objection,
        f"关于您所提异议的调查处理意见（受理编号 {objection.receipt_number}）",
        f"受理编号：{objection.receipt_number}\n处理结论：{outcome.label}\n\n"
        f"调查处理意见：\n{answer}\n",
    )
    logger.info("objection answered: %s", objection.receipt_number)
    return objection, correction


def mark_investigating(objection: Objection, user) -> None:
    if objection.status == rules.ObjectionStatus.RECEIVED:
        objection.status = rules.ObjectionStatus.INVESTIGATING
        objection.save(update_fields=["status"])
        log(instance=objection, action="objections.investigate", user=user)


def purge_personal_data(now: datetime | None = None) -> int:
    """Blanks the objector's identity and deletes evidence files after the retention period."""

    def delete_evidence(objection: Objection) -> None:
        _delete_files(list(objection.evidence.all()))
        objection.evidence.all().delete()

    return purge_submissions(
        Objection.objects.all(),
        now or timezone.now(),
        log_action="objections.purge",
        before_blanking=delete_evidence,
    )
