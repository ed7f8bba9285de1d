"""Validation of objections: the person, consent and trap field, and the text rules, are every
public submission's (cms.submissions.serializers); here what an objection is about, its evidence
files, and what its receipt and status show."""

import weakref
from dataclasses import dataclass

from django.conf import settings
from django.db import connections, router
from django.db.models import Exists, F, OuterRef, QuerySet
from django.db.models.functions import Length, Substr
from django.db.models.sql.compiler import SQLCompiler
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from wagtail.models import PageViewRestriction

from cms.notices.models import DecisionItem, DecisionNoticePage
from cms.submissions.rules import ObjectorType
from cms.submissions.serializers import CleanTextField, IdField, SubmissionSerializer

from .rules import ObjectionStatus, Outcome

# Set on each item of ``public_items()``: whether its notice has a live correction.
NOTICE_CORRECTED = "notice_has_live_correction"


def public_items() -> QuerySet:
    """Decision items the public can see: those of live notices no view restriction covers (on
    the notice or on a page above it), each with its notice and whether that notice has a live
    correction (``NOTICE_CORRECTED``), all the state check needs. One query: Wagtail's
    ``public()`` reads every restriction first."""
    covering = PageViewRestriction.objects.annotate(
        start=Substr(OuterRef("notice__path"), 1, Length("page__path"))
    ).filter(start=F("page__path"))
    live_correction = DecisionNoticePage.objects.filter(corrects=OuterRef("notice"), live=True)
    return (
        DecisionItem.objects.filter(notice__live=True)
        .exclude(Exists(covering))
        .annotate(**{NOTICE_CORRECTED: Exists(live_correction)})
        .select_related("notice")
    )


# What find_public_item loads: every column of the item and of its notice, as they are stored.
_ITEM_FIELDS = [field.attname for field in DecisionItem._meta.concrete_fields]
_NOTICE_FIELDS = [field.attname for field in DecisionNoticePage._meta.concrete_fields]
# An id no table holds, marking the parameter that find_public_item fills in.
_ID_MARK = 7_777_777_777_777_777


@dataclass(frozen=True)
class _CompiledLookup:
    sql: str
    params: tuple
    id_at: int  # where the id goes among params
    compiler: SQLCompiler
    converters: dict  # the columns' conversions, as the ORM makes them (dates on SQLite)


_compiled_lookups: "weakref.WeakKeyDictionary[object, _CompiledLookup]" = (
    weakref.WeakKeyDictionary()
)


def _compiled_lookup(using: str) -> _CompiledLookup:
    """The SQL of ``public_items()`` for one id, compiled once per database connection object:
    compiling that query (two EXISTS, a join through the page tree) cost the ORM more than the
    rest of an objection's validation."""
    connection = connections[using]
    if (compiled := _compiled_lookups.get(connection)) is None:
        queryset = (
            public_items()
            .filter(pk=_ID_MARK)
            .order_by()
            .values_list(
                *_ITEM_FIELDS,
                *(f"notice__{name}" for name in _NOTICE_FIELDS),
                NOTICE_CORRECTED,
            )
        )
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        if list(params).count(_ID_MARK) != 1:
            raise AssertionError("the item lookup's id parameter is not where it was expected")
        converters = compiler.get_converters([column for column, *_ in compiler.select])
        compiled = _CompiledLookup(
            sql, tuple(params), list(params).index(_ID_MARK), compiler, converters
        )
        _compiled_lookups[connection] = compiled
    return compiled


def find_public_item(pk: int) -> DecisionItem | None:
    """``public_items().get(pk=pk)``, or None: the same query, compiled once
    (:func:`_compiled_lookup`), its row made into the item and its notice as the ORM makes
    them."""
    using = router.db_for_read(DecisionItem)
    compiled = _compiled_lookup(using)
    params = list(compiled.params)
    params[compiled.id_at] = pk
    with connections[using].cursor() as cursor:
        cursor.execute(compiled.sql, params)
        rows = cursor.fetchall()
    if compiled.converters:
        rows = compiled.compiler.apply_converters(rows, compiled.converters)
    for row in rows:
        split = len(_ITEM_FIELDS)
        item = DecisionItem.from_db(using, _ITEM_FIELDS, row[:split])
        notice_values = row[split : split + len(_NOTICE_FIELDS)]
        item.notice = DecisionNoticePage.from_db(using, _NOTICE_FIELDS, notice_values)
        setattr(item, NOTICE_CORRECTED, bool(row[-1]))
        return item
    return None


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


class ObjectionCreateSerializer(SubmissionSerializer):
    item = IdField(
        visible=public_items,
        find=find_public_item,
        help_text="异议所针对的认定事项 ID（门户页面表单中提供）。",
    )
    objector_type = serializers.ChoiceField(choices=ObjectorType.choices())
    content = CleanTextField(
        multiline=True,
        min_length=20,
        max_length=settings.OBJECTION_MAX_CONTENT_CHARS,
        help_text="事实和理由",
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
