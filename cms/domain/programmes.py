"""The funding programmes the policy covers and the body that handles each."""

from __future__ import annotations

from collections.abc import Iterable

from cms.domain.errors import GuardError
from cms.domain.labels import LabelledEnum


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
