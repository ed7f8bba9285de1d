"""Domain rules for 科技创新容错免责 decision notices: plain Python, no Django.

Clause codes, decisions, programmes, the 7-day publicity window (Asia/Shanghai), notice
states and transitions, and the guards that editors and API clients run into.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import Final
from zoneinfo import ZoneInfo

# fmt: off
__all__ = [
    "ALLOWED_TRANSITIONS", "CLAUSES", "DEFAULT_PUBLICITY_DAYS", "EXCLUSIONS", "GROUNDS",
    "MESSAGES", "MIN_PANEL_SIZE", "PUBLICITY_TZ", "REJECTION_REASONS", "Clause", "Decision",
    "GuardError", "HandlingBody", "ItemFacts", "LabelledEnum", "NoticeFacts", "NoticeState",
    "Programme", "PublicityWindow", "WindowPhase", "check_finalise", "check_item", "check_items",
    "check_live_throughout", "check_objection", "check_publish_start", "check_single_correction",
    "check_transition", "chinese_numeral_to_int",
    "clause_anchor", "ensure_item", "format_date_en", "format_date_zh", "get_clause",
    "get_exclusion", "get_ground", "get_reason", "handling_body_for", "int_to_chinese_numeral",
    "local_date", "state_at",
]
# fmt: on

PUBLICITY_TZ: Final = ZoneInfo("Asia/Shanghai")
DEFAULT_PUBLICITY_DAYS: Final = 7
MIN_PANEL_SIZE: Final = 5

# Guard messages by code: (Chinese, English) templates, filled with str.format(**values).
# fmt: off
MESSAGES: Final[Mapping[str, tuple[str, str]]] = MappingProxyType({
    "unknown_code": ("未知的{kind}代码：{code}。", "unknown {kind_en} code: {code}."),
    "no_items": ("公告至少须包含一个认定事项。", "A notice needs at least one decision item."),
    "mixed_handling_bodies": (
        "省基础公益研究专项的事项由省自然科学基金委员会办公室办理，不能与其他计划的事项编入同一公告。",
        "Basic public-welfare items are handled by the foundation committee office and cannot "
        "share a notice with items of other programmes."),
    "transition_not_allowed": ("公告不能从“{current}”变为“{target}”。",
                               "A notice cannot go from “{current_en}” to “{target_en}”."),
    "rejection_needs_reason": ("不予认定须至少选择一项理由。",
                               "a rejection needs at least one reason code."),
    "rejection_needs_explanation": ("不予认定须填写理由说明。",
                                    "a rejection needs a written explanation."),
    "rejection_has_grounds": ("不予认定的事项不得选择适用情形（{codes}）。",
                              "a rejection cannot cite grounds for exemption ({codes_en})."),
    "exemption_needs_ground": ("予以免责须至少选择一项适用情形（A1–A5）。",
                               "an exemption needs at least one ground (A1–A5)."),
    "exemption_has_exclusion": ("予以免责的事项不得选择不适用情形或不予认定理由（{codes}）。",
                                "an exemption cannot cite exclusions or rejection reasons "
                                "({codes_en})."),
    "panel_missing": ("予以免责须记录专家组人数。",
                      "an exemption needs the expert panel recorded."),
    "panel_too_small": ("专家组应不少于{min}人，现为{size}人。",
                        "the expert panel needs at least {min} members, not {size}."),
    "panel_needs_technical": ("专家组须包括技术专家。",
                              "the expert panel needs at least one technical member."),
    "panel_needs_financial": ("专家组须包括财务专家。",
                              "the expert panel needs at least one financial member."),
    "panel_inconsistent": ("技术专家（{tech}人）与财务专家（{fin}人）"
                           "合计超过专家组人数（{size}人）。",
                           "technical ({tech}) plus financial ({fin}) members exceed the panel "
                           "size ({size})."),
    "start_in_past": ("公示开始日期{start}早于今天（{today}，北京时间）。",
                      "The publicity start date {start_en} is before today ({today_en}, "
                      "Asia/Shanghai)."),
    "window_not_started": ("公示期自{start}开始、至{end}24时结束，尚未开始。",
                           "The publicity window runs from {start_en} to the end of {end_en} "
                           "(Asia/Shanghai) and has not started."),
    "window_open": ("公示期至{end}24时结束，结束后方可确认结果。",
                    "The publicity window closes at the end of {end_en} (Asia/Shanghai); "
                    "results can be finalised only after that."),
    "window_closed": ("公示期已于{end}24时结束，不再受理异议。",
                      "The publicity window closed at the end of {end_en} (Asia/Shanghai); "
                      "objections are no longer accepted."),
    "withdrawal_needs_reason": ("撤回公告须说明原因。", "Withdrawing a notice needs a reason."),
    "published_is_final": ("公告已发布，不能直接修改；如需变更，请发布更正公告。",
                           "A published notice cannot be edited in place; publish a correction "
                           "notice instead."),
    "objections_unanswered": ("尚有{count}件异议未答复（含被更正公告上的异议），"
                              "答复后方可确认结果。",
                              "{count} objection(s), counted along the correction chain, still "
                              "need an answer before finalising."),
    "ever_public_unpublish": ("已公开发布的{kind}不能取消发布：公告请“撤回公告”（说明原因）或发布"
                              "“更正公告”；政策文件请将状态改为“已修订”或“已废止”。",
                              "A {kind_en} that has been published cannot be unpublished: withdraw "
                              "it with a reason or publish a correction (a policy is marked "
                              "revised or repealed)."),
    "ever_public_delete": ("已公开发布的{kind}不能删除，它是公示记录的一部分。",
                           "A {kind_en} that has been published cannot be deleted: it is part of "
                           "the public record."),
    "ever_public_move": ("已公开发布的{kind}不能移动，其公开网址必须保持不变。",
                         "A {kind_en} that has been published cannot be moved: its public address "
                         "must not change."),
    "copy_not_offered": ("{kind}不能复制：公告编号必须唯一。请新建公告，"
                         "或对已发布的公告使用“更正公告”。",
                         "A {kind_en} cannot be copied: its number must be unique. Add a new one, "
                         "or correct a published notice."),
    "never_created_live": ("{kind}只能经审定发布上线，不能直接创建为已发布状态（包括复制）。",
                           "A {kind_en} goes live only through approval and publication, never "
                           "by being created live (or copied)."),
    "withdrawn_not_publishable": ("公告已撤回，不能发布。",
                                  "A withdrawn notice cannot be published."),
    "correction_open": ("本公告已有更正公告“{number}”尚未发布，"
                        "请先完成或删除该草稿，再发起新的更正。",
                        "A correction of this notice ({number}) is still unpublished; publish or "
                        "delete it before starting another."),
    "not_live_whole_window": ("公示记录显示本公告于{published}上线，"
                              "晚于公示首日{start}，未满公示期，"
                              "不能确认结果；请发布更正公告重新公示。",
                              "The public record shows this notice went live on {published_en}, "
                              "after the first day of its window ({start_en}); it was not on "
                              "publicity for every day of it. Publish a correction instead."),
    "scheduled_start_passed": ("公示开始日期{start}已过（今天是{today}，北京时间），"
                               "公告未按期上线；"
                               "请修改公示开始日期后重新提交集体审定。",
                               "The publicity start date {start_en} has passed (today is "
                               "{today_en}, Asia/Shanghai) and the notice did not go live; set a "
                               "new start date and submit it for approval again."),
})
# fmt: on


class GuardError(Exception):
    """A rule was broken. ``code`` is stable; ``str()`` is the Chinese message."""

    def __init__(
        self,
        code: str,
        message: str = "",
        message_en: str = "",
        *,
        field: str | None = None,
        item: str | None = None,
    ) -> None:
        super().__init__(message or code)
        self.code = code
        self.message = message or code
        self.message_en = message_en or self.message
        self.field = field
        self.item = item

    @classmethod
    def of(
        cls, code: str, /, *, field: str | None = None, item: str | None = None, **values: object
    ) -> GuardError:
        """Build from MESSAGES[code]; an item label prefixes both messages."""
        zh, en = (t.format(**values) for t in MESSAGES[code])
        if item:
            zh, en = f"事项 {item}：{zh}", f"Item {item}: {en}"
        else:
            en = en[:1].upper() + en[1:]
        return cls(code, zh, en, field=field, item=item or None)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return (
            f"GuardError({self.code!r}, {self.message!r}, field={self.field!r}, item={self.item!r})"
        )

    def as_dict(self) -> dict[str, str | None]:
        """JSON-ready form for API error bodies."""
        keys = ("code", "message", "message_en", "field", "item")
        return {k: getattr(self, k) for k in keys}


# --- Numerals and anchors -----------------------------------------------------------------

_UNITS: Final = "一二三四五六七八九"
_STRIP: Final = "（）()、 \t\u3000"


def chinese_numeral_to_int(s: str) -> int:
    """'三' → 3, '十二' → 12, '（三）' → 3, '二、' → 2. Only 1..19; ValueError otherwise."""
    t = s.strip(_STRIP) if isinstance(s, str) else ""
    if len(t) == 1 and t in _UNITS:
        return _UNITS.index(t) + 1
    if t == "十" or (len(t) == 2 and t[0] == "十" and t[1] in _UNITS):
        return 10 + (_UNITS.index(t[1]) + 1 if len(t) == 2 else 0)
    raise ValueError(f"not a Chinese numeral from 一 to 十九: {s!r}")


def int_to_chinese_numeral(n: int) -> str:
    """3 → '三', 10 → '十', 12 → '十二'. Only 1..19; ValueError otherwise."""
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 19:
        raise ValueError(f"only 1..19 are supported: {n!r}")
    return _UNITS[n - 1] if n < 10 else "十" + (_UNITS[n - 11] if n > 10 else "")


def clause_anchor(section: int, subsection: int | None = None, item: int | None = None) -> str:
    """HTML anchor of a policy clause: (2) → 's2', (2, 3) → 's2-3', (2, 3, 3) → 's2-3-3'."""
    if item is not None and subsection is None:
        raise ValueError("an item anchor needs its subsection")
    parts = [p for p in (section, subsection, item) if p is not None]
    if any(isinstance(p, bool) or not isinstance(p, int) or p < 1 for p in parts):
        raise ValueError(f"anchor parts must be positive integers: {parts!r}")
    return "s" + "-".join(str(p) for p in parts)


# --- Clause codes -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Clause:
    """A policy clause referenced by code. Its text lives on the policy page, at ``anchor``."""

    code: str
    label: str
    label_en: str
    clause_ref: str
    anchor: str

    def as_dict(self) -> dict[str, str]:
        """code, label, label_en, clause_ref and anchor: how the API and the portal cite it."""
        return asdict(self)


def _table(*rows: tuple[str, str, str, tuple[int, ...]]) -> Mapping[str, Clause]:
    """Rows of (code, label, label_en, (section, subsection[, item]))."""
    out = {}
    for code, zh, en, pos in rows:
        ref = int_to_chinese_numeral(pos[0]) + f"（{int_to_chinese_numeral(pos[1])}）"
        out[code] = Clause(code, zh, en, ref + "".join(map(str, pos[2:])), clause_anchor(*pos))
    return MappingProxyType(out)


# fmt: off
GROUNDS: Final = _table(
    ("A1", "不可抗拒因素或现有条件难以克服的技术",
     "Force majeure or technology beyond present means", (2, 2, 1)),
    ("A2", "技术路线选择失误", "Mistaken choice of technical route", (2, 2, 2)),
    ("A3", "关键技术已由他人公开", "Key technology made public by others", (2, 2, 3)),
    ("A4", "市场变化致产业化应用无意义",
     "Market change made industrialisation pointless", (2, 2, 4)),
    ("A5", "法律法规规章规定的其它情形", "Other cases set by laws and regulations", (2, 2, 5)),
)
EXCLUSIONS: Final = _table(
    ("X1", "重大风险或突发重大事件未按规定处理或隐瞒不报",
     "Major risk or sudden major event mishandled or concealed", (2, 3, 1)),
    ("X2", "违反禁止性规定", "Breach of prohibitive provisions", (2, 3, 2)),
    ("X3", "存在违规行为或科研失信行为", "Misconduct or research dishonesty", (2, 3, 3)),
    ("X4", "依法依规应追究责任的其他情形",
     "Other cases where liability must be pursued", (2, 3, 4)),
)
REJECTION_REASONS: Final = MappingProxyType({**EXCLUSIONS, **_table(
    ("out_of_scope", "不属于适用范围", "Outside the scope of the policy", (2, 1)),
    ("no_ground", "未能认定适用情形", "No ground for exemption established", (2, 2)),
    ("diligence_not_shown", "未能证明履行勤勉尽责义务", "Due diligence not shown", (3, 3)),
    ("after_acceptance", "未在项目验收前提出申请", "Not applied for before acceptance", (3, 1)),
    ("objection_upheld", "公示异议经核实成立", "Objection upheld after verification", (3, 5)),
)})
# fmt: on
CLAUSES: Final = MappingProxyType({**GROUNDS, **REJECTION_REASONS})
"""Every code: grounds, then exclusions, then the other rejection reasons."""


def _lookup(table: Mapping[str, Clause], code: str, kind: str, kind_en: str) -> Clause:
    try:
        return table[code]
    except (KeyError, TypeError):
        raise GuardError.of(
            "unknown_code", field="code", code=code, kind=kind, kind_en=kind_en
        ) from None


def get_ground(code: str) -> Clause:
    """Ground A1..A5 by code; GuardError('unknown_code') otherwise."""
    return _lookup(GROUNDS, code, "适用情形", "ground")


def get_exclusion(code: str) -> Clause:
    """Exclusion X1..X4 by code; GuardError('unknown_code') otherwise."""
    return _lookup(EXCLUSIONS, code, "不适用情形", "exclusion")


def get_reason(code: str) -> Clause:
    """Rejection reason (X1..X4 or a snake-case code); GuardError('unknown_code') otherwise."""
    return _lookup(REJECTION_REASONS, code, "理由", "reason")


def get_clause(code: str) -> Clause:
    """Any code in CLAUSES; GuardError('unknown_code') otherwise."""
    return _lookup(CLAUSES, code, "条款", "clause")


# --- Enums --------------------------------------------------------------------------------


class LabelledEnum(StrEnum):
    """A str enum whose members carry a Chinese ``label`` and an English ``label_en``."""

    label: str
    label_en: str

    def __new__(cls, value: str, label: str, label_en: str) -> LabelledEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        member.label_en = label_en
        return member

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """(value, Chinese label) pairs, e.g. for Django field choices."""
        return [(m.value, m.label) for m in cls]


class Decision(LabelledEnum):
    EXEMPTED = "exempted", "予以免责", "Exempted"
    REJECTED = "rejected", "不予认定", "Not recognised"


# fmt: off
class Programme(LabelledEnum):
    BASIC_PUBLIC_WELFARE = ("basic_public_welfare", "省基础公益研究专项",
                            "Basic public-welfare research programme")
    KEY_RD = "key_rd", "省重点研发计划", "Key R&D programme"
    NATURAL_SCIENCE_FUND = "natural_science_fund", "省自然科学基金", "Natural Science Foundation"
    SOFT_SCIENCE = "soft_science", "省软科学研究计划", "Soft science research programme"
    OTHER = "other", "其他省级科技计划", "Other provincial S&T programme"


class HandlingBody(LabelledEnum):
    DEPARTMENT = "department", "省科学技术厅", "Provincial Department of Science and Technology"
    FOUNDATION_OFFICE = ("foundation_office", "省自然科学基金委员会办公室",
                         "Provincial Natural Science Foundation Committee Office")


class WindowPhase(LabelledEnum):
    NOT_STARTED = "not_started", "未开始", "Not started"
    OPEN = "open", "公示中", "Open"
    CLOSED = "closed", "已结束", "Closed"


class NoticeState(LabelledEnum):
    DRAFT = "draft", "草稿", "Draft"
    IN_REVIEW = "in_review", "审定中", "In review"
    APPROVED = "approved", "已审定待公示", "Approved, awaiting publicity"
    UNDER_PUBLICITY = "under_publicity", "公示中", "Under publicity"
    CLOSED = "closed", "公示结束", "Publicity closed"
    FINALISED = "finalised", "已确认结果", "Final result"
    CORRECTED = "corrected", "已更正", "Corrected"
    WITHDRAWN = "withdrawn", "已撤回", "Withdrawn"
# fmt: on


def handling_body_for(programmes: Iterable[Programme]) -> HandlingBody:
    """The one body handling a notice: the foundation office for basic public-welfare items."""
    progs: set[Programme] = set()
    for p in programmes:
        if p not in Programme.__members__.values():
            raise GuardError.of(
                "unknown_code", field="programme", code=p, kind="计划类别", kind_en="programme"
            )
        progs.add(Programme(p))
    if not progs:
        raise GuardError.of("no_items")
    if progs == {Programme.BASIC_PUBLIC_WELFARE}:
        return HandlingBody.FOUNDATION_OFFICE
    if Programme.BASIC_PUBLIC_WELFARE in progs:
        raise GuardError.of("mixed_handling_bodies", field="programme")
    return HandlingBody.DEPARTMENT


# --- Time ---------------------------------------------------------------------------------

# fmt: off
_MONTHS_EN: Final = ("January", "February", "March", "April", "May", "June", "July", "August",
                     "September", "October", "November", "December")
# fmt: on


def format_date_zh(d: date) -> str:
    """date(2026, 3, 9) → '2026年3月9日'."""
    return f"{d.year}年{d.month}月{d.day}日"


def format_date_en(d: date) -> str:
    """date(2026, 3, 9) → '9 March 2026' (locale-independent)."""
    return f"{d.day} {_MONTHS_EN[d.month - 1]} {d.year}"


def _require_aware(at: datetime) -> None:
    if not isinstance(at, datetime) or at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"an aware datetime is required, got {at!r}")


def local_date(at: datetime) -> date:
    """The Asia/Shanghai calendar date of an aware instant."""
    _require_aware(at)
    return at.astimezone(PUBLICITY_TZ).date()


@dataclass(frozen=True, slots=True)
class PublicityWindow:
    """公示期: ``days`` calendar days from ``start_date`` inclusive, in Asia/Shanghai time."""

    start_date: date
    days: int = DEFAULT_PUBLICITY_DAYS

    def __post_init__(self) -> None:
        if isinstance(self.start_date, datetime) or not isinstance(self.start_date, date):
            raise TypeError(f"start_date must be a date, got {self.start_date!r}")
        if isinstance(self.days, bool) or not isinstance(self.days, int) or self.days < 1:
            raise ValueError(f"days must be an integer >= 1, got {self.days!r}")

    @property
    def end_date(self) -> date:
        """Inclusive last day: start 3 March, 7 days → 9 March."""
        return self.start_date + timedelta(days=self.days - 1)

    @property
    def opens_at(self) -> datetime:
        """00:00 Asia/Shanghai on start_date."""
        return datetime.combine(self.start_date, time(0), tzinfo=PUBLICITY_TZ)

    @property
    def closes_at(self) -> datetime:
        """00:00 Asia/Shanghai on the day after end_date (exclusive)."""
        return datetime.combine(self.end_date + timedelta(days=1), time(0), tzinfo=PUBLICITY_TZ)

    def phase(self, at: datetime) -> WindowPhase:
        """NOT_STARTED before opens_at, OPEN in [opens_at, closes_at), CLOSED from closes_at."""
        _require_aware(at)
        if at < self.opens_at:
            return WindowPhase.NOT_STARTED
        return WindowPhase.OPEN if at < self.closes_at else WindowPhase.CLOSED

    def is_open(self, at: datetime) -> bool:
        """True while objections are accepted: opens_at <= at < closes_at."""
        return self.phase(at) is WindowPhase.OPEN

    def days_left(self, at: datetime) -> int:
        """Days left including today: ``days`` before the start, 1 on end_date, 0 after."""
        phase = self.phase(at)
        if phase is WindowPhase.NOT_STARTED:
            return self.days
        if phase is WindowPhase.CLOSED:
            return 0
        return (self.end_date - local_date(at)).days + 1

    def date_texts(self) -> dict[str, str]:
        """start, end, start_en, end_en: the first and last day as messages write them."""
        s, e = self.start_date, self.end_date
        return {"start": format_date_zh(s), "end": format_date_zh(e),
                "start_en": format_date_en(s), "end_en": format_date_en(e)}  # fmt: skip

    @property
    def label(self) -> str:
        """'公示期：2026年3月3日至2026年3月9日（7天），至2026年3月9日24时结束。'"""
        d = self.date_texts()
        return f"公示期：{d['start']}至{d['end']}（{self.days}天），至{d['end']}24时结束。"

    @property
    def label_en(self) -> str:
        """'Publicity: 3 March 2026 to 9 March 2026 (7 days), closing at the end of ...'."""
        d = self.date_texts()
        return (
            f"Publicity: {d['start_en']} to {d['end_en']} ({self.days} days), "
            f"closing at the end of {d['end_en']} (Asia/Shanghai time)."
        )


# --- Notice states ------------------------------------------------------------------------

_S = NoticeState
# fmt: off
ALLOWED_TRANSITIONS: Final[Mapping[NoticeState, frozenset[NoticeState]]] = MappingProxyType({
    _S.DRAFT: frozenset({_S.IN_REVIEW}),
    _S.IN_REVIEW: frozenset({_S.DRAFT, _S.APPROVED}),
    _S.APPROVED: frozenset({_S.UNDER_PUBLICITY, _S.DRAFT, _S.WITHDRAWN}),
    _S.UNDER_PUBLICITY: frozenset({_S.CLOSED, _S.CORRECTED, _S.WITHDRAWN}),
    _S.CLOSED: frozenset({_S.FINALISED, _S.CORRECTED, _S.WITHDRAWN}),
    _S.FINALISED: frozenset({_S.CORRECTED}),
    _S.CORRECTED: frozenset(),
    _S.WITHDRAWN: frozenset(),
})
# fmt: on


def check_transition(current: NoticeState, target: NoticeState) -> None:
    """GuardError('transition_not_allowed') unless current → target is in ALLOWED_TRANSITIONS."""
    cur, tgt = NoticeState(current), NoticeState(target)
    if tgt not in ALLOWED_TRANSITIONS[cur]:
        raise GuardError.of(
            "transition_not_allowed", field="state", current=cur.label, target=tgt.label,
            current_en=cur.label_en, target_en=tgt.label_en,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class NoticeFacts:
    """Stored facts about a notice, from which its state at any instant follows."""

    approved: bool = False
    window: PublicityWindow | None = None
    finalised: bool = False
    corrected: bool = False
    withdrawn: bool = False
    in_review: bool = False


def state_at(facts: NoticeFacts, at: datetime) -> NoticeState:
    """State at ``at``: withdrawn > corrected > finalised, then approval and window phase.

    Not approved → IN_REVIEW if ``in_review`` else DRAFT; approved without a window → APPROVED.
    """
    _require_aware(at)
    if facts.withdrawn:
        return NoticeState.WITHDRAWN
    if facts.corrected:
        return NoticeState.CORRECTED
    if facts.finalised:
        return NoticeState.FINALISED
    if not facts.approved:
        return NoticeState.IN_REVIEW if facts.in_review else NoticeState.DRAFT
    phase = WindowPhase.NOT_STARTED if facts.window is None else facts.window.phase(at)
    if phase is WindowPhase.NOT_STARTED:
        return NoticeState.APPROVED
    return NoticeState.UNDER_PUBLICITY if phase is WindowPhase.OPEN else NoticeState.CLOSED


# --- Guards -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ItemFacts:
    """What the guards need to know about one decision item (认定事项); label e.g. project code."""

    label: str
    decision: Decision
    grounds: Sequence[str] = ()
    reasons: Sequence[str] = ()
    explanation: str = ""
    panel_size: int | None = None
    technical_members: int | None = None
    financial_members: int | None = None

    def __post_init__(self) -> None:
        for name in ("grounds", "reasons"):
            value = getattr(self, name)
            if isinstance(value, str):
                raise TypeError(f"{name} must be a sequence of codes, not a string")
            object.__setattr__(self, name, tuple(dict.fromkeys(value)))


def check_item(item: ItemFacts) -> list[GuardError]:
    """Every problem with one decision item; an empty list means it may be approved."""
    label = (item.label or "").strip()
    errors: list[GuardError] = []

    def add(code: str, field: str, /, **values: object) -> None:
        errors.append(GuardError.of(code, field=field, item=label, **values))

    try:
        decision = Decision(item.decision)
    except ValueError:
        add("unknown_code", "decision", code=item.decision, kind="认定结论", kind_en="decision")
        return errors
    grounds, reasons = item.grounds, item.reasons
    if decision is Decision.REJECTED:
        if not reasons:
            add("rejection_needs_reason", "reasons")
        for code in (c for c in reasons if c not in REJECTION_REASONS):
            add("unknown_code", "reasons", code=code, kind="理由", kind_en="reason")
        if not (item.explanation or "").strip():
            add("rejection_needs_explanation", "explanation")
        if grounds:
            add(
                "rejection_has_grounds",
                "grounds",
                codes="、".join(grounds),
                codes_en=", ".join(grounds),
            )
        return errors
    if not grounds:
        add("exemption_needs_ground", "grounds")
    for code in (c for c in grounds if c not in GROUNDS and c not in REJECTION_REASONS):
        add("unknown_code", "grounds", code=code, kind="适用情形", kind_en="ground")
    if misplaced := [c for c in grounds if c in REJECTION_REASONS] + list(reasons):
        add(
            "exemption_has_exclusion",
            "reasons" if reasons else "grounds",
            codes="、".join(misplaced),
            codes_en=", ".join(misplaced),
        )
    size, tech, fin = item.panel_size, item.technical_members, item.financial_members
    if size is None:
        add("panel_missing", "panel_size")
        return errors
    if size < MIN_PANEL_SIZE:
        add("panel_too_small", "panel_size", min=MIN_PANEL_SIZE, size=size)
    if tech is None or tech < 1:
        add("panel_needs_technical", "technical_members")
    if fin is None or fin < 1:
        add("panel_needs_financial", "financial_members")
    if tech is not None and fin is not None and tech + fin > size:
        add("panel_inconsistent", "panel_size", tech=tech, fin=fin, size=size)
    return errors


def ensure_item(item: ItemFacts) -> None:
    """Raise the first problem check_item finds, if any."""
    if errors := check_item(item):
        raise errors[0]


def check_items(items: Iterable[ItemFacts]) -> list[GuardError]:
    """Every problem across a notice's items; [GuardError('no_items')] when there are none."""
    items = list(items)
    if not items:
        return [GuardError.of("no_items")]
    return [e for item in items for e in check_item(item)]


