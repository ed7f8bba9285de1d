"""Dates in Asia/Shanghai, the time zone of every window, and how messages write them."""

from datetime import date, datetime
from typing import Final
from zoneinfo import ZoneInfo

PUBLICITY_TZ: Final = ZoneInfo("Asia/Shanghai")

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


def require_aware(at: datetime) -> None:
    """ValueError unless ``at`` is an aware datetime: windows compare instants, never wall times."""
    if not isinstance(at, datetime) or at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"an aware datetime is required, got {at!r}")


def local_date(at: datetime) -> date:
    """The Asia/Shanghai calendar date of an aware instant."""
    require_aware(at)
    return at.astimezone(PUBLICITY_TZ).date()
