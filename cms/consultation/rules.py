"""The consultation rules as plain Python: the comment window on a draft policy, its state,
and the guard the comment API runs; comment states and outcomes.

The window is the publicity window's arithmetic (``cms.notices.rules.PublicityWindow``: whole
calendar days, first and last day included, Asia/Shanghai), opened on one date and closed on
another; only the messages differ, because a comment is not an objection.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Final

from cms.domain.errors import GuardError
from cms.domain.labels import LabelledEnum
from cms.domain.windows import PublicityWindow, WindowPhase

# fmt: off
MESSAGES: Final[Mapping[str, tuple[str, str]]] = MappingProxyType({
    "not_in_consultation": (
        "该政策文件不在征求意见阶段，不受理意见。",
        "This policy is not a draft for comments; comments are not accepted."),
    "no_comment_window": (
        "该征求意见稿未设置征求意见期，暂不受理意见。",
        "No comment period is set for this draft; comments are not accepted."),
    "window_not_started": (
        "征求意见期自{start}开始、至{end}24时结束，尚未开始。",
        "The comment period runs from {start_en} to the end of {end_en} (Asia/Shanghai) "
        "and has not started."),
    "window_closed": (
        "征求意见期已于{end}24时结束，不再受理意见。",
        "The comment period closed at the end of {end_en} (Asia/Shanghai); comments are no "
        "longer accepted."),
})


class CommentStatus(LabelledEnum):
    RECEIVED = "received", "已收到", "Received"
    ANSWERED = "answered", "已答复", "Answered"


class CommentOutcome(LabelledEnum):
    ADOPTED = "adopted", "采纳", "Adopted"
    PARTLY_ADOPTED = "partly_adopted", "部分采纳", "Partly adopted"
    NOT_ADOPTED = "not_adopted", "未采纳", "Not adopted"
# fmt: on


def _error(code: str, window: PublicityWindow | None = None) -> GuardError:
    zh, en = MESSAGES[code]
    if window is not None:
        values = window.date_texts()
        zh, en = zh.format(**values), en.format(**values)
    return GuardError(code, zh, en)


def check_comment(window: PublicityWindow | None, at: datetime, *, in_consultation: bool) -> None:
    """Comments only on a draft for comments, inside its window; the server decides.

    GuardError codes: 'not_in_consultation', 'no_comment_window', 'window_not_started',
    'window_closed'."""
    if not in_consultation:
        raise _error("not_in_consultation")
    if window is None:
        raise _error("no_comment_window")
    phase = window.phase(at)
    if phase is WindowPhase.NOT_STARTED:
        raise _error("window_not_started", window)
    if phase is WindowPhase.CLOSED:
        raise _error("window_closed", window)


def cited_clauses(text: str, refs: Iterable[str]) -> list[str]:
    """The references among ``refs`` (a policy's numbering: ``二（三）`` a sub-section,
    ``二（三）3`` a clause) that a comment's ``text`` cites, in the order first cited, each once.
    Half- and full-width brackets and digits are alike; a reference inside a longer one cited
    (``二（三）`` in ``二（三）3``) does not count apart, nor ``二（三）3`` in ``二（三）31``. A
    section alone (``二``) is not looked for: its bare numeral would be any 二 in the text."""
    written = unicodedata.normalize("NFKC", text)
    spans: list[tuple[int, int, str]] = []
    for ref in refs:
        wanted = unicodedata.normalize("NFKC", ref)
        if "(" not in wanted:
            continue
        pattern = re.escape(wanted) + (r"(?!\d)" if wanted[-1].isdigit() else "")
        spans += [(m.start(), m.end(), ref) for m in re.finditer(pattern, written)]
    cited: list[str] = []
    for start, end, ref in sorted(spans):
        inside_longer = any(
            s <= start and end <= e and (e - s) > (end - start) for s, e, _ in spans
        )
        if not inside_longer and ref not in cited:
            cited.append(ref)
    return cited
