"""The permission matrix: 编辑 / 审定 / anonymous × submit / approve / publish / finalise."""

import pytest
from wagtail.models import TaskState

from cms.notices.models import DecisionNoticePage

from .conftest import move_start
from .test_guards import _form_data, _item_data, today

pytestmark = pytest.mark.django_db


def assert_denied(response):
    """Wagtail's admin answers a denied action with 403, or a redirect home with a message."""
    assert response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == "/admin/"
    ), response


def _add_url(index):
    return f"/admin/pages/add/notices/decisionnoticepage/{index.pk}/"


def _submit(client, index, action):
    data = _form_data([_item_data()], today())
    data[action] = "1"
    return client.post(_add_url(index), data)


def _in_review(make_notice, editor) -> DecisionNoticePage:
    notice = make_notice()
    notice.get_workflow().start(notice, editor)
    return notice


def _approve(client, notice):
    task_state = TaskState.objects.get(
        workflow_state__object_id=str(notice.pk), status="in_progress"
    )
    url = f"/admin/pages/workflow/action/{notice.pk}/approve/{task_state.pk}/"
    return client.post(url, {"comment": ""})


# --- submit ------------------------------------------------------------------------------


def test_editor_can_submit_for_collective_decision(client, editor, notice_index):
    client.force_login(editor)
    response = _submit(client, notice_index, "action-submit")
    assert response.status_code == 302
    notice = DecisionNoticePage.objects.get(notice_number="浙科容〔2026〕99号")
    assert notice.workflow_in_progress
    assert notice.state_at().value == "in_review"
    assert not notice.live


def test_anonymous_cannot_submit(client, notice_index):
    response = _submit(client, notice_index, "action-submit")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert not DecisionNoticePage.objects.filter(notice_number="浙科容〔2026〕99号").exists()


# --- approve -----------------------------------------------------------------------------


def test_editor_cannot_approve(client, editor, make_notice):
    notice = _in_review(make_notice, editor)
    client.force_login(editor)
    assert_denied(_approve(client, notice))
    notice.refresh_from_db()
    assert notice.workflow_in_progress and not notice.live


def test_approver_approves_and_the_notice_goes_live_on_its_start_date(
    client, approver, editor, make_notice
):
    notice = _in_review(make_notice, editor)
    client.force_login(approver)
    assert _approve(client, notice).status_code == 302
    notice.refresh_from_db()
    assert notice.live
    assert notice.state_at().value == "under_publicity"


def test_approval_of_a_future_notice_schedules_it(client, approver, editor, make_notice):
    import datetime

    notice = make_notice(start=today() + datetime.timedelta(days=2))
    notice.get_workflow().start(notice, editor)
    client.force_login(approver)
    _approve(client, notice)
    notice.refresh_from_db()
    assert not notice.live
    assert notice.state_at().value == "approved"


def test_approval_is_refused_with_the_reason_when_the_start_date_passed(
    client, approver, editor, make_notice
):
    notice = _in_review(make_notice, editor)
    move_start(notice, 1)
    revision = notice.save_revision()
    TaskState.objects.filter(workflow_state__object_id=str(notice.pk)).update(revision=revision)
    client.force_login(approver)
    response = _approve(client, notice)
    assert response.status_code == 302
    notice.refresh_from_db()
    assert not notice.live and notice.workflow_in_progress
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("不能通过审定" in m and "早于今天" in m for m in messages)


def test_anonymous_cannot_approve(client, editor, make_notice):
    notice = _in_review(make_notice, editor)
    response = _approve(client, notice)
    assert "/admin/login/" in response["Location"]
    notice.refresh_from_db()
    assert not notice.live


# --- publish -----------------------------------------------------------------------------


def test_editor_cannot_publish_directly(client, editor, notice_index):
    client.force_login(editor)
    _submit(client, notice_index, "action-publish")
    notice = DecisionNoticePage.objects.filter(notice_number="浙科容〔2026〕99号").first()
    assert notice is None or not notice.live


def test_approver_can_publish(client, approver, notice_index):
    client.force_login(approver)
    _submit(client, notice_index, "action-publish")
    assert DecisionNoticePage.objects.get(notice_number="浙科容〔2026〕99号").live


# --- finalise ----------------------------------------------------------------------------


def _finalise(client, notice):
    return client.post(f"/admin/notices/{notice.pk}/finalise/")


def test_editor_cannot_finalise(client, editor, make_notice):
    notice = make_notice(publish=True, started_days_ago=8)
    client.force_login(editor)
    assert_denied(_finalise(client, notice))
    notice.refresh_from_db()
    assert notice.finalised_at is None


def test_anonymous_cannot_finalise(client, make_notice):
    notice = make_notice(publish=True, started_days_ago=8)
    assert "/admin/login/" in _finalise(client, notice)["Location"]


def test_approver_finalises_a_closed_notice(client, approver, make_notice):
    notice = make_notice(publish=True, started_days_ago=7)
    client.force_login(approver)
    assert _finalise(client, notice).status_code == 302
    notice.refresh_from_db()
    assert notice.state_at().value == "finalised"
    assert notice.marks.count() == 2


def test_approver_cannot_finalise_while_the_window_is_open(client, approver, make_notice):
    notice = make_notice(publish=True, started_days_ago=6)
    client.force_login(approver)
    response = _finalise(client, notice)
    assert response.status_code == 200
    assert "结束后方可确认结果" in response.content.decode()
    notice.refresh_from_db()
    assert notice.finalised_at is None


# --- withdraw and correct from the admin ---------------------------------------------------


def test_withdraw_needs_the_permission_and_a_reason(client, editor, approver, make_notice):
    notice = make_notice(publish=True)
    url = f"/admin/notices/{notice.pk}/withdraw/"
    client.force_login(editor)
    assert_denied(client.post(url, {"reason": "x"}))
    client.force_login(approver)
    response = client.post(url, {"reason": " "})
    assert response.status_code == 200 and "撤回公告须说明原因" in response.content.decode()
    assert client.post(url, {"reason": "材料需补充核实。"}).status_code == 302
    notice.refresh_from_db()
    assert notice.state_at().value == "withdrawn"


def test_an_editor_starts_a_correction_and_lands_in_its_editor(client, editor, make_notice):
    notice = make_notice(publish=True)
    client.force_login(editor)
    response = client.post(
        f"/admin/notices/{notice.pk}/correct/", {"start_date": today().isoformat()}
    )
    correction = DecisionNoticePage.objects.get(corrects=notice)
    assert response["Location"] == f"/admin/pages/{correction.pk}/edit/"
