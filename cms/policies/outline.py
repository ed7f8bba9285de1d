"""Turns a policy body (StreamField) into the nested outline the read API publishes.

Every section, sub-section and clause gets its anchor (``s2``, ``s2-3``, ``s2-3-3``) from the
rules module, the one place that also maps clause codes (A1 to X4) to those anchors.
"""

from typing import Any

from cms.notices.rules import chinese_numeral_to_int, clause_anchor


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
