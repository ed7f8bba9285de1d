"""统计: the figures the statistics page, its charts and its data files show, from each notice's
facts. Plain typed functions, pure: facts in, figures out; nothing here reads a file, the
network or the clock.

A notice's facts (:func:`notice_facts`) are taken from the read API's answer when the notice is
fetched, and kept with its record between builds (:mod:`portal.notice_store`): an incremental
build computes the figures from what it holds in memory, without reading a notice page again.

What is counted (the page states it too, :data:`NOTES`):

- decisions: the items of the notices in force, by the month (Asia/Shanghai) their publicity
  window started; a corrected notice counts through its correction, a withdrawn one not at all;
- the grounds (A1–A5) and reasons (X1–X4 and the other reason codes) those items cite, by
  programme; codes and labels as the API gave them;
- objections received and upheld, on every notice (corrected and withdrawn ones too), by the
  month the notice's window started;
- corrections, by the month the correction notice's window started, and withdrawals, by the day
  (Asia/Shanghai) the notice was withdrawn;
- days from the window's close to finalisation: calendar days from the window's last day to the
  day the result was finalised (the day after the window counts 1), their median by the month of
  finalisation.
"""

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, NamedTuple

from .dates import LOCAL_TZ, instant

EXEMPTED = "exempted"
REJECTED = "rejected"
#: Notice states whose items are no longer in force (their correction, if any, counts instead).
NOT_IN_FORCE = frozenset({"corrected", "withdrawn"})
TOTAL_KEY = "total"
TOTAL_LABEL = "合计"

Number = int | float

NOTES = (
    "认定事项按决定公告公示开始日期（北京时间）所在月份统计；已更正的公告以更正公告为准，"
    "已撤回公告中的事项不计入。",
    "适用情形和不予认定理由按认定事项所引用的代码统计，一个事项引用多个代码的分别计数。",
    "异议按所涉公告的公示开始月份统计，包括已更正、已撤回的公告；“成立”指经调查核实异议成立。",
    "更正按更正公告的公示开始月份统计，撤回按撤回日期（北京时间）所在月份统计。",
    "确认用时为公示期最后一日至结果确认日相隔的日历天数（公示期满次日确认的计为1天），"
    "按结果确认月份取中位数。",
)


# --- a notice's facts ---------------------------------------------------------------------------


