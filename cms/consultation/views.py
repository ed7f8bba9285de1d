"""The public comment API: the views every public submission shares (cms.submissions.views) with
comments' serializer, throttles, services and pages. JSON clients get JSON; a plain HTML form
post gets a page a person can read."""

from drf_spectacular.utils import extend_schema

from cms.submissions.serializers import StatusLookupSerializer
from cms.submissions.views import (
    IDEMPOTENCY_KEY_PARAMETER,
    LOOKUP_ERROR_CODES,
    SubmissionCreateView,
    SubmissionStatusView,
    error_responses,
)

from . import rules, services
from .serializers import CommentCreateSerializer, CommentReceiptSerializer, CommentStatusSerializer
from .throttles import CommentLookupThrottle, CommentThrottle

ERROR_CODES = {
    400: "invalid (字段有误，见 details：details[].code 如 required, blank, max_length, "
    "min_length, invalid, invalid_choice, incorrect_type, invalid_phone, consent_required, "
    "organisation_required, forbidden_characters, line_break), malformed, invalid_body, "
    "too_many_fields, rejected_automated, invalid_idempotency_key",
    404: "policy_not_found (提出意见时：文件不存在，或未发布、不公开，答复相同); "
    "not_found (查询时受理编号或查询码不符，不区分哪一项)",
    409: "not_in_consultation, no_comment_window, window_not_started, window_closed, "
    "idempotency_key_reused",
    413: "body_too_large (请求内容超过1MB)",
    415: "unsupported_media_type",
    429: "throttled (附 Retry-After 头)",
}
FIELD_LABELS = {
    "policy": ("征求意见稿", "draft policy"),
    "commenter_type": ("提出人类型", "commenter type"),
    "content": ("意见内容", "comment text"),
}


class CommentCreateView(SubmissionCreateView):
    error_template = "consultation/error_page.html"
    throttle_classes = [CommentThrottle]
    html_template = "consultation/receipt_page.html"
    serializer_class = CommentCreateSerializer
    field_labels = FIELD_LABELS
    target_field = "policy"
    not_found = ("policy_not_found", "所评论的政策文件不存在。",
                 "The policy commented on does not exist.")  # fmt: skip
    accepts_files = False

    @extend_schema(
        operation_id="policy_comments_create",
        summary="对征求意见稿提出意见 Comment on a draft policy",
        description="征求意见期内实名提出意见（不附文件）。"
        "同一 Idempotency-Key 的重复提交返回同一受理编号。",
        request={
            "application/json": CommentCreateSerializer,
            "multipart/form-data": CommentCreateSerializer,
            "application/x-www-form-urlencoded": CommentCreateSerializer,
        },
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={
            201: CommentReceiptSerializer,
            **error_responses(400, 404, 409, 413, 415, 429, described=ERROR_CODES),
        },
    )
    def post(self, request):
        return self.create(request)

    def submit(self, data, evidence, key):
        return services.submit_comment(data, key)

    def receipt_data(self, receipt):
        comment = receipt.record
        return {
            "receipt_number": comment.receipt_number,
            "lookup_code": receipt.lookup_code,
            "status": comment.status,
            "status_label": rules.CommentStatus(comment.status).label,
            "policy_title": comment.policy.title,
            "submitted_at": comment.created_at.isoformat(),
        }

    def receipt_context(self, receipt):
        return {"policy": receipt.record.policy}


class CommentStatusView(SubmissionStatusView):
    status_choices, outcome_choices = rules.CommentStatus, rules.CommentOutcome
    error_template = "consultation/error_page.html"
    throttle_classes = [CommentLookupThrottle]
    html_template = "consultation/status_page.html"
    field_labels = FIELD_LABELS
    not_found = ("未找到与该受理编号和查询码相符的意见，请核对后重试。",
                 "No comment matches this receipt number and lookup code.")  # fmt: skip

    @extend_schema(
        operation_id="policy_comments_status",
        summary="查询意见答复 Look up a comment",
        description="以受理编号和查询码查询。两者任一不符时统一返回 404，不透露哪一项不符。",
        request={
            "application/json": StatusLookupSerializer,
            "application/x-www-form-urlencoded": StatusLookupSerializer,
        },
        responses={
            200: CommentStatusSerializer,
            **error_responses(400, 404, 413, 415, 429, described=LOOKUP_ERROR_CODES),
        },
    )
    def post(self, request):
        return self.look_up(request)

    def find(self, receipt_number, lookup_code):
        return services.lookup(receipt_number, lookup_code)

    def subject_data(self, comment):
        return {"policy_title": comment.policy.title}
