"""Submitting, looking up, answering and purging objections, through what every public
submission shares (cms.submissions.services). Each write is one transaction."""

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from cms.domain.dates import PUBLICITY_TZ, format_date_zh
from cms.domain.errors import GuardError
from cms.notices import rules as notice_rules
from cms.notices.guards import NoticeGuardError
from cms.notices.services import start_correction
from cms.submissions.errors import ApiError
from cms.submissions.rules import idempotency_key_digest
from cms.submissions.services import (
    PayloadDigest,
    Receipt,
    find_by_receipt,
    payload_digest,
    person_fields,
    purge_submissions,
    queue_answer,
    queue_mail,
    replay,
    replay_of,
    store_submission,
)

from . import rules, staging
from .evidence import EvidenceType
from .models import Objection, ObjectionEvidence
from .serializers import NOTICE_CORRECTED, OBJECTION_WITH_KEY

logger = logging.getLogger(__name__)

NOUN = ("异议", "objection")
RECEIPT_PREFIX = "YY"
OBJECTION_STATUS_PATH = "objections/status/"  # the portal's lookup page


@dataclass(frozen=True)
class Evidence:
    """An uploaded file that has passed the checks: its bytes, detected type and clean name."""

    content: bytes
    kind: EvidenceType
    original_name: str


def unanswered_for_notice(notice) -> int:
    return Objection.objects.filter(notice_id=notice.pk).exclude(status="answered").count()


def ensure_accepting(notice, now: datetime, *, corrected: bool | None = None) -> None:
    """Objections only inside the window of a live notice under publicity; the server decides.
    ``corrected``: whether the notice has a live correction, if the caller knows already."""
    try:
        notice_rules.check_objection(notice.publicity_window, now)
    except GuardError as error:
        raise ApiError(error.code, error.message, error.message_en, status_code=409) from error
    state = notice.state_at(now, corrected=corrected)
    if not notice.live or state != notice_rules.NoticeState.UNDER_PUBLICITY:
        raise ApiError(
            "notice_not_under_publicity",
            "该公告不在公示中（已撤回、已更正或尚未发布），不受理异议。",
            "This notice is not under publicity (withdrawn, corrected or not published).",
            status_code=409,
        )


def replay_for_item(item, idempotency_key: str, digest: PayloadDigest) -> Receipt | None:
    """The receipt of the objection already stored under ``idempotency_key`` (409 for other
    content), or None: found by the query that found ``item`` (``OBJECTION_WITH_KEY``), or,
    for an item found otherwise, looked up."""
    found = getattr(item, OBJECTION_WITH_KEY, None)
    key_digest = idempotency_key_digest(Objection.submission_kind, idempotency_key)
    if found is None or found.key_digest != key_digest:
        return replay(Objection, idempotency_key, digest, NOUN)
    if (objection := found.objection) is None:
        return None
    if objection.item_id == item.pk:  # what the receipt shows, without a query
        objection.item, objection.notice = item, item.notice
    return replay_of(objection, idempotency_key, digest, NOUN)


def submit_objection(
    data: dict, evidence: list[Evidence], idempotency_key: str | None, now: datetime | None = None
) -> Receipt:
    """Stores the objection and its files together, or nothing at all, and queues the receipt
    by e-mail with them."""
    now = now or timezone.now()
    item = data["item"]
    notice = item.notice.specific
    digest = payload_digest(data, evidence)
    if idempotency_key and (receipt := replay_for_item(item, idempotency_key, digest)):
        return receipt
    # Items from the serializer's query say whether their notice was corrected.
    ensure_accepting(notice, now, corrected=getattr(item, NOTICE_CORRECTED, None))
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
        queue_mail(objection, "receipt", "异议受理回执", *receipt_mail(objection))

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
        receipt_prefix=RECEIPT_PREFIX,
        noun=NOUN,
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
        # Queued with the answer: an answer rolled back with an enclosing transaction (a bulk
        # action that failed half-way) is never mailed; one committed always is, in time.
        queue_answer(objection, "异议答复", *answer_mail(objection, outcome, answer))
    logger.info("objection answered: %s", objection.receipt_number)
    return objection, correction


def answer_mail(objection: Objection, outcome: rules.Outcome, answer: str) -> tuple[str, str]:
    """The answer's subject and text."""
    heading = "不予受理的理由" if outcome is rules.Outcome.INADMISSIBLE else "调查处理意见"
    subject = f"关于您所提异议的调查处理意见（受理编号 {objection.receipt_number}）"
    body = (
        f"受理编号：{objection.receipt_number}\n处理结论：{outcome.label}\n\n"
        f"{heading}：\n{answer}\n"
    )
    return subject, body


def receipt_mail(objection: Objection) -> tuple[str, str]:
    """The receipt's subject and text: what was received and how to follow it. Never the lookup
    code: it is shown once, on the page that answered the submission, and kept only as a hash;
    a mailbox is no place for it."""
    notice, item = objection.notice, objection.item
    submitted = timezone.localtime(objection.created_at, PUBLICITY_TZ)
    status_url = f"{settings.PORTAL_BASE_URL}/{OBJECTION_STATUS_PATH}"
    subject = f"您的异议已受理（受理编号 {objection.receipt_number}）"
    body = (
        f"您对公示事项提出的异议已受理。\n\n"
        f"受理编号：{objection.receipt_number}\n"
        f"提交时间：{format_date_zh(submitted.date())} {submitted:%H:%M}（北京时间）\n"
        f"公告：{notice.title}（{notice.notice_number}）\n"
        f"异议事项：{item.project_code} {item.project_name}\n\n"
        f"我们将核实有关情况，调查处理意见将发送至本邮箱。\n"
        f"查询处理结果：请在 {status_url} 输入受理编号和查询码。"
        f"查询码只在提交时显示一次，本邮件不含查询码；请使用提交时记下的查询码。\n\n"
        f"本邮件由系统自动发送，请勿直接回复。如有疑问，请按公告载明的联系方式联系"
        f"{notice.contact_office}。\n"
    )
    return subject, body


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