def check_publish_start(start_date: date, now: datetime) -> None:
    """GuardError('start_in_past') if start_date is before today in Asia/Shanghai."""
    today = local_date(now)
    if start_date < today:
        raise GuardError.of(
            "start_in_past", field="start_date", start=format_date_zh(start_date),
            today=format_date_zh(today), start_en=format_date_en(start_date),
            today_en=format_date_en(today),
        )  # fmt: skip


def check_finalise(window: PublicityWindow, now: datetime, unanswered_objections: int) -> None:
    """Refuse to finalise before the window closes ('window_not_started' / 'window_open')
    or while objections are unanswered ('objections_unanswered')."""
    if unanswered_objections < 0:
        raise ValueError("unanswered_objections cannot be negative")
    phase = window.phase(now)
    if phase is WindowPhase.NOT_STARTED:
        raise GuardError.of("window_not_started", **window.date_texts())
    if phase is WindowPhase.OPEN:
        raise GuardError.of("window_open", **window.date_texts())
    if unanswered_objections > 0:
        raise GuardError.of("objections_unanswered", count=unanswered_objections)


def check_live_throughout(window: PublicityWindow, went_live_on: date | None) -> None:
    """GuardError('not_live_whole_window') unless the notice went live by its window's first
    day (``went_live_on``: the Asia/Shanghai date the public record shows; None if it shows
    no publication). A live notice cannot be unpublished, so going live in time suffices."""
    if went_live_on is None or went_live_on > window.start_date:
        published = went_live_on or window.end_date + timedelta(days=1)
        raise GuardError.of(
            "not_live_whole_window", published=format_date_zh(published),
            start=format_date_zh(window.start_date), published_en=format_date_en(published),
            start_en=format_date_en(window.start_date),
        )  # fmt: skip


def check_single_correction(open_corrections: Sequence[str]) -> None:
    """GuardError('correction_open') when a correction (by number) is still unpublished."""
    if open_corrections:
        raise GuardError.of("correction_open", number=open_corrections[0])


def check_objection(window: PublicityWindow, at: datetime) -> None:
    """Objections only inside the window: 'window_not_started' / 'window_closed' otherwise."""
    phase = window.phase(at)
    if phase is WindowPhase.NOT_STARTED:
        raise GuardError.of("window_not_started", **window.date_texts())
    if phase is WindowPhase.CLOSED:
        raise GuardError.of("window_closed", **window.date_texts())
