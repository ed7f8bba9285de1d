"""Submitting, looking up, answering and purging comments, through what every public submission
shares (cms.submissions.services): one implementation of receipts, lookup codes, idempotency and
the retention of personal data."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from cms.domain.errors import GuardError
from cms.submissions import services as shared
from cms.submissions.errors import ApiError

from . import rules
from .models import PolicyComment

NOUN = ("意见", "comment")
RECEIPT_PREFIX = "YJ"


def ensure_accepting(policy, now: datetime) -> None:
    """Comments only on a live draft for comments, inside its window; the server decides."""
    try:
        rules.check_comment(
            policy.comment_period, now, in_consultation=policy.live and policy.in_consultation
        )
    except GuardError as error:
        raise ApiError(error.code, error.message, error.message_en, status_code=409) from error


def submit_comment(data: dict, idempotency_key: str | None, now: datetime | None = None):
    now = now or timezone.now()
    policy = data["policy"]
    digest = shared.payload_digest(data)
    if idempotency_key and (receipt := shared.replay(PolicyComment, idempotency_key, digest, NOUN)):
        return receipt
    ensure_accepting(policy, now)
    fields = {
        "policy": policy,
        "content": data["content"],
        **shared.person_fields(data, "commenter_type"),
    }
    return shared.store_submission(
        PolicyComment,
        fields,
        idempotency_key=idempotency_key,
        digest=digest,
        now=now,
        receipt_prefix=RECEIPT_PREFIX,
        noun=NOUN,
    )


def lookup(receipt_number: str, lookup_code: str) -> PolicyComment | None:
    return shared.find_by_receipt(PolicyComment, receipt_number, lookup_code)


def answer_comment(comment: PolicyComment, user, outcome: str, answer: str) -> PolicyComment:
    """Records how the comment was taken up and the answer, and sends it to the commenter."""
    outcome = rules.CommentOutcome(outcome)
    if not answer.strip():
        raise ValueError("answer required")
    with transaction.atomic():
        comment = PolicyComment.objects.select_for_update().get(pk=comment.pk)
        comment.status = rules.CommentStatus.ANSWERED
        comment.outcome, comment.answer = outcome, answer
        comment.answered_at, comment.answered_by = timezone.now(), user
        comment.save()
        log(instance=comment, action="consultation.answer", user=user,
            data={"outcome": outcome.value})  # fmt: skip
        # Queued with the answer: sent once it commits (cms.outbox), never if it rolls back.
        number = comment.receipt_number
        subject = f"关于您对《{comment.policy.title}》所提意见的答复（受理编号 {number}）"
        body = f"受理编号：{number}\n采纳情况：{outcome.label}\n\n答复意见：\n{answer}\n"
        shared.queue_answer(comment, "意见答复", subject, body)
    shared.logger.info("comment answered: %s", comment.receipt_number)
    return comment


def purge_personal_data(now: datetime | None = None) -> int:
    """Blanks commenters' identity once the retention period has passed: after the answer, or
    after submission for a comment never answered."""
    return shared.purge_submissions(
        PolicyComment.objects.all(), now or timezone.now(), log_action="consultation.purge"
    )
