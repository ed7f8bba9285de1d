"""The self-check on the built demo portal: its data file is the CMS's questionnaire, and the
logic run on that exported file (cms.guidance.eligibility.assess) gives what the rules say. The
page without JavaScript is written guidance that links to every clause it names."""

import json
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

from cms.domain import clauses
from cms.domain.programmes import HandlingBody, Programme
from cms.guidance.eligibility import (
    DOES_NOT_APPLY,
    MAY_APPLY,
    NEED_MORE,
    OUTCOMES,
    assess,
    build_spec,
)
from cms.guidance.questionnaire import SCOPE_CONDITIONS
from portal import selfcheck
from portal.urls import ELIGIBILITY_JSON

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PAGE = "guidance/self-check/"
SCRIPT = Path(__file__).resolve().parents[2] / "themes/publicity/static/js/selfcheck.js"


def _exported(site) -> dict:
    return json.loads((site.output / ELIGIBILITY_JSON).read_text(encoding="utf-8"))


def _soup(site, url: str) -> BeautifulSoup:
    return BeautifulSoup((site.output / url / "index.html").read_text(encoding="utf-8"), "lxml")


def good(**overrides) -> dict:
    answers = {qid: "yes" for qid, *_ in SCOPE_CONDITIONS}
    answers |= {"grounds": ["A1"], "exclusions": ["none"], "timing": "before_acceptance"}
    return answers | {"programme": "key_rd"} | overrides


# --- the exported data --------------------------------------------------------------------------


def test_the_page_embeds_the_same_data_as_the_data_file(site):
    spec = _exported(site)
    embedded = _soup(site, PAGE).find("script", id="eligibility-data")
    assert embedded["type"] == "application/json"
    assert json.loads(embedded.string) == spec
    assert spec["policy"]["slug"] == "exemption-policy"
    assert len(spec["questions"]) == 8


def test_the_data_file_is_the_questionnaire_the_cms_builds_from_the_exported_policy(site):
    spec = _exported(site)
    policy = next(p for p in site.policies if p["meta"]["slug"] == spec["policy"]["slug"])
    summary = {"title": policy["title"], "slug": policy["meta"]["slug"]}
    assert spec == build_spec(summary, policy["outline"], spec["materials"])


def test_the_script_knows_no_code_label_or_outcome_of_its_own():
    """Its string literals name no clause code, reason, programme, body or outcome."""
    script = SCRIPT.read_text(encoding="utf-8")
    literals = [a or b for a, b in re.findall(r'"([^"\\\n]*)"|\'([^\'\\\n]*)\'', script)]
    assert "data-exclusive" in literals  # the literals were found
    codes = {*clauses.CLAUSES, *(p.value for p in Programme)}
    codes |= {b.value for b in HandlingBody} | set(OUTCOMES)
    labels = [c.label for c in clauses.CLAUSES.values()] + [p.label for p in Programme]
    labels += [b.label for b in HandlingBody]
    found = [t for t in literals if t in codes or any(label in t for label in labels)]
    assert found == []


def test_every_code_in_the_data_is_a_rules_code_with_the_rules_anchor(site):
    spec = _exported(site)
    assert list(spec["grounds"]) == list(clauses.GROUNDS)
    for code, clause in spec["grounds"].items():
        assert clause["anchor"] == clauses.GROUNDS[code].anchor
    for code, reason in spec["reasons"].items():
        assert reason["anchor"] == clauses.REJECTION_REASONS[code].anchor
    assert set(spec["reasons"]) >= set(clauses.EXCLUSIONS)
    bodies = {b.value for b in HandlingBody}
    assert set(spec["handling_bodies"]) == bodies
    programmes = next(q for q in spec["questions"] if q["id"] == "programme")["options"]
    assert [o["value"] for o in programmes] == [p.value for p in Programme]


def test_every_anchor_in_the_data_exists_on_the_built_policy_page(site):
    spec = _exported(site)
    policy = _soup(site, f"policies/{spec['policy']['slug']}/")
    ids = {tag["id"] for tag in policy.find_all(id=True)}
    anchors = {q["clause"]["anchor"] for q in spec["questions"]}
    anchors |= {o["clause"]["anchor"] for q in spec["questions"] for o in q["options"]
                if o.get("clause")}  # fmt: skip
    anchors |= {c["anchor"] for c in [*spec["grounds"].values(), *spec["reasons"].values()]}
    anchors |= {b["anchor"] for b in spec["handling_bodies"].values()}
    anchors.add(spec["deadline"]["anchor"])
    assert anchors - ids == set()
    # The clause texts are the policy's own words, as the built page shows them.
    for clause in spec["grounds"].values():
        assert clause["clause_text"]
        assert policy.find(id=clause["anchor"]).get_text().endswith(clause["clause_text"])


# --- the logic, on the exported data ------------------------------------------------------------


def test_all_conditions_met_may_apply(site):
    result = assess(_exported(site), good(grounds=["A2", "A3"]))
    assert result["outcome"] == MAY_APPLY
    assert [g["code"] for g in result["grounds"]] == ["A2", "A3"]
    assert result["handling_body"]["label"] == "省科学技术厅"
    assert result["disclaimer"] == "仅供参考，不构成认定结论。"


