"""The public submission API's views, the same for every kind (objections, comments on a draft
policy). JSON clients get JSON; a plain HTML form post (JavaScript off) gets a page a person can
read: the receipt, or the list of what to correct."""

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import DatabaseError, transaction
from django.template.response import TemplateResponse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from cms.domain.labels import LabelledEnum

from .errors import FIELD_LABELS, ApiError, body_too_large, listed_problems
from .serializers import ErrorSerializer, StatusLookupSerializer
from .services import Receipt

# A JSON or form body's limit; a view that takes files adds the files' own limits.
MAX_BODY_BYTES = 1024 * 1024


def error_responses(*codes: int, described: dict[int, str]) -> dict:
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
    error_template = "submissions/error_page.html"
    accepts_files = False
    # The error page's heading (Chinese, English) and what to do next.
    error_heading = ("未能受理", "Not accepted")
    error_advice = "请使用浏览器的“返回”按钮回到表单修改后重新提交（已填写的内容通常会保留）。"

    def body_limit(self, request) -> int:
        """The largest body this view reads: 1 MB, plus ``files_limit`` for a multipart post to a
        view that takes files."""
        media_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        if self.accepts_files and media_type == "multipart/form-data":
            return MAX_BODY_BYTES + self.files_limit()
        return MAX_BODY_BYTES

    def files_limit(self) -> int:
        """The most bytes of files a view that takes them reads, beside the 1 MB."""
        return 0

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
                self.request, self.error_template, self.error_page_context(response.data["error"]),
                status=response.status_code,
            )  # fmt: skip
            if "Retry-After" in response:
                page["Retry-After"] = response["Retry-After"]
            return page
        return response

    def error_page_context(self, error: dict) -> dict:
        """The error page: its heading, each problem once with its field, what to do next."""
        labels = getattr(self, "field_labels", None) or FIELD_LABELS
        heading, heading_en = self.error_heading
        return {
            "error": error,
            "problems": listed_problems(error, labels),
            "heading": heading,
            "heading_en": heading_en,
            "advice": self.error_advice,
            "portal_url": settings.PORTAL_BASE_URL,
        }

    def respond(self, data: dict, status_code: int, **context):
        if wants_html(self.request):
            context = {"data": data, "portal_url": settings.PORTAL_BASE_URL, **context}
            return TemplateResponse(self.request, self.html_template, context, status=status_code)
        return Response(data, status=status_code)


def read_idempotency_key(request) -> str | None:
    """The Idempotency-Key header (or form field), checked; None if there is none."""
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


def refuse_filled_trap(request) -> None:
    """The robots' trap field (``website``, hidden from people) must stay empty."""
    if str(request.data.get("website", "")).strip():
        raise ApiError(
            "rejected_automated",
            "提交未被受理：请勿填写标注为“请勿填写”的栏目。",
            "Not accepted: leave the field marked “do not fill in” empty.",
            field="website",
        )


T = TypeVar("T")


def committed_even_if_refused(work: Callable[[], T]) -> T:
    """Runs ``work`` in one transaction, which commits even when ``work`` refuses the request
    (raises anything but a database error): what it counted before the refusal stays counted,
    and the refusal is raised once that is committed. A database error rolls everything back
    (the database refused the writes anyway), as does anything that left the transaction
    marked for rollback."""
    refusal: Exception | None = None
    with transaction.atomic():
        try:
            result = work()
        except DatabaseError:
            raise
        except Exception as error:  # raised again below, after the commit
            refusal = error
    if refusal is not None:
        raise refusal
    return result


class SubmissionCreateView(NegotiatedAPIView):
    """POST of a public submission, the same way for every kind: (the body's size is checked
    before, in ``initial``) the robots' trap field, the Idempotency-Key, validation (an unknown
    target, or one the public cannot see, is a 404), the rate limits counted after validation
    if the kind has any, files if the kind takes them, then ``submit``. Subclasses set the
    serializer and say what a receipt shows.

    A valid submission is counted, stored with its mail and the task that sends it, and
    committed once: one transaction, which commits the count also when the submission is
    refused after it (429, a file refused, the window closed, a key reused:
    :func:`committed_even_if_refused`). The response goes out after the commit."""

    serializer_class: type = None
    target_field: str
    not_found: tuple[str, str, str]  # code, message, message_en

    def read_files(self, request) -> list:
        """The uploaded files, checked, of a view that ``accepts_files``."""
        return []

    def submit(self, data: dict, evidence: list, key: str | None) -> Receipt:
        raise NotImplementedError

    def receipt_data(self, receipt: Receipt) -> dict:
        raise NotImplementedError

    def receipt_context(self, receipt: Receipt) -> dict:
        return {}

    def count_attempt(self, request, data: dict) -> None:
        """Counts a submission whose fields are valid against rate limits that need to know
        what it is about, or raises a 429; before its files are read. None by default: the
        view's DRF throttles counted every request before the body was read."""

    def count_refused(self, request) -> None:
        """Counts a request refused before its fields were valid, for a view whose limits
        ``count_attempt`` counts; may raise a 429 instead of the refusal."""

    def validated_data(self, request) -> tuple[dict, str | None]:
        """The submission's fields, validated (an unknown target is a 404), and its
        Idempotency-Key."""
        refuse_filled_trap(request)
        key = read_idempotency_key(request)
        serializer = self.serializer_class(data=request.data, context={"idempotency_key": key})
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
        data = {k: v for k, v in serializer.validated_data.items() if k != "evidence"}
        return data, key

    def create(self, request):
        try:
            data, key = self.validated_data(request)
        except (APIException, SuspiciousOperation):
            self.count_refused(request)
            raise

        def count_and_submit() -> Receipt:
            self.count_attempt(request, data)
            evidence = self.read_files(request) if self.accepts_files else []
            return self.submit(data, evidence, key)

        receipt = committed_even_if_refused(count_and_submit)
        response = self.respond(
            self.receipt_data(receipt), status.HTTP_201_CREATED, **self.receipt_context(receipt)
        )
        if receipt.replayed:
            response["Idempotent-Replayed"] = "true"
        return response


class SubmissionStatusView(NegotiatedAPIView):
    """POST of a receipt number and lookup code: the same 404 for every miss."""

    not_found: tuple[str, str]  # message, message_en
    status_choices: type[LabelledEnum]
    error_heading = ("未能查询", "Lookup failed")
    error_advice = "请使用浏览器的“返回”按钮回到查询表单，核对受理编号和查询码后重新查询。"
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
