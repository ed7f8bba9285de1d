"""The policy's clauses by anchor, for the guidance page's links and quotations.

Anchors and clause references (``s3-5`` ↔ 三（五）) come from the policy outline, which takes
them from :mod:`cms.notices.rules`; nothing here re-derives them.
"""

from dataclasses import dataclass
from typing import Any


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
