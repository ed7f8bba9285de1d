"""The eligibility self-check (资格自测): a questionnaire, its outcomes, and what answers mean.

Plain Python like :mod:`cms.notices.rules`, whose clause codes it is built from. :func:`build_spec`
turns the rules, the live policy's clause texts and the guidance page's materials into one
JSON-ready dict; the read API publishes it, the portal exports it at build time, and both
:func:`assess` here and the portal's script read their logic from it, not from a copy:

- every option of a question may carry an ``effect``: ``{"block": code}`` (a rejection reason of
  REJECTION_REASONS: an exclusion X1–X4, ``out_of_scope``, ``no_ground`` or
  ``after_acceptance``), ``{"ground": code}`` (A1–A5), ``{"handling_body": code}`` (the body a
  programme's application goes to, from handling_body_for) or ``{"unsure": true}``;
- an ``exclusive`` option of a multiple-choice question ("none of these", "not sure") counts only
  when nothing else is chosen;
- ``outcome_rules`` are tried in order: ``blocked`` (some answer blocks), ``incomplete`` (a required
  question is unanswered or answered "not sure"), ``always``;
- each outcome ``shows`` the parts of a result it carries beyond the outcome, grounds, blockers
  and handling body: ``open_questions``, ``deadline``, ``materials``.

The result is guidance, never a decision: every result carries that statement.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from cms.domain.clauses import EXCLUSIONS, GROUNDS, Clause, get_reason
from cms.domain.numerals import clause_anchor, int_to_chinese_numeral
from cms.domain.programmes import HandlingBody, Programme, handling_body_for
from cms.policies.outline import Passage, passages

SPEC_VERSION: Final = 1

MAY_APPLY: Final = "may_apply"
DOES_NOT_APPLY: Final = "does_not_apply"
NEED_MORE: Final = "need_more"

DISCLAIMER: Final = "仅供参考，不构成认定结论。"
DISCLAIMER_EN: Final = "For guidance only; this is not a decision."
DISCLAIMER_DETAIL: Final = (
    "是否予以免责，由受理部门按《实施意见》规定的程序，经调查核实、专家评审和集体审定后作出认定，"
    "并在门户网站公示。"
)
DISCLAIMER_DETAIL_EN: Final = (
    "Whether liability is exempted is decided by the handling body through investigation, expert "
    "review and a collective decision, and published for publicity on the portal."
)

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

OUTCOMES: Final = {
    MAY_APPLY: ("可能适用容错免责", "The policy may apply",
                "根据您的回答，您的项目可能适用容错免责。可按下列材料清单准备，在项目验收前经项目承担单位"
                "审核后向受理部门提出书面申请。"),
    DOES_NOT_APPLY: ("不适用容错免责", "The policy does not apply",
                     "根据您的回答，存在下列不适用的情形，按《实施意见》不能认定容错免责。"),
    NEED_MORE: ("尚需进一步确认", "More information is needed",
                "根据您的回答，暂时无法判断。请对照政策原文确认下列问题，或向项目承担单位、受理部门咨询。"),
}
# fmt: on

# What a result shows besides its outcome, fitting grounds, blockers and handling body.
OUTCOME_SHOWS: Final = {
    MAY_APPLY: ("deadline", "materials"),
    DOES_NOT_APPLY: (),
    NEED_MORE: ("open_questions", "deadline", "materials"),
}

OUTCOME_RULES: Final = (
    {"when": "blocked", "outcome": DOES_NOT_APPLY},
    {"when": "incomplete", "outcome": NEED_MORE},
    {"when": "always", "outcome": MAY_APPLY},
)


# --- building the spec ----------------------------------------------------------------------


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


def _clause(anchor: str, index: Mapping[str, Passage]) -> dict[str, str]:
    found = index.get(anchor)
    return {
        "clause_ref": _clause_ref(anchor),
        "anchor": anchor,
        "heading": found.heading if found else "",
        "clause_text": _text(index, anchor),
    }


def _coded(clause: Clause, index: Mapping[str, Passage]) -> dict[str, str]:
    return {**clause.as_dict(), "clause_text": _text(index, clause.anchor)}


def _sentence_with(text: str, words: str) -> str:
    """The sentence of ``text`` (split at 。) that names ``words``; '' when none does."""
    for sentence in text.split("。"):
        if words in sentence:
            return sentence.strip() + "。"
    return ""


def _handling_bodies(index: Mapping[str, Passage]) -> dict[str, dict[str, str]]:
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
        clause = _clause(anchor, index)
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


def _questions(index: Mapping[str, Passage]) -> list[dict[str, Any]]:
    questions: list[dict[str, Any]] = []
    for qid, text, text_en, hint in SCOPE_CONDITIONS:
        questions.append(
            {
                "id": qid,
                "group": "scope",
                "kind": "single",
                "required": True,
                "text": text,
                "text_en": text_en,
                "hint": hint,
                "clause": _clause(SCOPE_ANCHOR, index),
                "options": [
                    _option(YES, "是", "Yes"),
                    _option(NO, "否", "No", {"block": "out_of_scope"}),
                    _unsure(),
                ],
            }
        )
    grounds = [
        _option(c.code, c.label, c.label_en, {"ground": c.code}, clause=_coded(c, index))
        for c in GROUNDS.values()
    ]
    questions.append(
        {
            "id": "grounds",
            "group": "grounds",
            "kind": "multiple",
            "required": True,
            "text": "项目未能完成的原因，符合下列哪些情形？（可多选）",
            "text_en": "Which of these explain why the project could not be completed?",
            "hint": "满足其中一项即可申请认定；均不符合的，不适用容错免责。",
            "clause": _clause(GROUNDS_ANCHOR, index),
            "options": [
                *grounds,
                _option(
                    NONE_OF_THESE, "以上均不符合", "None of these",
                    {"block": "no_ground"}, exclusive=True,
                ),
                _unsure(),
            ],
        }
    )  # fmt: skip
    exclusions = [
        _option(c.code, c.label, c.label_en, {"block": c.code}, clause=_coded(c, index))
        for c in EXCLUSIONS.values()
    ]
    questions.append(
        {
            "id": "exclusions",
            "group": "exclusions",
            "kind": "multiple",
            "required": True,
            "text": "项目或您本人是否存在下列情形？（可多选）",
            "text_en": "Does any of these apply to the project or to you?",
            "hint": "存在其中任何一项的，不适用容错免责。",
            "clause": _clause(EXCLUSIONS_ANCHOR, index),
            "options": [
                *exclusions,
                _option(NONE_OF_THESE, "以上情形均不存在", "None of these", exclusive=True),
                _unsure(),
            ],
        }
    )
    questions.append(
        {
            "id": "timing",
            "group": "timing",
            "kind": "single",
            "required": True,
            "text": "项目是否已经通过验收？",
            "text_en": "Has the project already passed its acceptance?",
            "hint": "申请须在科技计划项目验收前提出。",
            "clause": _clause(APPLICATION_ANCHOR, index),
            "options": [
                _option(BEFORE_ACCEPTANCE, "尚未验收", "Not yet accepted"),
                _option(
                    AFTER_ACCEPTANCE, "已经验收", "Already accepted",
                    {"block": "after_acceptance"},
                ),
                _unsure(),
            ],
        }
    )  # fmt: skip
    programmes = [
        _option(p.value, p.label, p.label_en, {"handling_body": handling_body_for([p]).value})
        for p in Programme
    ]
    questions.append(
        {
            "id": "programme",
            "group": "programme",
            "kind": "single",
            "required": True,
            "text": "项目属于哪类省级科技计划？",
            "text_en": "Which provincial programme does the project belong to?",
            "hint": (
                "省基础公益研究专项的申请由省自然科学基金委员会办公室受理，其他由省科学技术厅受理。"
            ),
            "clause": _clause(PROCEDURE_ANCHOR, index),
            "options": programmes,
        }
    )
    return questions


def build_spec(
    policy: Mapping[str, Any] | None,
    outline: Sequence[Mapping[str, Any]],
    materials: Sequence[Mapping[str, str]] = (),
) -> dict[str, Any]:
    """The whole questionnaire as a JSON-ready dict.

    ``policy``: {"title", "slug"} of the live policy the clauses are quoted from (None if there is
    none); ``outline``: its outline; ``materials``: the guidance page's list of {"name", "note"}.
    """
    index = passages(outline)
    questions = _questions(index)
    reasons = {}
    for question in questions:
        for option in question["options"]:
            code = (option["effect"] or {}).get("block")
            if code:
                reasons[code] = _coded(get_reason(code), index)
    return {
        "version": SPEC_VERSION,
        "title": "容错免责资格自测",
        "title_en": "Eligibility self-check",
        "disclaimer": DISCLAIMER,
        "disclaimer_en": DISCLAIMER_EN,
        "disclaimer_detail": DISCLAIMER_DETAIL,
        "disclaimer_detail_en": DISCLAIMER_DETAIL_EN,
        "policy": {"title": policy["title"], "slug": policy["slug"]} if policy else None,
        "questions": questions,
        "grounds": {c.code: _coded(c, index) for c in GROUNDS.values()},
        "reasons": dict(sorted(reasons.items())),
        "handling_bodies": _handling_bodies(index),
        "outcomes": {
            code: {
                "code": code,
                "label": zh,
                "label_en": en,
                "text": text,
                "shows": list(OUTCOME_SHOWS[code]),
            }
            for code, (zh, en, text) in OUTCOMES.items()
        },
        "outcome_rules": [dict(rule) for rule in OUTCOME_RULES],
        "deadline": {
            "text": "在科技计划项目验收前，经项目承担单位审核，向受理部门提出书面申请。",
            "text_en": "Apply in writing before the project's acceptance, through the "
            "undertaking unit.",
            **_clause(APPLICATION_ANCHOR, index),
        },
        "materials": [
            {"name": str(m.get("name", "")), "note": str(m.get("note", ""))} for m in materials
        ],
    }


# --- assessing answers ----------------------------------------------------------------------


def _chosen(question: Mapping[str, Any], answer: Any) -> list[Mapping[str, Any]]:
    """The options an answer selects, unknown values dropped; an exclusive option of a
    multiple-choice question counts only when nothing else is chosen."""
    if answer is None:
        return []
    values = [answer] if isinstance(answer, str) else list(answer)
    options = {o["value"]: o for o in question["options"]}
    picked = [options[v] for v in dict.fromkeys(values) if isinstance(v, str) and v in options]
    if question["kind"] == "single":
        return picked[:1] if len(picked) == 1 else []
    plain = [o for o in picked if not o.get("exclusive")]
    return plain or picked


def assess(spec: Mapping[str, Any], answers: Mapping[str, Any]) -> dict[str, Any]:
    """What the answers mean under the spec: outcome, fitting grounds, blockers, handling body,
    open questions and materials, with the statement that this is guidance, not a decision."""
    grounds: list[str] = []
    blockers: list[dict[str, Any]] = []
    open_questions: list[dict[str, str]] = []
    handling_body = None
    for question in spec["questions"]:
        chosen = _chosen(question, answers.get(question["id"]))
        effects = [o["effect"] or {} for o in chosen]
        if question.get("required") and (not chosen or any(e.get("unsure") for e in effects)):
            open_questions.append({"id": question["id"], "text": question["text"]})
        for option, effect in zip(chosen, effects, strict=True):
            if code := effect.get("ground"):
                grounds.append(code)
            if code := effect.get("block"):
                blockers.append(
                    {
                        **spec["reasons"][code],
                        "question": question["id"],
                        "question_text": question["text"],
                        "answer": option["label"],
                    }
                )
            if code := effect.get("handling_body"):
                handling_body = spec["handling_bodies"][code]
    conditions = {"blocked": bool(blockers), "incomplete": bool(open_questions), "always": True}
    outcome = next(r["outcome"] for r in spec["outcome_rules"] if conditions[r["when"]])
    shows = spec["outcomes"][outcome]["shows"]
    return {
        "outcome": outcome,
        **{k: spec["outcomes"][outcome][k] for k in ("label", "label_en", "text")},
        "grounds": [spec["grounds"][code] for code in dict.fromkeys(grounds)],
        "blockers": blockers,
        "open_questions": open_questions if "open_questions" in shows else [],
        "handling_body": handling_body,
        "deadline": spec["deadline"] if "deadline" in shows else None,
        "materials": list(spec["materials"]) if "materials" in shows else [],
        "disclaimer": spec["disclaimer"],
        "disclaimer_en": spec["disclaimer_en"],
    }


# --- from the CMS ---------------------------------------------------------------------------


def guidance_materials() -> list[dict[str, str]]:
    """The materials checklist of the live guidance page; [] while there is none."""
    from django.apps import apps

    if not apps.is_installed("cms.guidance"):
        return []
    from cms.guidance.models import GuidancePage

    page = GuidancePage.objects.live().public().first()
    return list(page.materials_list()) if page is not None else []


def live_spec() -> dict[str, Any]:
    """The spec from the live policy that notices cite and the live guidance page."""
    from .models import NoticeIndexPage

    index = NoticeIndexPage.objects.select_related("policy").first()
    policy = getattr(index, "policy", None)
    if policy is None or not policy.live:
        return build_spec(None, [], guidance_materials())
    summary = {"title": policy.title, "slug": policy.slug}
    return build_spec(summary, policy.outline, guidance_materials())
