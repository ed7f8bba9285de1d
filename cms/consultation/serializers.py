"""Validation of comments: the person, consent and trap field are every public submission's
(cms.submissions.serializers.SubmissionSerializer); here only what a comment is about."""

from django.conf import settings
from rest_framework import serializers

from cms.policies.models import PolicyPage
from cms.submissions.rules import ObjectorType
from cms.submissions.serializers import CleanTextField, IdField, SubmissionSerializer

from .rules import CommentOutcome, CommentStatus


class CommentCreateSerializer(SubmissionSerializer):
    type_field = "commenter_type"

    policy = IdField(
        visible=lambda: PolicyPage.objects.live().public(),
        help_text="征求意见稿（政策文件页面）的 ID（门户页面表单中提供）。",
    )
    commenter_type = serializers.ChoiceField(choices=ObjectorType.choices())
    content = CleanTextField(
        multiline=True,
        min_length=10,
        max_length=settings.OBJECTION_MAX_CONTENT_CHARS,
        help_text="意见和建议（可注明所涉条款）",
    )


class CommentReceiptSerializer(serializers.Serializer):
    receipt_number = serializers.CharField()
    lookup_code = serializers.CharField(help_text="查询码：仅此一次显示，请妥善保存。")
    status = serializers.ChoiceField(choices=CommentStatus.choices())
    status_label = serializers.CharField()
    policy_title = serializers.CharField()
    submitted_at = serializers.DateTimeField()


class CommentStatusSerializer(serializers.Serializer):
    receipt_number = serializers.CharField()
    status = serializers.ChoiceField(choices=CommentStatus.choices())
    status_label = serializers.CharField()
    outcome = serializers.ChoiceField(choices=CommentOutcome.choices(), allow_blank=True)
    outcome_label = serializers.CharField(allow_blank=True)
    answer = serializers.CharField(allow_blank=True, help_text="答复意见")
    answered_at = serializers.DateTimeField(allow_null=True)
    policy_title = serializers.CharField()
