"""What the task workers cost while there is nothing to do, and how soon they start a task.

Two ``manage.py db_worker`` processes run as each mode runs them: production's (the systemd
unit's arguments, production settings, PostgreSQL) and ``make run``'s (the Makefile's arguments,
the development settings, SQLite). Their CPU time over a quiet minute is read from
``/proc/<pid>/task/*/schedstat`` (nanoseconds, every thread of the process and its children).
Then a task that only notes the time is queued several times, at random moments, and the delay
until a worker started it is what a rebuild request waits before its build begins."""

import os
import random
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def worker_arguments(source: str, marker: str) -> list[str]:
    """The ``db_worker`` arguments a file gives (the Makefile's ``run``, the systemd unit)."""
    text = (ROOT / source).read_text()
    line = next(line for line in text.splitlines() if marker in line and "db_worker" in line)
    words = shlex.split(line.split("db_worker", 1)[1].split(">>")[0].split(">")[0])
    if "--worker-id" in words:  # systemd's %H-%i: each worker's own
        at = words.index("--worker-id")
        del words[at : at + 2]
    return words


def cpu_ns(pid: int) -> int:
    """CPU time of the process, every thread, and of its children (a reloader's worker)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").glob("*/schedstat"):
        total += int(task.read_text().split()[0])
    children = Path(f"/proc/{pid}/task/{pid}/children")
    for child in children.read_text().split() if children.exists() else ():
        total += cpu_ns(int(child))
    return total


def _start(env: dict, arguments: list[str], count: int) -> list[subprocess.Popen]:
    workers = [
        subprocess.Popen(
            [PY, "manage.py", "db_worker", *arguments], cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        for _ in range(count)
    ]  # fmt: skip
    time.sleep(10)  # past start-up
    if failed := [worker.returncode for worker in workers if worker.poll() is not None]:
        raise RuntimeError(f"db_worker {' '.join(arguments)} exited: {failed}")
    return workers


def _stop(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        os.killpg(worker.pid, 15)
    for worker in workers:
        worker.wait(timeout=30)


def start_delays(env: dict, work: Path, count: int) -> list[float]:
    """Queues the noting task ``count`` times, each after a random pause, and returns the
    seconds each waited for a worker (from the moment it was queued)."""
    delays = []
    for _ in range(count):
        time.sleep(random.uniform(0.5, 3.0))  # noqa: S311 (a pause, not a secret)
        mark = Path(tempfile.mkdtemp(dir=work)) / "started"
        queued = subprocess.run(
            [PY, "manage.py", "shell", "-c",
             "import time; from benchmarks.bench.tasks import note_start; "
             f"note_start.enqueue({str(mark)!r}); print(repr(time.time()))"],
            cwd=ROOT, env=env, check=True, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        deadline = time.time() + 30
        while not mark.exists() and time.time() < deadline:
            time.sleep(0.02)
        started = float(mark.read_text()) if mark.exists() else float("nan")
        delays.append(started - float(queued.stdout.split()[-1]))
    return delays


def measure(env: dict, work: Path, *, arguments: list[str], seconds: int, probes: int) -> dict:
    workers = _start(env, arguments, 2)
    try:
        before = [cpu_ns(w.pid) for w in workers]
        time.sleep(seconds)
        used = [(cpu_ns(w.pid) - b) / 1e9 for w, b in zip(workers, before, strict=True)]
        delays = start_delays(env, work, probes)
    finally:
        _stop(workers)
    return {
        "arguments": " ".join(arguments),
        "seconds": seconds,
        "cpu_seconds": used,
        "core_share": [u / seconds for u in used],
        "start_delays": delays,
    }


def modes(env: dict, work: Path) -> dict[str, tuple[dict, list[str]]]:
    """Each mode's environment and its workers' arguments, as its own files give them; and
    ``make run``'s as it was with Django's autoreloader (DEBUG's default), for comparison."""
    embedded = {
        **env,
        "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
        "DATABASE_URL": f"sqlite:///{work / 'idle.sqlite3'}",
    }
    subprocess.run(
        [PY, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT, env=embedded, check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    unit = worker_arguments("deploy/systemd/exemption-worker@.service", "ExecStart")
    make_run = worker_arguments("Makefile", "db_worker")
    reloading = [word for word in make_run if word != "--no-reload"] + ["--reload"]
    return {
        "production": (env, unit),
        "make run": (embedded, make_run),
        "make run with the autoreloader": (embedded, reloading),
    }


def empty_queue(env: dict) -> None:
    """Drops the tasks the earlier steps left queued (their portal rebuilds): the minute measured
    is a quiet one, not those builds."""
    subprocess.run(
        [PY, "manage.py", "shell", "-c",
         "from django_tasks_db.models import DBTaskResult; DBTaskResult.objects.all().delete()"],
        cwd=ROOT, env=env, check=True, capture_output=True, timeout=120,
    )  # fmt: skip


def bench_idle(env: dict, work: Path, *, seconds: int = 60, probes: int = 5) -> dict:
    empty_queue(env)
    return {
        mode: measure(mode_env, work, arguments=arguments, seconds=seconds, probes=probes)
        for mode, (mode_env, arguments) in modes(env, work).items()
    }


def summary(result: dict) -> str:
    parts = []
    for mode in ("production", "make run"):
        figures = result[mode]
        share, slowest = max(figures["core_share"]), max(figures["start_delays"])
        parts.append(f"{mode} {share:.2%} of a core per idle worker, start ≤ {slowest:.2f} s")
    return "; ".join(parts)
