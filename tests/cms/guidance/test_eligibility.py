"""The eligibility self-check: its questionnaire is built from the rules and the live policy, and
assess() turns answers into an outcome by the spec's own declarations."""

import copy
import itertools

import pytest

from cms.domain import clauses, programmes
from cms.guidance import eligibility, questionnaire
from cms.guidance.eligibility import (
    DOES_NOT_APPLY,
    MAY_APPLY,
    NEED_MORE,
    assess,
    build_spec,
    live_spec,
)
from cms.policies.models import PolicyPage
from cms.policies.outline import passages

MATERIALS = [
    {"name": "申请书", "note": "容错免责认定申请书"},
    {"name": "经费审计报告", "note": ""},
]
SCOPE_IDS = [qid for qid, *_ in questionnaire.SCOPE_CONDITIONS]


@pytest.fixture
def spec() -> dict:
    """Built from a small outline shaped like the policy's (no database)."""
    outline = [
        {
            "kind": "section", "anchor": "s2", "number": "二", "heading": "适用情形",
            "children": [
                {"kind": "subsection", "anchor": "s2-1", "number": "（一）", "heading": "范围",
                 "lead": "", "children": [{"kind": "paragraph", "text": "适用范围原文。"}]},
                {"kind": "subsection", "anchor": "s2-2", "number": "（二）", "heading": "情形",
                 "lead": "", "children": [
                     {"kind": "clause", "anchor": f"s2-2-{n}", "number": str(n),
                      "text": f"适用情形{n}原文。"} for n in range(1, 6)]},
                {"kind": "subsection", "anchor": "s2-3", "number": "（三）", "heading": "不适用",
                 "lead": "", "children": [
                     {"kind": "clause", "anchor": f"s2-3-{n}", "number": str(n),
                      "text": f"不适用情形{n}原文。"} for n in range(1, 5)]},
            ],
        },
        {
            "kind": "section", "anchor": "s3", "number": "三", "heading": "认定程序",
            "children": [
                {"kind": "subsection", "anchor": "s3-1", "number": "（一）", "heading": "提出申请",
                 "lead": "在项目验收前提出申请。", "children": []},
                {"kind": "paragraph",
                 "text": "其他说明。省基础公益研究专项的申请由省自然科学基金委员会办公室受理。"},
            ],
        },
    ]  # fmt: skip
    return build_spec({"title": "实施意见", "slug": "exemption-policy"}, outline, MATERIALS)


def good_answers(**overrides) -> dict:
    answers = {qid: "yes" for qid in SCOPE_IDS}
    answers |= {"grounds": ["A2"], "exclusions": ["none"], "timing": "before_acceptance"}
    answers |= {"programme": "key_rd"}
    return answers | overrides


# --- the spec ---------------------------------------------------------------------------------


def _question(spec: dict, qid: str) -> dict:
    return next(q for q in spec["questions"] if q["id"] == qid)


def _codes(question: dict, effect: str) -> list[str]:
    return [o["effect"][effect] for o in question["options"] if (o["effect"] or {}).get(effect)]


def test_the_questions_offer_exactly_the_rules_grounds_and_exclusions(spec):
    assert _codes(_question(spec, "grounds"), "ground") == list(clauses.GROUNDS)
    assert _codes(_question(spec, "exclusions"), "block") == list(clauses.EXCLUSIONS)
    assert [q["group"] for q in spec["questions"]] == [
        *["scope"] * 4, "grounds", "exclusions", "timing", "programme",
    ]  # fmt: skip
    for code, clause in spec["grounds"].items():
        assert (clause["label"], clause["anchor"]) == (clauses.GROUNDS[code].label,
                                                       clauses.GROUNDS[code].anchor)  # fmt: skip


def test_every_blocking_answer_names_a_rejection_reason_with_its_clause(spec):
    blocks = {
        o["effect"]["block"]
        for q in spec["questions"]
        for o in q["options"]
        if (o["effect"] or {}).get("block")
    }
    assert blocks == {*clauses.EXCLUSIONS, "out_of_scope", "no_ground", "after_acceptance"}
    assert set(spec["reasons"]) == blocks
    for code, reason in spec["reasons"].items():
        clause = clauses.REJECTION_REASONS[code]
        assert (reason["clause_ref"], reason["anchor"]) == (clause.clause_ref, clause.anchor)


def test_programmes_map_to_the_handling_body_the_rules_give(spec):
    options = _question(spec, "programme")["options"]
    assert [o["value"] for o in options] == [p.value for p in programmes.Programme]
    for option in options:
        body = programmes.handling_body_for([programmes.Programme(option["value"])])
        assert option["effect"] == {"handling_body": body.value}
        assert spec["handling_bodies"][body.value]["label"] == body.label


