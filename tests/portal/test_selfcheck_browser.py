"""The self-check in a real browser: the built demo portal (conftest's ``site``) served on
127.0.0.1, headless Chromium answering the form. What the page shows must be what
cms.guidance.eligibility.assess gives for the same answers on the exported data file, and the
page with its result shown must pass axe-core. Without Chromium or Playwright the tests are
skipped, except in CI (CI=true), where they fail."""

import json

import pytest

from cms.guidance.eligibility import assess
from portal.urls import ELIGIBILITY_JSON, SELF_CHECK_URL

from .browser import _require, in_browser_thread, pdf_text
from .test_a11y import _axe, _has_chinese_font, _require_axe

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SCOPE = ("scope_researcher", "scope_funds", "scope_activity", "scope_termination")
CASES = {
    "may apply, foundation programme": {
        **dict.fromkeys(SCOPE, "yes"),
        "grounds": ["A2", "A4"],
        "exclusions": ["none"],
        "timing": "before_acceptance",
        "programme": "basic_public_welfare",
    },
    "blocked on every count": {
        **dict.fromkeys(SCOPE, "yes"),
        "scope_funds": "no",
        "grounds": ["none"],
        "exclusions": ["X1", "X3"],
        "timing": "after_acceptance",
        "programme": "key_rd",
    },
    "unsure and unanswered": {
        **dict.fromkeys(SCOPE, "yes"),
        "scope_activity": "unsure",
        "grounds": ["unsure"],
        "exclusions": ["none"],
        "programme": "natural_science_fund",
    },
}

SHOWN = """() => {
  const result = document.getElementById("selfcheck-result");
  const all = (selector, name) =>
    [...result.querySelectorAll(selector)].map((e) => e.getAttribute(name));
  const body = result.querySelector("[data-handling-body]");
  return {
    visible: !result.hidden,
    outcome: result.getAttribute("data-outcome"),
    heading: result.querySelector("h2").textContent,
    blockers: [...result.querySelectorAll(".result-blockers li")]
      .map((e) => [e.getAttribute("data-code"), e.getAttribute("data-question")]),
    grounds: all(".result-grounds li", "data-code"),
    open: all(".result-open li", "data-question"),
    body: body ? body.getAttribute("data-handling-body") : null,
    materials: all("[data-material]", "data-material"),
    disclaimer: result.querySelector(".selfcheck-disclaimer").textContent,
    focused: document.activeElement === result.querySelector("h2"),
    status: document.getElementById("selfcheck-status").textContent,
  };
}"""


def _spec(site) -> dict:
    return json.loads((site.output / ELIGIBILITY_JSON).read_text(encoding="utf-8"))


def _answer(page, answers: dict) -> None:
    page.get_by_role("button", name="重新填写").click()
    for name, value in answers.items():
        for one in [value] if isinstance(value, str) else value:
            page.locator(f'input[name="{name}"][value="{one}"]').check()


def _expected(spec: dict, answers: dict) -> dict:
    """What the page shows: assess()'s result."""
    result = assess(spec, answers)
    return {
        "outcome": result["outcome"],
        "heading": f"自测结果：{result['label']}",
        "blockers": [[b["code"], b["question"]] for b in result["blockers"]],
        "grounds": [g["code"] for g in result["grounds"]],
        "open": [q["id"] for q in result["open_questions"]],
        "body": result["handling_body"]["code"] if result["handling_body"] else None,
        "materials": [m["name"] for m in result["materials"]],
    }


@in_browser_thread
def test_the_result_shown_is_what_assess_gives_for_the_same_answers(site, origin, page):
    spec = _spec(site)
    page.goto(f"{origin}/{SELF_CHECK_URL}")
    form = page.locator("form[data-selfcheck]")
    assert form.is_visible()
    assert not page.locator("[data-selfcheck-nojs]").is_visible()
    outcomes = set()
    for name, answers in CASES.items():
        _answer(page, answers)
        page.get_by_role("button", name="查看自测结果").click()
        shown = page.evaluate(SHOWN)
        assert shown["visible"], name
        assert {k: shown[k] for k in _expected(spec, answers)} == _expected(spec, answers), name
        assert "仅供参考，不构成认定结论" in shown["disclaimer"]
        assert shown["status"].startswith(shown["heading"]) and "仅供参考" in shown["status"]
        assert shown["focused"], name
        outcomes.add(shown["outcome"])
    assert outcomes == {"may_apply", "does_not_apply", "need_more"}
    assert _expected(spec, CASES["may apply, foundation programme"])["materials"]


