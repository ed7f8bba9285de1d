"""The statistics page (统计, ``statistics/``) as a Pelican source, and the small chart the home
page shows: made by the exporter from the notices' records (:mod:`portal.notice_store`), with
their charts drawn into the source (:mod:`portal.charts`).

The source holds the figures, their tables and charts and nothing else: no date of the build,
no count of pages. Its bytes change only when the figures do, and an incremental build renders
the page only then (:mod:`portal.render` renders a source whose hash changed). The open data step
writes ``data/statistics.json`` and ``data/statistics.csv`` from the same source
(:func:`portal.opendata.write_site_outputs`).
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from . import warm
from .charts import HEIGHT, Chart, draw, value_text
from .dates import EPOCH_ISO
from .sitewide import STATISTICS_TEMPLATE
from .sources import page_source, source_path
from .statistics import (
    NOTES,
    Figures,
    NoticeFacts,
    Table,
    compute,
    data_rows,
    last_months,
)
from .urls import STATISTICS_CSV, STATISTICS_JSON, STATISTICS_URL

TEMPLATE = STATISTICS_TEMPLATE
TITLE = "统计数据"
HOME_MONTHS = 12
#: How each figure is drawn: stacked bars for parts of a whole, side by side for two measures,
#: horizontal bars (stacked by programme) for the codes. Wide ones keep their table below.
KINDS = {
    "decisions": ("stacked", False),
    "grounds": ("horizontal", True),
    "reasons": ("horizontal", True),
    "objections": ("bar", False),
    "changes": ("bar", False),
    "finalisation": ("bar", False),
}
EMPTY = {
    "decisions": "暂无认定事项。",
    "grounds": "暂无引用适用情形的事项。",
    "reasons": "暂无引用不予认定理由的事项。",
    "objections": "暂未收到异议。",
    "changes": "暂无更正或撤回的公告。",
    "finalisation": "暂无已确认结果的公告。",
}


@dataclass(frozen=True)
class StatisticsExport:
    sources: dict[str, dict[str, Any]]  # the page's source, by its path
    home: dict[str, Any]  # what the home page shows: the last months' chart and the link


# In the resident builder (portal.warm): each record's facts as read, by the id of the record's
# "facts" mapping, which a build's child shares with the builder for every notice unchanged.
_held_facts: dict[int, tuple[Mapping[str, Any], NoticeFacts]] = {}


def facts_of(records: Iterable[Mapping[str, Any]]) -> list[NoticeFacts]:
    """The facts kept in each notice's record (``notice_store.notice_record``)."""
    if not warm.enabled():
        return [NoticeFacts.from_record(r["facts"]) for r in records if "facts" in r]
    return [_facts(kept)[1] for r in records if (kept := r.get("facts")) is not None]


def hold_facts(records: Iterable[Mapping[str, Any]]) -> None:
    """Reads ahead, in the builder, the facts of the notices' state it holds (and only those),
    with what each adds to the figures; when they changed, draws the figures' charts too, so
    that a build redraws only those its changes touch."""
    held = {id(kept): _facts(kept) for r in records if (kept := r.get("facts")) is not None}
    changed = held.keys() != _held_facts.keys()
    _held_facts.clear()
    _held_facts.update(held)
    if changed:
        for _, facts in held.values():
            facts.decision_counts, facts.code_counts  # noqa: B018  (worked out once, here)
        figures = compute(facts for _, facts in held.values())
        statistics_source(figures, EPOCH_ISO)
        home_chart(figures)


def _facts(kept: Mapping[str, Any]) -> tuple[Mapping[str, Any], NoticeFacts]:
    """The facts read from a record's ``kept`` mapping: those held for that very mapping, or
    read now."""
    held = _held_facts.get(id(kept))
    return held if held is not None and held[0] is kept else (kept, NoticeFacts.from_record(kept))


def collect(
    records: Iterable[Mapping[str, Any]], index: Mapping[str, Any] | None
) -> StatisticsExport:
    """The statistics page and the home page's chart, from every notice's record."""
    figures = compute(facts_of(records))
    date = (index or {}).get("meta", {}).get("first_published_at") or EPOCH_ISO
    source = statistics_source(figures, date)
    return StatisticsExport({source_path(STATISTICS_URL): source}, home_chart(figures))


# --- words ------------------------------------------------------------------------------------


def cell(value: Any) -> str:
    """A number as the tables show it; "无" where there is nothing to measure."""
    return "无" if value is None else value_text(value)


def _span(table: Table) -> str:
    first, last = table.rows[0].label, table.rows[-1].label
    return first if first == last else f"{first}至{last}"


def _by_month(table: Table) -> bool:
    return table.row_heading.endswith("月份")


def caption(table: Table) -> str:
    if table.empty:
        return table.title
    return f"{table.title}（{_span(table)}）" if _by_month(table) else table.title