def test_clause_texts_come_from_the_outline(spec):
    assert spec["grounds"]["A3"]["clause_text"] == "适用情形3原文。"
    assert spec["reasons"]["X4"]["clause_text"] == "不适用情形4原文。"
    assert spec["reasons"]["out_of_scope"]["clause_text"] == "适用范围原文。"
    assert _question(spec, "scope_funds")["clause"]["clause_ref"] == "二（一）"
    foundation = spec["handling_bodies"]["foundation_office"]
    assert foundation["anchor"] == "s3"
    assert foundation["clause_text"] == "省基础公益研究专项的申请由省自然科学基金委员会办公室受理。"
    assert spec["deadline"]["anchor"] == "s3-1"
    assert spec["deadline"]["clause_text"] == "在项目验收前提出申请。"
    assert spec["materials"] == MATERIALS


def test_without_a_policy_the_spec_still_has_every_question_and_no_clause_text():
    spec = build_spec(None, [])
    assert spec["policy"] is None and spec["materials"] == []
    assert len(spec["questions"]) == 8
    assert all(g["clause_text"] == "" for g in spec["grounds"].values())
    assert assess(spec, good_answers())["outcome"] == MAY_APPLY


# --- assess -----------------------------------------------------------------------------------


def test_all_conditions_met_may_apply_with_the_grounds_chosen(spec):
    result = assess(spec, good_answers(grounds=["A1", "A4"]))
    assert result["outcome"] == MAY_APPLY
    assert [g["code"] for g in result["grounds"]] == ["A1", "A4"]
    assert result["blockers"] == [] and result["open_questions"] == []
    assert result["handling_body"]["code"] == "department"
    assert result["materials"] == MATERIALS
    assert result["disclaimer"] == "仅供参考，不构成认定结论。"


@pytest.mark.parametrize("code", list(clauses.EXCLUSIONS))
def test_any_exclusion_blocks_with_its_code_and_clause(spec, code):
    result = assess(spec, good_answers(exclusions=[code]))
    assert result["outcome"] == DOES_NOT_APPLY
    assert [(b["code"], b["anchor"]) for b in result["blockers"]] == [
        (code, clauses.EXCLUSIONS[code].anchor)
    ]
    assert result["materials"] == [] and result["deadline"] is None
    assert result["disclaimer"] == eligibility.DISCLAIMER


def test_an_exclusion_blocks_even_when_grounds_fit_and_other_answers_are_unsure(spec):
    result = assess(spec, good_answers(exclusions=["X3", "unsure"], timing="unsure"))
    assert result["outcome"] == DOES_NOT_APPLY
    assert [b["code"] for b in result["blockers"]] == ["X3"]


def test_no_ground_does_not_apply(spec):
    result = assess(spec, good_answers(grounds=["none"]))
    assert result["outcome"] == DOES_NOT_APPLY
    assert [b["code"] for b in result["blockers"]] == ["no_ground"]
    assert result["blockers"][0]["anchor"] == "s2-2"


def test_a_chosen_ground_outweighs_none_of_these(spec):
    result = assess(spec, good_answers(grounds=["none", "A5"]))
    assert result["outcome"] == MAY_APPLY
    assert [g["code"] for g in result["grounds"]] == ["A5"]


@pytest.mark.parametrize("qid", SCOPE_IDS)
def test_any_scope_condition_not_met_is_out_of_scope(spec, qid):
    result = assess(spec, good_answers(**{qid: "no"}))
    assert result["outcome"] == DOES_NOT_APPLY
    assert [(b["code"], b["question"], b["anchor"]) for b in result["blockers"]] == [
        ("out_of_scope", qid, "s2-1")
    ]


def test_after_acceptance_blocks(spec):
    result = assess(spec, good_answers(timing="after_acceptance"))
    assert result["outcome"] == DOES_NOT_APPLY
    assert [(b["code"], b["anchor"]) for b in result["blockers"]] == [("after_acceptance", "s3-1")]


def test_blockers_are_all_listed(spec):
    answers = good_answers(scope_funds="no", grounds=["none"], exclusions=["X1", "X2"])
    answers["timing"] = "after_acceptance"
    codes = [b["code"] for b in assess(spec, answers)["blockers"]]
    assert codes == ["out_of_scope", "no_ground", "X1", "X2", "after_acceptance"]


@pytest.mark.parametrize(
    "overrides, open_ids",
    [
        ({"scope_activity": "unsure"}, ["scope_activity"]),
        ({"grounds": ["unsure"]}, ["grounds"]),
        ({"exclusions": []}, ["exclusions"]),
        ({"timing": None, "programme": "nonsense"}, ["timing", "programme"]),
    ],
)
def test_unsure_or_unanswered_needs_more(spec, overrides, open_ids):
    result = assess(spec, good_answers(**overrides))
    assert result["outcome"] == NEED_MORE
    assert [q["id"] for q in result["open_questions"]] == open_ids
    assert result["blockers"] == []
    assert result["materials"] == MATERIALS


