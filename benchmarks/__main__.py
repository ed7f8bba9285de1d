"""``python -m benchmarks``: every benchmark, one summary line each with its ratio, then the
figures section of docs/benchmarks.md rewritten. ``make bench`` runs it inside
``deploy/ci/with-postgres.sh`` with ``PG_DURABLE=1`` (a throwaway PostgreSQL, durability on).

Everything listens on 127.0.0.1 only; every server started here is stopped at the end, however
the run ends; every loop is bounded. Work files go to a temporary directory (``--keep`` keeps it).
"""

import argparse
import gzip
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

from . import admin_pages, idle, report
from .payloads import bare_body, objection_body

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
PY = sys.executable
# Gzip level of the portal's nginx (deploy/nginx/portal.conf: gzip_comp_level 5).
GZIP_LEVEL = 5
PAGE_BUDGET_BYTES = 30 * 1024
STEPS = ("data", "writes", "read", "portal", "weight", "statistics", "idle", "admin")


def log(message: str) -> None:
    print(f"  · {message}", flush=True)


def summary(number: int, name: str, text: str) -> str:
    line = f"[{number}/{len(STEPS)}] {name:<9} {text}"
    print(line, flush=True)
    return line


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def result_line(output: str) -> dict:
    lines = [line for line in output.splitlines() if line.startswith("BENCH_RESULT ")]
    if not lines:
        raise RuntimeError(f"no BENCH_RESULT line in:\n{output[-3000:]}")
    return json.loads(lines[-1].split(" ", 1)[1])


# A wrapper that runs a command and reports the peak RSS of its largest process (the
# command and everything it started and waited for, e.g. Pelican shards and Pagefind).
RSS_WRAPPER = (
    "import resource, subprocess, sys\n"
    "status = subprocess.run(sys.argv[1:]).returncode\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "print('BENCH_RSS_KB', peak, file=sys.stderr)\n"
    "sys.exit(status)\n"
)


def run_measured(command, *, cwd, env, timeout) -> tuple[subprocess.CompletedProcess, float, int]:
    began = time.perf_counter()
    completed = subprocess.run(
        [PY, "-c", RSS_WRAPPER, *command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    seconds = time.perf_counter() - began
    found = re.findall(r"BENCH_RSS_KB (\d+)", completed.stderr)
    if completed.returncode != 0:
        raise RuntimeError(
            f"{' '.join(map(str, command))} failed ({completed.returncode}):\n"
            f"{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}"
        )
    return completed, seconds, int(found[-1]) if found else 0


# --- the machine and the tools ----------------------------------------------------------------


def machine() -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    meminfo = Path("/proc/meminfo").read_text()
    total_kb = int(re.search(r"^MemTotal:\s*(\d+)", meminfo, re.M).group(1))
    git = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "memory_gib": round(total_kb / 1024 / 1024, 1),
        "cpu": model.group(1).strip() if model else "unknown",
        "kernel": os.uname().release,
        "python": sys.version.split()[0],
        "wrk": (wrk.stdout or wrk.stderr).split("[")[0].strip(),
        "commit": git + (" (with uncommitted changes)" if dirty else ""),
    }


def ensure_wrk() -> None:
    if shutil.which("wrk"):
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SystemExit("wrk is missing: apt-get install wrk (as root)")
    log("wrk is missing: installing Debian's wrk package")
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", "wrk"]
    if subprocess.run(install, env=environment, capture_output=True, check=False).returncode:
        subprocess.run(
            ["apt-get", "update", "-q"], env=environment, capture_output=True, check=True
        )
        subprocess.run(install, env=environment, capture_output=True, check=True)


def ensure_pagefind() -> None:
    check = subprocess.run(
        [PY, "-c", "import pagefind_bin_extended"], capture_output=True, check=False
    )
    if check.returncode:
        raise SystemExit("Pagefind's extended binary is missing: make install")


# --- Django, the database, gunicorn -----------------------------------------------------------


def django_env(port: int, work: Path) -> dict:
    base = f"http://127.0.0.1:{port}"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "DJANGO_SECRET_KEY": "benchmark-only-" + "k" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CMS_BASE_URL": base,
        "PORTAL_BASE_URL": "http://127.0.0.1:8001",
        # Plain HTTP on 127.0.0.1 (production redirects to HTTPS; nginx is not part of this).
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DATABASE_CONN_MAX_AGE": "60",
        # The rate limits stay in the request path, at rates no run can reach.
        "OBJECTION_RATE_BURST": "1000000/s",
        "OBJECTION_RATE_SUSTAINED": "1000000/s",
        "OBJECTION_RATE_PER_NOTICE": "1000000/s",
        "NUM_PROXIES": "0",  # wrk talks to gunicorn directly
        "CMS_VAR_DIR": str(work / "var"),
        "PYTHONUNBUFFERED": "1",
    }


