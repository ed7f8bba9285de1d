"""The confirm pages of 确认认定结果, 更正公告 and 撤回公告 list every reason the action would be
refused before the click, and then offer no confirm button; the click (a POST all the same) is
refused with every reason too."""

import datetime
import re

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from cms.notices import services
from cms.notices.models import DecisionNoticePage

from .conftest import today

pytestmark = pytest.mark.django_db

WINDOW_OPEN = "公示期至"  # … 24时结束，结束后方可确认结果。
OBJECTION = "尚有1件异议未答复（含被更正公告上的异议），答复后方可确认结果。"


def _object_to(notice: DecisionNoticePage) -> None:
    """An objection to one of the notice's items, through the public API, left unanswered."""
    cache.clear()  # the API's rate limits
    item = notice.items.get(project_code="ZJ2026-002")
    payload = {
        "item": item.pk, "objector_type": "individual", "real_name": "赵异议",
        "organisation": "", "phone": "13800138000", "email": "zhao@example.invalid",
        "postal_address": "浙江省杭州市某路1号", "consent": True,
        "content": "该项目负责人曾在项目执行期间隐瞒重大风险事件，我掌握相关会议记录可以证明。",
    }  # fmt: skip
    response = APIClient().post("/api/objections/", payload, format="json")
    assert response.status_code == 201, response.json()


def _text(response) -> str:
    """The page's main content as the user reads it (tags removed, spaces collapsed)."""
    body = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


def _reasons(response) -> list[str]:
    """The items of the page's alert, in order."""
    body = response.content.decode()
    alert = re.search(r'role="alert">(.*?)</div>', body, re.S)
    return [re.sub(r"<[^>]+>", "", li).strip() for li in re.findall(r"<li>(.*?)</li>", alert[1])]


@pytest.fixture
def open_notice_with_an_objection(make_notice):
    notice = make_notice(publish=True)
    _object_to(notice)
    assert services.unanswered_objections(notice) == 1
    return notice


def test_the_finalise_page_names_the_open_window_and_the_objection_before_the_click(
    open_notice_with_an_objection, approver, client
):
    notice = open_notice_with_an_objection
    client.force_login(approver)
    page = client.get(f"/admin/notices/{notice.pk}/finalise/")
    assert page.status_code == 200
    text = _text(page)
    assert "现在不能确认认定结果：" in text
    reasons = _reasons(page)
    assert len(reasons) == 2
    assert reasons[0].startswith(WINDOW_OPEN) and reasons[0].endswith("结束后方可确认结果。")
    assert reasons[1] == OBJECTION
    assert 'type="submit"' not in page.content.decode()  # no confirm button
    assert "返回" in text


def test_the_click_on_finalise_is_refused_with_both_reasons(
    open_notice_with_an_objection, approver, client
):
    notice = open_notice_with_an_objection
    client.force_login(approver)
    response = client.post(f"/admin/notices/{notice.pk}/finalise/")
    assert response.status_code == 200
    assert "未能确认认定结果：" in _text(response)
    reasons = _reasons(response)
    assert reasons[0].startswith(WINDOW_OPEN) and reasons[1] == OBJECTION
    assert 'type="submit"' not in response.content.decode()
    notice.refresh_from_db()
    assert notice.finalised_at is None and not notice.marks.exists()


def test_the_finalise_function_gives_every_reason_the_page_and_the_action_use(
    open_notice_with_an_objection,
):
    """One plain list for the page, the action and any API: both codes, in the order to act."""
    from django.utils import timezone

    notice = open_notice_with_an_objection
    codes = [error.code for error in services.finalise_errors(notice, timezone.now())]
    assert codes == ["window_open", "objections_unanswered"]


def test_a_closed_window_with_objections_names_the_objections_alone(
    make_notice, approver, client, monkeypatch
):
    notice = make_notice(publish=True, started_days_ago=7)  # closed at the end of yesterday
    monkeypatch.setattr(services, "UNANSWERED_OBJECTION_COUNTERS", [lambda n: 2])
    client.force_login(approver)
    page = client.get(f"/admin/notices/{notice.pk}/finalise/")
    assert _reasons(page) == ["尚有2件异议未答复（含被更正公告上的异议），答复后方可确认结果。"]


def test_finalise_is_offered_when_nothing_stands_in_the_way(make_notice, approver, client):
    notice = make_notice(publish=True, started_days_ago=7)
    client.force_login(approver)
    page = client.get(f"/admin/notices/{notice.pk}/finalise/").content.decode()
    assert "现在不能" not in page and 'role="alert"' not in page
    assert re.search(r'<button class="button" type="submit">确认认定结果</button>', page)
    client.post(f"/admin/notices/{notice.pk}/finalise/")
    notice.refresh_from_db()
    assert notice.finalised_at is not None


def test_the_withdraw_page_of_a_withdrawn_notice_says_why_before_the_click(
    make_notice, approver, client
):
    notice = make_notice(publish=True)
    services.withdraw_notice(notice, approver, "材料需补充核实。")
    client.force_login(approver)
    page = client.get(f"/admin/notices/{notice.pk}/withdraw/")
    assert "现在不能撤回公告：" in _text(page)
    assert _reasons(page) == ["公告不能从“已撤回”变为“已撤回”。"]
    assert 'type="submit"' not in page.content.decode()
    assert "撤回原因（将公开显示）" not in _text(page)  # no reason to type
    # The click with no reason typed: refused for the state and for the empty reason both.
    response = client.post(f"/admin/notices/{notice.pk}/withdraw/", {"reason": " "})
    assert _reasons(response) == ["公告不能从“已撤回”变为“已撤回”。", "撤回公告须说明原因。"]


def test_an_empty_withdrawal_reason_is_shown_at_its_field(make_notice, approver, client):
    notice = make_notice(publish=True)
    client.force_login(approver)
    response = client.post(f"/admin/notices/{notice.pk}/withdraw/", {"reason": ""})
    body = response.content.decode()
    assert "未能撤回公告：" in _text(response) and _reasons(response) == ["撤回公告须说明原因。"]
    field = re.search(r"<textarea[^>]*>", body)[0]
    assert 'aria-invalid="true"' in field and 'aria-describedby="id_reason_error"' in field
    assert re.search(r'id="id_reason_error">撤回公告须说明原因。<', body)
    assert '<button class="button" type="submit">撤回公告</button>' in body  # may try again


def test_the_correct_page_names_every_reason_and_the_click_adds_the_dates(
    make_notice, editor, approver, client
):
    notice = make_notice(publish=True)
    first = services.start_correction(notice, editor)
    services.withdraw_notice(notice, approver, "撤回。")
    client.force_login(approver)
    page = client.get(f"/admin/notices/{notice.pk}/correct/")
    assert "现在不能创建更正公告：" in _text(page)
    reasons = _reasons(page)
    assert reasons[0] == "公告不能从“已撤回”变为“已更正”。"
    assert reasons[1].startswith(f"本公告已有更正公告“{first.notice_number}”尚未发布")
    assert 'type="submit"' not in page.content.decode()
    yesterday = (today() - datetime.timedelta(days=1)).isoformat()
    refused = _reasons(
        client.post(f"/admin/notices/{notice.pk}/correct/", {"start_date": yesterday})
    )
    assert refused[:2] == reasons and "早于今天" in refused[2]
    invalid = _reasons(client.post(f"/admin/notices/{notice.pk}/correct/", {"start_date": "x"}))
    assert invalid == [*reasons, "请填写有效的公示开始日期（年-月-日）。"]
    assert DecisionNoticePage.objects.filter(corrects=notice).count() == 1
