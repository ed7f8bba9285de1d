"""Background work: rebuilding the static portal, outside any editor's request.

The build (``python -m portal build`` by default) says on its output what it is doing, a line as
each phase starts (``[2/8] render (120 sources) …``), and why it failed (``build failed:
pelican``): the contract is described in ``portal/phases.py``, read here without importing the
portal. The task records the phase on the build's row as it runs, and how the build ended; the
admin's dashboard panel shows both, in Chinese (:func:`describe`).
"""

import collections
import contextlib
import logging
import os
import re
import signal
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django_tasks import task

from cms.domain.dates import PUBLICITY_TZ

from .models import PortalBuild

logger = logging.getLogger(__name__)

#: A build still running after this long is stopped (its process group killed).
TIMEOUT_SECONDS = 1800
#: A build queued or running longer than this is flagged on the panel with how long it has been.
LONG_SECONDS = 180
OUTPUT_CHARS = 10000  # the end of the build's output kept on its row

PHASE_LINE = re.compile(r"^\[\d+/\d+\] (?P<name>[a-z][a-z ]*?)(?: \(.*\))? …$")
FAILURE_LINE = re.compile(r"^build failed: (?P<kind>[a-z][a-z ]*)$")
WAIT_PHASE = "wait for lock"

#: The portal's phases (portal/phases.py), as the panel names them.
PHASE_LABELS = {
    WAIT_PHASE: "等待另一次构建完成（构建锁被占用）",
    "export": "从 CMS 导出内容",
    "render": "生成页面（Pelican）",
    "feeds and open data": "生成订阅源和开放数据",
    "search index": "建立搜索索引",
    "switch": "切换上线",
    "search index and open data": "更新搜索索引和开放数据",
    "switch again": "再次切换上线",
    "prepare next": "为下次构建做准备",
}
STARTING = "正在启动"

# How a build that did not succeed ended (PortalBuild.outcome), and what the panel says.
SUPERSEDED, DISABLED = "superseded", "disabled"
LOCK, CMS_UNREACHABLE, PELICAN, SEARCH_INDEX = "lock", "cms_unreachable", "pelican", "search_index"
TIMEOUT, OTHER = "timeout", "other"
OUTCOMES = {
    SUPERSEDED: "已并入之后的构建请求，未单独构建。",
    DISABLED: "未构建：未配置构建命令（PORTAL_BUILD_COMMAND），自动构建已关闭。",
    LOCK: "另一次门户构建一直占用构建锁，本次等待超过{minutes}分钟，已终止；原站点保持不变。",
    CMS_UNREACHABLE: "无法连接 CMS 的读取接口，未能导出内容；原站点保持不变。",
    PELICAN: "Pelican 生成页面出错；原站点保持不变。",
    SEARCH_INDEX: "建立搜索索引（Pagefind）出错。",
    TIMEOUT: "构建超过{minutes}分钟仍未完成，已终止。",
    OTHER: "门户构建失败，原因未能识别，请查看构建日志。",
}
#: The failures the build reports (``build failed: <kind>``), as outcomes.
REPORTED = {"cms unreachable": CMS_UNREACHABLE, "pelican": PELICAN, "search index": SEARCH_INDEX}

#: Sent with ``build`` (a PortalBuild) as a build starts (its export has not begun), and as one
#: succeeds (its pages are live): what was committed before the first is on the portal after
#: the second. Apps above core act on them (e-mail alerts); a receiver's failure is logged and
#: never fails the build.
portal_build_started = Signal()
portal_build_succeeded = Signal()


def announce(signal: Signal, build: PortalBuild) -> None:
    for receiver, result in signal.send_robust(sender=PortalBuild, build=build):
        if isinstance(result, Exception):
            # The class only: an exception's text may quote data (an address, a name).
            logger.error(
                "portal build %s: %s failed: %s", build.pk, receiver.__name__,
                type(result).__name__,
            )  # fmt: skip


# --- running the build ------------------------------------------------------------------------


@dataclass(frozen=True)
class BuildRun:
    """What a run of the build command left: its exit code, output and last reported phase."""

    returncode: int | None
    output: str
    phase: str = ""
    reported: str = ""  # the failure the build reported, if any
    timed_out: bool = False

    @property
    def outcome(self) -> str:
        """'' when it succeeded, else a code of :data:`OUTCOMES`."""
        if self.timed_out:
            return LOCK if self.phase == WAIT_PHASE else TIMEOUT
        if self.returncode == 0:
            return ""
        return REPORTED.get(self.reported, OTHER)


def run_build(command: list[str], on_phase: Callable[[str], None]) -> BuildRun:
    """Runs ``command``, reading its output as it comes; calls ``on_phase`` with each new phase
    it reports. Kills it (and the processes it started) after :data:`TIMEOUT_SECONDS`."""
    # The build speaks Chinese (and "…"): read as UTF-8 whatever the worker's locale.
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        encoding="utf-8",
        errors="replace",
        cwd=settings.BASE_DIR,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},  # and written so, if it is Python
        start_new_session=True,  # its own process group: a timeout stops Pelican and Pagefind too
    )
    timed_out = threading.Event()

    def stop() -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)

    def time_out() -> None:
        timed_out.set()
        stop()

    timer = threading.Timer(TIMEOUT_SECONDS, time_out)
    timer.daemon = True
    timer.start()
    tail: collections.deque[str] = collections.deque(maxlen=1000)
    phase = reported = ""
    try:
        with process.stdout:
            for line in process.stdout:
                tail.append(line)
                text = line.rstrip("\n")
                if (match := PHASE_LINE.match(text)) and match["name"] != phase:
                    phase = match["name"]
                    on_phase(phase)
                elif match := FAILURE_LINE.match(text):
                    reported = match["kind"]
        returncode = process.wait()
    finally:
        timer.cancel()
        if process.poll() is None:  # the worker is stopping: the build stops with it
            stop()
            process.wait()
    output = "".join(tail)[-OUTPUT_CHARS:]
    return BuildRun(returncode, output, phase, reported, timed_out.is_set())