def manage(env: dict, *arguments: str, timeout: float = 600) -> str:
    completed = subprocess.run(
        [PY, "manage.py", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if completed.returncode:
        raise RuntimeError(f"manage.py {' '.join(arguments)} failed:\n{completed.stderr[-3000:]}")
    return completed.stdout


def sql(query: str, *params):
    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"]) as connection:
        return connection.execute(query, params or None).fetchone()


class Gunicorn:
    """``gunicorn -c deploy/gunicorn.conf.py`` (the production config) with N sync workers."""

    def __init__(self, env: dict, port: int, workers: int, log_path: Path, **extra_env):
        self.env = {
            **env,
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": str(workers),
            **extra_env,
        }
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Gunicorn":
        import requests

        self.log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [PY, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        RUNNING.append(self)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log_path}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.3)
        else:
            raise RuntimeError(f"gunicorn did not answer within 60 s; see {self.log_path}")
        # Both workers up (each answers /healthz after booting Django).
        for _ in range(20):
            requests.get(f"{self.url}/healthz", timeout=5)
        return self

    def workers(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []

    def boots(self) -> int:
        return self.log_path.read_bytes().count(b"Booting worker with pid")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # graceful: finish requests in flight
        try:
            self.process.wait(timeout=35)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def __exit__(self, *exc) -> None:
        self.stop()
        self.log.close()
        if self in RUNNING:
            RUNNING.remove(self)


RUNNING: list = []  # servers to stop however the run ends (each has stop())


class ResidentBuilder:
    """``python -m portal builder`` in the benchmark tree, as production runs it beside the
    task workers: ``python -m portal build`` hands its build to it."""

    def __init__(self, tree: Path, env: dict, log_path: Path):
        self.tree, self.env, self.log_path = tree, env, log_path
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "ResidentBuilder":
        self.process = subprocess.Popen(
            [PY, "-m", "portal", "builder"],
            cwd=self.tree,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        RUNNING.append(self)
        ready = self.process.stdout.readline()
        if "ready" not in ready:
            raise RuntimeError(f"the builder did not start: {ready}")
        self.log = threading.Thread(target=self._copy_log, daemon=True)
        self.log.start()
        return self

    def _copy_log(self) -> None:
        with open(self.log_path, "a", encoding="utf-8") as log:
            for line in self.process.stdout:
                log.write(line)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def __exit__(self, *exc) -> None:
        self.stop()
        if self in RUNNING:
            RUNNING.remove(self)


# --- 1. data ----------------------------------------------------------------------------------


def bench_data(env: dict, args, work: Path) -> tuple[dict, str]:
    summary_file = work / "generate.json"
    began = time.perf_counter()
    manage(
        env,
        "load_benchmark_data",
        "--notices",
        str(args.notices),
        "--seed",
        str(args.seed),
        "--add-child",
        str(args.add_child),
        "--scheduled",
        "30",
        "--summary",
        str(summary_file),
        timeout=900,
    )
    wall = time.perf_counter() - began
    data = json.loads(summary_file.read_text(encoding="utf-8"))
    seconds, counts = data["seconds"], data["counts"]
    per = {m: seconds[m] / counts[m] * 1000 for m in counts if counts[m]}
    data["wall_seconds"] = wall
    data["ms_per_notice"] = per
    data["add_child_projected_seconds"] = per["add_child"] * args.notices / 1000
    data["publish_projected_seconds"] = per["publish"] * args.notices / 1000
    data["ratio_add_child_over_bulk"] = per["add_child"] / per["bulk"]
    line = (
        f"{data['notices']:,} notices ({data['items']:,} items, {data['rejected_items']:,} "
        f"rejected; {data.get('objections', 0):,} objections, "
        f"{data.get('objections_open', 0):,} awaiting an answer) in {seconds['total']:.1f} s; "
        f"bulk {per['bulk']:.2f} ms/notice vs add_child "
        f"{per['add_child']:.1f} ms/notice: {data['ratio_add_child_over_bulk']:.0f}x faster "
        f"(add_child for all: ~{data['add_child_projected_seconds']:.0f} s; "
        f"publish(): {per['publish']:.0f} ms/notice)"
    )
    return data, line


# --- 2. writes --------------------------------------------------------------------------------


def run_wrk(url: str, body: dict, *, run: str, keyed: bool, duration: int, connections: int):
    environment = {
        **os.environ,
        "BENCH_BODY": json.dumps(body, ensure_ascii=False),
        "BENCH_KEYED": "1" if keyed else "0",
        "BENCH_RUN": run,
    }
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "30s",
        "-s",
        str(HERE / "wrk" / "post.lua"),
        url,
    ]
    completed = subprocess.run(
        command, env=environment, capture_output=True, text=True, timeout=duration + 60, check=True
    )
    data = result_line(completed.stdout)
    statuses = {int(k): v for k, v in data["statuses"].items()}
    ok = sum(v for k, v in statuses.items() if 200 <= k < 300)
    errors = data["errors"]
    data.update(
        seconds=data["duration_us"] / 1e6,
        rps=data["requests"] / (data["duration_us"] / 1e6),
        created=statuses.get(201, 0),
        non_2xx=data["requests"] - ok,
        socket_errors=errors["connect"] + errors["read"] + errors["write"] + errors["timeout"],
        p50_ms=data["latency_us"]["p50"] / 1000,
        p99_ms=data["latency_us"]["p99"] / 1000,
        statuses=statuses,
    )
    return data


def settled_count(query: str, *params, limit: float = 60) -> int:
    """Rows once requests still in flight when the load stopped have finished."""
    deadline = time.monotonic() + limit
    last, stable = -1, 0
    while time.monotonic() < deadline and stable < 3:
        count = sql(query, *params)[0]
        stable = stable + 1 if count == last else 0
        last = count
        time.sleep(0.5)
    return last


# What a sampled stack was doing, first match wins (so the shares add up to 100%).
PYSPY_CATEGORIES = (
    ("lookup-code hash", ("make_password (", "pbkdf2", "lookup_code_digest (")),
    ("rate limits (one upsert for the three)", ("count_objection (",)),
    ("validation: serializer, item lookup, text cleaning", ("is_valid (",)),
    ("idempotency-key replay check", (";replay (",)),
    ("window and state check (notice, its corrections)", ("ensure_accepting (", "specific (")),
    ("insert and commit", ("Model.save (", "__exit__ (django/db/transaction")),
    ("logging (app log, JSON access log)", ("Logger.", "access (")),
    ("rest of the request (Django, DRF, response)", ("WSGIHandler.__call__ (",)),
    ("gunicorn: request parsing, response writing", ("",)),
)


def pyspy_breakdown(pid: int, seconds: int, out: Path) -> dict:
    """Samples one worker with py-spy; shares of its busy samples by what they were in."""
    pyspy = shutil.which("py-spy") or str(Path(PY).with_name("py-spy"))
    command = [
        pyspy,
        "record",
        "--pid",
        str(pid),
        "--duration",
        str(seconds),
        "--rate",
        "100",
        "--format",
        "raw",
        "--output",
        str(out),
    ]
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    if completed.returncode or not out.exists():
        return {"error": (completed.stderr or completed.stdout).strip()[-300:]}
    counts = {name: 0 for name, _ in PYSPY_CATEGORIES}
    total = 0
    for line in out.read_text(errors="replace").splitlines():
        stack, _, number = line.rpartition(" ")
        if not number.isdigit():
            continue
        total += int(number)
        for name, needles in PYSPY_CATEGORIES:
            if any(needle in stack for needle in needles):
                counts[name] += int(number)
                break
    if not total:
        return {"error": "no samples"}
    return {"samples": total, "shares": {k: v / total for k, v in counts.items()}}


def profile_under_load(
    server: "Gunicorn", url: str, item: int, work: Path, name: str, connections: int
) -> dict:
    """py-spy on one worker for 8 s while wrk keeps the objection endpoint busy."""
    workers = server.workers()
    if not workers:
        return {"error": "no worker found"}
    load = subprocess.Popen(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            "-d12s",
            "--timeout",
            "30s",
            "-s",
            str(HERE / "wrk" / "post.lua"),
            url,
        ],
        env={
            **os.environ,
            "BENCH_BODY": json.dumps(objection_body(item)),
            "BENCH_KEYED": "1",
            "BENCH_RUN": f"pyspy-{name}",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(2)
        return pyspy_breakdown(workers[0], 8, work / f"pyspy-{name}.txt")
    finally:
        load.wait(timeout=60)


def bench_writes(env: dict, args, work: Path, target: dict) -> tuple[dict, str]:
    port = free_port()
    item = target["item"]
    duration, connections = args.duration, args.connections
    results: dict = {
        "duration": duration,
        "connections": connections,
        "workers": args.workers,
        "item": item,
        "notice": target["notice"],
    }
    with Gunicorn(env, port, args.workers, work / "gunicorn-writes.log") as server:
        bare_url, objection_url = f"{server.url}/bench/bare/", f"{server.url}/api/objections/"
        log(f"warm-up, then {duration} s each at {connections} connections, {args.workers} workers")
        run_wrk(
            bare_url, bare_body(item), run="warm", keyed=False, duration=3, connections=connections
        )
        run_wrk(
            objection_url,
            objection_body(item),
            run="warm",
            keyed=True,
            duration=3,
            connections=connections,
        )
        for name, url, body, keyed, count_query in (
            ("bare", bare_url, bare_body(item), False, "SELECT count(*) FROM bench_bareobjection"),
            (
                "objection",
                objection_url,
                objection_body(item),
                True,
                "SELECT count(*) FROM objections_objection WHERE idempotency_key_hash IS NOT NULL",
            ),
        ):
            before = settled_count(count_query)
            boots = server.boots()
            data = run_wrk(
                url, body, run="main", keyed=keyed, duration=duration, connections=connections
            )
            data["worker_boots"] = server.boots() - boots
            data["rows"] = settled_count(count_query) - before
            data["lost"] = max(0, data["created"] - data["rows"])
            data["in_flight_extra"] = data["rows"] - data["created"]
            results[name] = data
            log(
                f"{name}: {data['rps']:.1f} req/s, p50 {data['p50_ms']:.0f} ms, p99 "
                f"{data['p99_ms']:.0f} ms, {data['created']} × 201, {data['rows']} rows"
            )
        # Not in the figures: one worker sampled by py-spy under the same load.
        if args.profile:
            log("profiling one worker with py-spy under the objection load (8 s)")
            results["pyspy"] = profile_under_load(
                server, objection_url, item, work, "objection", connections
            )
    if args.profile:
        log("profiling objection requests in-process (cProfile)")
        completed = subprocess.run(
            [PY, str(HERE / "cms_probe.py"), "profile", "--item", str(item), "--requests", "10"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        results["cprofile"] = result_line(completed.stdout)
        # A diagnostic on a gunicorn of its own: what gunicorn's worker recycling costs the bare
        # endpoint.
        for name, path, body, keyed, extra in (
            ("bare_no_recycling", "/bench/bare/", bare_body(item), False,
             {"GUNICORN_MAX_REQUESTS": "0"}),
        ):  # fmt: skip
            with Gunicorn(
                env, free_port(), args.workers, work / f"gunicorn-{name}.log", **extra
            ) as server:
                url = f"{server.url}{path}"
                run_wrk(url, body, run=f"warm-{name}", keyed=keyed, duration=3,
                        connections=connections)  # fmt: skip
                boots = server.boots()
                data = run_wrk(url, body, run=name, keyed=keyed,
                               duration=max(5, duration // 2), connections=connections)  # fmt: skip
                data["worker_boots"] = server.boots() - boots
                results[name] = data
    bare, objection = results["bare"], results["objection"]
    results["ratio"] = objection["rps"] / bare["rps"]
    lost = objection["lost"] + bare["lost"]
    line = (
        f"objection {objection['rps']:.1f} req/s (p50 {objection['p50_ms']:.0f} ms, p99 "
        f"{objection['p99_ms']:.0f} ms, non-2xx {objection['non_2xx']}) vs bare "
        f"{bare['rps']:.0f} req/s (p50 {bare['p50_ms']:.0f} ms, p99 {bare['p99_ms']:.0f} ms, "
        f"non-2xx {bare['non_2xx']}): {results['ratio']:.3f}x (goal ≥ 0.5x); "
        f"{'0 lost' if not lost else f'{lost} LOST'} (rows = 201s + in flight: objection "
        f"{objection['rows']} = {objection['created']} + {objection['in_flight_extra']}, bare "
        f"{bare['rows']} = {bare['created']} + {bare['in_flight_extra']})"
    )
    diagnostics = []
    if "bare_no_recycling" in results:
        steady = results["bare_no_recycling"]
        diagnostics.append(
            f"bare without worker recycling {steady['rps']:.0f} req/s, p99 "
            f"{steady['p99_ms']:.0f} ms"
        )
    if diagnostics:
        line += "; diagnostics: " + ", ".join(diagnostics)
    return results, line


# --- 3. read API ------------------------------------------------------------------------------


def bench_read(env: dict, args, work: Path, generated: dict, target: dict) -> tuple[dict, str]:
    import requests

    results: dict = {}
    with Gunicorn(env, free_port(), args.workers, work / "gunicorn-read.log") as server:
        session = requests.Session()
        session.headers["Accept"] = "application/json"
        session.get(f"{server.url}/api/v3/notices/", params={"limit": 1}, timeout=30)
        times, rows, offset = [], [], 0
        began = time.perf_counter()
        for _ in range(10_000):  # bounded: 1,000,000 notices at most
            started = time.perf_counter()
            response = session.get(
                f"{server.url}/api/v3/notices/", params={"limit": 100, "offset": offset}, timeout=60
            )
            response.raise_for_status()
            batch = response.json()
            times.append(time.perf_counter() - started)
            rows += batch["items"]
            offset += len(batch["items"])
            if not batch["items"] or offset >= batch["count"]:
                break
        total = time.perf_counter() - began
        states: dict[str, int] = {}
        for row in rows:
            states[row["window"]["state"]] = states.get(row["window"]["state"], 0) + 1
        expected = {k: v for k, v in generated["states"].items() if k != "approved"}
        # One notice per page through Wagtail's page detail, on a sample spread over the ids.
        sample = rows[:: max(1, len(rows) // args.detail_sample)][: args.detail_sample]
        began = time.perf_counter()
        for row in sample:
            session.get(f"{server.url}/api/v3/pages/{row['id']}/", timeout=30).raise_for_status()
        detail = time.perf_counter() - began
    completed = subprocess.run(
        [PY, str(HERE / "cms_probe.py"), "queries", "--item", str(target["item"])],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    queries = result_line(completed.stdout)
    times.sort()
    results.update(
        notices=len(rows),
        requests=len(times),
        seconds=total,
        notices_per_second=len(rows) / total,
        request_ms={
            "min": times[0] * 1000,
            "median": statistics.median(times) * 1000,
            "p90": times[int(len(times) * 0.9)] * 1000,
            "max": times[-1] * 1000,
        },
        states=states,
        states_match=states == expected,
        detail_sample=len(sample),
        detail_seconds=detail,
        detail_notices_per_second=len(sample) / detail,
        queries=queries,
    )
    results["ratio"] = results["notices_per_second"] / results["detail_notices_per_second"]
    counts = sorted({page["queries"] for page in queries["notices_api"]})
    sizes = "/".join(str(page["limit"]) for page in queries["notices_api"])
    results["constant_queries"] = len(counts) == 1
    line = (
        f"{len(rows):,} notices in {total:.1f} s through /api/v3/notices/ ({len(times)} requests "
        f"of 100, median {results['request_ms']['median']:.0f} ms): "
        f"{results['notices_per_second']:.0f} notices/s vs page detail "
        f"{results['detail_notices_per_second']:.0f}/s: "
        f"{results['ratio']:.0f}x; SQL queries per page at limit {sizes}: "
        f"{', '.join(str(p['queries']) for p in queries['notices_api'])}"
        f" ({'constant' if results['constant_queries'] else 'NOT constant'}); states "
        f"{'match' if results['states_match'] else 'DIFFER from'} the generator's"
    )
    return results, line


# --- 4. portal --------------------------------------------------------------------------------


def make_tree(work: Path) -> Path:
    """A scratch copy of what the build reads (code, theme, settings, hand-written pages): the
    benchmark builds there, never in the repository's publicity_site/ or content/."""
    tree = work / "tree"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "portal", tree / "portal", ignore=ignore)
    shutil.copytree(ROOT / "themes", tree / "themes", ignore=ignore)
    (tree / "publicity_site").mkdir(parents=True)
    for settings in (ROOT / "publicity_site").glob("*.py"):
        shutil.copy2(settings, tree / "publicity_site" / settings.name)
    shutil.copytree(ROOT / "content" / "pages", tree / "content" / "pages")
    return tree


def bench_portal(env: dict, args, work: Path) -> tuple[dict, str]:
    results: dict = {}
    # Half an hour a build at 10,000 notices, and in proportion above: at 100,000, a full
    # build on a busy 2-core machine took longer than half an hour.
    limit = 1800 * max(1.0, args.notices / 10_000)
    tree = make_tree(work)
    with Gunicorn(env, free_port(), args.workers, work / "gunicorn-portal.log") as server:
        build_env = {**env, "PYTHONPATH": str(tree), "CMS_BASE_URL": server.url}

        def full_build() -> dict:
            completed, seconds, rss = run_measured(
                [PY, str(HERE / "portal_phases.py"), "full", "--cms-url", server.url],
                cwd=tree,
                env=build_env,
                timeout=limit,
            )
            return {**result_line(completed.stdout), "wall_seconds": seconds,
                    "peak_rss_mb": rss / 1024}  # fmt: skip

        log("full build: build_portal(incremental=False), rendered and indexed shard by shard")
        full = full_build()
        output = tree / "publicity_site" / "output"
        full["files"] = sum(1 for p in output.resolve().rglob("*") if p.is_file())
        results["full"] = full

        log("vanilla Pelican: the same notices and rejection pages as Markdown, one process")
        from .vanilla import write_site

        vanilla_dir = work / "vanilla"
        began = time.perf_counter()
        counts = write_site(tree / "content" / "generated", vanilla_dir)
        prepare = time.perf_counter() - began
        _, seconds, rss = run_measured(
            [PY, "-m", "pelican", "content", "-s", "pelicanconf.py", "-o", "output", "-q"],
            cwd=vanilla_dir,
            env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
            timeout=limit,
        )
        results["vanilla"] = {
            **counts,
            "seconds": seconds,
            "peak_rss_mb": rss / 1024,
            "markdown_seconds": prepare,
            "files": sum(1 for p in (vanilla_dir / "output").rglob("*") if p.is_file()),
        }
        shutil.rmtree(vanilla_dir / "output", ignore_errors=True)

        log("full rebuild over the live site: build_portal(incremental=False) again")
        results["rebuild"] = full_build()

        def probe(*arguments: str) -> dict:
            completed = subprocess.run(
                [PY, str(HERE / "cms_probe.py"), *arguments, "--tree", str(tree),
                 "--cms-url", server.url],
                cwd=ROOT,
                env=build_env | {"PYTHONPATH": ""},
                capture_output=True,
                text=True,
                timeout=limit,
                check=True,
            )  # fmt: skip
            return result_line(completed.stdout)

        with ResidentBuilder(tree, build_env, work / "builder.log"):
            log("publish one notice, then python -m portal build (to the resident builder)")
            results["publish"] = probe("publish")
            log("two publications: the second while the first build writes its search index")
            results["publish_twice"] = probe("publish-twice", "--number", "9002")
            log("finalise the notice waiting longest, then python -m portal build (builder)")
            results["finalise"] = probe("finalise")
        log("publish one notice, then python -m portal build --no-builder (a process of its own)")
        results["publish_alone"] = probe("publish", "--number", "9004", "--no-builder")
    phases = full["phases"]
    # Render, feeds and open data alone: the full rebuild's, which indexes only once it is live
    # (the first build indexes beside the render).
    rebuild_phases = results["rebuild"]["phases"]
    like_for_like = rebuild_phases.get("render", 0) + rebuild_phases.get("site_outputs", 0)
    vanilla = results["vanilla"]["seconds"]
    results["like_for_like_seconds"] = like_for_like
    live = full.get("live_seconds") or full["seconds"]
    rebuild = results["rebuild"]
    rebuild_live = rebuild.get("live_seconds") or rebuild["seconds"]
    results["ratio"] = live / vanilla
    results["ratio_process"] = full["seconds"] / vanilla
    results["ratio_rebuild_live"] = rebuild_live / vanilla
    results["ratio_rebuild_process"] = rebuild["seconds"] / vanilla
    results["ratio_like_for_like"] = like_for_like / vanilla
    publish, finalised = results["publish"], results["finalise"]
    results["tree"] = tree
    line = (
        f"first full build {live:.1f} s until live, search included ({full['pages']:,} sources; "
        f"export {phases.get('export', 0):.1f} + render {phases.get('render', 0):.1f}, shards "
        f"indexed meanwhile, + the rest of the search index "
        f"{phases.get('search_index_tail', 0):.1f}, feeds/open data "
        f"{phases.get('site_outputs', 0):.1f} beside it) "
        f"vs vanilla Pelican {vanilla:.1f} s: {results['ratio']:.2f}x (goal ≤ 0.75x); full rebuild "
        f"over the live site live after {rebuild_live:.1f} s: {results['ratio_rebuild_live']:.2f}x"
        f" (its search index {rebuild['seconds']:.1f} s: {results['ratio_rebuild_process']:.2f}x);"
        f" publish-to-live {publish['live_seconds']:.2f} s through the resident builder (goal ≤ 1 s"
        f" at 10,000, ≤ 2 s at 100,000; page, listing and feed; a build in a process of its own "
        f"{results['publish_alone']['live_seconds']:.2f} s; "
        f"vanilla/ours {vanilla / publish['live_seconds']:.0f}x; "
        f"build finished {publish['total_seconds']:.1f} s; "
        f"{publish['sources_written']['count']} sources and "
        f"{publish['files_written']['count']} site files written); a second publication while the "
        f"first writes its index live after {results['publish_twice']['second_live_seconds']:.2f}"
        f" s; finalising a notice: live after {finalised['live_seconds']:.2f} s, "
        f"{finalised['sources_written']['count']} sources and "
        f"{finalised['files_written']['count']} site files written"
    )
    return results, line


# --- 5. page weight ---------------------------------------------------------------------------


class _Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.assets: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "link" and "stylesheet" in (attributes.get("rel") or "").split():
            self.assets.append(attributes.get("href") or "")
        elif tag == "script" and attributes.get("src"):
            self.assets.append(attributes["src"])


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0))


def page_weight(site: Path, page: str) -> dict:
    html = (site / page).read_bytes()
    parser = _Assets()
    parser.feed(html.decode("utf-8"))
    parts = {"html": {"raw": len(html), "gzip": gz(html)}}
    for href in parser.assets:
        if "://" in href or href.startswith("//"):
            raise AssertionError(f"{page} loads {href} from another host")
        asset = site / urljoin(page, href).split("?")[0].lstrip("/")
        data = asset.read_bytes()
        parts[asset.name] = {"raw": len(data), "gzip": gz(data)}
    return {
        "page": page,
        "parts": parts,
        "gzip": sum(p["gzip"] for p in parts.values()),
        "raw": sum(p["raw"] for p in parts.values()),
    }


def bench_weight(tree: Path) -> tuple[dict, str]:
    site = (tree / "publicity_site" / "output").resolve()
    pages = {"open": [], "other": []}
    for source in (tree / "content" / "generated" / "notices").glob("*.json"):
        data = json.loads(source.read_text(encoding="utf-8"))
        if data["metadata"].get("template") != "notice":
            continue
        kind = "open" if data["cms"]["under_publicity"] else "other"
        pages[kind].append((len(data["cms"]["decision_items"]), data["metadata"]["save_as"]))
    # Every page under publicity (they carry the objection form and its script), and the 20
    # other notice pages with the most items.
    weights = {
        "open": [page_weight(site, page) for _, page in pages["open"]],
        "other": [page_weight(site, page) for _, page in sorted(pages["other"])[-20:]],
    }
    heaviest = max(weights["open"] + weights["other"], key=lambda w: w["gzip"])
    median_open = sorted(w["gzip"] for w in weights["open"])[len(weights["open"]) // 2]
    results = {
        "budget": PAGE_BUDGET_BYTES,
        "gzip_level": GZIP_LEVEL,
        "heaviest": heaviest,
        "median_open_gzip": median_open,
        "open_pages": len(pages["open"]),
        "ratio": heaviest["gzip"] / PAGE_BUDGET_BYTES,
    }
    parts = ", ".join(f"{name} {p['gzip'] / 1024:.1f}" for name, p in heaviest["parts"].items())
    line = (
        f"heaviest notice page {heaviest['gzip'] / 1024:.1f} KB gzipped ({parts}; "
        f"{heaviest['raw'] / 1024:.0f} KB raw) of the 30 KB budget: {results['ratio']:.2f}x; "
        f"median page under publicity {median_open / 1024:.1f} KB"
    )
    return results, line


# --- 6. statistics page ------------------------------------------------------------------------


def bench_statistics(tree: Path, env: dict) -> tuple[dict, str]:
    """The statistics page from the records the portal build kept of its 10,000 notices:
    figures, charts and source (goal under a second), and Pelican rendering it."""
    log("statistics page: figures, charts and source from the kept records, then Pelican")
    completed = subprocess.run(
        [PY, str(HERE / "statistics_page.py"), "--content", str(tree / "content")],
        cwd=tree,
        env={**env, "PYTHONPATH": str(tree)},
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    result = result_line(completed.stdout)
    return result, result["line"]


# --- the run ----------------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--notices", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--add-child", type=int, default=300)
    parser.add_argument("--duration", type=int, default=20, help="seconds of load per endpoint")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--detail-sample", type=int, default=200)
    parser.add_argument("--no-profile", dest="profile", action="store_false")
    parser.add_argument(
        "--no-doc", dest="doc", action="store_false", help="do not rewrite docs/benchmarks.md"
    )
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print(
            "Run through deploy/ci/with-postgres.sh (make bench): it needs a throwaway "
            "PostgreSQL in DATABASE_URL.",
            file=sys.stderr,
        )
        return 2
    started_at = float(os.environ.get("BENCH_STARTED_AT") or time.time())
    began = time.perf_counter()

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    results: dict = {"started": datetime.now(UTC).isoformat(timespec="seconds")}
    lines: list[str] = []
    try:
        ensure_wrk()
        ensure_pagefind()
        results["machine"] = machine()
        results["load_before"] = os.getloadavg()
        results["postgres"] = sql("SHOW server_version")[0]
        results["durability"] = {
            name: sql(f"SHOW {name}")[0] for name in ("fsync", "synchronous_commit")
        }
        env = django_env(0, work)
        log("database: migrate, cache table, seed policy")
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "createcachetable")
        manage(env, "load_seed_policy")

        data, line = bench_data(env, args, work)
        results["data"] = data
        lines.append(summary(1, "data", line))
        target = data["objection_targets"][0]

        results["writes"], line = bench_writes(env, args, work, target)
        lines.append(summary(2, "writes", line))

        # Before the portal: its publish-to-live step adds a notice.
        results["read"], line = bench_read(env, args, work, data, target)
        lines.append(summary(4, "read API", line))

        portal, line = bench_portal(env, args, work)
        tree = portal.pop("tree")
        results["portal"] = portal
        lines.append(summary(3, "portal", line))

        results["weight"], line = bench_weight(tree)
        lines.append(summary(5, "weight", line))

        results["statistics"], line = bench_statistics(tree, env)
        lines.append(summary(6, "stats", line))

        log("task workers: a quiet minute in each mode, then tasks queued at random moments")
        results["idle"] = idle.bench_idle(env, work)
        lines.append(summary(7, "idle", idle.summary(results["idle"])))

        # Last: it adds objections, a bare page tree and users to the database.
        log("admin: the real admin views, logged in, against Wagtail's explorer on a bare tree")
        results["admin"], line = admin_pages.bench_admin(env, args, work)
        lines.append(summary(8, "admin", line))
    finally:
        for server in list(RUNNING):
            server.__exit__(None, None, None)
        if args.keep:
            print(f"work files kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    results["seconds"] = time.perf_counter() - began
    results["load_after"] = os.getloadavg()
    results["total_seconds"] = time.time() - started_at
    results["lines"] = sorted(lines)
    print("\n".join(results["lines"]))
    results["command"] = os.environ.get("BENCH_COMMAND", "python -m benchmarks")
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str))
    if args.doc:
        report.write(ROOT / "docs" / "benchmarks.md", results)
        print(f"docs/benchmarks.md rewritten (figures); raw results in {out / 'latest.json'}")
    print(
        f"benchmarks done in {results['seconds']:.0f} s ({results['total_seconds']:.0f} s "
        f"with setup)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
