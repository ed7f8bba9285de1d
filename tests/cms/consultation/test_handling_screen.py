"""The comment handling screen: the comment, the draft policy and the clauses it cites, the history
and the answer form on one page, times in Asia/Shanghai; and what the message says once saved."""

import datetime

import pytest
from django.contrib.auth.models import Group
from wagtail.users.models import UserProfile

from cms.consultation.models import PolicyComment

from ..objections.conftest import fresh_rate_limits, staff_user, visible_text  # noqa: F401

pytestmark = pytest.mark.django_db

RECEIVED_AT = datetime.datetime(2026, 12, 6, 23, 19, tzinfo=datetime.UTC)
RECEIVED_TEXT = "2026年12月7日 07:19"
CITING = "建议将二（三）3中“科研失信行为”限定为经查实的行为，并说明认定程序。"


@pytest.fixture
def comment(api, comment_payload) -> PolicyComment:
    comment_payload["content"] = CITING
    assert api.post("/api/policy-comments/", comment_payload, format="json").status_code == 201
    PolicyComment.objects.update(created_at=RECEIVED_AT)
    return PolicyComment.objects.get()


@pytest.fixture
def comment_handler(db):
    """A member of 征求意见处理 (who may see commenters' identity), working in UTC."""
    user = staff_user("comment-handler", Group.objects.get(name="征求意见处理"))
    profile = UserProfile.get_for_user(user)
    profile.current_time_zone = "UTC"
    profile.save()
    return user


def _text(client, url: str, data=None) -> tuple[str, str]:
    response = client.post(url, data, follow=True) if data is not None else client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    return html, visible_text(html)


def test_the_handling_screen_shows_the_comment_the_policy_and_the_clause(
    client, comment_handler, comment, settings
):
    client.force_login(comment_handler)
    html, text = _text(client, f"/admin/policy_comments/edit/{comment.pk}/")
    policy = comment.policy
    for shown in (comment.receipt_number, RECEIVED_TEXT, "已收到", CITING, "赵异议",
                  "13800138000", policy.title, "所涉条款 二（三）3",
                  "发生《科学技术活动违规行为处理暂行规定》规定的违规行为"):  # fmt: skip
        assert shown in text, shown
    assert f'href="/admin/pages/{policy.pk}/edit/"' in html
    assert f'href="{settings.PORTAL_BASE_URL}/{policy.portal_address()}#s2-3-3"' in html
    assert f"{RECEIVED_TEXT} 收到意见（门户网站提交，受理编号 {comment.receipt_number}）" in text
    assert "采纳情况 尚未答复 答复时间 未答复" in text
    assert 'name="outcome"' in html and 'name="answer"' in html
    assert "None" not in text and "2026年12月6日" not in text


def test_a_comment_citing_no_clause_says_so(client, comment_handler, comment):
    PolicyComment.objects.filter(pk=comment.pk).update(content="建议整体精简表述，便于理解。")
    client.force_login(comment_handler)
    _, text = _text(client, f"/admin/policy_comments/inspect/{comment.pk}/")
    assert "所涉条款 意见中未注明条款编号（如“二（三）3”），请阅读意见内容。" in text
    assert RECEIVED_TEXT in text and "None" not in text


def test_answering_says_what_was_answered_and_where_it_went(
    client, comment_handler, editor, comment
):
    client.force_login(comment_handler)
    answer = {"outcome": "partly_adopted", "answer": "已吸收部分意见，见二（三）3。"}
    _, text = _text(client, f"/admin/policy_comments/edit/{comment.pk}/", answer)
    assert (
        f"已答复意见 {comment.receipt_number}：部分采纳。答复将通过电子邮件发送至 "
        "zhao@example.invalid。"
    ) in text
    assert "已更新" not in text

    _, screen = _text(client, f"/admin/policy_comments/edit/{comment.pk}/")
    assert "已答复意见（部分采纳） comment-handler" in screen
    assert "答复人 comment-handler" in screen and "None" not in screen


def test_editors_are_told_the_answer_went_out_without_the_address(client, editor, comment):
    client.force_login(editor)
    answer = {"outcome": "adopted", "answer": "采纳。"}
    _, text = _text(client, f"/admin/policy_comments/edit/{comment.pk}/", answer)
    assert (
        f"已答复意见 {comment.receipt_number}：采纳。答复将通过电子邮件发送给意见提出人。"
    ) in text
    assert "zhao@example.invalid" not in text


def test_saving_nothing_says_nothing_was_answered(client, comment_handler, comment):
    client.force_login(comment_handler)
    _, text = _text(
        client, f"/admin/policy_comments/edit/{comment.pk}/", {"outcome": "", "answer": ""}
    )
    assert f"意见 {comment.receipt_number} 未答复：未选择采纳情况，没有保存任何内容。" in text
    comment.refresh_from_db()
    assert comment.status == "received"
