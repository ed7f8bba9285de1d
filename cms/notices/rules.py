"""Domain rules for 科技创新容错免责 decision notices: plain Python, no Django.

Notice states and transitions, the 7-day publicity window's guards (Asia/Shanghai), and the
checks of decision items that editors and API clients run into. What other apps share with
notices (clause codes, programmes, dates, the window's arithmetic) is in :mod:`cms.domain`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Final

from cms.domain.clauses import GROUNDS, REJECTION_REASONS, Decision
from cms.domain.dates import format_date_en, format_date_zh, local_date, require_aware
from cms.domain.errors import MESSAGES as SHARED_MESSAGES
from cms.domain.errors import GuardError
from cms.domain.labels import LabelledEnum
from cms.domain.windows import PublicityWindow, WindowPhase

# fmt: off
__all__ = [
    "ALLOWED_TRANSITIONS", "MESSAGES", "MIN_PANEL_SIZE", "ItemFacts", "NoticeFacts",
    "NoticeState", "check_finalise", "check_item", "check_items", "check_live_throughout",
    "check_objection", "check_publish_start", "check_single_correction", "check_transition",
    "correction_errors", "ensure_item", "finalise_errors", "finalise_window_errors",
    "guard_error", "live_throughout_errors", "publish_start_errors", "single_correction_errors",
    "state_at", "transition_errors", "withdraw_errors",
]
# fmt: on

MIN_PANEL_SIZE: Final = 5

# Guard messages by code, the shared ones (cms.domain.errors) included.
# fmt: off
MESSAGES: Final[Mapping[str, tuple[str, str]]] = MappingProxyType({
    **SHARED_MESSAGES,
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


def guard_error(
    code: str, /, *, field: str | None = None, item: str | None = None, **values: object
) -> GuardError:
    """GuardError from this module's MESSAGES[code] (see ``GuardError.of``)."""
    return GuardError.of(code, field=field, item=item, messages=MESSAGES, **values)


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


def transition_errors(current: NoticeState, target: NoticeState) -> list[GuardError]:
    """[GuardError('transition_not_allowed')] unless current → target is in
    ALLOWED_TRANSITIONS."""
    cur, tgt = NoticeState(current), NoticeState(target)
    if tgt in ALLOWED_TRANSITIONS[cur]:
        return []
    return [guard_error(
        "transition_not_allowed", field="state", current=cur.label, target=tgt.label,
        current_en=cur.label_en, target_en=tgt.label_en,
    )]  # fmt: skip


def check_transition(current: NoticeState, target: NoticeState) -> None:
    """Raises the error :func:`transition_errors` finds, if any."""
    _raise_first(transition_errors(current, target))


def _raise_first(errors: list[GuardError]) -> None:
    if errors:
        raise errors[0]


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
    require_aware(at)
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
        errors.append(guard_error(code, field=field, item=label, **values))

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
        return [guard_error("no_items")]
    return [e for item in items for e in check_item(item)]


def publish_start_errors(start_date: date, now: datetime) -> list[GuardError]:
    """[GuardError('start_in_past')] if start_date is before today in Asia/Shanghai."""
    today = local_date(now)
    if start_date >= today:
        return []
    return [guard_error(
        "start_in_past", field="start_date", start=format_date_zh(start_date),
        today=format_date_zh(today), start_en=format_date_en(start_date),
        today_en=format_date_en(today),
    )]  # fmt: skip


def check_publish_start(start_date: date, now: datetime) -> None:
    """Raises the error :func:`publish_start_errors` finds, if any."""
    _raise_first(publish_start_errors(start_date, now))


def finalise_window_errors(
    window: PublicityWindow, now: datetime, unanswered_objections: int
) -> list[GuardError]:
    """Both reasons the window gives not to finalise: it has not closed ('window_not_started'
    / 'window_open'), and objections are unanswered ('objections_unanswered')."""
    if unanswered_objections < 0:
        raise ValueError("unanswered_objections cannot be negative")
    errors = []
    phase = window.phase(now)
    if phase is WindowPhase.NOT_STARTED:
        errors.append(guard_error("window_not_started", **window.date_texts()))
    elif phase is WindowPhase.OPEN:
        errors.append(guard_error("window_open", **window.date_texts()))
    if unanswered_objections > 0:
        errors.append(guard_error("objections_unanswered", count=unanswered_objections))
    return errors


