"""Validation of what the public submits, for every kind of submission. Text is normalised and
checked (cms.submissions.text), cleaned of markup with the project's one cleaner and kept as plain
text; every message comes out in Chinese and English through errors.py. What a field accepts is
stated in the OpenAPI document (lengths, patterns, enums), so that a client can check it before
sending."""

import copy
from collections.abc import Callable

from django.core.validators import RegexValidator
from django.db.models import Model, QuerySet
from django.http import QueryDict
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.cleaning import clean_text

from . import text
from .rules import PHONE_RE, ObjectorType, normalise_lookup_code, valid_phone

MAX_ID = 2**63 - 1
ONE_LINE_RULE = (
    "单行，不得含换行符、制表符、控制字符、零宽字符或文字方向控制字符；首尾空白自动去除。"
    "One line: no line break, tab, control, zero-width or bidi character; trimmed."
)
MULTILINE_RULE = (
    "可换行，不得含控制字符、零宽字符或文字方向控制字符；首尾空白自动去除。"
    "Line breaks allowed; no control, zero-width or bidi character; trimmed."
)


class PlainTextField(serializers.CharField):
    """Text as typed, one line unless ``multiline``: NFC, trimmed, and refused with a field error
    if it holds a control, zero-width or bidi character (or a line break, on one line). The
    pattern in the OpenAPI document says the same."""

    default_error_messages = {
        "forbidden_characters": "forbidden characters",
        "line_break": "line break",
    }

    def __init__(self, *, multiline: bool = False, **kwargs):
        self.multiline = multiline
        rule = MULTILINE_RULE if multiline else ONE_LINE_RULE
        kwargs["help_text"] = f"{kwargs['help_text']}。{rule}" if "help_text" in kwargs else rule
        super().__init__(**kwargs)
        # The rule in the OpenAPI document, as a pattern (to_internal_value enforces it). Where
        # blank is allowed, inside allOf: drf-spectacular would otherwise wrap the field in a
        # oneOf, and the portal's form reads maxLength at the field's top level.
        if self.allow_blank:
            pattern = {"pattern": text.pattern(multiline=multiline, optional=True)}
            extend_schema_field({"type": "string", "allOf": [pattern]})(self)
        else:
            pattern = text.pattern(multiline=multiline)
            self.validators.append(RegexValidator(pattern, code="forbidden_characters"))

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        self.check(value)
        value = text.normalise(self.clean(value), multiline=self.multiline)
        self.check(value)
        return value

    def check(self, value: str) -> None:
        if code := text.refusal(value, multiline=self.multiline):
            self.fail(code)

    def clean(self, value: str) -> str:
        return value


class CleanTextField(PlainTextField):
    """Plain text with any markup removed (entities decoded, then checked again). Text with
    neither ``<`` nor ``&`` holds no tag, comment or entity: the cleaner would give it back as
    it is (but for line breaks, which ``text.normalise`` writes as ``\\n`` either way), so it is
    not parsed."""

    def clean(self, value: str) -> str:
        return clean_text(value) if may_hold_markup(value) else value


def may_hold_markup(value: str) -> bool:
    return "<" in value or "&" in value