@pytest.mark.parametrize("code", list(clauses.EXCLUSIONS))
def test_any_exclusion_blocks_with_its_code(site, code):
    result = assess(_exported(site), good(grounds=["A1", "A2"], exclusions=[code]))
    assert result["outcome"] == DOES_NOT_APPLY
    assert [(b["code"], b["anchor"]) for b in result["blockers"]] == [
        (code, clauses.EXCLUSIONS[code].anchor)
    ]


def test_no_ground_does_not_apply(site):
    result = assess(_exported(site), good(grounds=["none"]))
    assert result["outcome"] == DOES_NOT_APPLY
    assert [b["code"] for b in result["blockers"]] == ["no_ground"]


def test_after_acceptance_blocks(site):
    result = assess(_exported(site), good(timing="after_acceptance"))
    assert result["outcome"] == DOES_NOT_APPLY
    assert [b["code"] for b in result["blockers"]] == ["after_acceptance"]


@pytest.mark.parametrize("qid", [qid for qid, *_ in SCOPE_CONDITIONS])
def test_outside_the_scope_does_not_apply(site, qid):
    result = assess(_exported(site), good(**{qid: "no"}))
    assert [b["code"] for b in result["blockers"]] == ["out_of_scope"]


def test_unsure_needs_more(site):
    result = assess(_exported(site), good(exclusions=["unsure"]))
    assert result["outcome"] == NEED_MORE
    assert [q["id"] for q in result["open_questions"]] == ["exclusions"]


def test_the_foundation_programme_goes_to_the_foundation_committee_office(site):
    result = assess(_exported(site), good(programme="basic_public_welfare"))
    assert result["handling_body"]["code"] == "foundation_office"
    assert result["handling_body"]["label"] == "省自然科学基金委员会办公室"
    assert "省自然科学基金委员会办公室" in result["handling_body"]["clause_text"]


# --- the page without JavaScript ----------------------------------------------------------------


def test_without_javascript_the_page_is_written_guidance_linking_every_clause(site):
    soup = _soup(site, PAGE)
    spec = _exported(site)
    main = soup.find("main")
    text = main.get_text()
    assert "仅供参考，不构成认定结论" in text
    assert "交互式自测需要浏览器启用 JavaScript" in text
    listing = main.find(attrs={"data-selfcheck-nojs": True})
    assert not listing.has_attr("hidden")
    for question in spec["questions"]:
        assert question["text"] in listing.get_text()
    links = {a["href"] for a in listing.find_all("a")}
    page_url = f"http://site.invalid/{PAGE}"
    resolved = {urljoin(page_url, href) for href in links}
    assert "http://site.invalid/guidance/" in resolved
    policy = f"http://site.invalid/policies/{spec['policy']['slug']}/"
    fragments = {urlsplit(u).fragment for u in resolved if u.startswith(policy + "#")}
    assert {g["anchor"] for g in spec["grounds"].values()} <= fragments
    assert {c.anchor for c in clauses.EXCLUSIONS.values()} <= fragments
    assert {"s2-1", "s3-1"} <= fragments
    # The form is for the script to show; the data file is linked for anyone to read.
    assert main.find("form", attrs={"data-selfcheck": True}).has_attr("hidden")
    assert urljoin(page_url, main.find("a", string="问卷数据（JSON）")["href"]).endswith(
        ELIGIBILITY_JSON
    )


def test_the_form_offers_every_option_of_the_data(site):
    spec = _exported(site)
    form = _soup(site, PAGE).find("form", attrs={"data-selfcheck": True})
    for question in spec["questions"]:
        fieldset = form.find("fieldset", attrs={"data-question": question["id"]})
        assert question["text"] in fieldset.legend.get_text()
        kind = "checkbox" if question["kind"] == "multiple" else "radio"
        inputs = fieldset.find_all("input", attrs={"name": question["id"]})
        assert [i["type"] for i in inputs] == [kind] * len(question["options"])
        assert [i["value"] for i in inputs] == [o["value"] for o in question["options"]]


# --- the exporter -------------------------------------------------------------------------------


def test_a_questionnaire_the_script_cannot_evaluate_stops_the_export(site):
    spec = _exported(site)
    assert selfcheck.validate(spec) is spec
    broken = json.loads(json.dumps(spec))
    broken["questions"][0]["options"][1]["effect"] = {"block": "X9"}
    with pytest.raises(selfcheck.SelfCheckDataError, match="X9"):
        selfcheck.validate(broken)
    broken = json.loads(json.dumps(spec))
    broken["outcome_rules"] = [{"when": "sometimes", "outcome": "may_apply"}]
    with pytest.raises(selfcheck.SelfCheckDataError):
        selfcheck.validate(broken)


def test_text_from_the_cms_is_cleaned_at_the_boundary():
    cleaned = selfcheck.clean({"a": ["<script>x</script>申请书", 5, None], "b": "<b>A</b> & B"})
    assert cleaned == {"a": ["x申请书", 5, None], "b": "A & B"}