def _finish(build: PortalBuild, succeeded: bool | None, outcome: str) -> bool:
    build.finished_at, build.succeeded, build.outcome = timezone.now(), succeeded, outcome
    build.save()
    if succeeded is not None:
        log = logger.info if succeeded else logger.error
        log("portal build %s: %s (%s)", build.pk, outcome or "ok", build.reason)
    if succeeded:
        announce(portal_build_succeeded, build)
    return bool(succeeded)


@task()
def rebuild_portal(build_id: int) -> bool:
    """Runs the configured build command (by default ``python -m portal build``)."""
    build = PortalBuild.objects.get(pk=build_id)
    build.started_at = timezone.now()
    if PortalBuild.objects.filter(pk__gt=build_id, started_at__isnull=True).exists():
        # A later request will build everything this one would: coalesce into it.
        return _finish(build, None, SUPERSEDED)
    command = settings.PORTAL_BUILD_COMMAND
    if not command:
        return _finish(build, None, DISABLED)
    build.save(update_fields=["started_at"])  # the panel shows it running from now on
    announce(portal_build_started, build)

    def record_phase(phase: str) -> None:
        build.phase = phase
        PortalBuild.objects.filter(pk=build.pk).update(phase=phase)

    try:
        run = run_build(command, record_phase)
    except OSError as error:  # the command could not start
        build.output = f"{type(error).__name__}: {error}"
        return _finish(build, False, OTHER)
    except BaseException as error:  # the worker is stopping, or the database failed: never
        build.output = f"{type(error).__name__}: {error}"  # leave the build "running" forever
        _finish(build, False, OTHER)
        raise
    build.output = run.output
    return _finish(build, run.outcome == "", run.outcome)


def request_portal_rebuild(reason: str) -> PortalBuild:
    """Records the request and enqueues the build once the current transaction commits."""
    build = PortalBuild.objects.create(reason=reason[:200])
    transaction.on_commit(lambda: rebuild_portal.enqueue(build.pk))
    return build


# --- what the admin shows ---------------------------------------------------------------------


@dataclass(frozen=True)
class BuildStatus:
    """One build as the dashboard's panel shows it, in Chinese, times in Asia/Shanghai."""

    requested: str  # when it was requested, "2026-03-02 09:15:00"
    reason: str
    state: str  # 等待中, 进行中, 成功, 失败, 未构建
    detail: str  # the phase it is in, or why it failed or did not run
    took: str  # how long it took, or has been queued or running
    long: bool = False  # queued or running for longer than LONG_SECONDS
    failed: bool = False
    log_line: str = ""  # for a failure of no known kind: the log's last line, for staff


def format_duration(seconds: float) -> str:
    """12.3 → '12.3 秒'; 185 → '3 分 05 秒'; 3725 → '1 小时 02 分'; 90000 → '1 天 1 小时'."""
    if seconds < 60:
        return f"{seconds:.1f} 秒"
    whole = int(seconds)
    if whole < 3600:
        return f"{whole // 60} 分 {whole % 60:02d} 秒"
    if whole < 86400:
        return f"{whole // 3600} 小时 {whole % 3600 // 60:02d} 分"
    return f"{whole // 86400} 天 {whole % 86400 // 3600} 小时"


def local_time(at: datetime) -> str:
    return timezone.localtime(at, PUBLICITY_TZ).strftime("%Y-%m-%d %H:%M:%S")


def phase_label(phase: str) -> str:
    return PHASE_LABELS.get(phase, phase) if phase else STARTING


def last_log_line(output: str) -> str:
    """The output's last line that is not one of the build's phase or failure lines."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    told = [line for line in lines if not (PHASE_LINE.match(line) or FAILURE_LINE.match(line))]
    return (told or lines or [""])[-1][:300]


def outcome_text(outcome: str) -> str:
    return OUTCOMES.get(outcome, OUTCOMES[OTHER]).format(minutes=TIMEOUT_SECONDS // 60)


def describe(build: PortalBuild, now: datetime) -> BuildStatus:
    """What the panel says of ``build`` at ``now``."""
    status = {"requested": local_time(build.requested_at), "reason": build.reason}
    if build.started_at is None:
        waited = (now - build.requested_at).total_seconds()
        long = waited > LONG_SECONDS
        took = f"已等待 {format_duration(waited)}" if long else "—"
        detail = "排队等待构建进程"
        return BuildStatus(state="等待中", detail=detail, took=took, long=long, **status)
    if build.finished_at is None:
        running = (now - build.started_at).total_seconds()
        detail = f"当前阶段：{phase_label(build.phase)}"
        took = f"已运行 {format_duration(running)}"
        long = running > LONG_SECONDS
        return BuildStatus(state="进行中", detail=detail, took=took, long=long, **status)
    took = format_duration(build.duration_seconds or 0)
    if build.succeeded:
        return BuildStatus(state="成功", detail="门户已更新", took=took, **status)
    if build.succeeded is None:
        detail = OUTCOMES.get(build.outcome, "未构建。")
        return BuildStatus(state="未构建", detail=detail, took="—", **status)
    detail = outcome_text(build.outcome or OTHER)
    if build.phase:
        detail += f"（失败于：{phase_label(build.phase)}）"
    known = build.outcome in REPORTED.values() or build.outcome in (LOCK, TIMEOUT)
    log_line = "" if known else last_log_line(build.output)
    return BuildStatus(
        state="失败", detail=detail, took=took, failed=True, log_line=log_line, **status
    )
