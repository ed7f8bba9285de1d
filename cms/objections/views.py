"""The public objection API, on the views every public submission shares
(cms.submissions.views): the objection's serializer, throttles, services, pages and evidence
files."""

import os

from django.conf import settings
from django.utils.text import get_valid_filename
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status

from cms.submissions.errors import ApiError
from cms.submissions.serializers import StatusLookupSerializer
from cms.submissions.views import (
    IDEMPOTENCY_KEY_PARAMETER,
    LOOKUP_ERROR_CODES,
    SubmissionCreateView,
    SubmissionStatusView,
    error_responses,
)

from . import evidence as evidence_checks
from . import rules, services
from .serializers import ObjectionCreateSerializer, ReceiptSerializer, StatusSerializer
from .throttles import ObjectionLookupThrottle, count_objection, count_refused_objection

ERROR_CODES = {
    400: "invalid (字段有误，见 details：details[].code 如 required, blank, max_length, "
    "min_length, invalid, invalid_choice, incorrect_type, invalid_phone, consent_required, "
    "organisation_required, forbidden_characters, line_break), malformed, invalid_body, "
    "too_many_files, too_many_fields, rejected_automated, invalid_idempotency_key; "
    "unsafe_pdf (PDF 含脚本、启动动作或嵌入文件), unreadable_pdf (PDF 无法解析、已加密), "
    "unsafe_archive (OFD 条目过多、解压过大或压缩比异常), "
    "unreadable_archive (OFD 已损坏、加密或压缩方式不支持)",
    404: "item_not_found (提出异议时：事项不存在，或其公告未发布、不公开，答复相同); "
    "not_found (查询时受理编号或查询码不符，不区分哪一项)",
    409: "window_not_started, window_closed, notice_not_under_publicity, idempotency_key_reused",
    413: "file_too_large, body_too_large (JSON 或表单内容超过1MB；证明材料另计)",
    415: "unsupported_file_type, unsupported_media_type",
    429: "throttled; notice_limit_reached (同一公告的异议件数已达上限)；均附 Retry-After 头",
}


def _evidence_limits() -> evidence_checks.Limits:
    """The bounds of the file checks; their time runs for all of one submission's files."""
    return evidence_checks.Limits(
        archive_entries=settings.OBJECTION_OFD_MAX_ENTRIES,
        archive_bytes=settings.OBJECTION_OFD_MAX_UNCOMPRESSED_BYTES,
        archive_ratio=settings.OBJECTION_OFD_MAX_RATIO,
        pdf_seconds=settings.OBJECTION_PDF_CHECK_SECONDS,
    )


