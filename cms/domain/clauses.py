"""The policy's clause codes: grounds for exemption (A1–A5), exclusions (X1–X4), the other
reasons for a rejection, and the two decisions an item can get."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from types import MappingProxyType
from typing import Final

from cms.domain.errors import GuardError
from cms.domain.labels import LabelledEnum
from cms.domain.numerals import clause_anchor, int_to_chinese_numeral


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


class Decision(LabelledEnum):
    EXEMPTED = "exempted", "予以免责", "Exempted"
    REJECTED = "rejected", "不予认定", "Not recognised"
