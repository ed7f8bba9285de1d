"""Enums whose members carry a Chinese and an English label."""

from __future__ import annotations

from enum import StrEnum


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
