"""Each guard refuses with its message, at the model, the publish action and the admin form,
and the valid case passes."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from cms.notices.guards import NoticeGuardError
from cms.notices.models import DecisionNoticePage

from .conftest import CONTACT, exempted_item, rejected_item, today

pytestmark = pytest.mark.django_db


def _clean_errors(item) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as excinfo:
        item.full_clean(exclude=["notice"])
    return excinfo.value.message_dict


@pytest.mark.parametrize(
    ("item", "field", "message"),
    [
        (rejected_item(reasons=[]), "reasons", "事项 ZJ2026-002：不予认定须至少选择一项理由。"),
        (rejected_item(explanation="  "), "explanation", "不予认定须填写理由说明"),
        (rejected_item(grounds=["A1"]), "grounds", "不予认定的事项不得选择适用情形"),
        (exempted_item(grounds=[]), "grounds", "予以免责须至少选择一项适用情形"),
        (exempted_item(grounds=["A1", "X2"]), "grounds", "不得选择不适用情形"),
        (exempted_item(panel_size=None), "panel_size", "须记录专家组人数"),
        (exempted_item(panel_size=4), "panel_size", "专家组应不少于5人，现为4人"),
        (exempted_item(technical_members=0, financial_members=5), "technical_members", "技术专家"),
        (exempted_item(technical_members=5, financial_members=0), "financial_members", "财务专家"),
        (exempted_item(technical_members=4, financial_members=2), "panel_size", "合计超过"),
    ],
)
def test_item_guard_refuses_with_its_message(item, field, message):
    errors = _clean_errors(item)
    assert any(message in text for text in errors[field]), errors
    assert any(item.project_code in text for text in errors[field])


@pytest.mark.parametrize("item", [exempted_item(), rejected_item()])
def test_valid_items_pass(item):
    item.full_clean(exclude=["notice"])


def test_publish_refuses_invalid_items_and_names_them(make_notice):
    notice = make_notice(items=[rejected_item(reasons=[], explanation="")])
    with pytest.raises(NoticeGuardError) as excinfo:
        notice.get_latest_revision().publish()
    codes = [error.code for error in excinfo.value.errors]
    assert codes == ["rejection_needs_reason", "rejection_needs_explanation"]
    assert all(error.item == "ZJ2026-002" for error in excinfo.value.errors)
    assert not DecisionNoticePage.objects.get(pk=notice.pk).live


def test_publish_refuses_a_start_date_in_the_past(make_notice):
    notice = make_notice()
    DecisionNoticePage.objects.filter(pk=notice.pk).update(
        publicity_start=today() - datetime.timedelta(days=1)
    )
    notice.refresh_from_db()
    revision = notice.save_revision()
    with pytest.raises(NoticeGuardError, match="早于今天"):
        revision.publish()


def test_publish_refuses_mixed_handling_bodies(make_notice):
    notice = make_notice(items=[exempted_item(), rejected_item(programme="basic_public_welfare")])
    with pytest.raises(NoticeGuardError, match="省自然科学基金委员会办公室"):
        notice.get_latest_revision().publish()


def test_valid_notice_publishes_today_and_goes_live_at_midnight_shanghai(make_notice):
    notice = make_notice(publish=True)
    assert notice.live
    assert notice.go_live_at == notice.publicity_window.opens_at
    assert notice.publicity_window.opens_at.isoformat().endswith("00:00:00+08:00")


def test_published_notice_cannot_be_republished_in_place(make_notice):
    notice = make_notice(publish=True)
    notice.introduction = "改写后的公告"
    revision = notice.save_revision()
    with pytest.raises(NoticeGuardError, match="更正公告"):
        revision.publish()


def _form_data(items, start):
    """The editor's POST; code lists go as repeated checkbox values, as a browser sends them."""
    code_lists = [(item.pop("grounds", []), item.pop("reasons", [])) for item in items]
    data = nested_form_data(
        {
            "title": "关于认定结果的公示",
            "slug": "form-notice",
            "notice_number": "浙科容〔2026〕99号",
            "publicity_start": start.isoformat(),
            "introduction": "",
            **CONTACT,
            "items": inline_formset(items),
            "correction_note": "",
        }
    )
    for index, (grounds, reasons) in enumerate(code_lists):
        data[f"items-{index}-grounds"] = grounds
        data[f"items-{index}-reasons"] = reasons
    return data


def _item_data(**overrides):
    data = {
        "project_code": "ZJ2026-010",
        "programme": "key_rd",
        "project_name": "项目",
        "undertaking_unit": "某大学",
        "project_leader": "王五",
        "decision": "exempted",
        "grounds": ["A1"],
        "reasons": [],
        "explanation": "",
        "panel_size": "5",
        "technical_members": "3",
        "financial_members": "2",
    }
    return {**data, **overrides}


def test_admin_form_shows_item_guard_on_the_field(admin_client, notice_index):
    url = f"/admin/pages/add/notices/decisionnoticepage/{notice_index.pk}/"
    response = admin_client.post(url, _form_data([_item_data(panel_size="3")], today()))
    assert response.status_code == 200
    assert "专家组应不少于5人，现为3人" in response.content.decode()
    assert not DecisionNoticePage.objects.filter(notice_number="浙科容〔2026〕99号").exists()


def test_admin_form_refuses_past_start_and_mixed_programmes(admin_client, notice_index):
    url = f"/admin/pages/add/notices/decisionnoticepage/{notice_index.pk}/"
    yesterday = today() - datetime.timedelta(days=1)
    body = admin_client.post(url, _form_data([_item_data()], yesterday)).content.decode()
    assert "早于今天" in body
    items = [_item_data(), _item_data(project_code="B1", programme="basic_public_welfare")]
    body = admin_client.post(url, _form_data(items, today())).content.decode()
    assert "不能与其他计划的事项编入同一公告" in body
    assert not DecisionNoticePage.objects.filter(notice_number="浙科容〔2026〕99号").exists()


def test_admin_form_accepts_a_valid_notice(admin_client, notice_index):
    url = f"/admin/pages/add/notices/decisionnoticepage/{notice_index.pk}/"
    response = admin_client.post(url, _form_data([_item_data()], today()))
    assert response.status_code == 302
    notice = DecisionNoticePage.objects.get(notice_number="浙科容〔2026〕99号")
    assert notice.items.get().grounds == ["A1"]
    assert not notice.live


def test_admin_form_refuses_editing_a_published_notice(admin_client, make_notice):
    notice = make_notice(publish=True)
    data = _form_data([_item_data()], today())
    data["slug"] = notice.slug
    response = admin_client.post(f"/admin/pages/{notice.pk}/edit/", data)
    assert "公告已发布，不能直接修改" in response.content.decode()


def test_a_notice_cannot_be_created_live_around_the_guards(notice_index):
    notice = DecisionNoticePage(
        title="绕过审定的公告",
        slug="bypass",
        notice_number="X-1",
        publicity_start=today(),
        **CONTACT,
    )
    notice.items.add(rejected_item(reasons=[], explanation=""))
    notice_index.add_child(instance=notice)
    assert not DecisionNoticePage.objects.get(slug="bypass").live


@pytest.mark.parametrize("slug", ["closed", "page", "Upper-Case", "-lead"])
def test_notice_slugs_are_plain_and_not_the_listing_paths(make_notice, slug):
    notice = make_notice()
    notice.slug = slug
    with pytest.raises(ValidationError) as excinfo:
        notice.full_clean()
    assert "网址名" in str(excinfo.value.message_dict["slug"])
