"""Submitting, looking up, answering and purging objections. Each write is one transaction."""

import hashlib
import hmac
import json
import logging
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
from .models import PERSONAL_FIELDS, Objection, ObjectionEvidence

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Evidence:
    """An uploaded file that has passed the checks: its bytes, detected type and clean name."""

    content: bytes
    kind: rules.EvidenceType
    original_name: str


@dataclass(frozen=True)
class Receipt:
    objection: Objection
    lookup_code: str
    replayed: bool


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


def _digest(data: dict, evidence: list[Evidence]) -> str:
    payload = {k: str(v.pk if hasattr(v, "pk") else v) for k, v in sorted(data.items())}
    payload["evidence"] = [hashlib.sha256(e.content).hexdigest() for e in evidence]
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _replay(key: str, digest: str) -> Receipt | None:
    existing = Objection.objects.filter(idempotency_key=key).first()
    if existing is None:
        return None
    if existing.payload_digest != digest:
        raise ApiError(
            "idempotency_key_reused",
            "该幂等键已用于另一份不同的异议。",
            "This Idempotency-Key was already used for a different objection.",
            status_code=409,
        )
    return Receipt(existing, rules.new_lookup_code(settings.SECRET_KEY, key), replayed=True)


def submit_objection(
    data: dict, evidence: list[Evidence], idempotency_key: str | None, now: datetime | None = None
) -> Receipt:
    """Stores the objection and its files together, or nothing at all."""
    now = now or timezone.now()
    item = data["item"]
    notice = item.notice.specific
    digest = _digest(data, evidence)
    if idempotency_key and (receipt := _replay(idempotency_key, digest)):
        return receipt
    ensure_accepting(notice, now)
    lookup_code = rules.new_lookup_code(settings.SECRET_KEY, idempotency_key)
    stored: list[ObjectionEvidence] = []
    try:
        with transaction.atomic():
            objection = Objection.objects.create(
                receipt_number=rules.new_receipt_number(now),
                lookup_code_hash=rules.lookup_code_digest(settings.SECRET_KEY, lookup_code),
                idempotency_key=idempotency_key or None,
                payload_digest=digest,
                notice=notice,
                item=item,
                objector_type=data["objector_type"],
                real_name=data["real_name"],
                organisation=data.get("organisation", ""),
                phone=data["phone"],
                email=data["email"],
                postal_address=data["postal_address"],
                content=data["content"],
                consented_at=now,
            )
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
    except IntegrityError:
        _delete_files(stored)
        if idempotency_key and (receipt := _replay(idempotency_key, digest)):
            return receipt  # a concurrent retry with the same key won the race
        raise
    except BaseException:
        _delete_files(stored)
        raise
    logger.info("objection received: %s", objection.receipt_number)
    return Receipt(objection, lookup_code, replayed=False)


def _delete_files(records: list[ObjectionEvidence]) -> None:
    for record in records:
        if record.file:
            record.file.storage.delete(record.file.name)


def lookup(receipt_number: str, lookup_code: str) -> Objection | None:
    """The objection if both match; the same answer, in the same time, for every miss."""
    objection = Objection.objects.filter(receipt_number=receipt_number).first()
    stored = objection.lookup_code_hash if objection else ""
    given = rules.lookup_code_digest(settings.SECRET_KEY, lookup_code)
    matches = hmac.compare_digest(stored.encode(), given.encode())
    return objection if objection and matches else None


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
    if objection.email:
        send_mail(
            f"关于您所提异议的调查处理意见（受理编号 {objection.receipt_number}）",
            f"受理编号：{objection.receipt_number}\n处理结论：{outcome.label}\n\n"
            f"调查处理意见：\n{answer}\n",
            settings.DEFAULT_FROM_EMAIL,
            [objection.email],
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
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.OBJECTION_RETENTION_DAYS)
    due = Objection.objects.filter(
        status=rules.ObjectionStatus.ANSWERED,
        answered_at__lt=cutoff,
        personal_data_purged_at__isnull=True,
    )
    count = 0
    for objection in due:
        with transaction.atomic():
            _delete_files(list(objection.evidence.all()))
            objection.evidence.all().delete()
            for name in PERSONAL_FIELDS:
                setattr(objection, name, "")
            objection.personal_data_purged_at = now
            objection.save()
            log(instance=objection, action="objections.purge", user=None)
        count += 1
    return count