def describe(table: Table) -> str:
    """The chart's text alternative: what it covers, its totals and its peak."""
    charted = [(i, c) for i, c in enumerate(table.columns) if c.charted]
    parts = [
        f"{table.columns[i].label}{cell(table.total.values[i])}{table.unit_of(table.columns[i])}"
        for i in range(len(table.columns))
    ]
    scope = f"{_span(table)}，按月统计" if _by_month(table) else f"共{len(table.rows)}项代码"
    text = f"{table.title}：{scope}。{table.total.label}：{'，'.join(parts)}。"
    first, column = charted[0]
    peak = max(table.rows, key=lambda row: row.values[first] or 0)
    if peak.values[first]:
        text += (
            f"{column.label}最多的是{peak.label}（{cell(peak.values[first])}"
            f"{table.unit_of(column)}）。"
        )
    return text + "各项数字见本页的表格。"


def describe_months(table: Table) -> str:
    """Every month's numbers in words: the home page's chart has no table beside it."""
    months = [
        row.label
        + "："
        + "，".join(
            f"{column.label}{cell(value)}{table.unit_of(column)}"
            for column, value in zip(table.columns, row.values, strict=True)
        )
        for row in table.rows
    ]
    return f"{table.title}，{_span(table)}。" + "；".join(months) + "。"


# --- the page ---------------------------------------------------------------------------------


def _table_view(table: Table) -> dict[str, Any]:
    def row(r):
        return {"label": r.label, "cells": [cell(v) for v in r.values]}

    return {
        "caption": caption(table),
        "caption_id": f"stat-{table.key}-caption",
        "row_heading": table.row_heading,
        "columns": [f"{c.label}（{table.unit_of(c)}）" for c in table.columns],
        "rows": [row(r) for r in table.rows],
        "total": row(table.total) if table.total and table.rows else None,
    }


def figure_view(table: Table) -> dict[str, Any]:
    kind, wide = KINDS[table.key]
    chart = ""
    if not table.empty:
        height = HEIGHT
        if kind == "horizontal":  # a bar of ~24 units a code, and room for the legend
            series = sum(1 for column in table.columns if column.charted)
            height = max(HEIGHT, 80 + 24 * len(table.rows) + 24 * math.ceil(series / 3))
        chart = draw(
            Chart(f"chart-{table.key}", caption(table), describe(table), kind, height=height),
            table,
        )
    return {
        "key": table.key,
        "heading_id": f"stat-{table.key}-h",
        "title": table.title,
        "wide": wide,
        "chart": chart,
        "empty": EMPTY[table.key] if table.empty else "",
        "table": _table_view(table),
    }


def _summary(figures: Figures) -> list[dict[str, str]]:
    decisions, objections, changes = figures.decisions, figures.objections, figures.changes
    finalisation = figures.finalisation
    exempted, rejected = decisions.total.values
    received, upheld = objections.total.values
    corrections, withdrawals = changes.total.values
    _, days = finalisation.total.values
    return [
        {"label": "认定事项", "value": f"{exempted + rejected}项"},
        {"label": "予以免责", "value": f"{exempted}项"},
        {"label": "不予认定", "value": f"{rejected}项"},
        {"label": "收到异议", "value": f"{received}件"},
        {"label": "异议成立", "value": f"{upheld}件"},
        {"label": "更正公告", "value": f"{corrections}份"},
        {"label": "撤回公告", "value": f"{withdrawals}份"},
        {"label": "确认用时中位数", "value": "无" if days is None else f"{cell(days)}天"},
    ]


def statistics_source(figures: Figures, date: str) -> dict[str, Any]:
    metadata = {"title": TITLE, "slug": "statistics", "template": TEMPLATE,
                "url": STATISTICS_URL, "date": date}  # fmt: skip
    cms = {
        "summary": _summary(figures),
        "figures": [figure_view(table) for table in figures.tables],
        "notes": list(NOTES),
        "files": [
            {"path": STATISTICS_CSV, "format": "CSV"},
            {"path": STATISTICS_JSON, "format": "JSON"},
        ],
        # What data/statistics.json and .csv hold (portal.opendata).
        "data": {
            "figures": [{"key": t.key, "title": t.title} for t in figures.tables],
            "rows": data_rows(figures),
        },
    }
    return page_source(metadata, cms)


# --- the home page's chart ----------------------------------------------------------------------


def home_chart(figures: Figures) -> dict[str, Any]:
    """The decisions of the last :data:`HOME_MONTHS` months (up to the last month with any), as
    the home page shows them, with the link to the statistics page."""
    table = last_months(figures.decisions, HOME_MONTHS)
    chart = title = ""
    if not table.empty:
        title = f"近{HOME_MONTHS}个月认定事项（{_span(table)}）"
        chart = draw(Chart("chart-home-decisions", title, describe_months(table), "stacked"), table)
    return {"url": STATISTICS_URL, "chart": chart, "caption": title, "months": len(table.rows)}
