"""The guidance page and its FAQ are written by load_seed_policy from the policy itself."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from wagtail.models import Page, Revision

from cms.core.models import HomePage
from cms.domain.clauses import EXCLUSIONS, GROUNDS
from cms.domain.programmes import HandlingBody
from cms.guidance.models import FaqPage, GuidancePage
from cms.guidance.seed import GuidanceSeedError, faq_fields, guidance_fields
from cms.policies.models import PolicyPage
from cms.policies.seed_parser import parse_policy_text


def _load(**options) -> str:
    out = StringIO()
    call_command("load_seed_policy", stdout=out, **options)
    return out.getvalue()


def _outline(anchor: str) -> dict:
    """A sub-section of the live policy's outline by anchor."""
    for section in PolicyPage.objects.get().outline:
        for child in section["children"]:
            if child.get("anchor") == anchor:
                return child
    raise AssertionError(anchor)


@pytest.mark.django_db
def test_seed_creates_the_live_guidance_page_and_its_faq_under_home(seeded):
    guidance = GuidancePage.objects.get()
    assert (guidance.slug, guidance.title, guidance.live) == ("guidance", "申报指南", True)
    assert guidance.get_parent().specific == HomePage.objects.get()
    assert guidance.policy == PolicyPage.objects.get()
    faq = FaqPage.objects.get()
    assert (faq.slug, faq.live) == ("faq", True)
    assert faq.get_parent().specific == guidance
    guidance.full_clean()
    faq.full_clean()


@pytest.mark.django_db
def test_the_content_comes_from_the_policy_sections(seeded):
    guidance = GuidancePage.objects.get()
    scope = _outline("s2-1")["lead"] or _outline("s2-1")["children"][0]["text"]
    conditions = [b.value for b in guidance.scope_conditions]
    assert len(conditions) == 5
    assert {c["anchor"] for c in conditions} == {"s2-1"}
    assert conditions[0]["text"] == "我省行政区域内科研人员"
    assert conditions[1]["text"] == "使用省级财政资金"
    assert all(c["text"].removeprefix("开展").removeprefix("在上述活动中")
               .removeprefix("提出") in scope for c in conditions)  # fmt: skip
    assert [b.value["code"] for b in guidance.ground_codes] == list(GROUNDS)
    assert [b.value["code"] for b in guidance.exclusion_codes] == list(EXCLUSIONS)

    apply = _outline("s3-1")["lead"]
    names = [m["name"] for m in guidance.materials_list()]
    assert names == ["容错免责认定申请书", "情况说明及佐证材料", "所在单位证明", "经费审计报告",
                     "实施绩效资料"]  # fmt: skip
    assert all(name in apply for name in names)
    assert guidance.deadline.startswith(
        "科研人员认为符合容错免责适用情形的，可在科技计划项目验收前"
    )
    assert guidance.deadline_anchor == "s3-1"

    steps = [b.value for b in guidance.procedure]
    headings = [c["heading"] for c in PolicyPage.objects.get().outline[2]["children"]
                if c["kind"] == "subsection"]  # fmt: skip
    assert [s["title"] for s in steps] == headings == [
        "提出申请", "调查核实", "专家评审", "集体审定", "结果公示", "反馈归档"]  # fmt: skip
    assert [s["anchor"] for s in steps] == [f"s3-{n}" for n in range(1, 7)]
    assert [s["publicity"] for s in steps] == [False, False, False, False, True, False]

    assert HandlingBody.FOUNDATION_OFFICE.label in guidance.handling_note
    assert guidance.exemption_effect == _outline("s4-1")["lead"]
    assert guidance.after_exemption == _outline("s4-2")["lead"]
    assert "失败原因" in guidance.after_exemption


def test_a_change_in_the_policy_text_changes_the_guidance(seed_text):
    changed = seed_text.replace("实施绩效资料等", "实施绩效资料、项目任务书等")
    changed = changed.replace("（六）反馈归档", "（六）反馈与归档")
    fields = guidance_fields(parse_policy_text(changed))
    assert [b["value"]["name"] for b in fields["checklist"]][-2:] == ["实施绩效资料", "项目任务书"]
    assert fields["procedure"][5]["value"]["title"] == "反馈与归档"


def test_a_policy_without_the_materials_is_refused_not_guessed(seed_text):
    broken = seed_text.replace("包括容错免责认定申请书", "如容错免责认定申请书")
    with pytest.raises(GuidanceSeedError):
        guidance_fields(parse_policy_text(broken))


@override_settings(PUBLICITY_DAYS=10)
def test_the_faq_takes_the_publicity_length_from_settings(seed_text):
    parsed = parse_policy_text(seed_text)
    faq = faq_fields(parsed, guidance_fields(parsed))
    answers = {e["value"]["question"]: e["value"]["answer"] for e in faq["entries"]}
    assert "公示期为10天" in answers["公示期多长？"]
    assert {"什么情况下不予免责？", "由谁受理？", "免责后还要做什么？"} <= set(answers)
    for code, clause in EXCLUSIONS.items():
        assert f"{code} {clause.label}" in answers["什么情况下不予免责？"]
    assert HandlingBody.FOUNDATION_OFFICE.label in answers["由谁受理？"]


@pytest.mark.django_db
def test_running_twice_changes_nothing(seeded):
    counts = (Page.objects.count(), Revision.objects.count())
    out = _load()
    assert "申报指南已是最新，未作改动" in out
    assert "常见问题已是最新，未作改动" in out
    assert (Page.objects.count(), Revision.objects.count()) == counts


@pytest.mark.django_db
def test_editor_changes_are_kept_unless_forced(seeded):
    guidance = GuidancePage.objects.get()
    guidance.introduction = "编辑改写的导语"
    guidance.save_revision().publish()
    faq = FaqPage.objects.get()
    added = {"question": "编辑新增的问题？", "answer": "<p>回答</p>", "anchor": ""}
    faq.entries = [{"type": "question", "value": added}]
    faq.save_revision().publish()

    assert "申报指南已存在且内容不同" in _load()
    assert GuidancePage.objects.get().introduction == "编辑改写的导语"
    assert FaqPage.objects.get().entries[0].value["question"] == "编辑新增的问题？"

    out = _load(force=True)
    assert "已按政策原文覆盖申报指南" in out and "已按政策原文覆盖常见问题" in out
    assert GuidancePage.objects.get().introduction.startswith("本指南依据")
    assert len(FaqPage.objects.get().entries) > 1
    assert "未作改动" in _load()
