"""The public objection API. JSON clients get JSON; a plain HTML form post (JavaScript off)
gets a page a person can read: the receipt, or the list of what to correct."""

import os

from django.conf import settings
from django.template.response import TemplateResponse
from django.utils.text import get_valid_filename
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from cms.domain.labels import LabelledEnum

from . import evidence as evidence_checks
from . import rules, services
from .errors import ApiError, body_too_large
from .serializers import (
    ErrorSerializer,
    ObjectionCreateSerializer,
    ReceiptSerializer,
    StatusLookupSerializer,
    StatusSerializer,
)
from .throttles import NoticeCapThrottle, ObjectionLookupThrottle, ObjectionThrottle

# A JSON or form body's limit; multipart with evidence files adds the files' own limits.
MAX_BODY_BYTES = 1024 * 1024

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


def error_responses(*codes: int, described=ERROR_CODES) -> dict:
    """The OpenAPI responses of these status codes, each naming its error codes."""
    return {
        code: OpenApiResponse(ErrorSerializer, description=f"error.code: {described[code]}")
        for code in codes
    }


LOOKUP_ERROR_CODES = {
    400: "invalid (字段有误，见 details), malformed, invalid_body, too_many_fields",
    404: "not_found (受理编号或查询码不符，不区分哪一项)",
    413: "body_too_large (请求内容超过1MB)",
    415: "unsupported_media_type",
    429: "throttled (附 Retry-After 头)",
}


IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    "Idempotency-Key",
    {"type": "string", "minLength": 8, "maxLength": 100, "pattern": "^[!-~]{8,100}$"},
    OpenApiParameter.HEADER,
    required=False,
    description="可选。8–100 个可打印字符（建议用 UUID）；重试时使用同一值，同一值配不同内容"
    "返回 409。Optional: 8–100 printable characters; the same value when retrying.",
)


def content_length(request) -> int:
    """The declared length of the body; one that is not a number counts as none (Django then
    reads nothing)."""
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def wants_html(request) -> bool:
    accept = request.headers.get("Accept", "")
    return "text/html" in accept and "application/json" not in accept