class ItemFacts(NamedTuple):
    """One decision item as the statistics see it (a tuple: tens of thousands are made)."""

    programme: str
    decision: str
    grounds: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class NoticeFacts:
    """What the statistics need of one notice: dates as Asia/Shanghai days (``YYYY-MM-DD``),
    its items, its objection counts and the labels of the codes it uses, as the API gave them."""

    start_date: str
    end_date: str
    state: str
    items: tuple[ItemFacts, ...] = ()
    finalised_on: str | None = None
    withdrawn_on: str | None = None
    is_correction: bool = False
    objections_received: int = 0
    objections_upheld: int = 0
    programmes: Mapping[str, str] = field(default_factory=dict)  # code → label
    clauses: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # code → (label, anchor)

    # What this notice adds to the figures, worked out once per notice: the resident builder
    # holds the facts of every notice (portal.statistics_pages.hold_facts) and reads these ahead
    # with them, so that a build adds up ten thousand small tallies instead of every item.

    @cached_property
    def decision_counts(self) -> tuple[int, int]:
        """(exempted, rejected) items."""
        decisions = [item.decision for item in self.items]
        return decisions.count(EXEMPTED), decisions.count(REJECTED)

    @cached_property
    def code_counts(self) -> dict[str, dict[tuple[str, str], int]]:
        """For "grounds" and "reasons": how often each (code, programme) is cited, in the order
        first cited."""
        tallies: dict[str, dict[tuple[str, str], int]] = {"grounds": {}, "reasons": {}}
        for item in self.items:
            for kind, tally in tallies.items():
                for code in getattr(item, kind):
                    key = (code, item.programme)
                    tally[key] = tally.get(key, 0) + 1
        return tallies

    def as_record(self) -> dict[str, Any]:
        """A plain, JSON-ready form, kept in the notice's record between builds."""
        return {
            "start": self.start_date,
            "end": self.end_date,
            "state": self.state,
            "finalised_on": self.finalised_on,
            "withdrawn_on": self.withdrawn_on,
            "correction": self.is_correction,
            "objections": [self.objections_received, self.objections_upheld],
            "items": [
                [item.programme, item.decision, list(item.grounds), list(item.reasons)]
                for item in self.items
            ],
            "programmes": dict(self.programmes),
            "clauses": {code: list(pair) for code, pair in self.clauses.items()},
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> "NoticeFacts":
        received, upheld = record["objections"]
        return cls(
            start_date=record["start"],
            end_date=record["end"],
            state=record["state"],
            items=tuple(
                ItemFacts(programme, decision, tuple(grounds), tuple(reasons))
                for programme, decision, grounds, reasons in record["items"]
            ),
            finalised_on=record["finalised_on"],
            withdrawn_on=record["withdrawn_on"],
            is_correction=record["correction"],
            objections_received=received,
            objections_upheld=upheld,
            programmes=record["programmes"],
            clauses={code: (label, anchor) for code, (label, anchor) in record["clauses"].items()},
        )


def local_day(value: str | None) -> str | None:
    """A timestamp (or a date) → its day in Asia/Shanghai, ``YYYY-MM-DD``; None for nothing."""
    moment = instant(value)
    return moment.astimezone(LOCAL_TZ).date().isoformat() if moment else None


def notice_facts(page: Mapping[str, Any]) -> NoticeFacts:
    """A notice's facts from the read API's answer for it (``/api/v3/notices/``)."""
    window = page["window"]
    programmes: dict[str, str] = {}
    clauses: dict[str, tuple[str, str]] = {}
    items = []
    for item in page.get("public_items") or []:
        programme = str(item.get("programme") or "")
        programmes.setdefault(programme, str(item.get("programme_label") or programme))
        cited = {"grounds": [], "reasons": []}
        for kind, codes in cited.items():
            for clause in item.get(kind) or []:
                code = str(clause["code"])
                codes.append(code)
                clauses.setdefault(
                    code, (str(clause.get("label") or ""), str(clause.get("anchor") or ""))
                )
        grounds, reasons = tuple(cited["grounds"]), tuple(cited["reasons"])
        items.append(ItemFacts(programme, str(item["decision"]), grounds, reasons))
    counts = page.get("objection_counts") or {}
    return NoticeFacts(
        start_date=window["start_date"],
        end_date=window["end_date"],
        state=window["state"],
        items=tuple(items),
        finalised_on=page.get("finalised_on") or None,
        withdrawn_on=local_day((page.get("withdrawal") or {}).get("withdrawn_at")),
        is_correction=bool(page.get("corrects_summary")),
        objections_received=int(counts.get("received") or 0),
        objections_upheld=int(counts.get("upheld") or 0),
        programmes=programmes,
        clauses=clauses,
    )


# --- figures ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A measure: its key (in the data files), its label, and whether the chart draws it."""

    key: str
    label: str
    charted: bool = True
    unit: str = ""  # when it is not the table's


@dataclass(frozen=True)
class Row:
    """A category (a month, a code) and its value in each column (None: nothing to measure)."""

    key: str
    label: str
    values: tuple[Number | None, ...]


@dataclass(frozen=True)
class Table:
    """One figure: rows by columns, with a total row, the unit its counts are in and the
    heading of its first column."""

    key: str
    title: str
    row_heading: str
    unit: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    total: Row | None = None

    def unit_of(self, column: Column) -> str:
        return column.unit or self.unit

    def column(self, key: str) -> tuple[Number | None, ...]:
        index = [column.key for column in self.columns].index(key)
        return tuple(row.values[index] for row in self.rows)

    @property
    def empty(self) -> bool:
        return not self.rows


@dataclass(frozen=True)
class Figures:
    decisions: Table
    grounds: Table
    reasons: Table
    objections: Table
    changes: Table
    finalisation: Table

    @property
    def tables(self) -> tuple[Table, ...]:
        return (
            self.decisions, self.grounds, self.reasons, self.objections, self.changes,
            self.finalisation,
        )  # fmt: skip


# --- months and medians -------------------------------------------------------------------------


def month_of(day: str) -> str:
    """``2026-01-05`` → ``2026-01``."""
    return day[:7]


def month_label(month: str) -> str:
    """``2026-01`` → ``2026年1月``."""
    year, number = month.split("-")
    return f"{int(year)}年{int(number)}月"


def months_between(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` (``YYYY-MM``), both included."""
    year, number = map(int, first.split("-"))
    end = tuple(map(int, last.split("-")))
    months = []
    while (year, number) <= end:
        months.append(f"{year:04d}-{number:02d}")
        year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    return months


def median(values: Sequence[Number]) -> Number | None:
    """The middle value (the mean of the two middle ones for an even count); None for none.
    A whole number is an int, a half a float (3.5)."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    value = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return int(value) if float(value).is_integer() else value


def days_between(first: str, last: str) -> int:
    return (date.fromisoformat(last) - date.fromisoformat(first)).days


def _by_month(counts: Mapping[str, Sequence[Number]], columns: Sequence[Column]) -> list[Row]:
    """One row per month from the first to the last that ``counts`` has (empty months as 0)."""
    if not counts:
        return []
    months = months_between(min(counts), max(counts))
    zero = (0,) * len(columns)
    return [Row(month, month_label(month), tuple(counts.get(month, zero))) for month in months]


def _total(rows: Sequence[Row], width: int) -> Row:
    sums = tuple(sum(row.values[i] or 0 for row in rows) for i in range(width))
    return Row(TOTAL_KEY, TOTAL_LABEL, sums)


# --- the figures --------------------------------------------------------------------------------


def in_force(notices: Iterable[NoticeFacts]) -> list[NoticeFacts]:
    """The notices whose items count: neither corrected nor withdrawn."""
    return [notice for notice in notices if notice.state not in NOT_IN_FORCE]


def decisions_by_month(notices: Sequence[NoticeFacts]) -> Table:
    columns = (Column(EXEMPTED, "予以免责"), Column(REJECTED, "不予认定"))
    counts: dict[str, list[int]] = {}
    for notice in in_force(notices):
        month = counts.setdefault(month_of(notice.start_date), [0, 0])
        exempted, rejected = notice.decision_counts
        month[0] += exempted
        month[1] += rejected
    rows = _by_month(counts, columns)
    return Table("decisions", "每月认定事项", "月份", "项", columns, tuple(rows),
                 _total(rows, len(columns)))  # fmt: skip


_ANCHOR_NUMBER = re.compile(r"\d+")
_PUBLIC_CODE = re.compile(r"^[A-Z][0-9]{1,2}$")


def is_public_code(code: str) -> bool:
    """A1…A5 and X1…X4 are the policy's own codes; the other reason codes are internal, shown
    by their label (as on the notice pages)."""
    return bool(_PUBLIC_CODE.match(code))


def _clause_order(code: str, anchor: str) -> tuple:
    """Codes in the policy's order: by their clause's anchor (``s2-2-1`` → 2, 2, 1), then code."""
    return (tuple(int(n) for n in _ANCHOR_NUMBER.findall(anchor)) or (999,), code)


def _codes_by_programme(notices: Sequence[NoticeFacts], kind: str, key: str, title: str) -> Table:
    """How often each code of ``kind`` ("grounds" or "reasons") is cited, by programme."""
    counts: dict[str, Counter] = defaultdict(Counter)  # code → programme → count
    programmes: dict[str, str] = {}
    clauses: dict[str, tuple[str, str]] = {}
    for notice in in_force(notices):
        for (code, programme), count in notice.code_counts[kind].items():
            counts[code][programme] += count
            if programme not in programmes:
                programmes[programme] = notice.programmes.get(programme, programme)
            if code not in clauses:
                clauses[code] = notice.clauses.get(code, ("", ""))
    per_programme = Counter()
    for by_programme in counts.values():
        per_programme.update(by_programme)
    # The programmes that cite most first (then by code): a stable order for the same counts.
    order = sorted(per_programme, key=lambda programme: (-per_programme[programme], programme))
    columns = tuple(Column(p, programmes[p]) for p in order)
    columns += (Column(TOTAL_KEY, TOTAL_LABEL, charted=False),)
    codes = sorted(counts, key=lambda code: _clause_order(code, clauses[code][1]))
    rows = []
    for code in codes:
        values = [counts[code][programme] for programme in order]
        label = clauses[code][0] or code
        shown = f"{code} {label}" if is_public_code(code) and label != code else label
        rows.append(Row(code, shown, (*values, sum(values))))
    return Table(key, title, "代码", "次", columns, tuple(rows), _total(rows, len(columns)))


def grounds_by_programme(notices: Sequence[NoticeFacts]) -> Table:
    return _codes_by_programme(notices, "grounds", "grounds", "适用情形（按计划类别）")


def reasons_by_programme(notices: Sequence[NoticeFacts]) -> Table:
    return _codes_by_programme(notices, "reasons", "reasons", "不予认定理由（按计划类别）")


def objections_by_month(notices: Sequence[NoticeFacts]) -> Table:
    columns = (Column("received", "收到异议"), Column("upheld", "异议成立"))
    counts: dict[str, list[int]] = {}
    for notice in notices:
        if notice.objections_received or notice.objections_upheld:
            month = counts.setdefault(month_of(notice.start_date), [0, 0])
            month[0] += notice.objections_received
            month[1] += notice.objections_upheld
    rows = _by_month(counts, columns)
    return Table("objections", "异议受理与成立", "月份", "件", columns, tuple(rows),
                 _total(rows, len(columns)))  # fmt: skip


def changes_by_month(notices: Sequence[NoticeFacts]) -> Table:
    columns = (Column("corrections", "更正公告"), Column("withdrawals", "撤回公告"))
    counts: dict[str, list[int]] = {}
    for notice in notices:
        if notice.is_correction:
            counts.setdefault(month_of(notice.start_date), [0, 0])[0] += 1
        if notice.withdrawn_on:
            counts.setdefault(month_of(notice.withdrawn_on), [0, 0])[1] += 1
    rows = _by_month(counts, columns)
    return Table("changes", "更正与撤回", "月份", "份", columns, tuple(rows),
                 _total(rows, len(columns)))  # fmt: skip


def finalisation_by_month(notices: Sequence[NoticeFacts]) -> Table:
    columns = (
        Column("finalised", "确认结果的公告", charted=False, unit="份"),
        Column("median_days", "确认用时中位数", unit="天"),
    )
    days: dict[str, list[int]] = defaultdict(list)
    for notice in notices:
        if notice.finalised_on:
            days[month_of(notice.finalised_on)].append(
                days_between(notice.end_date, notice.finalised_on)
            )
    rows = []
    if days:
        for month in months_between(min(days), max(days)):
            found = days.get(month, [])
            rows.append(Row(month, month_label(month), (len(found), median(found))))
    every = [value for values in days.values() for value in values]
    total = Row(TOTAL_KEY, "全部", (len(every), median(every)))
    return Table("finalisation", "公示期满至确认结果的用时", "确认月份", "天", columns,
                 tuple(rows), total)  # fmt: skip


def compute(notices: Iterable[NoticeFacts]) -> Figures:
    """Every figure, from the facts of every notice on the portal."""
    notices = list(notices)
    return Figures(
        decisions=decisions_by_month(notices),
        grounds=grounds_by_programme(notices),
        reasons=reasons_by_programme(notices),
        objections=objections_by_month(notices),
        changes=changes_by_month(notices),
        finalisation=finalisation_by_month(notices),
    )


def last_months(table: Table, count: int) -> Table:
    """The table's last ``count`` rows (months), with their own total."""
    rows = table.rows[-count:] if count else ()
    return Table(table.key, table.title, table.row_heading, table.unit, table.columns, rows,
                 _total(rows, len(table.columns)))  # fmt: skip


# --- the data files ---------------------------------------------------------------------------

# (name, 中文, English, 说明, description): one row per figure, category and measure.
DATA_COLUMNS = (
    ("figure", "统计项目代码", "Figure",
     "decisions 每月认定事项；grounds 适用情形；reasons 不予认定理由；"
     "objections 异议；changes 更正与撤回；finalisation 确认用时。",
     "decisions, grounds, reasons, objections, changes or finalisation."),
    ("figure_label", "统计项目", "Figure label", "统计项目的中文名称。",
     "The figure's name in Chinese."),
    ("category", "分类", "Category",
     "月份（YYYY-MM，北京时间）或适用情形、理由代码；合计行为 total。",
     "A month (YYYY-MM, Asia/Shanghai) or a grounds or reason code; 'total' for the total row."),
    ("category_label", "分类名称", "Category label", "月份或代码的中文名称。",
     "The month or code in Chinese."),
    ("measure", "指标代码", "Measure",
     "exempted、rejected、received、upheld、corrections、withdrawals、finalised、median_days，"
     "或计划类别代码（适用情形、理由按计划类别统计时），total 为合计。",
     "exempted, rejected, received, upheld, corrections, withdrawals, finalised, median_days, or "
     "a programme code (for codes by programme); total for the sum."),
    ("measure_label", "指标名称", "Measure label", "指标或计划类别的中文名称。",
     "The measure or programme in Chinese."),
    ("value", "数值", "Value", "计数，或天数的中位数（可能有一位小数）；无可统计的为空。",
     "A count, or a median of days (possibly with one decimal); empty when there is nothing to "
     "measure."),
)  # fmt: skip
DATA_COLUMN_NAMES = tuple(column[0] for column in DATA_COLUMNS)


def data_rows(figures: Figures) -> list[dict[str, Any]]:
    """Every number of every figure, one row each (total rows included), in the page's order."""
    rows = []
    for table in figures.tables:
        for row in (*table.rows, *([table.total] if table.total and table.rows else [])):
            for column, value in zip(table.columns, row.values, strict=True):
                rows.append({
                    "figure": table.key, "figure_label": table.title,
                    "category": row.key, "category_label": row.label,
                    "measure": column.key, "measure_label": column.label,
                    "value": value,
                })  # fmt: skip
    return rows
