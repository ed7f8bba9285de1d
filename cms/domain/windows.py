"""The window arithmetic of publicity (公示期) and consultation (征求意见期): whole calendar
days, first and last included, in Asia/Shanghai."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Final

from cms.domain.dates import PUBLICITY_TZ, format_date_en, format_date_zh, local_date, require_aware
from cms.domain.labels import LabelledEnum

DEFAULT_PUBLICITY_DAYS: Final = 7


class WindowPhase(LabelledEnum):
    NOT_STARTED = "not_started", "未开始", "Not started"
    OPEN = "open", "公示中", "Open"
    CLOSED = "closed", "已结束", "Closed"


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
        require_aware(at)
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


def comment_window(opens_on: date | None, closes_on: date | None) -> PublicityWindow | None:
    """The window from its first and last day (both included); None when either is missing.

    ValueError when it closes before it opens (the page's validation says so first)."""
    if opens_on is None or closes_on is None:
        return None
    if closes_on < opens_on:
        raise ValueError(f"the comment window closes ({closes_on}) before it opens ({opens_on})")
    return PublicityWindow(opens_on, (closes_on - opens_on).days + 1)


def window_summary(window: PublicityWindow, at: datetime, *, in_consultation: bool) -> dict:
    """What the read API says of a window: its dates, state at ``at``, days left, and whether
    comments are accepted now (a draft for comments inside its window)."""
    phase = window.phase(at)
    dates = window.date_texts()
    return {
        "opens_on": window.start_date.isoformat(),
        "closes_on": window.end_date.isoformat(),
        "closes_at": window.closes_at.isoformat(),
        "state": phase.value,
        "state_label": "征求意见中" if phase is WindowPhase.OPEN else phase.label,
        "days_left": window.days_left(at),
        "accepting": in_consultation and phase is WindowPhase.OPEN,
        "closes_on_zh": dates["end"],
        "dates_zh": f"{dates['start']}至{dates['end']}",
        "dates_en": f"{dates['start_en']} to {dates['end_en']}",
        "label": f"征求意见期：{dates['start']}至{dates['end']}，至{dates['end']}24时截止。",
        "label_en": f"Comments from {dates['start_en']} to the end of {dates['end_en']} "
        "(Asia/Shanghai time).",
    }
