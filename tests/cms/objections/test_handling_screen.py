"""The objection handling screen, as a handler sees it in the admin: the objection, the item and
notice it concerns, the evidence, the history and the answer form on one page, every time in
Asia/Shanghai whatever zone the handler chose; and what the message says once saved."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.users.models import UserProfile

from cms.objections.models import Objection

from .conftest import PDF_BYTES, visible_text

pytestmark = pytest.mark.django_db

# 23:19 on 6 December in UTC is 07:19 on 7 December in Asia/Shanghai.
RECEIVED_AT = datetime.datetime(2026, 12, 6, 23, 19, tzinfo=datetime.UTC)
RECEIVED_TEXT = "2026年12月7日 07:19"


@pytest.fixture
def objection(api, payload) -> Objection:
    payload["evidence"] = [SimpleUploadedFile("会议记录.pdf", PDF_BYTES)]
    assert api.post("/api/objections/", payload, format="multipart").status_code == 201
    Objection.objects.update(created_at=RECEIVED_AT)
    return Objection.objects.get()


@pytest.fixture
def named_handler(handler):
    """A handler with a name, who chose UTC as the admin's time zone."""
    handler.first_name = "王审核"
    handler.save()
    profile = UserProfile.get_for_user(handler)
    profile.current_time_zone = "UTC"
    profile.save()
    return handler


def _screen(client, objection) -> tuple[str, str]:
    response = client.get(f"/admin/objections/edit/{objection.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    return html, visible_text(html)


def _answer(client, objection, **data) -> str:
    response = client.post(f"/admin/objections/edit/{objection.pk}/", data, follow=True)
    assert response.status_code == 200
    return visible_text(response.content.decode())


def test_the_handling_screen_shows_the_objection_what_it_concerns_and_the_form(
    client, named_handler, objection, settings
):
    client.force_login(named_handler)
    html, text = _screen(client, objection)
    notice, item = objection.notice, objection.item
    evidence = objection.evidence.get()

    # The objection, with who sent it (this handler may see that).
    for shown in (objection.receipt_number, RECEIVED_TEXT, "已受理", "个人", "赵异议",
                  "13800138000", "zhao@example.invalid", objection.content):  # fmt: skip
        assert shown in text, shown
    # The item and the notice, with links to the notice in the admin and on the portal.
    for shown in (notice.notice_number, notice.title, item.project_code, item.project_name,
                  "不予认定", "X3 存在违规行为或科研失信行为"):  # fmt: skip
        assert shown in text, shown
    assert f'href="/admin/pages/{notice.pk}/edit/"' in html
    assert f'href="{settings.PORTAL_BASE_URL}/{notice.portal_address()}"' in html
    # The evidence: name, type, size and the download link.
    assert "证明材料" in text and "会议记录.pdf" in text and f"PDF，{evidence.size} 字节" in text
    assert f'href="/admin/objections/evidence/{evidence.pk}/"' in html
    # The history, the answer fields, and nothing left in English or empty.
    assert f"{RECEIVED_TEXT} 收到异议（门户网站提交，受理编号 {objection.receipt_number}）" in text
    assert "处理结论 尚未作出结论 答复时间 未答复" in text
    for name in ("investigation", "outcome", "answer"):
        assert f'name="{name}"' in html
    assert "None" not in text and "Evidence" not in text and "2026年12月6日" not in text


def test_the_detail_shows_the_same_in_asia_shanghai_time(client, named_handler, objection):
    client.force_login(named_handler)
    text = visible_text(client.get(f"/admin/objections/inspect/{objection.pk}/").content.decode())
    notice_number, project_code = objection.notice.notice_number, objection.item.project_code
    for shown in (objection.receipt_number, RECEIVED_TEXT, objection.content, "会议记录.pdf",
                  notice_number, project_code, "未答复"):  # fmt: skip
        assert shown in text, shown
    assert "None" not in text and "Evidence" not in text and "23:19" not in text


def test_staff_who_may_not_see_the_objector_see_the_rest(client, reader, objection):
    client.force_login(reader)
    html = client.get(f"/admin/objections/inspect/{objection.pk}/").content.decode()
    text = visible_text(html)
    assert objection.content in text and "会议记录.pdf" in text and RECEIVED_TEXT in text
    assert "异议人的身份和联系方式仅向有权查看的人员显示。" in text
    for secret in ("赵异议", "13800138000", "zhao@example.invalid", "某路1号"):
        assert secret not in html
    assert "/admin/objections/evidence/" not in html  # the download would be refused anyway


def test_answering_says_what_was_answered_and_where_it_went(
    client, named_handler, objection, django_capture_on_commit_callbacks
):
    client.force_login(named_handler)
    with django_capture_on_commit_callbacks(execute=True):
        message_page = _answer(
            client, objection, investigation="调取会议记录核实。", outcome="not_upheld",
            answer="经核实，会议记录不能证明所述情况，异议不成立。",
        )  # fmt: skip
    number = objection.receipt_number
    assert (
        f"已答复异议 {number}：异议不成立。答复将通过电子邮件发送至 zhao@example.invalid。"
        in message_page
    )
    assert "已更新" not in message_page

    objection.refresh_from_db()
    _, text = _screen(client, objection)
    answered_at = objection.answered_at.astimezone(ZoneInfo("Asia/Shanghai"))
    when = f"{answered_at.year}年{answered_at.month}月{answered_at.day}日 {answered_at:%H:%M}"
    assert f"{when} 已答复异议（异议不成立） 王审核" in text
    assert f"处理结论 异议不成立 答复时间 {when} 答复人 王审核" in text
    assert "None" not in text


def test_without_an_e_mail_address_the_message_points_to_the_lookup(
    client, named_handler, objection
):
    Objection.objects.filter(pk=objection.pk).update(email="")
    client.force_login(named_handler)
    text = _answer(client, objection, investigation="", outcome="inadmissible",
                   answer="异议内容与所公示事项无关，不予受理。")  # fmt: skip
    assert (
        f"已答复异议 {objection.receipt_number}：不予受理。"
        "异议人未留电子邮箱，可凭受理编号和查询码在门户网站查询答复。"
    ) in text


def test_saving_the_investigation_alone_says_nobody_was_answered(client, named_handler, objection):
    client.force_login(named_handler)
    text = _answer(client, objection, investigation="已调取会议记录。", outcome="", answer="")
    assert (
        f"已保存异议 {objection.receipt_number} 的调查核实情况（处理状态：调查核实中），"
        "尚未答复异议人。"
    ) in text
    _, screen = _screen(client, objection)
    assert "异议进入调查核实 王审核" in screen