class ObjectJSONParser(JSONParser):
    """JSON whose top level is an object, the only body a public endpoint reads. Nesting too deep
    for the decoder is malformed JSON like any other."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON nested too deeply.") from None
        if not isinstance(data, dict):
            raise ApiError(
                "invalid_body",
                "请求内容须为 JSON 对象（以 { } 包围的字段和值）。",
                "The request body must be a JSON object.",
            )
        return data


class NegotiatedAPIView(APIView):
    parser_classes = [ObjectJSONParser, MultiPartParser, FormParser]
    html_template = ""
    error_template = "objections/error_page.html"
    accepts_files = False

    def body_limit(self, request) -> int:
        """The largest body this view reads: 1 MB, plus the evidence files' limits for a
        multipart post to a view that takes files."""
        media_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        if self.accepts_files and media_type == "multipart/form-data":
            files = settings.OBJECTION_MAX_FILES * settings.OBJECTION_MAX_FILE_BYTES
            return MAX_BODY_BYTES + files
        return MAX_BODY_BYTES

    def initial(self, request, *args, **kwargs):
        # Before anything reads the body: a body over the limit is refused unread.
        limit = self.body_limit(request)
        if content_length(request) > limit:
            raise body_too_large(limit)
        super().initial(request, *args, **kwargs)

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        if (
            wants_html(self.request)
            and isinstance(response.data, dict)
            and "error" in response.data
        ):
            page = TemplateResponse(
                self.request,
                self.error_template,
                {"error": response.data["error"], "portal_url": settings.PORTAL_BASE_URL},
                status=response.status_code,
            )
            if "Retry-After" in response:
                page["Retry-After"] = response["Retry-After"]
            return page
        return response

    def respond(self, data: dict, status_code: int, **context):
        if wants_html(self.request):
            context = {"data": data, "portal_url": settings.PORTAL_BASE_URL, **context}
            return TemplateResponse(self.request, self.html_template, context, status=status_code)
        return Response(data, status=status_code)


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


def _idempotency_key(request) -> str | None:
    key = request.headers.get("Idempotency-Key") or request.data.get("idempotency_key")
    if not key:
        return None
    key = str(key).strip()
    if not (8 <= len(key) <= 100) or not key.isprintable():
        raise ApiError(
            "invalid_idempotency_key",
            "幂等键须为8至100个可打印字符。",
            "The Idempotency-Key must be 8 to 100 printable characters.",
        )
    return key


class SubmissionCreateView(NegotiatedAPIView):
    """POST of a public submission, the same way for every kind: (the body's size is checked
    before, in ``initial``) the robots' trap field, the Idempotency-Key, validation (an unknown
    target, or one the public cannot see, is a 404), files if the kind takes them, then
    ``submit``. Subclasses set the serializer and say what a receipt shows."""

    serializer_class: type = None
    target_field = "item"
    not_found = ("item_not_found", "所异议的认定事项不存在。",
                 "The decision item objected to does not exist.")  # fmt: skip
    accepts_files = True

    def submit(self, data: dict, evidence: list, key: str | None) -> services.Receipt:
        raise NotImplementedError

    def receipt_data(self, receipt: services.Receipt) -> dict:
        raise NotImplementedError

    def receipt_context(self, receipt: services.Receipt) -> dict:
        return {}

    def create(self, request):
        if str(request.data.get("website", "")).strip():
            raise ApiError(
                "rejected_automated",
                "提交未被受理：请勿填写标注为“请勿填写”的栏目。",
                "Not accepted: leave the field marked “do not fill in” empty.",
                field="website",
            )
        key = _idempotency_key(request)
        serializer = self.serializer_class(data=request.data)
        if not serializer.is_valid():
            target_errors = serializer.errors.get(self.target_field, [])
            if any(getattr(e, "code", "") == "does_not_exist" for e in target_errors):
                code, message, message_en = self.not_found
                raise ApiError(
                    code,
                    message,
                    message_en,
                    field=self.target_field,
                    status_code=status.HTTP_404_NOT_FOUND,
                )
            raise ValidationError(serializer.errors)
        evidence = _read_evidence(request) if self.accepts_files else []
        data = {k: v for k, v in serializer.validated_data.items() if k != "evidence"}
        receipt = self.submit(data, evidence, key)
        response = self.respond(
            self.receipt_data(receipt), status.HTTP_201_CREATED, **self.receipt_context(receipt)
        )
        if receipt.replayed:
            response["Idempotent-Replayed"] = "true"
        return response


class SubmissionStatusView(NegotiatedAPIView):
    """POST of a receipt number and lookup code: the same 404 for every miss."""

    not_found = ("未找到与该受理编号和查询码相符的异议，请核对后重试。",
                 "No objection matches this receipt number and lookup code.")  # fmt: skip

    status_choices: type[LabelledEnum]
    outcome_choices: type[LabelledEnum]

    def find(self, receipt_number: str, lookup_code: str):
        raise NotImplementedError

    def subject_data(self, record) -> dict:
        """What the submission was about (the notice and item, the policy)."""
        raise NotImplementedError

    def status_data(self, record) -> dict:
        answered = record.is_answered
        outcome = self.outcome_choices(record.outcome) if answered and record.outcome else None
        return {
            "receipt_number": record.receipt_number,
            "status": record.status,
            "status_label": self.status_choices(record.status).label,
            "outcome": outcome.value if outcome else "",
            "outcome_label": outcome.label if outcome else "",
            "answer": record.answer if answered else "",
            "answered_at": record.answered_at.isoformat() if answered else None,
            **self.subject_data(record),
        }

    def look_up(self, request):
        serializer = StatusLookupSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = self.find(**serializer.validated_data)
        if record is None:
            message, message_en = self.not_found
            raise ApiError("not_found", message, message_en, status_code=status.HTTP_404_NOT_FOUND)
        return self.respond(self.status_data(record), status.HTTP_200_OK)


class ObjectionCreateView(SubmissionCreateView):
    throttle_classes = [ObjectionThrottle]
    html_template = "objections/receipt_page.html"
    serializer_class = ObjectionCreateSerializer

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
        responses={201: ReceiptSerializer, **error_responses(400, 404, 409, 413, 415, 429)},
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

    def submit(self, data, evidence, key):
        NoticeCapThrottle(data["item"].notice_id).check(self.request)  # needs the validated item
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
    throttle_classes = [ObjectionLookupThrottle]
    html_template = "objections/status_page.html"

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