def check_finalise(window: PublicityWindow, now: datetime, unanswered_objections: int) -> None:
    """Raises the first error :func:`finalise_window_errors` finds (the window's first)."""
    _raise_first(finalise_window_errors(window, now, unanswered_objections))


def live_throughout_errors(window: PublicityWindow, went_live_on: date | None) -> list[GuardError]:
    """[GuardError('not_live_whole_window')] unless the notice went live by its window's first
    day (``went_live_on``: the Asia/Shanghai date the public record shows; None if it shows
    no publication). A live notice cannot be unpublished, so going live in time suffices."""
    if went_live_on is not None and went_live_on <= window.start_date:
        return []
    published = went_live_on or window.end_date + timedelta(days=1)
    return [guard_error(
        "not_live_whole_window", published=format_date_zh(published),
        start=format_date_zh(window.start_date), published_en=format_date_en(published),
        start_en=format_date_en(window.start_date),
    )]  # fmt: skip


def check_live_throughout(window: PublicityWindow, went_live_on: date | None) -> None:
    """Raises the error :func:`live_throughout_errors` finds, if any."""
    _raise_first(live_throughout_errors(window, went_live_on))


def finalise_errors(
    window: PublicityWindow,
    now: datetime,
    unanswered_objections: int,
    *,
    went_live_on: date | None,
    state: NoticeState,
) -> list[GuardError]:
    """Every reason a notice may not be finalised at ``now``, in the order to act on them: its
    window has not closed, objections are unanswered, it was not live for the whole window
    (known once the window has started), its state does not allow it (once the window has
    closed: before, the window already says why the state cannot change yet)."""
    errors = finalise_window_errors(window, now, unanswered_objections)
    phase = window.phase(now)
    if phase is not WindowPhase.NOT_STARTED:
        errors += live_throughout_errors(window, went_live_on)
    if phase is WindowPhase.CLOSED:
        errors += transition_errors(state, NoticeState.FINALISED)
    return errors


def withdraw_errors(state: NoticeState, reason: str | None = None) -> list[GuardError]:
    """Every reason a notice in ``state`` may not be withdrawn; with ``reason`` (what the user
    typed), also when it is empty."""
    errors = transition_errors(state, NoticeState.WITHDRAWN)
    if reason is not None and not reason.strip():
        errors.append(guard_error("withdrawal_needs_reason", field="reason"))
    return errors


def single_correction_errors(open_corrections: Sequence[str]) -> list[GuardError]:
    """[GuardError('correction_open')] when a correction (by number) is still unpublished."""
    if not open_corrections:
        return []
    return [guard_error("correction_open", number=open_corrections[0])]


def check_single_correction(open_corrections: Sequence[str]) -> None:
    """Raises the error :func:`single_correction_errors` finds, if any."""
    _raise_first(single_correction_errors(open_corrections))


def correction_errors(
    state: NoticeState, open_corrections: Sequence[str], now: datetime, start: date | None = None
) -> list[GuardError]:
    """Every reason a correction of a notice in ``state`` (starting on ``start``, if given) may
    not start at ``now``."""
    errors = transition_errors(state, NoticeState.CORRECTED)
    errors += single_correction_errors(open_corrections)
    if start is not None:
        errors += publish_start_errors(start, now)
    return errors


def check_objection(window: PublicityWindow, at: datetime) -> None:
    """Objections only inside the window: 'window_not_started' / 'window_closed' otherwise."""
    phase = window.phase(at)
    if phase is WindowPhase.NOT_STARTED:
        raise guard_error("window_not_started", **window.date_texts())
    if phase is WindowPhase.CLOSED:
        raise guard_error("window_closed", **window.date_texts())
