"""The guidance page's and the FAQ's rules: anchors that exist, codes once, one publicity step."""

import pytest
from django.core.exceptions import ValidationError

from cms.core.models import HomePage
from cms.guidance.models import FaqPage, GuidancePage
from cms.policies.models import PolicyIndexPage


def _errors(page) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as excinfo:
        page.full_clean()
    return {k: [str(m) for m in v] for k, v in excinfo.value.message_dict.items()}


@pytest.mark.django_db
def test_an_anchor_that_is_not_on_the_policy_page_is_refused_on_its_field(seeded):
    page = GuidancePage.objects.get()
    page.deadline_anchor = "s3-9"
    steps = list(page.procedure.raw_data)
    steps[0]["value"]["anchor"] = "s9"
    page.procedure = [{"type": s["type"], "value": s["value"]} for s in steps]
    errors = _errors(page)
    assert errors["deadline_anchor"] == ["政策文件中没有锚点“s3-9”。"]
    assert errors["procedure"] == ["政策文件中没有锚点“s9”。"]


@pytest.mark.django_db
def test_a_code_listed_twice_or_two_publicity_steps_are_refused(seeded):
    page = GuidancePage.objects.get()
    page.ground_codes = [{"type": "ground", "value": {"code": "A2", "note": ""}}] * 2
    steps = [{"type": s["type"], "value": s["value"]} for s in page.procedure.raw_data]
    steps[0]["value"]["publicity"] = True
    page.procedure = steps
    errors = _errors(page)
    assert errors["ground_codes"] == ["同一代码只能列出一次。"]
    assert errors["procedure"] == ["只能有一个步骤标为公示步骤。"]


@pytest.mark.django_db
def test_the_guidance_must_name_its_policy(seeded):
    page = GuidancePage.objects.get()
    page.policy = None
    assert "policy" in _errors(page)


@pytest.mark.django_db
def test_faq_anchors_are_checked_against_the_policy_too(seeded):
    faq = FaqPage.objects.get()
    faq.entries = [
        {"type": "question", "value": {"question": "问？", "answer": "<p>答</p>", "anchor": "s7"}}
    ]
    assert _errors(faq) == {"entries": ["政策文件中没有锚点：s7。"]}
    faq.entries = [
        {"type": "question", "value": {"question": "问？", "answer": "<p>答</p>", "anchor": "s3-5"}}
    ]
    faq.full_clean()


@pytest.mark.django_db
def test_the_tree_allows_one_guidance_under_home_and_one_faq_under_it(seeded):
    home = HomePage.objects.get()
    assert GuidancePage.can_create_at(home) is False  # max_count: it exists already
    assert GuidancePage.parent_page_types == ["core.HomePage"]
    assert FaqPage.can_create_at(PolicyIndexPage.objects.get()) is False
    assert FaqPage.parent_page_types == ["guidance.GuidancePage"]


@pytest.mark.django_db
def test_materials_list_is_the_checklist_in_order(seeded):
    page = GuidancePage.objects.get()
    page.checklist = [
        {"type": "material", "value": {"name": "容错免责认定申请书", "note": "加盖单位公章"}},
        {"type": "material", "value": {"name": "经费审计报告", "note": ""}},
    ]
    assert page.materials_list() == [
        {"name": "容错免责认定申请书", "note": "加盖单位公章"},
        {"name": "经费审计报告", "note": ""},
    ]


def test_admin_labels_are_chinese():
    fields = {f.name: str(f.verbose_name) for f in GuidancePage._meta.get_fields()
              if hasattr(f, "verbose_name")}  # fmt: skip
    assert fields["checklist"] == "申报材料清单"
    assert fields["procedure"] == "认定程序"
    assert str(GuidancePage._meta.verbose_name) == "申报指南"
    assert str(FaqPage._meta.verbose_name) == "常见问题"