def test_no_answers_at_all_need_more(spec):
    result = assess(spec, {})
    assert result["outcome"] == NEED_MORE
    assert len(result["open_questions"]) == len(spec["questions"])
    assert result["handling_body"] is None


def test_the_basic_public_welfare_programme_goes_to_the_foundation_committee_office(spec):
    result = assess(spec, good_answers(programme="basic_public_welfare"))
    assert result["handling_body"]["code"] == "foundation_office"
    assert result["handling_body"]["label"] == "省自然科学基金委员会办公室"
    for programme in programmes.Programme:
        if programme is not programmes.Programme.BASIC_PUBLIC_WELFARE:
            body = assess(spec, good_answers(programme=programme.value))["handling_body"]
            assert body["code"] == "department"


def test_a_result_that_does_not_apply_shows_why_alone(spec):
    """Fitting grounds and a handling body beside a blocker would read as a way to apply."""
    answers = good_answers(exclusions=["X2"], programme="basic_public_welfare")
    result = assess(spec, answers)
    assert result["outcome"] == DOES_NOT_APPLY
    assert [b["code"] for b in result["blockers"]] == ["X2"]
    assert result["grounds"] == [] and result["handling_body"] is None
    assert result["deadline"] is None and result["materials"] == []
    assert spec["outcomes"][DOES_NOT_APPLY]["shows"] == []


def test_the_outcome_follows_the_specs_rules_not_a_copy(spec):
    changed = copy.deepcopy(spec)
    changed["outcome_rules"] = [{"when": "always", "outcome": NEED_MORE}]
    assert assess(changed, good_answers())["outcome"] == NEED_MORE
    changed = copy.deepcopy(spec)
    _question(changed, "timing")["options"][0]["effect"] = {"block": "after_acceptance"}
    assert assess(changed, good_answers())["outcome"] == DOES_NOT_APPLY
    changed = copy.deepcopy(spec)
    changed["outcomes"][MAY_APPLY]["shows"] = []
    result = assess(changed, good_answers())
    assert result["materials"] == [] and result["deadline"] is None


def test_every_combination_of_grounds_and_exclusions_agrees_with_the_rules(spec):
    grounds, exclusions = list(clauses.GROUNDS), list(clauses.EXCLUSIONS)
    for g, x in itertools.product(range(len(grounds) + 1), range(len(exclusions) + 1)):
        chosen_g = grounds[:g] or ["none"]
        chosen_x = exclusions[:x] or ["none"]
        result = assess(spec, good_answers(grounds=chosen_g, exclusions=chosen_x))
        expected = MAY_APPLY if g and not x else DOES_NOT_APPLY
        assert result["outcome"] == expected, (chosen_g, chosen_x)
        assert [b["code"] for b in result["blockers"]] == (["no_ground"] if not g else []) + (
            exclusions[:x]
        )


# --- from the CMS -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_live_spec_quotes_the_live_policy(seeded):
    spec = live_spec()
    policy = PolicyPage.objects.get()
    assert spec["policy"] == {"title": policy.title, "slug": policy.slug}
    texts = passages(policy.outline)
    for code, clause in spec["grounds"].items():
        assert clause["clause_text"] == texts[clauses.GROUNDS[code].anchor].text != ""
    for reason in spec["reasons"].values():
        assert reason["clause_text"] == texts[reason["anchor"]].text != ""
    assert spec["grounds"]["A2"]["clause_text"] == "因技术路线选择失误导致难以完成预定目标；"
    assert "科技计划项目验收前" in spec["deadline"]["clause_text"]
    foundation = spec["handling_bodies"]["foundation_office"]["clause_text"]
    assert foundation.startswith("省基础公益研究专项的容错免责申请由省自然科学基金委员会办公室受理")
    # The materials are the guidance page's checklist (cms.guidance), as it is seeded.
    assert spec["materials"] == eligibility.guidance_materials()
    names = [m["name"] for m in spec["materials"]]
    for wanted in ("申请书", "情况说明及佐证材料", "所在单位证明", "经费审计报告", "实施绩效资料"):
        assert any(wanted in name for name in names), wanted


@pytest.mark.django_db
def test_the_read_api_publishes_the_spec_anonymously(seeded, client):
    response = client.get("/api/v3/eligibility/")
    assert response.status_code == 200
    data = response.json()
    assert data == live_spec()
    assert data["disclaimer"] == "仅供参考，不构成认定结论。"
    result = assess(data, good_answers(programme="basic_public_welfare"))
    assert result["outcome"] == MAY_APPLY
    assert result["handling_body"]["code"] == "foundation_office"


@pytest.mark.django_db
def test_the_read_api_answers_without_a_policy(client):
    data = client.get("/api/v3/eligibility/").json()
    assert data["policy"] is None
    assert len(data["questions"]) == 8
