"""Turns a policy body (StreamField) into the nested outline the read API publishes.

Every section, sub-section and clause gets its anchor (``s2``, ``s2-3``, ``s2-3-3``) from the
rules module, the one place that also maps clause codes (A1 to X4) to those anchors.
"""

from dataclasses import dataclass
from typing import Any

from cms.domain.numerals import chinese_numeral_to_int, clause_anchor


def _number(raw: str) -> int:
    return chinese_numeral_to_int(raw) if not raw.strip().isdigit() else int(raw)


def _clause(section: int, subsection: int, value: Any) -> dict[str, Any]:
    item = _number(value["number"])
    return {
        "kind": "clause",
        "anchor": clause_anchor(section, subsection, item),
        "number": value["number"],
        "text": value["text"],
    }


def _subsection(section: int, value: Any) -> dict[str, Any]:
    number = _number(value["number"])
    children = []
    for child in value["content"]:
        if child.block_type == "clause":
            children.append(_clause(section, number, child.value))
        else:
            children.append({"kind": "paragraph", "text": child.value})
    return {
        "kind": "subsection",
        "anchor": clause_anchor(section, number),
        "number": value["number"],
        "heading": value["heading"],
        "lead": value["lead"],
        "children": children,
    }


def build_outline(body) -> list[dict[str, Any]]:
    """The nested, anchored outline of a policy body."""
    sections = []
    for block in body:
        value = block.value
        number = _number(value["number"])
        children = []
        for child in value["content"]:
            if child.block_type == "subsection":
                children.append(_subsection(number, child.value))
            else:
                children.append({"kind": "paragraph", "text": child.value})
        sections.append(
            {
                "kind": "section",
                "anchor": clause_anchor(number),
                "number": value["number"],
                "heading": value["heading"],
                "children": children,
            }
        )
    return sections


# --- reading an outline: the policy's passages by anchor ----------------------------------


@dataclass(frozen=True)
class Passage:
    """One addressable place on the policy page."""

    anchor: str
    clause_ref: str  # as written: 二、 / 二（一） / 二（二）1
    heading: str
    text: str

    def as_dict(self) -> dict[str, str]:
        return {
            "anchor": self.anchor,
            "clause_ref": self.clause_ref,
            "heading": self.heading,
            "text": self.text,
        }


def _joined(children: list[dict[str, Any]]) -> str:
    return "".join(c["text"] for c in children if c["kind"] == "paragraph")


def passages(outline: list[dict[str, Any]]) -> dict[str, Passage]:
    """Every section, sub-section and clause of a policy outline, keyed by anchor."""
    found: dict[str, Passage] = {}
    for section in outline:
        ref = section["number"]
        found[section["anchor"]] = Passage(
            section["anchor"], ref, section["heading"], _joined(section["children"])
        )
        for sub in (c for c in section["children"] if c["kind"] == "subsection"):
            sub_ref = f"{ref}{sub['number']}"
            text = sub["lead"] or _joined(sub["children"])
            found[sub["anchor"]] = Passage(sub["anchor"], sub_ref, sub["heading"], text)
            for clause in (c for c in sub["children"] if c["kind"] == "clause"):
                found[clause["anchor"]] = Passage(
                    clause["anchor"], f"{sub_ref}{clause['number']}", sub["heading"], clause["text"]
                )
    return found
