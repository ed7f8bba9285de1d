"""Parses a policy document in the department's plain-text layout into a policy body.

The layout: issuing body, title and status (in parentheses) on the first lines, a preamble, then
sections (``三、认定程序``, or a bare short heading where the number was lost), sub-sections
(``（一）标题。正文`` or ``（二）标题`` alone), numbered clauses (``1．正文``) and paragraphs.
"""

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

CHINESE_DIGITS = "一二三四五六七八九十"
SECTION_RE = re.compile(rf"^([{CHINESE_DIGITS}]+)、\s*(.+)$")
SUBSECTION_RE = re.compile(rf"^（([{CHINESE_DIGITS}]+)）\s*(.+)$")
CLAUSE_RE = re.compile(r"^(\d+)[．.、]\s*(.+)$")
STATUS_RE = re.compile(r"^（(.+)）$")
SENTENCE_END = "。；：！？，"


class SeedFormatError(ValueError):
    """The text does not follow the expected layout."""


@dataclass
class ParsedPolicy:
    issuing_body: str
    title: str
    status_text: str
    preamble: str
    sections: list[dict[str, Any]] = field(default_factory=list)

    def stream_data(self) -> list[dict[str, Any]]:
        """The body in StreamField's raw form, with deterministic block ids."""
        return [_with_ids(section, f"s{i}") for i, section in enumerate(self.sections, 1)]


def _with_ids(block: dict[str, Any], path: str) -> dict[str, Any]:
    value = block["value"]
    if isinstance(value, dict) and "content" in value:
        content = [_with_ids(child, f"{path}.{i}") for i, child in enumerate(value["content"], 1)]
        value = {**value, "content": content}
    return {"type": block["type"], "value": value, "id": str(uuid.uuid5(uuid.NAMESPACE_URL, path))}


def _is_bare_heading(line: str) -> bool:
    return len(line) <= 12 and line[-1] not in SENTENCE_END and not line.startswith(("（", "——"))


def _subsection(number: str, rest: str) -> dict[str, Any]:
    heading, sep, lead = rest.partition("。")
    if not sep:
        heading, lead = rest, ""
    return {
        "type": "subsection",
        "value": {"number": f"（{number}）", "heading": heading, "lead": lead, "content": []},
    }


def parse_policy_text(text: str) -> ParsedPolicy:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) < 4:
        raise SeedFormatError("policy text is too short")
    issuing_body, title = lines[0], lines[1]
    status_match = STATUS_RE.match(lines[2])
    if not status_match:
        raise SeedFormatError(f"third line should be the status in parentheses: {lines[2]!r}")
    policy = ParsedPolicy(issuing_body, title, status_match.group(1), preamble="")

    section: dict[str, Any] | None = None
    subsection: dict[str, Any] | None = None
    preamble: list[str] = []
    for line in lines[3:]:
        if match := SECTION_RE.match(line):
            number, heading = match.groups()
        elif _is_bare_heading(line):
            number, heading = CHINESE_DIGITS[len(policy.sections)], line
        else:
            number = None
        if number is not None:
            section = {"type": "section", "value": {"number": number, "heading": heading}}
            section["value"]["content"] = []
            policy.sections.append(section)
            subsection = None
            continue
        if section is None:
            preamble.append(line)
            continue
        if match := SUBSECTION_RE.match(line):
            subsection = _subsection(*match.groups())
            section["value"]["content"].append(subsection)
            continue
        clause = CLAUSE_RE.match(line)
        if clause and subsection is not None:
            number, clause_text = clause.groups()
            subsection["value"]["content"].append(
                {"type": "clause", "value": {"number": number, "text": clause_text}}
            )
        elif subsection is not None and not subsection["value"]["lead"]:
            # A heading-only sub-section owns the paragraphs that follow it.
            subsection["value"]["content"].append({"type": "paragraph", "value": line})
        else:
            # After a sub-section written as "heading。text", a plain paragraph closes it and
            # belongs to the section as a whole.
            subsection = None
            section["value"]["content"].append({"type": "paragraph", "value": line})
    policy.preamble = "\n".join(preamble)
    return policy
