"""Editors see and answer comments in the admin; the answer is recorded, logged and sent. (Who
sees the commenter's identity is tested with objections, in tests/cms/objections.)"""

import pytest
from django.core import mail
from django.core.management import call_command
from wagtail.models import ModelLogEntry

from cms.consultation.models import PolicyComment

from ..objections.conftest import fresh_rate_limits  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def comment(api, comment_payload) -> PolicyComment:
    assert api.post("/api/policy-comments/", comment_payload, format="json").status_code == 201
    return PolicyComment.objects.get()


def _answer(client, comment, **data):
    return client.post(f"/admin/policy_comments/edit/{comment.pk}/", data)


def test_editors_list_and_answer_comments_and_the_answer_is_sent(
    client, editor, comment, django_capture_on_commit_callbacks
):
    client.force_login(editor)
    listing = client.get("/admin/policy_comments/").content.decode()
    assert comment.receipt_number in listing
    answer = "已吸收部分意见，见第二条。"
    with django_capture_on_commit_callbacks(execute=True):
        response = _answer(client, comment, outcome="partly_adopted", answer=answer)
    assert response.status_code == 302
    comment.refresh_from_db()
    assert (comment.status, comment.outcome) == ("answered", "partly_adopted")
    assert comment.answered_by == editor and comment.answered_at is not None
    assert ModelLogEntry.objects.filter(action="consultation.answer", user=editor).exists()
    [sent] = mail.outbox
    assert sent.to == ["zhao@example.invalid"] and comment.receipt_number in sent.subject
    assert "部分采纳" in sent.body and "已吸收部分意见" in sent.body


def test_editors_do_not_see_the_commenters_identity(client, editor, comment):
    client.force_login(editor)
    page = client.get(f"/admin/policy_comments/inspect/{comment.pk}/").content.decode()
    assert comment.receipt_number in page and "建议明确" in page
    assert "13800138000" not in page and "赵异议" not in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"outcome": "adopted", "answer": " "}, "answer", "须填写答复意见"),
        ({"outcome": "", "answer": "谢谢您的意见。"}, "outcome", "须选择采纳情况"),
    ],
)
def test_an_outcome_and_an_answer_go_together(client, editor, comment, data, field, message):
    client.force_login(editor)
    response = _answer(client, comment, **data)
    assert response.status_code == 200 and message in response.content.decode()
    comment.refresh_from_db()
    assert comment.status == "received" and not mail.outbox


def test_an_answered_comment_is_locked(client, editor, comment):
    client.force_login(editor)
    _answer(client, comment, outcome="adopted", answer="采纳。")
    response = _answer(client, comment, outcome="not_adopted", answer="改主意了。")
    assert response.status_code == 200 and "已答复，不能再修改" in response.content.decode()
    comment.refresh_from_db()
    assert comment.outcome == "adopted"


def test_nobody_adds_a_comment_in_the_admin(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/admin/policy_comments/new/")
    assert response.status_code in (302, 403, 404)


def test_the_purge_command_reports_what_it_blanked(comment):
    import io

    out = io.StringIO()
    call_command("purge_comment_personal_data", stdout=out)
    assert "已清除 0 件意见的个人信息" in out.getvalue()


def test_the_schema_documents_the_comment_api_and_its_error_codes(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = target.read_text()
    assert "/api/policy-comments/:" in schema and "/api/policy-comments/status/:" in schema
    codes = ("not_in_consultation", "no_comment_window", "window_not_started", "window_closed",
             "policy_not_found", "idempotency_key_reused", "throttled")  # fmt: skip
    for code in codes:
        assert code in schema, code
