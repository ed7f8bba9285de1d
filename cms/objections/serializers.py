"""Validation of what the public submits. Text is cleaned with the project's one cleaner and
kept as plain text; every message comes out in Chinese and English through errors.py."""

from django.conf import settings
from django.http import QueryDict
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cms.notices.models import DecisionItem
from portal.cleaning import clean_text

from .rules import ObjectionStatus, ObjectorType, Outcome, normalise_lookup_code, valid_phone


class CleanTextField(serializers.CharField):
    def to_internal_value(self, data):
        return super().to_internal_value(clean_text(str(data)).strip())


class IdField(serializers.PrimaryKeyRelatedField):
    """The id of what a submission is about: a JSON integer (never a float, a string or a
    boolean); a form, whose values are all text, sends it as digits. An integer beyond any
    database's ids is an id that does not exist."""

    def to_internal_value(self, data):
        form = isinstance(getattr(self.parent, "initial_data", None), QueryDict)
        if form and isinstance(data, str) and data.isascii() and data.isdigit():
            data = int(data)
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 0 < data < 2**63:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


@extend_schema_field(
    {
        "type": "array",
        "items": {
            "type": "string",
            "format": "binary",
            "maxLength": settings.OBJECTION_MAX_FILE_BYTES,
        },
        "maxItems": settings.OBJECTION_MAX_FILES,
        "description": "证明材料：PDF、JPEG、PNG 或 OFD（按内容识别）。"
        "Evidence files, judged by content.",
    }
)
class EvidenceField(serializers.ListField):
    """Documents the evidence files in the schema. The view reads and checks them (count, size,
    type) from the uploaded files; this field takes nothing, so the empty part a browser sends
    for a file input left blank is not an error."""

    child = serializers.FileField()

    def get_value(self, dictionary):
        return serializers.empty


class SubmissionSerializer(serializers.Serializer):
    """What every public submission asks of the person (real name and contact, consent) and the
    robots' trap field; subclasses add what it is about, the person's type and the text.
    ``type_field`` names the individual/organisation choice: an organisation must give its name."""

    type_field = "objector_type"

    real_name = CleanTextField(max_length=50, help_text="真实姓名（以单位名义提交的，填写经办人）")
    organisation = CleanTextField(max_length=200, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=40)
    email = serializers.EmailField(max_length=254)
    postal_address = CleanTextField(max_length=200)
    consent = serializers.BooleanField(help_text="已阅读并同意隐私声明")
    website = serializers.CharField(
        required=False, allow_blank=True, default="", write_only=True,
        help_text="留空（防自动提交，人工填写者请勿填写）",
    )  # fmt: skip

    def validate_phone(self, value):
        if not valid_phone(value):
            raise serializers.ValidationError("invalid phone", code="invalid_phone")
        return value.strip()

    def validate_consent(self, value):
        if value is not True:
            raise serializers.ValidationError("consent required", code="consent_required")
        return value

    def validate(self, attrs):
        if attrs[self.type_field] == ObjectorType.ORGANISATION and not attrs.get("organisation"):
            raise serializers.ValidationError(
                {"organisation": serializers.ErrorDetail("required", code="organisation_required")}
            )
        return attrs


class ObjectionCreateSerializer(SubmissionSerializer):
    item = IdField(
        queryset=DecisionItem.objects.select_related("notice"),
        help_text="异议所针对的认定事项 ID（门户页面表单中提供）。",
    )
    objector_type = serializers.ChoiceField(choices=ObjectorType.choices())
    content = CleanTextField(
        min_length=20, max_length=settings.OBJECTION_MAX_CONTENT_CHARS, help_text="事实和理由"
    )
    evidence = EvidenceField(required=False, write_only=True)


class ReceiptSerializer(serializers.Serializer):
    receipt_number = serializers.CharField()
    lookup_code = serializers.CharField(help_text="查询码：仅此一次显示，请妥善保存。")
    status = serializers.ChoiceField(choices=ObjectionStatus.choices())
    status_label = serializers.CharField()
    notice_number = serializers.CharField()
    project_code = serializers.CharField()
    submitted_at = serializers.DateTimeField()


class StatusLookupSerializer(serializers.Serializer):
    receipt_number = serializers.CharField(max_length=32)
    lookup_code = serializers.CharField(max_length=32)

    def validate_lookup_code(self, value):
        return normalise_lookup_code(value)

    def validate_receipt_number(self, value):
        return value.strip().upper()


class StatusSerializer(serializers.Serializer):
    receipt_number = serializers.CharField()
    status = serializers.ChoiceField(choices=ObjectionStatus.choices())
    status_label = serializers.CharField()
    outcome = serializers.ChoiceField(choices=Outcome.choices(), allow_blank=True)
    outcome_label = serializers.CharField(allow_blank=True)
    answer = serializers.CharField(allow_blank=True, help_text="调查处理意见")
    answered_at = serializers.DateTimeField(allow_null=True)
    notice_number = serializers.CharField()
    project_code = serializers.CharField()


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
