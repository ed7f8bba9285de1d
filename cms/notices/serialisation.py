"""The bulk read's rows, made from column values rather than page instances.

:meth:`DecisionNoticePage.public_data` (with its items and cited clauses) is what a notice
publishes; this module gives the same dicts, key for key and in the same order, for a page of
notices at once: one query for the notices' columns, one for their items, one for their live
corrections, one for their objection counts. What a page of notices shares is worked out once
per call: each cited clause, each window's dates and phase, each set of programmes' handling
body. ``tests/cms/notices/test_serialisation.py`` holds it to the model's own dicts.

The queries are shaped for deep pages of the list: the columns are read for the page's notices
only (the offset is walked over their ids alone, not over every earlier notice's columns and
corrected notice), and the objection counts come from the objections' side, by their notice.
"""

from collections.abc import Iterable
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from django.db.models import Count, Q, QuerySet

from cms.domain.dates import local_date
from cms.domain.errors import GuardError
from cms.domain.programmes import handling_body_for
from cms.domain.windows import PublicityWindow, WindowPhase

from . import rules
from .items import DecisionItem
from .models import DecisionNoticePage
from .publication import (
    UPHELD_OUTCOME,
    cited_clause,
    item_public_data,
    no_objections,
    record_item,
)

NOTICE_COLUMNS = (
    "pk", "title", "slug", "first_published_at", "last_published_at", "notice_number",
    "introduction", "publicity_start", "publicity_days", "contact_office", "contact_phone",
    "contact_email", "contact_address", "corrects_id", "corrects__title", "corrects__slug",
    "corrects__notice_number", "correction_note", "finalised_at", "withdrawn_at",
    "withdrawal_reason", "recorded_state", "live",
)  # fmt: skip
ITEM_COLUMNS = (
    "pk", "notice_id", "project_code", "project_name", "programme", "undertaking_unit",
    "project_leader", "decision", "grounds", "reasons", "explanation",
)  # fmt: skip
CORRECTION_COLUMNS = ("pk", "title", "slug", "notice_number", "corrects_id")


@lru_cache(maxsize=8192)
def window_dates(start: date, days: int) -> tuple[PublicityWindow, dict[str, Any]]:
    """A window and what of it does not depend on the time: its dates and labels."""
    window = PublicityWindow(start, days)
    return window, {
        "start_date": window.start_date.isoformat(),
        "end_date": window.end_date.isoformat(),
        "opens_at": window.opens_at.isoformat(),
        "closes_at": window.closes_at.isoformat(),
        "label": window.label,
        "label_en": window.label_en,
    }


def notice_rows(notices: QuerySet, lookup: dict[str, Any], now: datetime) -> list[dict[str, Any]]:
    """Each live notice of the queryset ``notices`` (of ``api.live_notices``, sliced or
    filtered) as ``public_data`` gives it, with its ``objection_counts``; four queries."""
    page = DecisionNoticePage.objects.filter(pk__in=notices.values("pk"))
    if notices.query.order_by:
        page = page.order_by(*notices.query.order_by)
    rows = list(page.values_list(*NOTICE_COLUMNS, named=True))
    if not rows:
        return []
    return _PageOfNotices(rows, lookup, now).dicts()


def objection_tallies(ids: list[int]) -> dict[int, dict[str, int]]:
    """:func:`~.publication.objection_counts` of the notices ``ids``, read from the objections
    by their notice (an index lookup per notice; joined from the notices, PostgreSQL scanned
    every objection for each page)."""
    objection = DecisionNoticePage._meta.get_field("objections").related_model
    rows = (
        objection._base_manager.filter(notice_id__in=ids)
        .order_by()
        .values("notice_id")
        .annotate(received=Count("pk"), upheld=Count("pk", filter=Q(outcome=UPHELD_OUTCOME)))
    )
    return {
        row["notice_id"]: {"received": row["received"], "upheld": row["upheld"]} for row in rows
    }


