"""Rate limits in fixed windows, as plain Python: which window an instant falls in, and whether
the counts after an attempt refuse it (the counting itself: :mod:`cms.submissions.counters`).

A rate of ``limit`` per ``seconds`` allows ``limit`` attempts in each window of ``seconds``
that starts at a multiple of ``seconds`` since the Unix epoch, in Beijing time for windows of
whole days (a day's window starts at 00:00 Beijing time). A client may thus send up to twice
the limit across the end of one window and the start of the next: the price of counting in one
statement, with no history of each attempt kept."""

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Rate:
    limit: int
    seconds: int


@dataclass(frozen=True)
class Window:
    """One window of one rate for one key (what is counted: a scope and a client)."""

    key: str
    start: int  # Unix seconds
    rate: Rate

    @property
    def end(self) -> int:
        return self.start + self.rate.seconds


DAY = 86400
BEIJING_OFFSET = 8 * 3600  # UTC+8 all year: China has no daylight saving time


def window_at(key: str, rate: Rate, now: float) -> Window:
    """The window of ``rate`` that ``now`` (Unix seconds) falls in."""
    offset = BEIJING_OFFSET if rate.seconds % DAY == 0 else 0
    return Window(key, int((now + offset) // rate.seconds) * rate.seconds - offset, rate)


def refusal_wait(windows: Sequence[Window], counts: Sequence[int], now: float) -> float | None:
    """None if every count (this attempt included) is within its window's limit; otherwise the
    seconds until the last of the windows over their limit ends (Retry-After)."""
    waits = [
        window.end - now
        for window, count in zip(windows, counts, strict=True)
        if count > window.rate.limit
    ]
    return max(waits) if waits else None
