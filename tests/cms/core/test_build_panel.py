"""The dashboard's 门户构建 panel, as staff see it: each build's state, the phase a running one
is in, why one failed (in Chinese), how long a long one has run, and 立即重建 for those who may
publish."""

import datetime
import re
import sys

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client, override_settings
from django.utils import timezone

from cms.core.models import PortalBuild

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def _user(name: str, group: str):
    user = get_user_model().objects.create_user(name, f"{name}@example.invalid", "pw")
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def approver():
    return _user("approver", "审定")


@pytest.fixture
def editor():
    return _user("editor", "编辑")


def _panel(client: Client) -> str:
    """The panel's text as the dashboard shows it (tags removed, spaces collapsed)."""
    body = client.get("/admin/").content.decode()
    start = body.index('id="portal-builds-heading"')
    panel = body[start : body.index("</section>", start)]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", panel))


def _build(reason: str, **fields) -> PortalBuild:
    build = PortalBuild.objects.create(reason=reason)
    PortalBuild.objects.filter(pk=build.pk).update(**fields)
    return build


def test_a_queued_build_shows_waiting_with_its_time_in_beijing_time(client, editor):
    _build("发布：排队公告", requested_at=datetime.datetime(2020, 3, 2, 1, 15, tzinfo=UTC))
    client.force_login(editor)
    text = _panel(client)
    # 01:15 UTC is 09:15 in Beijing, whatever the machine's or the user's time zone.
    assert "2020-03-02 09:15:00 发布：排队公告 等待中 排队等待构建进程" in text
    assert re.search(r"已等待 \d+ 天 \d+ 小时", text)  # queued for long: said so


def test_a_running_build_shows_its_phase_and_how_long_it_has_run(client, editor):
    now = timezone.now()
    _build("发布：运行中公告", started_at=now - datetime.timedelta(minutes=5), phase="render")
    _build("发布：刚开始", started_at=now, phase="")
    client.force_login(editor)
    text = _panel(client)
    assert "发布：运行中公告 进行中 当前阶段：生成页面（Pelican）" in text
    assert re.search(r"生成页面（Pelican） 已运行 5 分 0\d 秒", text)
    assert "发布：刚开始 进行中 当前阶段：正在启动" in text


def test_a_failed_build_says_why_in_chinese(client, editor):
    now = timezone.now()
    finished = {"started_at": now, "finished_at": now + datetime.timedelta(seconds=40)}
    _build("发布：渲染失败", succeeded=False, outcome="pelican", phase="render", **finished)
    _build("发布：CMS 不通", succeeded=False, outcome="cms_unreachable", phase="", **finished)
    second_half = "search index and open data"
    _build("发布：索引失败", succeeded=False, outcome="search_index", phase=second_half, **finished)
    _build("发布：超时", succeeded=False, outcome="timeout", phase="render", **finished)
    _build("发布：锁", succeeded=False, outcome="lock", phase="wait for lock", **finished)
    client.force_login(editor)
    text = _panel(client)
    assert "发布：渲染失败 失败 Pelican 生成页面出错；原站点保持不变。" in text
    assert "（失败于：生成页面（Pelican））" in text
    assert "发布：CMS 不通 失败 无法连接 CMS 的读取接口" in text
    assert "建立搜索索引（Pagefind）出错。（失败于：更新搜索索引和开放数据）" in text
    assert "发布：超时 失败 构建超过30分钟仍未完成，已终止。" in text
    assert "发布：锁 失败 另一次门户构建一直占用构建锁" in text
    assert "日志最后一行" not in text  # known failures need no log
    assert "40.0 秒" in text


def test_an_unknown_failure_shows_a_generic_reason_and_the_last_line_of_the_log(client, editor):
    now = timezone.now()
    output = "[1/8] export (http://cms) …\nTraceback (most recent call last):\nOSError: 磁盘已满\n"
    _build("发布：未知", started_at=now, finished_at=now, succeeded=False, outcome="other",
           phase="export", output=output)  # fmt: skip
    client.force_login(editor)
    text = _panel(client)
    assert "发布：未知 失败 门户构建失败，原因未能识别，请查看构建日志。" in text
    assert "日志最后一行： OSError: 磁盘已满" in text


def test_a_succeeded_build_says_so_with_its_duration(client, editor):
    now = timezone.now()
    _build("发布：成功公告", started_at=now, finished_at=now + datetime.timedelta(seconds=12),
           succeeded=True, phase="prepare next")  # fmt: skip
    client.force_login(editor)
    assert "发布：成功公告 成功 门户已更新 12.0 秒" in _panel(client)


def test_the_rebuild_button_is_there_for_an_approver_and_not_for_an_editor(
    client, approver, editor
):
    client.force_login(approver)
    body = client.get("/admin/").content.decode()
    form = re.search(r'<form method="post" action="([^"]+)">(.*?)</form>', body, re.S)
    assert form and "立即重建" in form[2] and 'name="csrfmiddlewaretoken"' in form[2]
    assert form[1] == "/admin/portal-builds/rebuild/"

    client.force_login(editor)
    assert "立即重建" not in client.get("/admin/").content.decode()
    # Nor does the address work for an editor: the admin says so and nothing is queued.
    refused = client.post("/admin/portal-builds/rebuild/", follow=True)
    assert "没有权限" in refused.content.decode()
    assert not PortalBuild.objects.exists()


@override_settings(PORTAL_BUILD_COMMAND=[sys.executable, "-c", "print('[1/8] export (cms) …')"])
def test_rebuild_now_queues_a_build_that_the_panel_then_shows(
    approver, django_capture_on_commit_callbacks
):
    client = Client(enforce_csrf_checks=True)  # the form's own token, as a browser sends it
    client.force_login(approver)
    body = client.get("/admin/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)[1]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/portal-builds/rebuild/", {"csrfmiddlewaretoken": token}, follow=True
        )
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == "/admin/"
    assert "已请求重建门户" in page
    build = PortalBuild.objects.get()
    assert build.reason == "手动重建：approver" and build.succeeded is True
    assert build.phase == "export"
    assert "手动重建：approver 成功 门户已更新" in _panel(client)


def test_rebuild_now_needs_a_post(client, approver):
    client.force_login(approver)
    assert client.get("/admin/portal-builds/rebuild/").status_code == 405
    assert not PortalBuild.objects.exists()
