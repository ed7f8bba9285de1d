"""Comments (意见) from the public on a policy published as a draft for comments (征求意见稿).

A comment is a public submission like an objection (cms.submissions.models.PublicSubmission):
receipt, hashed lookup code, idempotency, the commenter's identity as personal data (seen only
with ``view_commenter_details``, never published or logged, blanked after the retention period).
Comments take no files: a comment on a text is text.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from cms.submissions.models import PublicSubmission
from cms.submissions.rules import ObjectorType

from .rules import CommentOutcome, CommentStatus


class PolicyComment(PublicSubmission):
    submission_kind = "comment"

    policy = models.ForeignKey(
        "policies.PolicyPage",
        verbose_name=_("征求意见稿"),
        on_delete=models.PROTECT,
        related_name="comments",
    )
    commenter_type = models.CharField(
        _("提出人类型"), max_length=16, choices=ObjectorType.choices()
    )
    content = models.TextField(_("意见内容"))
    status = models.CharField(
        _("处理状态"),
        max_length=16,
        choices=CommentStatus.choices(),
        default=CommentStatus.RECEIVED,
    )
    outcome = models.CharField(
        _("采纳情况"), max_length=16, choices=CommentOutcome.choices(), blank=True
    )
    answer = models.TextField(_("答复意见"), blank=True)

    class Meta(PublicSubmission.Meta):
        verbose_name = _("意见")
        verbose_name_plural = _("征求意见")
        permissions = [("view_commenter_details", _("可查看意见提出人身份和联系方式"))]
