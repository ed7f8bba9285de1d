"""Chinese numerals (一 to 十九) and the HTML anchors of policy clauses."""

from typing import Final

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