@in_browser_thread
def test_a_result_that_does_not_apply_shows_only_why_and_where_to_read_more(site, origin, page):
    spec = _spec(site)
    # Grounds that would fit and a programme with its handling body, but an exclusion too.
    answers = {**CASES["may apply, foundation programme"], "exclusions": ["X1"]}
    expected = assess(spec, answers)
    assert expected["outcome"] == "does_not_apply"
    # The CMS's assess() reports why alone too: no grounds, no handling body.
    assert expected["grounds"] == [] and expected["handling_body"] is None
    fitting = [spec["grounds"][code] for code in answers["grounds"]]
    assert fitting
    page.goto(f"{origin}/{SELF_CHECK_URL}")
    _answer(page, answers)
    page.get_by_role("button", name="查看自测结果").click()

    result = page.locator("#selfcheck-result")
    text = result.inner_text()
    assert f"自测结果：{expected['label']}" in text
    [blocker] = expected["blockers"]
    assert blocker["label"] in text
    # Only why: no fitting ground, no handling body, no deadline or checklist.
    body = spec["handling_bodies"]["foundation_office"]["label"]
    for absent in ("可能符合的适用情形", "受理部门", body, "申请时限", "材料清单"):
        assert absent not in text, absent
    for ground in fitting:
        assert ground["label"] not in text, ground["code"]
    assert result.locator(".result-grounds, [data-handling-body]").count() == 0
    # Where to read more: the blocking clause in the policy, and the guidance.
    clause = result.locator(".result-blockers a").first
    assert clause.get_attribute("href").endswith(f"#{blocker['anchor']}")
    assert result.get_by_role("link", name="申报指南").count() >= 1
    assert "仅供参考，不构成认定结论" in text


@in_browser_thread
def test_by_keyboard_none_of_these_clears_the_other_choices_and_enter_shows_the_result(
    site, origin, page
):
    page.goto(f"{origin}/{SELF_CHECK_URL}")
    page.locator('input[name="grounds"][value="A1"]').check()
    none = page.locator('input[name="grounds"][value="none"]')
    none.focus()
    page.keyboard.press("Space")
    assert none.is_checked()
    assert not page.locator('input[name="grounds"][value="A1"]').is_checked()
    page.locator('input[name="grounds"][value="A3"]').focus()
    page.keyboard.press("Space")
    assert not none.is_checked()
    page.get_by_role("button", name="查看自测结果").focus()
    page.keyboard.press("Enter")
    shown = page.evaluate(SHOWN)
    assert shown["outcome"] == "need_more"  # most questions are still unanswered
    assert shown["grounds"] == ["A3"]


@in_browser_thread
def test_without_javascript_the_written_guidance_shows_and_the_form_does_not(site, origin, browser):
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(f"{origin}/{SELF_CHECK_URL}")
        assert page.locator("[data-selfcheck-nojs]").is_visible()
        assert not page.locator("form[data-selfcheck]").is_visible()
        assert page.get_by_text("交互式自测需要浏览器启用 JavaScript").is_visible()
        assert page.get_by_role("link", name="申报指南").first.is_visible()
    finally:
        context.close()


@in_browser_thread
def test_axe_finds_no_violation_with_the_form_and_with_each_result(site, origin, page):
    _require_axe()
    page.goto(f"{origin}/{SELF_CHECK_URL}")
    found = {}
    if violations := _axe(page):
        found["form"] = violations
    for name, answers in CASES.items():
        _answer(page, answers)
        page.get_by_role("button", name="查看自测结果").click()
        if violations := _axe(page):
            found[name] = violations
    assert found == {}


@in_browser_thread
def test_once_a_result_is_shown_printing_gives_the_result_and_the_checklist_alone(
    site, origin, page
):
    _require(
        _has_chinese_font(), "no Chinese font for Chromium (apt-get install fonts-wqy-microhei)"
    )
    spec = _spec(site)
    answers = CASES["may apply, foundation programme"]
    page.goto(f"{origin}/{SELF_CHECK_URL}")
    _answer(page, answers)
    page.get_by_role("button", name="查看自测结果").click()
    text = pdf_text(page.pdf(format="A4"))
    expected = assess(spec, answers)
    assert expected["materials"]
    for material in expected["materials"]:
        assert material["name"] in text
    assert expected["handling_body"]["label"] in text
    assert "仅供参考，不构成认定结论" in text
    for question in spec["questions"]:  # the form is not printed
        assert "".join(question["text"].split()) not in text
    for absent in ("主导航", "查看自测结果", "重新填写", "隐私声明"):
        assert absent not in text, absent