class _PageOfNotices:
    def __init__(self, rows: list, lookup: dict[str, Any], now: datetime):
        self.rows, self.lookup, self.now = rows, lookup, now
        self.now_text = now.isoformat()
        ids = [row.pk for row in rows]
        self.items: dict[int, list] = {pk: [] for pk in ids}
        items = DecisionItem.objects.filter(notice_id__in=ids).order_by("sort_order", "pk")
        for item in items.values_list(*ITEM_COLUMNS, named=True):
            self.items[item.notice_id].append(item)
        self.corrections: dict[int, list[dict[str, Any]]] = {pk: [] for pk in ids}
        live = DecisionNoticePage.objects.filter(live=True, corrects_id__in=ids)  # by path
        for pk, title, slug, number, corrects_id in live.values_list(*CORRECTION_COLUMNS):
            summary = {"id": pk, "title": title, "slug": slug, "notice_number": number}
            self.corrections[corrects_id].append(summary)
        self.tallies = objection_tallies(ids)
        self.clauses: dict[str, dict[str, Any]] = {}
        self.phases: dict[tuple[date, int], tuple[WindowPhase, int]] = {}
        self.bodies: dict[frozenset[str], dict[str, str] | None] = {}

    def dicts(self) -> list[dict[str, Any]]:
        return [self.notice(row) for row in self.rows]

    def notice(self, row) -> dict[str, Any]:
        items = self.items[row.pk]
        corrections = self.corrections[row.pk]
        window, dates = window_dates(row.publicity_start, row.publicity_days)
        finalised_on = local_date(row.finalised_at).isoformat() if row.finalised_at else None
        corrects = (
            {
                "id": row.corrects_id,
                "title": row.corrects__title,
                "slug": row.corrects__slug,
                "notice_number": row.corrects__notice_number,
            }
            if row.corrects_id
            else None
        )
        return {
            "id": row.pk,
            "title": row.title,
            "slug": row.slug,
            "first_published_at": row.first_published_at,
            "last_published_at": row.last_published_at,
            "notice_number": row.notice_number,
            "introduction": row.introduction,
            "window": self.window(row, window, dates, corrected=bool(corrections)),
            "handling_body": self.handling_body(item.programme for item in items),
            "objection_contact": {
                "office": row.contact_office,
                "phone": row.contact_phone,
                "email": row.contact_email,
                "address": row.contact_address,
            },
            "public_items": [self.public_item(item) for item in items],
            "corrects_summary": corrects,
            "correction_note": row.correction_note,
            "corrected_by_summary": [dict(summary) for summary in corrections],
            "withdrawal": (
                {"withdrawn_at": row.withdrawn_at.isoformat(), "reason": row.withdrawal_reason}
                if row.withdrawn_at is not None
                else None
            ),
            "finalised_on": finalised_on,
            "record_data": {
                "notice_number": row.notice_number,
                "title": row.title,
                "window_start": dates["start_date"],
                "window_end": dates["end_date"],
                "state": row.recorded_state,
                "corrects": row.corrects__notice_number if row.corrects_id else None,
                "correction_note": row.correction_note,
                "withdrawal_reason": row.withdrawal_reason if row.withdrawn_at else None,
                "finalised_on": finalised_on,
                "items": [record_item(item) for item in items],
            },
            "objection_counts": self.tallies.get(row.pk) or no_objections(),
        }

    def window(
        self, row, window: PublicityWindow, dates: dict[str, Any], *, corrected: bool
    ) -> dict[str, Any]:
        key = (row.publicity_start, row.publicity_days)
        if key not in self.phases:
            self.phases[key] = (window.phase(self.now), window.days_left(self.now))
        phase, days_left = self.phases[key]
        facts = rules.NoticeFacts(
            # Rows are live notices: approved (a live page was published), never in review.
            approved=bool(row.live or row.first_published_at),
            window=window,
            finalised=row.finalised_at is not None,
            corrected=corrected,
            withdrawn=row.withdrawn_at is not None,
        )
        state = rules.state_at(facts, self.now)
        return {
            "start_date": dates["start_date"],
            "end_date": dates["end_date"],
            "opens_at": dates["opens_at"],
            "closes_at": dates["closes_at"],
            "days": window.days,
            "phase": phase.value,
            "days_left": days_left,
            "label": dates["label"],
            "label_en": dates["label_en"],
            "state": state.value,
            "state_label": state.label,
            "computed_at": self.now_text,
        }

    def handling_body(self, programmes: Iterable[str]) -> dict[str, str] | None:
        key = frozenset(programmes)
        if key not in self.bodies:
            try:
                body = handling_body_for(key)
            except GuardError:
                self.bodies[key] = None
            else:
                labels = {"label": body.label, "label_en": body.label_en}
                self.bodies[key] = {"code": body.value, **labels}
        found = self.bodies[key]
        return dict(found) if found is not None else None

    def cited(self, code: str) -> dict[str, Any]:
        if code not in self.clauses:
            self.clauses[code] = cited_clause(code, self.lookup)
        return dict(self.clauses[code])

    def public_item(self, item) -> dict[str, Any]:
        return item_public_data(item, self.lookup, cite=self.cited)