@extend_schema_field(
    {
        "type": "string",
        "maxLength": 40,
        "pattern": PHONE_RE.pattern,
    }
)
class PhoneField(PlainTextField):
    """A mainland mobile or a landline with area code (rules.valid_phone, which also takes spaces
    and brackets; the documented pattern is the plain form)."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not valid_phone(value):
            raise serializers.ValidationError("invalid phone", code="invalid_phone")
        return value


class PlainEmailField(serializers.EmailField):
    """An e-mail address, refusing the same hidden characters as any text."""

    default_error_messages = PlainTextField.default_error_messages

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if code := text.refusal(value, multiline=False):
            self.fail(code)
        return text.normalise(value, multiline=False)


@extend_schema_field({"type": "boolean", "enum": [True]})
class ConsentField(serializers.BooleanField):
    """Consent to the privacy notice: only ``true`` is accepted."""

    def to_internal_value(self, data):
        if super().to_internal_value(data) is not True:
            raise serializers.ValidationError("consent required", code="consent_required")
        return True


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdField(serializers.PrimaryKeyRelatedField):
    """The id of what a submission is about: a JSON integer (never a float, a string or a
    boolean); a form, whose values are all text, sends it as digits. An integer beyond any
    database's ids is an id that does not exist, as is the id of anything the public cannot see:
    ``visible`` gives, at each request, what it can see; ``find``, if given, finds one id among
    them (or None) more cheaply than ``visible().get(pk=…)``. ``find`` is given the request's
    Idempotency-Key too (the serializer's context, ``idempotency_key``), or None, so that the
    same query may find what was already submitted under that key."""

    def __init__(
        self,
        *,
        visible: Callable[[], QuerySet],
        find: Callable[[int, str | None], Model | None] | None = None,
        **kwargs,
    ):
        self.visible, self.find = visible, find
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet:
        return self.visible()

    def to_internal_value(self, data):
        form = isinstance(getattr(self.parent, "initial_data", None), QueryDict)
        if form and isinstance(data, str) and data.isascii() and data.isdigit():
            data = int(data)
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 0 < data <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        if self.find is None:
            return super().to_internal_value(data)
        if (found := self.find(data, self.context.get("idempotency_key"))) is None:
            self.fail("does_not_exist", pk_value=data)
        return found


class SubmissionSerializer(serializers.Serializer):
    """What every public submission asks of the person (real name and contact, consent) and the
    robots' trap field; subclasses add what it is about, the person's type and the text.
    ``type_field`` names the individual/organisation choice: an organisation must give its name."""

    type_field = "objector_type"

    def get_fields(self):
        """The declared fields, each copied shallowly. DRF deep-copies them for every serializer,
        building each field again from its arguments, so that a view may change a field for one
        request; no view here does, and ``bind`` gives each copy all it holds of its serializer."""
        return {name: copy.copy(field) for name, field in self._declared_fields.items()}

    real_name = CleanTextField(max_length=50, help_text="真实姓名（以单位名义提交的，填写经办人）")
    organisation = CleanTextField(
        max_length=200, required=False, allow_blank=True, default="",
        help_text="单位名称（以单位名义提交时必填）",
    )  # fmt: skip
    phone = PhoneField(max_length=40, help_text="手机号11位，或带区号的固定电话（可带分机号）")
    email = PlainEmailField(
        max_length=254,
        help_text="电子邮箱（答复发至此）；不得含控制字符、零宽字符或文字方向控制字符。"
        "No control, zero-width or bidi character.",
    )
    postal_address = CleanTextField(max_length=200, help_text="通信地址")
    consent = ConsentField(help_text="已阅读并同意隐私声明（须为 true）")
    website = serializers.CharField(
        required=False, allow_blank=True, default="", write_only=True, max_length=0,
        help_text="留空（防自动提交，人工填写者请勿填写；填写即不予受理）",
    )  # fmt: skip

    def validate(self, attrs):
        if attrs[self.type_field] == ObjectorType.ORGANISATION and not attrs.get("organisation"):
            raise serializers.ValidationError(
                {"organisation": serializers.ErrorDetail("required", code="organisation_required")}
            )
        return attrs


class StatusLookupSerializer(serializers.Serializer):
    receipt_number = PlainTextField(max_length=32, help_text="受理编号，如 YY20260303-7K3F9Q")
    lookup_code = PlainTextField(
        max_length=32, help_text="查询码（不区分大小写，忽略空格和连字符）"
    )

    def validate_lookup_code(self, value):
        return normalise_lookup_code(value)

    def validate_receipt_number(self, value):
        return value.strip().upper()


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    field = serializers.CharField(allow_null=True)
    message = serializers.CharField()
    message_en = serializers.CharField()


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    message_en = serializers.CharField()
    field = serializers.CharField(allow_null=True)
    details = ErrorDetailSerializer(many=True)


class ErrorSerializer(serializers.Serializer):
    error = ErrorBodySerializer()
