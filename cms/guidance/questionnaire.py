"""The self-check's questions, built from the clause codes and the live policy's clause texts
(:mod:`cms.guidance.eligibility` puts them into the spec and reads answers against it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from cms.domain.clauses import EXCLUSIONS, GROUNDS, Clause
from cms.domain.numerals import clause_anchor, int_to_chinese_numeral
from cms.domain.programmes import HandlingBody, Programme, handling_body_for
from cms.policies.outline import Passage

YES, NO, UNSURE = "yes", "no", "unsure"
NONE_OF_THESE = "none"
BEFORE_ACCEPTANCE, AFTER_ACCEPTANCE = "before_acceptance", "after_acceptance"

SCOPE_ANCHOR: Final = clause_anchor(2, 1)
GROUNDS_ANCHOR: Final = clause_anchor(2, 2)
EXCLUSIONS_ANCHOR: Final = clause_anchor(2, 3)
APPLICATION_ANCHOR: Final = clause_anchor(3, 1)
PROCEDURE_ANCHOR: Final = clause_anchor(3)

# The conditions of 二（一）, one question each: (id, question, question in English, hint).
# fmt: off
SCOPE_CONDITIONS: Final = (
    ("scope_researcher", "您是否为本省行政区域内的科研人员？",
     "Are you a researcher within the province?",
     "适用主体为本省行政区域内的科研人员。"),
    ("scope_funds", "项目是否使用省级财政资金？",
     "Is the project funded by provincial fiscal funds?",
     "仅适用于使用省级财政资金的科技计划项目。"),
    ("scope_activity",
     "项目是否属于中长期基础类、前沿类、颠覆性技术创新，或不确定性、风险性高的成果转化等科技创新活动？",
     "Is it long-horizon basic, frontier or disruptive innovation, or high-risk transfer of "
     "results?",
     "以政策所列的科技创新活动为限。"),
    ("scope_termination",
     "项目是否在实施过程中出现科研失败，并已（或将）提出科技计划项目终止申请？",
     "Did the research fail, with a termination application for the project filed (or to be "
     "filed)?",
     "容错免责针对科研失败后提出终止申请的科技计划项目。"),
)
# fmt: on


def _clause_ref(anchor: str) -> str:
    """'s2-1' → '二（一）', 's2-3-4' → '二（三）4', 's3' → '三'."""
    parts = [int(p) for p in anchor[1:].split("-")]
    ref = int_to_chinese_numeral(parts[0])
    if len(parts) > 1:
        ref += f"（{int_to_chinese_numeral(parts[1])}）"
    return ref + "".join(str(p) for p in parts[2:])


def _text(index: Mapping[str, Passage], anchor: str) -> str:
    found = index.get(anchor)
    return found.text if found else ""


def clause_citation(anchor: str, index: Mapping[str, Passage]) -> dict[str, str]:
    found = index.get(anchor)
    return {
        "clause_ref": _clause_ref(anchor),
        "anchor": anchor,
        "heading": found.heading if found else "",
        "clause_text": _text(index, anchor),
    }


def coded_citation(clause: Clause, index: Mapping[str, Passage]) -> dict[str, str]:
    return {**clause.as_dict(), "clause_text": _text(index, clause.anchor)}


def _sentence_with(text: str, words: str) -> str:
    """The sentence of ``text`` (split at 。) that names ``words``; '' when none does."""
    for sentence in text.split("。"):
        if words in sentence:
            return sentence.strip() + "。"
    return ""


def handling_bodies(index: Mapping[str, Passage]) -> dict[str, dict[str, str]]:
    """Each body with the clause that makes it the one to apply to."""
    foundation_text = _sentence_with(
        _text(index, PROCEDURE_ANCHOR), Programme.BASIC_PUBLIC_WELFARE.label
    )
    sources = {
        HandlingBody.DEPARTMENT: (APPLICATION_ANCHOR, None),
        HandlingBody.FOUNDATION_OFFICE: (PROCEDURE_ANCHOR, foundation_text),
    }
    bodies = {}
    for body, (anchor, text) in sources.items():
        clause = clause_citation(anchor, index)
        if text is not None:
            clause["clause_text"] = text
        bodies[body.value] = {
            "code": body.value,
            "label": body.label,
            "label_en": body.label_en,
            **clause,
        }
    return bodies


def _option(value: str, label: str, label_en: str, effect: dict | None = None, **extra) -> dict:
    return {"value": value, "label": label, "label_en": label_en, "effect": effect, **extra}


def _unsure() -> dict:
    return _option(UNSURE, "不确定", "Not sure", {"unsure": True}, exclusive=True)


def _scope_questions(index: Mapping[str, Passage]) -> list[dict[str, Any]]:
    """One yes/no question per condition of 二（一）; "no" puts the project out of scope."""
    return [
        {
            "id": qid,
            "group": "scope",
            "kind": "single",
            "required": True,
            "text": text,
            "text_en": text_en,
            "hint": hint,
            "clause": clause_citation(SCOPE_ANCHOR, index),
            "options": [
                _option(YES, "是", "Yes"),
                _option(NO, "否", "No", {"block": "out_of_scope"}),
                _unsure(),
            ],
        }
        for qid, text, text_en, hint in SCOPE_CONDITIONS
    ]


def _grounds_question(index: Mapping[str, Passage]) -> dict[str, Any]:
    """Which grounds of 二（二） fit; none of them blocks."""
    grounds = [
        _option(c.code, c.label, c.label_en, {"ground": c.code}, clause=coded_citation(c, index))
        for c in GROUNDS.values()
    ]
    return {
        "id": "grounds",
        "group": "grounds",
        "kind": "multiple",
        "required": True,
        "text": "项目未能完成的原因，符合下列哪些情形？（可多选）",
        "text_en": "Which of these explain why the project could not be completed?",
        "hint": "满足其中一项即可申请认定；均不符合的，不适用容错免责。",
        "clause": clause_citation(GROUNDS_ANCHOR, index),
        "options": [
            *grounds,
            _option(
                NONE_OF_THESE, "以上均不符合", "None of these",
                {"block": "no_ground"}, exclusive=True,
            ),
            _unsure(),
        ],
    }  # fmt: skip


def _exclusions_question(index: Mapping[str, Passage]) -> dict[str, Any]:
    """Which exclusions of 二（三） apply; each one blocks."""
    exclusions = [
        _option(c.code, c.label, c.label_en, {"block": c.code}, clause=coded_citation(c, index))
        for c in EXCLUSIONS.values()
    ]
    return {
        "id": "exclusions",
        "group": "exclusions",
        "kind": "multiple",
        "required": True,
        "text": "项目或您本人是否存在下列情形？（可多选）",
        "text_en": "Does any of these apply to the project or to you?",
        "hint": "存在其中任何一项的，不适用容错免责。",
        "clause": clause_citation(EXCLUSIONS_ANCHOR, index),
        "options": [
            *exclusions,
            _option(NONE_OF_THESE, "以上情形均不存在", "None of these", exclusive=True),
            _unsure(),
        ],
    }


def _timing_question(index: Mapping[str, Passage]) -> dict[str, Any]:
    """Whether the project has passed its acceptance; an application comes before it."""
    return {
        "id": "timing",
        "group": "timing",
        "kind": "single",
        "required": True,
        "text": "项目是否已经通过验收？",
        "text_en": "Has the project already passed its acceptance?",
        "hint": "申请须在科技计划项目验收前提出。",
        "clause": clause_citation(APPLICATION_ANCHOR, index),
        "options": [
            _option(BEFORE_ACCEPTANCE, "尚未验收", "Not yet accepted"),
            _option(
                AFTER_ACCEPTANCE, "已经验收", "Already accepted",
                {"block": "after_acceptance"},
            ),
            _unsure(),
        ],
    }  # fmt: skip


def _programme_question(index: Mapping[str, Passage]) -> dict[str, Any]:
    """The project's programme, which decides the handling body."""
    programmes = [
        _option(p.value, p.label, p.label_en, {"handling_body": handling_body_for([p]).value})
        for p in Programme
    ]
    return {
        "id": "programme",
        "group": "programme",
        "kind": "single",
        "required": True,
        "text": "项目属于哪类省级科技计划？",
        "text_en": "Which provincial programme does the project belong to?",
        "hint": (
            "省基础公益研究专项的申请由省自然科学基金委员会办公室受理，其他由省科学技术厅受理。"
        ),
        "clause": clause_citation(PROCEDURE_ANCHOR, index),
        "options": programmes,
    }


def questions_from(index: Mapping[str, Passage]) -> list[dict[str, Any]]:
    """Every question, in the order the self-check asks them."""
    return [
        *_scope_questions(index),
        _grounds_question(index),
        _exclusions_question(index),
        _timing_question(index),
        _programme_question(index),
    ]
