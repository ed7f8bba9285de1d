"""Subscriptions in the admin: read-only, addresses masked even for superusers; hidden from
staff without the permission."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from .conftest import ADDRESS, subscribe

pytestmark = pytest.mark.django_db


def test_the_admin_lists_subscriptions_with_their_addresses_masked(api, client, mailbox):
    subscribe(api, topics=["notices", "lessons"], frequency="daily")
    superuser = get_user_model().objects.create_superuser("root", "root@example.invalid", "pw")
    client.force_login(superuser)
    listing = client.get("/admin/alert_subscriptions/").content.decode()
    assert "电子邮件订阅" in listing and "r***@e***.invalid" in listing
    assert ADDRESS not in listing
    assert "新发布的公示公告、失败经验总结" in listing and "每日汇总一封" in listing
    assert "/admin/alert_subscriptions/add/" not in listing


def test_editors_do_not_see_subscriptions(client, seeded):
    editor = get_user_model().objects.create_user("ed", "ed@example.invalid", "pw")
    editor.groups.add(Group.objects.get(name="编辑"))
    client.force_login(editor)
    assert client.get("/admin/alert_subscriptions/").status_code in (302, 403)