def _read_evidence(request) -> list[services.Evidence]:
    files = [upload for upload in request.FILES.getlist("evidence") if upload.name]
    limit = settings.OBJECTION_MAX_FILES
    if len(files) > limit:
        raise ApiError(
            "too_many_files",
            f"证明材料最多{limit}个文件。",
            f"At most {limit} evidence files.",
            field="evidence",
        )
    evidence, limits = [], _evidence_limits()
    for upload in files:
        if upload.size > settings.OBJECTION_MAX_FILE_BYTES:
            megabytes = settings.OBJECTION_MAX_FILE_BYTES // (1024 * 1024)
            raise ApiError(
                "file_too_large",
                f"单个证明材料不得超过{megabytes}MB。",
                f"Each evidence file must be at most {megabytes} MB.",
                field="evidence",
                status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        content = upload.read()
        try:
            kind = evidence_checks.examine(content, limits)
        except evidence_checks.EvidenceRefused as refused:
            raise ApiError(
                refused.code, refused.message, refused.message_en, field="evidence"
            ) from None
        if kind is None:
            raise ApiError(
                "unsupported_file_type",
                "证明材料仅接受 PDF、JPEG、PNG 或 OFD 文件（按文件内容识别）。",
                "Evidence must be PDF, JPEG, PNG or OFD (judged by content, not name).",
                field="evidence",
                status_code=status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            )
        stem = os.path.splitext(os.path.basename(upload.name or ""))[0]
        name = f"{get_valid_filename(stem)[:80] or 'evidence'}.{kind.extension}"
        evidence.append(services.Evidence(content, kind, name))
    return evidence


class ObjectionCreateView(SubmissionCreateView):
    """Its rate limits are counted once the item is known, the cap on its notice with the
    others in one statement (:mod:`.throttles`). A client over its limits therefore still has
    its body read (within the size limits) and its fields validated before the 429; its files
    are received but never examined."""

    error_template = "objections/error_page.html"
    throttle_classes = []
    html_template = "objections/receipt_page.html"
    serializer_class = ObjectionCreateSerializer
    target_field = "item"
    not_found = ("item_not_found", "所异议的认定事项不存在。",
                 "The decision item objected to does not exist.")  # fmt: skip
    accepts_files = True

    @extend_schema(
        operation_id="objections_create",
        summary="提出异议 Submit an objection",
        description="公示期内实名提出异议；可附证明材料（multipart 的 evidence 字段，可多个）。"
        "同一 Idempotency-Key 的重复提交返回同一受理编号。",
        request={
            "application/json": ObjectionCreateSerializer,
            "multipart/form-data": ObjectionCreateSerializer,
        },
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={
            201: ReceiptSerializer,
            **error_responses(400, 404, 409, 413, 415, 429, described=ERROR_CODES),
        },
        examples=[
            OpenApiExample(
                "窗口已关闭 Window closed",
                response_only=True,
                status_codes=["409"],
                value={
                    "error": {
                        "code": "window_closed",
                        "message": "公示期已于2026年3月9日24时结束，不再受理异议。",
                        "message_en": "The publicity window closed …",
                        "field": None,
                        "details": [],
                    }
                },
            )
        ],
    )
    def post(self, request):
        return self.create(request)

    def files_limit(self):
        return settings.OBJECTION_MAX_FILES * settings.OBJECTION_MAX_FILE_BYTES

    def read_files(self, request):
        return _read_evidence(request)

    def count_attempt(self, request, data):
        count_objection(request, data["item"].notice_id)

    def count_refused(self, request):
        count_refused_objection(request)

    def submit(self, data, evidence, key):
        return services.submit_objection(data, evidence, key)

    def receipt_data(self, receipt):
        objection = receipt.record
        return {
            "receipt_number": objection.receipt_number,
            "lookup_code": receipt.lookup_code,
            "status": objection.status,
            "status_label": rules.ObjectionStatus(objection.status).label,
            "notice_number": objection.notice.notice_number,
            "project_code": objection.item.project_code,
            "submitted_at": objection.created_at.isoformat(),
        }

    def receipt_context(self, receipt):
        return {"notice": receipt.record.notice}


class ObjectionStatusView(SubmissionStatusView):
    status_choices, outcome_choices = rules.ObjectionStatus, rules.Outcome
    error_template = "objections/error_page.html"
    throttle_classes = [ObjectionLookupThrottle]
    html_template = "objections/status_page.html"
    not_found = ("未找到与该受理编号和查询码相符的异议，请核对后重试。",
                 "No objection matches this receipt number and lookup code.")  # fmt: skip

    @extend_schema(
        operation_id="objections_status",
        summary="查询异议处理结果 Look up an objection",
        description="以受理编号和查询码查询。两者任一不符时统一返回 404，不透露哪一项不符。",
        request={
            "application/json": StatusLookupSerializer,
            "application/x-www-form-urlencoded": StatusLookupSerializer,
        },
        responses={
            200: StatusSerializer,
            **error_responses(400, 404, 413, 415, 429, described=LOOKUP_ERROR_CODES),
        },
    )
    def post(self, request):
        return self.look_up(request)

    def find(self, receipt_number, lookup_code):
        return services.lookup(receipt_number, lookup_code)

    def subject_data(self, objection):
        return {
            "notice_number": objection.notice.notice_number,
            "project_code": objection.item.project_code,
        }
