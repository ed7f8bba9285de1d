"""De-identification of failure reports (失败经验总结): plain Python, no Django.

Section 四（二） of the policy asks exempted researchers for a written analysis of why the project
failed, and the department to assess its scientific value for later research. The reports are
published for others to learn from, so before one goes out it must not say whose project it was:
not the related notice's project leader, undertaking unit or project code, and nothing that looks
like a phone number, an e-mail address or an ID-card number. :func:`check_deidentified` lists every
such problem as a :class:`~cms.notices.rules.GuardError` on the field it was found in; the admin
form, the publish action and the demo loader all call it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from cms.domain.errors import GuardError

__all__ = [
    "FIELD_LABELS",
    "MESSAGES",
    "Identifiers",
    "check_deidentified",
    "ensure_deidentified",
]

# The report's text fields, as the guard names them in its messages: (Chinese, English).
# fmt: off
FIELD_LABELS: Final[Mapping[str, tuple[str, str]]] = MappingProxyType({
    "title": ("标题", "title"),
    "slug": ("网址名", "slug"),
    "field_of_study": ("学科领域", "field of study"),
    "summary": ("摘要", "summary"),
    "approach": ("技术路线与尝试", "approach"),
    "failure_analysis": ("失败原因分析", "failure analysis"),
    "lessons": ("经验与启示", "lessons"),
    "scientific_value": ("科学价值评估", "assessment of scientific value"),
})

MESSAGES: Final[Mapping[str, tuple[str, str]]] = MappingProxyType({
    "names_project_leader": (
        "“{field}”中出现了相关决定公告的项目负责人姓名“{value}”，请脱敏后再保存。",
        "The {field_en} names the related notice's project leader; de-identify it first."),
    "names_undertaking_unit": (
        "“{field}”中出现了相关决定公告的项目承担单位“{value}”，请脱敏后再保存。",
        "The {field_en} names the related notice's undertaking unit; de-identify it first."),
    "names_project_code": (
        "“{field}”中出现了相关决定公告的项目编号“{value}”，请脱敏后再保存。",
        "The {field_en} gives the related notice's project code; de-identify it first."),
    "contains_phone": (
        "“{field}”中有疑似电话号码的内容，请删除后再保存。",
        "The {field_en} contains what looks like a phone number; remove it first."),
    "contains_email": (
        "“{field}”中有疑似电子邮箱地址的内容，请删除后再保存。",
        "The {field_en} contains what looks like an e-mail address; remove it first."),
    "contains_id_number": (
        "“{field}”中有疑似身份证号码的内容，请删除后再保存。",
        "The {field_en} contains what looks like an ID-card number; remove it first."),
})
# fmt: on

# Full-width digits, letters and separators (as an IME may type them) read as their ASCII forms.
_FULL_WIDTH: Final = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}

_DATE: Final = r"(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
_ID_NUMBER: Final = re.compile(
    rf"(?<![0-9A-Za-z])[1-9]\d{{5}}{_DATE}\d{{3}}[0-9Xx](?![0-9A-Za-z])"  # 18 characters
    r"|(?<![0-9A-Za-z])[1-9]\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}(?![0-9A-Za-z])"
)
_SEP: Final = r"[ \-.]?"
_PHONE: Final = re.compile(
    # A mobile number, with or without +86 and separators: 138 1234 5678, +86-138-1234-5678.
    rf"(?<![0-9])(?:(?:\+|00)?86{_SEP})?1[3-9]\d{_SEP}\d{{4}}{_SEP}\d{{4}}(?![0-9])"
    # A landline with its area code: 0571-87654321, (0571) 8765 4321, 010 12345678.
    rf"|(?<![0-9])\(?0\d{{2,3}}\)?{_SEP}\d{{3,4}}{_SEP}\d{{4}}(?![0-9])"
    # Service numbers: 400-123-4567, 800 123 4567.
    rf"|(?<![0-9])[48]00{_SEP}\d{{3}}{_SEP}\d{{4}}(?![0-9])"
)
_EMAIL: Final = re.compile(
    r"[A-Za-z0-9._%+\-]+\s*@\s*[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
)
#: Shorter identifiers (a one-character name) would match too much ordinary text.
MIN_IDENTIFIER_LENGTH: Final = 2


@dataclass(frozen=True, slots=True)
class Identifiers:
    """What identifies the projects of the related decision notice (all of its items)."""

    project_leaders: tuple[str, ...] = ()
    undertaking_units: tuple[str, ...] = ()
    project_codes: tuple[str, ...] = ()

    @classmethod
    def of(
        cls,
        leaders: Iterable[str] = (),
        units: Iterable[str] = (),
        codes: Iterable[str] = (),
    ) -> Identifiers:
        def keep(values: Iterable[str]) -> tuple[str, ...]:
            stripped = (_normal(v).strip() for v in values if v)
            return tuple(dict.fromkeys(v for v in stripped if len(v) >= MIN_IDENTIFIER_LENGTH))

        return cls(keep(leaders), keep(units), keep(codes))


def _normal(text: str) -> str:
    return (text or "").translate(_FULL_WIDTH)


def _squeezed(text: str) -> str:
    """Without any whitespace, lower-cased: '王 示例' and '王示例' read alike, as do codes."""
    return re.sub(r"\s+", "", text).lower()


def _error(code: str, field: str, **values: object) -> GuardError:
    label, label_en = FIELD_LABELS.get(field, (field, field.replace("_", " ")))
    zh, en = (t.format(field=label, field_en=label_en, **values) for t in MESSAGES[code])
    return GuardError(code, zh, en[:1].upper() + en[1:], field=field)


def check_deidentified(
    texts: Mapping[str, str | None], identifiers: Identifiers = Identifiers()
) -> list[GuardError]:
    """Every de-identification problem in ``texts`` (field name → text); empty when it may go out.

    One error per field and kind: the first leader, unit or code found is named in the message.
    """
    errors: list[GuardError] = []
    named = (
        ("names_project_leader", identifiers.project_leaders),
        ("names_undertaking_unit", identifiers.undertaking_units),
        ("names_project_code", identifiers.project_codes),
    )
    for field, raw in texts.items():
        text = _normal(raw or "")
        if not text.strip():
            continue
        squeezed = _squeezed(text)
        for code, values in named:
            found = next((v for v in values if _squeezed(v) in squeezed), None)
            if found is not None:
                errors.append(_error(code, field, value=found))
        # An ID number is checked first: its digits must not also count as a phone number.
        without_ids = _ID_NUMBER.sub(" ", text)
        if without_ids != text:
            errors.append(_error("contains_id_number", field))
        if _PHONE.search(without_ids):
            errors.append(_error("contains_phone", field))
        if _EMAIL.search(text):
            errors.append(_error("contains_email", field))
    return errors


def ensure_deidentified(
    texts: Mapping[str, str | None], identifiers: Identifiers = Identifiers()
) -> None:
    """Raise the first problem :func:`check_deidentified` finds, if any."""
    if errors := check_deidentified(texts, identifiers):
        raise errors[0]
