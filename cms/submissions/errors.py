"""The public submission API's errors (objections, comments on a draft policy) in the one
error shape (:func:`cms.core.api_errors.error_body`), Chinese first and English beside it.
Messages never repeat what the client sent, so no personal data ends up in an error.
"""

from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response

from cms.core.api_errors import error_body

FIELD_LABELS: dict[str, tuple[str, str]] = {
    "item": ("异议事项", "item"),
    "objector_type": ("异议人类型", "objector type"),
    "real_name": ("真实姓名", "real name"),
    "organisation": ("单位名称", "organisation"),
    "phone": ("联系电话", "phone"),
    "email": ("电子邮箱", "e-mail"),
    "postal_address": ("通信地址", "postal address"),
    "content": ("异议内容", "objection text"),
    "consent": ("同意隐私声明", "consent to the privacy notice"),
    "evidence": ("证明材料", "evidence files"),
    "receipt_number": ("受理编号", "receipt number"),
    "lookup_code": ("查询码", "lookup code"),
    "website": ("“请勿填写”栏", "the “do not fill in” field"),
    "non_field_errors": ("提交内容", "submission"),
}

FIELD_MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("请填写{label}。", "{label_en} is required."),
    "blank": ("请填写{label}。", "{label_en} is required."),
    "null": ("请填写{label}。", "{label_en} is required."),
    "max_length": ("{label}过长。", "{label_en} is too long."),
    "min_length": ("{label}过短，请写明事实和理由。", "{label_en} is too short."),
    "invalid": ("{label}格式不正确。", "{label_en} is not valid."),
    "invalid_choice": ("{label}的取值无效。", "{label_en} has an invalid value."),
    "not_a_list": ("{label}的取值无效。", "{label_en} has an invalid value."),
    "topics_required": ("请至少选择一项订阅内容。", "Choose at least one topic."),
    "does_not_exist": ("{label}不存在。", "{label_en} does not exist."),
    "incorrect_type": ("{label}的取值无效。", "{label_en} has an invalid value."),
    "invalid_phone": (
        "联系电话格式不正确（手机号11位，或带区号的固定电话）。",
        "The phone number is not valid (an 11-digit mobile or a landline with area code).",
    ),
    "consent_required": (
        "须阅读并同意隐私声明后方可提交。",
        "You must accept the privacy notice to submit.",
    ),
    "organisation_required": (
        "以单位名义提出异议的，须填写单位名称。",
        "An objection by an organisation needs the organisation's name.",
    ),
    "too_many_files": ("证明材料最多{limit}个文件。", "At most {limit} evidence files."),
    "forbidden_characters": (
        "{label}含有不允许的字符（控制字符、零宽字符或文字方向控制字符），请删除后重新提交。",
        "{label_en} contains a character that is not allowed (a control, zero-width or "
        "text-direction character); remove it and submit again.",
    ),
    "line_break": (
        "{label}须写在一行内，不能含换行符或制表符。",
        "{label_en} must be on one line, without line breaks or tabs.",
    ),
}


