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
from cms.submissions.rules import ObjectorType, idempotency_key_digest
from cms.submissions.serializers import CleanTextField, IdField, SubmissionSerializer

from .models import Objection
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


# What find_public_item loads: every column of the item and of its notice, as they are stored,
# and, for a request with an Idempotency-Key, of the objection already stored with that key.
_ITEM_FIELDS = [field.attname for field in DecisionItem._meta.concrete_fields]
_NOTICE_FIELDS = [field.attname for field in DecisionNoticePage._meta.concrete_fields]
_OBJECTION_FIELDS = [field.attname for field in Objection._meta.concrete_fields]
# An id no table holds, marking the parameter that find_public_item fills in.
_ID_MARK = 7_777_777_777_777_777
# A key digest no row holds (a digest is hexadecimal), marking the key's parameter.
_KEY_MARK = "key-digest-parameter"


@dataclass(frozen=True)
class ObjectionWithKey:
    """What the item's query found stored under one Idempotency-Key (set on the item as
    ``OBJECTION_WITH_KEY``): the objection, or None. ``key_digest`` says which key."""

    key_digest: str
    objection: Objection | None


# Set on the item found for a request with an Idempotency-Key (an ObjectionWithKey).
OBJECTION_WITH_KEY = "objection_with_key"


@dataclass(frozen=True)
class _CompiledLookup:
    sql: str
    params: tuple
    id_at: int  # where the id goes among params
    compiler: SQLCompiler
    converters: dict  # the columns' conversions, as the ORM makes them (dates on SQLite)
    keyed_sql: str  # the same, with the objection stored under a key (or NULLs) after the item
    keyed_params: tuple
    key_at: int  # where the key's digest goes among keyed_params
    keyed_converters: dict


_compiled_lookups: "weakref.WeakKeyDictionary[object, _CompiledLookup]" = (
    weakref.WeakKeyDictionary()
)


def _compiled(queryset: QuerySet, using: str, mark) -> tuple[SQLCompiler, str, list, int, dict]:
    """The compiler, SQL, parameters, position of ``mark`` among them, and converters of
    ``queryset`` (a ``values_list``)."""
    compiler = queryset.query.get_compiler(using=using)
    sql, params = compiler.as_sql()
    params = list(params)
    if params.count(mark) != 1:
        raise AssertionError("a lookup's parameter is not where it was expected")
    converters = compiler.get_converters([column for column, *_ in compiler.select])
    return compiler, sql, params, params.index(mark), converters


def _compiled_lookup(using: str) -> _CompiledLookup:
    """The SQL of ``public_items()`` for one id, compiled once per database connection object:
    compiling that query (two EXISTS, a join through the page tree) cost the ORM more than the
    rest of an objection's validation. Its keyed form joins to the item's row the objection
    stored under an Idempotency-Key, by the key's unique index: a retry is recognised in the
    query that finds the item, without a statement of its own."""
    connection = connections[using]
    if (compiled := _compiled_lookups.get(connection)) is None:
        items = (
            public_items()
            .filter(pk=_ID_MARK)
            .order_by()
            .values_list(
                *_ITEM_FIELDS,
                *(f"notice__{name}" for name in _NOTICE_FIELDS),
                NOTICE_CORRECTED,
            )
        )
        compiler, sql, params, id_at, converters = _compiled(items, using, _ID_MARK)
        stored = (
            Objection.objects.filter(idempotency_key_hash=_KEY_MARK)
            .order_by()
            .values_list(*_OBJECTION_FIELDS)
        )
        _, stored_sql, stored_params, key_at, stored_converters = _compiled(
            stored, using, _KEY_MARK
        )
        quote = connection.ops.quote_name
        # The item's row, or none; with the stored objection's columns, or NULLs.
        keyed_sql = (
            f"SELECT * FROM ({sql}) {quote('item')} "  # noqa: S608 (the ORM's SQL, quoted names)
            f"LEFT JOIN ({stored_sql}) {quote('stored')} ON 1 = 1"
        )
        width = len(compiler.select)
        keyed_converters = {
            **converters,
            **{width + at: conversion for at, conversion in stored_converters.items()},
        }
        compiled = _CompiledLookup(
            sql,
            tuple(params),
            id_at,
            compiler,
            converters,
            keyed_sql,
            (*params, *stored_params),
            len(params) + key_at,
            keyed_converters,
        )
        _compiled_lookups[connection] = compiled
    return compiled


def find_public_item(pk: int, idempotency_key: str | None = None) -> DecisionItem | None:
    """``public_items().get(pk=pk)``, or None: the same query, compiled once
    (:func:`_compiled_lookup`), its row made into the item and its notice as the ORM makes
    them. With an ``idempotency_key``, the same query also finds the objection stored under
    that key (``OBJECTION_WITH_KEY``); a request without one pays nothing for it."""
    using = router.db_for_read(DecisionItem)
    compiled = _compiled_lookup(using)
    if idempotency_key:
        key_digest = idempotency_key_digest(Objection.submission_kind, idempotency_key)
        sql, params = compiled.keyed_sql, list(compiled.keyed_params)
        params[compiled.key_at] = key_digest
        converters = compiled.keyed_converters
    else:
        sql, params, converters = compiled.sql, list(compiled.params), compiled.converters
    params[compiled.id_at] = pk
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if converters:
        rows = compiled.compiler.apply_converters(rows, converters)
    for row in rows:
        split = len(_ITEM_FIELDS)
        item = DecisionItem.from_db(using, _ITEM_FIELDS, row[:split])
        end = split + len(_NOTICE_FIELDS)
        item.notice = DecisionNoticePage.from_db(using, _NOTICE_FIELDS, row[split:end])
        setattr(item, NOTICE_CORRECTED, bool(row[end]))
        if idempotency_key:
            stored = row[end + 1 :]
            objection = None
            if stored[0] is not None:  # its id: NULL when no objection has the key
                objection = Objection.from_db(using, _OBJECTION_FIELDS, stored)
            setattr(item, OBJECTION_WITH_KEY, ObjectionWithKey(key_digest, objection))
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
