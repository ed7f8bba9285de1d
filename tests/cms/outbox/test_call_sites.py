"""Every mail the platform sends goes through the outbox: an objection's receipt and answer, a
comment's answer. An SMTP outage fails no one's action and loses no mail; the handler is told
the answer will be sent, not that it was; the receipt never holds the lookup code."""

# The objection and notice fixtures are imported below, and taken as parameters by name.
# ruff: noqa: F811

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import TestCase
from django.utils import timezone

from cms.core.clock import travel_to
from cms.objections.models import Objection
from cms.outbox.models import MailState, OutgoingMail
from cms.outbox.services import sweep

from ..notices.conftest import make_notice, notice_index  # noqa: F401
from ..objections.conftest import (  # noqa: F401
    api,
    fresh_rate_limits,
    handler,
    item,
    open_notice,
    payload,
    private_evidence_dir,
)

pytestmark = pytest.mark.django_db


def _submit(api, payload) -> dict:
    response = api.post("/api/objections/", payload, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_an_objection_and_its_answer_survive_an_smtp_outage(
    api, client, handler, payload, smtp_server
):
    receipt = _submit(api, payload)  # the SMTP server is down
    objection = Objection.objects.get(receipt_number=receipt["receipt_number"])
    mail = OutgoingMail.objects.get()
    assert (mail.state, mail.attempts, mail.last_error) == (
        MailState.QUEUED, 1, "ConnectionRefusedError",
    )  # fmt: skip

    client.force_login(handler)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            f"/admin/objections/edit/{objection.pk}/",
            {"investigation": "调取会议记录核实。", "outcome": "not_upheld",
             "answer": "经核实，会议记录不能证明所述情况，异议不成立。"},
            follow=True,
        )  # fmt: skip
    page = response.content.decode()
    assert "答复将通过电子邮件发送至 zhao@example.invalid。" in page  # queued, not "sent"
    assert "已通过电子邮件发送" not in page
    objection.refresh_from_db()
    assert objection.is_answered  # the answer stands whatever the mail does
    assert OutgoingMail.objects.filter(state=MailState.QUEUED).count() == 2

    mailbox = smtp_server.start()
    later = timezone.now() + datetime.timedelta(hours=2)
    with travel_to(later):
        sweep(later)
    subjects = sorted(message["Subject"].strip() for message in mailbox.messages)
    number = objection.receipt_number
    assert subjects == [
        f"关于您所提异议的调查处理意见（受理编号 {number}）",
        f"您的异议已受理（受理编号 {number}）",
    ]
    with travel_to(later + datetime.timedelta(hours=2)):
        sweep()
    assert len(mailbox.envelopes) == 2  # each once
    assert set(OutgoingMail.objects.values_list("state", flat=True)) == {MailState.SENT}


def test_the_receipt_says_how_to_follow_the_objection_but_not_the_lookup_code(
    api, payload, open_notice, item, smtp_server
):
    mailbox = smtp_server.start()
    receipt = _submit(api, payload)
    [message] = mailbox.messages
    body = message.get_content()
    assert message["To"] == "zhao@example.invalid"
    for shown in (receipt["receipt_number"], open_notice.notice_number, open_notice.title,
                  item.project_code, item.project_name, "/objections/status/"):  # fmt: skip
        assert shown in body, shown
    assert receipt["lookup_code"] not in body
    assert not re.search(receipt["lookup_code"], body.replace("-", "").replace(" ", ""))
    assert "本邮件不含查询码" in body


def test_a_retried_submission_sends_one_receipt(api, payload, smtp_server):
    mailbox = smtp_server.start()
    headers = {"HTTP_IDEMPOTENCY_KEY": "retry-0123456789"}
    first = api.post("/api/objections/", payload, format="json", **headers).json()
    again = api.post("/api/objections/", payload, format="json", **headers).json()
    assert first["receipt_number"] == again["receipt_number"]
    assert len(mailbox.envelopes) == 1


# --- the outbox in the admin -------------------------------------------------------------------


def _outbox_reader():
    group = Group.objects.create(name="发信查看")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="view_outgoingmail"),
    )
    user = get_user_model().objects.create_user("mailviewer", "mv@example.invalid", "pw")
    user.groups.add(group)
    return user


def test_the_admin_shows_the_outbox_read_only_and_masks_addresses_but_to_superusers(
    api, client, payload, smtp_server
):
    _submit(api, payload)  # queued; the server is down
    mail = OutgoingMail.objects.get()
    superuser = get_user_model().objects.create_superuser("root", "root@example.invalid", "pw")

    client.force_login(superuser)
    listing = client.get("/admin/outbox/").content.decode()
    assert "发信队列" in listing and "zhao@example.invalid" in listing
    assert "待发送" in listing and "ConnectionRefusedError" in listing and "异议受理回执" in listing
    detail = client.get(f"/admin/outbox/inspect/{mail.pk}/").content.decode()
    assert "zhao@example.invalid" in detail and "尝试次数" in detail
    assert "/admin/outbox/add/" not in listing
    assert client.get("/admin/outbox/add/").status_code in (302, 403, 404)
    assert client.get(f"/admin/outbox/edit/{mail.pk}/").status_code in (302, 403, 404)
    assert client.post(f"/admin/outbox/delete/{mail.pk}/").status_code in (302, 403, 404)
    assert OutgoingMail.objects.filter(pk=mail.pk).exists()

    client.force_login(_outbox_reader())
    listing = client.get("/admin/outbox/").content.decode()
    detail = client.get(f"/admin/outbox/inspect/{mail.pk}/").content.decode()
    assert "zhao@example.invalid" not in listing + detail
    assert "z***@e***.invalid" in listing and "z***@e***.invalid" in detail


def test_staff_without_the_permission_do_not_see_the_outbox(client, handler):
    client.force_login(handler)
    assert client.get("/admin/outbox/").status_code in (302, 403)
    assert "/admin/outbox/" not in client.get("/admin/").content.decode()