class ApiError(exceptions.APIException):
    """An error with a stable code and both languages."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, code: str, message: str, message_en: str, *, field=None, status_code=None):
        super().__init__(message, code)
        self.code, self.message, self.message_en, self.field = code, message, message_en, field
        if status_code:
            self.status_code = status_code


def body_too_large(limit_bytes: int | None = None) -> ApiError:
    """413 for a body over its limit (1 MB of JSON or form fields; evidence files count apart)."""
    message, message_en = "提交内容过大", "The request body is too large"
    if limit_bytes is not None:
        size = f"{limit_bytes / (1024 * 1024):g}"
        message, message_en = f"{message}（不得超过{size}MB）", f"{message_en} (at most {size} MB)"
    return ApiError(
        "body_too_large",
        f"{message}。",
        f"{message_en}.",
        status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    )


def _request_error(exc: SuspiciousOperation) -> ApiError:
    """What Django refuses while reading a body (too big, too many fields or files), in our
    shape instead of its bare 400 page."""
    if isinstance(exc, RequestDataTooBig):
        return body_too_large()
    if isinstance(exc, TooManyFilesSent):
        return ApiError("too_many_files", "证明材料文件过多。", "Too many files.", field="evidence")
    if isinstance(exc, TooManyFieldsSent):
        return ApiError("too_many_fields", "提交的栏目过多。", "Too many fields in the request.")
    return ApiError("malformed", "请求内容无法解析。", "The request body is malformed.")


def field_label(field: str, labels=FIELD_LABELS) -> tuple[str, str]:
    """A field's name in Chinese and English: from ``labels`` (a view's own), else the objection
    API's, else the field's own name."""
    return labels.get(field) or FIELD_LABELS.get(field, (field, field))


def listed_problems(error: dict, labels=FIELD_LABELS) -> list[dict]:
    """What an error page lists of an error body's ``error``: each field problem once, with the
    field's name (``label``, ``label_en``), ``message`` and ``message_en``; for an error about one
    field without details, that error; nothing for an error about no field (its message says
    it all)."""
    details = error.get("details") or (
        [{"field": error["field"], "message": error["message"], "message_en": error["message_en"]}]
        if error.get("field")
        else []
    )
    problems: list[dict] = []
    for detail in details:
        label, label_en = field_label(detail.get("field") or "non_field_errors", labels)
        problem = {
            "label": label,
            "label_en": label_en,
            "message": detail["message"],
            "message_en": detail["message_en"],
        }
        if problem not in problems:
            problems.append(problem)
    return problems


def _field_detail(field: str, detail, labels=FIELD_LABELS) -> dict:
    code = getattr(detail, "code", "invalid")
    label, label_en = field_label(field, labels)
    zh, en = FIELD_MESSAGES.get(code, ("{label}有误：" + str(detail), "{label_en} is not valid."))
    params = {"label": label, "label_en": label_en.capitalize(), **getattr(detail, "params", {})}
    return {
        "code": code,
        "field": field,
        "message": zh.format(**params),
        "message_en": en.format(**params),
    }


def _flatten(errors, field=None, labels=FIELD_LABELS):
    if isinstance(errors, dict):
        for name, value in errors.items():
            # A list field's errors are keyed by position: report them under the list's name.
            yield from _flatten(value, field if isinstance(name, int) else name, labels)
    elif isinstance(errors, list):
        for value in errors:
            yield from _flatten(value, field, labels)
    else:
        yield _field_detail(field or "non_field_errors", errors, labels)


def _as_body(exc, labels=FIELD_LABELS) -> tuple[int, dict]:
    if isinstance(exc, SuspiciousOperation):
        exc = _request_error(exc)
    if isinstance(exc, ApiError):
        return exc.status_code, error_body(exc.code, exc.message, exc.message_en, exc.field)
    if isinstance(exc, exceptions.ValidationError):
        details = list(_flatten(exc.detail, labels=labels))
        first = details[0] if details else {}
        message = "；".join(d["message"] for d in details) or "提交的内容有误。"
        message_en = " ".join(d["message_en"] for d in details) or "The submission is not valid."
        return 400, error_body("invalid", message, message_en, first.get("field"), details)
    if isinstance(exc, exceptions.Throttled):
        wait = int(exc.wait or 60)
        return 429, error_body(
            "throttled",
            f"提交过于频繁，请{wait}秒后再试。",
            f"Too many requests; try again in {wait} seconds.",
        )
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return 415, error_body(
            "unsupported_media_type",
            "请以 JSON 或表单（multipart/form-data）提交。",
            "Send JSON or multipart/form-data.",
        )
    if isinstance(exc, exceptions.ParseError):
        return 400, error_body("malformed", "请求内容无法解析。", "The request body is malformed.")
    if isinstance(exc, Http404 | exceptions.NotFound):
        return 404, error_body("not_found", "未找到。", "Not found.")
    if isinstance(exc, exceptions.MethodNotAllowed):
        return 405, error_body("method_not_allowed", "不支持该请求方法。", "Method not allowed.")
    if isinstance(exc, exceptions.NotAcceptable):
        return 406, error_body("not_acceptable", "无法提供所要求的格式。", "Not acceptable.")
    if isinstance(exc, exceptions.APIException):
        return exc.status_code, error_body(
            "error", "请求无法处理。", "The request could not be handled."
        )
    return 0, {}


def exception_handler(exc, context):
    """DRF's exception handler (settings). A view may name its own fields through
    ``field_labels`` ({field: (Chinese, English)}), over the objection API's labels."""
    labels = getattr(context.get("view"), "field_labels", None) or FIELD_LABELS
    status_code, body = _as_body(exc, labels)
    if not status_code:
        return None
    response = Response(body, status=status_code)
    if isinstance(exc, exceptions.Throttled) and exc.wait:
        response["Retry-After"] = str(int(exc.wait))
    return response
