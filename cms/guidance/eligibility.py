"""The eligibility self-check (资格自测): a questionnaire, its outcomes, and what answers mean.

Plain Python on :mod:`cms.domain.clauses`, whose clause codes it is built from. :func:`build_spec`
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
- each outcome ``shows`` the parts of a result it carries beyond the outcome and its blockers:
  ``grounds``, ``handling_body``, ``open_questions``, ``deadline``, ``materials``.

The result is guidance, never a decision: every result carries that statement.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from cms.domain.clauses import GROUNDS, get_reason
from cms.policies.outline import passages

from .questionnaire import (
    APPLICATION_ANCHOR,
    clause_citation,
    coded_citation,
    handling_bodies,
    questions_from,
)

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

OUTCOMES: Final = {
    MAY_APPLY: (
        "可能适用容错免责",
        "The policy may apply",
        "根据您的回答，您的项目可能适用容错免责。可按下列材料清单准备，在项目验收前经项目承担单位"
        "审核后向受理部门提出书面申请。",
    ),
    DOES_NOT_APPLY: (
        "不适用容错免责",
        "The policy does not apply",
        "根据您的回答，存在下列不适用的情形，按《实施意见》不能认定容错免责。",
    ),
    NEED_MORE: (
        "尚需进一步确认",
        "More information is needed",
        "根据您的回答，暂时无法判断。请对照政策原文确认下列问题，或向项目承担单位、受理部门咨询。",
    ),
}
# fmt: on

# The parts of a result each outcome shows besides the outcome itself and the blockers: a result
# that does not apply (不适用) shows why alone, no grounds or handling body that would read as a
# way to apply.
OUTCOME_SHOWS: Final = {
    MAY_APPLY: ("grounds", "handling_body", "deadline", "materials"),
    DOES_NOT_APPLY: (),
    NEED_MORE: ("grounds", "handling_body", "open_questions", "deadline", "materials"),
}

OUTCOME_RULES: Final = (
    {"when": "blocked", "outcome": DOES_NOT_APPLY},
    {"when": "incomplete", "outcome": NEED_MORE},
    {"when": "always", "outcome": MAY_APPLY},
)


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
    questions = questions_from(index)
    reasons = {}
    for question in questions:
        for option in question["options"]:
            code = (option["effect"] or {}).get("block")
            if code:
                reasons[code] = coded_citation(get_reason(code), index)
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
        "grounds": {c.code: coded_citation(c, index) for c in GROUNDS.values()},
        "reasons": dict(sorted(reasons.items())),
        "handling_bodies": handling_bodies(index),
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
            **clause_citation(APPLICATION_ANCHOR, index),
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
        "grounds": (
            [spec["grounds"][code] for code in dict.fromkeys(grounds)] if "grounds" in shows else []
        ),
        "blockers": blockers,
        "open_questions": open_questions if "open_questions" in shows else [],
        "handling_body": handling_body if "handling_body" in shows else None,
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


def _no_policy() -> None:
    return None


#: Finds the policy the self-check quotes (a PolicyPage or None). Which policy that is belongs to
#: the notices app, the one its notices cite; it sits above this app and sets the source when it
#: is ready (:func:`set_policy_source`). Without it there is no policy.
_policy_source: Callable[[], Any] = _no_policy


def set_policy_source(source: Callable[[], Any]) -> None:
    """Where :func:`live_spec` takes its policy from."""
    global _policy_source
    _policy_source = source


def live_spec() -> dict[str, Any]:
    """The spec from the live policy that notices cite and the live guidance page."""
    policy = _policy_source()
    if policy is None or not policy.live:
        return build_spec(None, [], guidance_materials())
    summary = {"title": policy.title, "slug": policy.slug}
    return build_spec(summary, policy.outline, guidance_materials())
