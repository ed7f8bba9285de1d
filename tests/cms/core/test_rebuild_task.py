import sys
import time

import pytest
from django.test import override_settings
from django.utils import timezone

from cms.core import tasks
from cms.core.models import PortalBuild
from cms.core.tasks import rebuild_portal, request_portal_rebuild
from portal import phases

pytestmark = pytest.mark.django_db


@override_settings(PORTAL_BUILD_COMMAND=[sys.executable, "-c", "print('built')"])
def test_a_publish_request_runs_the_build_command_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        build = request_portal_rebuild("发布：测试")
        assert build.started_at is None  # nothing runs inside the requesting transaction
    assert len(callbacks) == 1
    build.refresh_from_db()
    assert build.succeeded is True
    assert "built" in build.output
    assert build.duration_seconds is not None


@override_settings(PORTAL_BUILD_COMMAND=[sys.executable, "-c", "import sys; sys.exit(3)"])
def test_a_failed_build_is_recorded_as_failed():
    build = PortalBuild.objects.create(reason="测试")
    assert rebuild_portal.call(build.pk) is False
    build.refresh_from_db()
    assert build.succeeded is False
    assert build.outcome == tasks.OTHER  # it named no known failure


# --- what the build reports, and how the task reads it -----------------------------------------

FAKE_BUILD = """
import pathlib, sys, time
print("[1/8] export (http://cms) …", file=sys.stderr, flush=True)
print("[2/8] render (3 sources) …", file=sys.stderr, flush=True)
marker = pathlib.Path(sys.argv[1])
deadline = time.monotonic() + 20
while not marker.exists() and time.monotonic() < deadline:
    time.sleep(0.02)
print("build failed: pelican", file=sys.stderr, flush=True)
print("Pelican failed (exit 1):\\nCRITICAL: 模板错误", file=sys.stderr, flush=True)
sys.exit(1)
"""


def test_the_phase_is_reported_while_the_build_runs_and_a_failure_is_named(tmp_path):
    marker = tmp_path / "seen-render"
    seen = []

    def on_phase(phase):
        seen.append(phase)
        if phase == "render":
            marker.touch()  # the build waits for this: the phase arrived while it ran

    run = tasks.run_build([sys.executable, "-c", FAKE_BUILD, str(marker)], on_phase)
    assert seen == ["export", "render"]
    assert run.returncode == 1 and run.phase == "render" and run.outcome == tasks.PELICAN
    assert "模板错误" in run.output


@pytest.mark.parametrize(
    ("first_line", "outcome"),
    [("[2/8] render (3 sources) …", tasks.TIMEOUT), ("[0/8] wait for lock (x) …", tasks.LOCK)],
)
def test_a_build_that_runs_too_long_is_stopped_and_says_where(monkeypatch, first_line, outcome):
    monkeypatch.setattr(tasks, "TIMEOUT_SECONDS", 1)
    script = f"import time; print({first_line!r}, flush=True); time.sleep(60)"
    started = time.monotonic()
    run = tasks.run_build([sys.executable, "-c", script], lambda phase: None)
    assert time.monotonic() - started < 30
    assert run.timed_out and run.outcome == outcome


def test_the_portals_lines_are_the_ones_the_task_reads():
    """The contract between ``python -m portal build`` and the task, without either importing
    the other: every phase line parses to its phase, which the panel names in Chinese; every
    failure the build names has a Chinese reason."""
    for name in (*phases.PHASES, phases.WAIT):
        line = phases.phase_line(name, "some detail (with brackets)")
        assert tasks.PHASE_LINE.match(line)["name"] == name
        assert tasks.PHASE_LINE.match(phases.phase_line(name))["name"] == name
        assert name in tasks.PHASE_LABELS
    for kind in phases.FAILURES:
        match = tasks.FAILURE_LINE.match(phases.failure_line(kind))
        assert match["kind"] == kind
        assert kind == phases.OTHER or tasks.REPORTED[kind] in tasks.OUTCOMES


def test_the_portal_names_the_kind_of_a_failure():
    from portal.build import BuildError
    from portal.client import CMSUnavailable
    from portal.render import RenderError
    from portal.search import SearchIndexError

    def caused(error):
        try:
            raise BuildError(str(error)) from error
        except BuildError as exc:
            return exc

    assert phases.failure_kind(caused(RenderError("Pelican failed"))) == phases.PELICAN
    assert phases.failure_kind(BuildError("Pelican produced no index.html")) == phases.PELICAN
    assert phases.failure_kind(caused(SearchIndexError("x"))) == phases.SEARCH_INDEX
    assert phases.failure_kind(caused(CMSUnavailable("refused"))) == phases.CMS_UNREACHABLE
    assert phases.failure_kind(BuildError("Feeds failed: KeyError('x')")) == phases.OTHER


def test_the_real_build_against_an_unreachable_cms_fails_as_cms_unreachable():
    unreachable = [sys.executable, "-m", "portal", "build", "--cms-url", "http://127.0.0.1:9",
                   "--wait", "0"]  # fmt: skip
    build = PortalBuild.objects.create(reason="测试：CMS 不通")
    with override_settings(PORTAL_BUILD_COMMAND=unreachable):
        assert rebuild_portal.call(build.pk) is False
    build.refresh_from_db()
    assert build.succeeded is False and build.outcome == tasks.CMS_UNREACHABLE
    assert "CMS 未运行" in build.output
    status = tasks.describe(build, timezone.now())
    assert status.state == "失败" and "无法连接 CMS" in status.detail and not status.log_line


def test_a_command_that_cannot_start_is_a_failure_with_its_reason(tmp_path):
    build = PortalBuild.objects.create(reason="测试：命令不存在")
    with override_settings(PORTAL_BUILD_COMMAND=[str(tmp_path / "no-such-command")]):
        assert rebuild_portal.call(build.pk) is False
    build.refresh_from_db()
    status = tasks.describe(build, timezone.now())
    assert status.state == "失败" and "原因未能识别" in status.detail
    assert "no-such-command" in status.log_line


def test_a_build_that_is_not_run_says_why():
    first, second = (PortalBuild.objects.create(reason=f"测试{n}") for n in (1, 2))
    rebuild_portal.call(first.pk)  # a later request waits: this one is folded into it
    rebuild_portal.call(second.pk)  # no build command in the tests' settings
    now = timezone.now()
    texts = [tasks.describe(PortalBuild.objects.get(pk=b.pk), now) for b in (first, second)]
    assert [t.state for t in texts] == ["未构建", "未构建"]
    assert "已并入之后的构建请求" in texts[0].detail
    assert "未配置构建命令" in texts[1].detail


def test_durations_read_in_chinese():
    assert tasks.format_duration(12.34) == "12.3 秒"
    assert tasks.format_duration(185) == "3 分 05 秒"
    assert tasks.format_duration(3725) == "1 小时 02 分"
    assert tasks.format_duration(90000) == "1 天 1 小时"
