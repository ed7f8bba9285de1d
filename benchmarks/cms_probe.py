"""In-process measurements against the benchmark database (run with benchmarks.settings):

    python benchmarks/cms_probe.py queries               # SQL queries per request
    python benchmarks/cms_probe.py profile --item ID     # where an objection request's time goes
    python benchmarks/cms_probe.py publish --tree DIR --cms-url URL   # publish-to-live
    python benchmarks/cms_probe.py publish-twice --tree DIR --cms-url URL --number 9002
    python benchmarks/cms_probe.py finalise --tree DIR --cms-url URL  # finalise-to-live

Each prints one line: ``BENCH_RESULT {json}``.
"""

import argparse
import cProfile
import json
import os
import pstats
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from benchmarks.generate import Planner, _item_rows  # noqa: E402
from benchmarks.payloads import bare_body, objection_body  # noqa: E402
from cms.domain import dates  # noqa: E402
from cms.notices.models import DecisionNoticePage, NoticeIndexPage  # noqa: E402
from portal.urls import RESULTS_URL  # noqa: E402

HOST = {"HTTP_HOST": "127.0.0.1", "HTTP_ACCEPT": "application/json"}


def count_queries(method, path: str, **kwargs) -> tuple[int, int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = method(path, **kwargs, **HOST)
    statements = [query["sql"][:100] for query in captured.captured_queries]
    return len(statements), response.status_code, statements


def queries(item: int | None) -> dict:
    client = Client()
    total = DecisionNoticePage.objects.live().public().count()
    pages = []
    client.get("/api/v3/notices/?limit=1", **HOST)  # first request: caches, connection
    for limit, offset in (
        (1, 0),
        (10, 0),
        (50, total // 2),
        (100, 0),
        (100, total // 2),
        (100, max(0, total - 100)),
    ):
        count, status, _ = count_queries(
            client.get, f"/api/v3/notices/?limit={limit}&offset={offset}"
        )
        pages.append({"limit": limit, "offset": offset, "queries": count, "status": status})
    result = {"notices_api": pages}
    if item:
        writes = {}
        for name, path, body in (
            ("objection", "/api/objections/", objection_body(item)),
            ("bare", "/bench/bare/", bare_body()),
        ):
            count, status, statements = count_queries(
                client.post,
                path,
                data=json.dumps(body),
                content_type="application/json",
                HTTP_IDEMPOTENCY_KEY=f"bench-queries-{time.time_ns()}",
            )
            writes[name] = {"queries": count, "status": status, "statements": statements}
        result["writes"] = writes
    return result


# Where an objection request's time goes: function → label. Cumulative times; they overlap
# where one calls another (the rate limits' time includes their SQL).
PROFILE_LABELS = {
    ("rules.py", "lookup_code_digest"): "lookup-code digest (keyed SHA-256)",
    ("hashers.py", "make_password"): "make_password (PBKDF2)",
    ("cleaning.py", "clean_text"): "text cleaning (bleach)",
    ("throttles.py", "count_objection"): "rate limits (one upsert)",
    ("utils.py", "_execute_with_wrappers"): "SQL (all queries)",
    ("serializers.py", "is_valid"): "serializer validation",
    ("services.py", "submit_objection"): "submit_objection (all of it)",
}


def profile(item: int, requests: int) -> dict:
    from django.contrib.auth.hashers import make_password

    client = Client()
    body = json.dumps(objection_body(item))

    def post(number: int):
        response = client.post(
            "/api/objections/",
            data=body,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"bench-profile-{time.time_ns()}-{number}",
            **HOST,
        )
        if response.status_code != 201:
            raise RuntimeError(f"objection not created: {response.content[:500]!r}")

    post(0)  # warm: imports, connection, caches
    profiler = cProfile.Profile()
    began = time.perf_counter()
    profiler.enable()
    for number in range(1, requests + 1):
        post(number)
    profiler.disable()
    wall = time.perf_counter() - began
    stats = pstats.Stats(profiler)
    found = {label: 0.0 for label in PROFILE_LABELS.values()}
    for (filename, _line, function), row in stats.stats.items():
        label = PROFILE_LABELS.get((os.path.basename(filename), function))
        if label:
            found[label] += row[3]  # cumulative seconds
    hashes = []
    for _ in range(5):
        began = time.perf_counter()
        make_password("ABCDEFGHJK")
        hashes.append(time.perf_counter() - began)
    hashes.sort()
    return {
        "requests": requests,
        "seconds_per_request_profiled": wall / requests,
        "breakdown_seconds_per_request": {k: v / requests for k, v in found.items()},
        "make_password_seconds_median": hashes[len(hashes) // 2],
        "hasher": make_password("x").split("$", 1)[0],
        "iterations": int(make_password("x").split("$")[1]),
    }


def _live_parts(output: Path, page: str) -> dict[str, bool]:
    """Whether the live site has the notice's page, lists it and has it in the notices feed."""

    def has(relative: str, text: str) -> bool:
        try:
            return text in (output / relative).read_text(encoding="utf-8")
        except OSError:
            return False

    parts = {"page": (output / page / "index.html").is_file()}
    parts["listing"] = parts["page"] and has("notices/index.html", page.split("/", 1)[1])
    parts["feed"] = parts["listing"] and has("feeds/notices.atom.xml", page)
    return parts


def _publish_notice(number: int):
    """Publishes one new notice through the real path (guards included); returns it, the
    moment before and the seconds ``publish()`` took."""
    now = timezone.now()
    planner = Planner(seed=4242 + number - 9001, now=now)
    plan = planner.notice(dates.local_date(now), live=False)
    year = dates.local_date(now).year
    plan.fields.update(
        notice_number=f"浙科容免〔{year}〕{number}号",
        slug=f"zkrm-{year}-{number}",
        title=f"关于{year}年第{number}批省重点研发计划项目科技创新容错免责认定结果的公示",
    )
    index = NoticeIndexPage.objects.get()
    began = time.perf_counter()
    notice = DecisionNoticePage(**plan.fields, live=False)
    for item in _item_rows(plan):
        item.notice_id = None
        notice.items.add(item)
    index.add_child(instance=notice)
    notice.save_revision().publish()
    seconds = time.perf_counter() - began
    notice.refresh_from_db()
    if not notice.live:
        raise RuntimeError("the published notice did not go live")
    return notice, len(plan.items), began, seconds


def _start_build(tree: Path, cms_url: str, alone: bool = False) -> subprocess.Popen:
    """``python -m portal build`` in the benchmark tree, as a task worker runs it: handed to the
    resident builder when one runs there (the command itself, which imports next to nothing
    before it hands the build over: its phases are those the build's last line reports), or,
    ``alone``, built in its own process with its phases timed (``portal_phases.py cli``)."""
    if alone:
        here = Path(__file__).with_name("portal_phases.py")
        command = [sys.executable, str(here), "cli", "--cms-url", cms_url, "--no-builder"]
    else:
        command = [sys.executable, "-m", "portal", "build", "--cms-url", cms_url]
    environment = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.Popen(
        command, cwd=tree, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip


def _wait_live(
    process: subprocess.Popen, output: Path, page: str, parts=_live_parts
) -> float | None:
    """Polls every 5 ms, while the build runs, until every one of ``parts`` is live (by
    default: the page, the first page of its listing and the notices feed), as a reader sees
    them through the output link."""
    while process.poll() is None:
        if all(parts(output, page).values()):
            return time.perf_counter()
        time.sleep(0.005)
    return time.perf_counter() if all(parts(output, page).values()) else None


def _finish(process: subprocess.Popen) -> tuple[dict, list[str], float]:
    stdout, stderr = process.communicate()
    finished = time.perf_counter()
    line = [x for x in stdout.splitlines() if x.startswith("BENCH_RESULT ")]
    if process.returncode != 0:
        raise RuntimeError(f"portal build failed:\n{stdout}\n{stderr}")
    if line:
        build = json.loads(line[-1].split(" ", 1)[1])
    else:  # handed to the builder: what its output line reports
        build = {"status": process.returncode, "phases": {}, "seconds": 0.0, **_reported(stdout)}
    return build, [x for x in stdout.splitlines() if not x.startswith("BENCH_RESULT")], finished


_BUILT = re.compile(r"Portal built \((\w+)\): .*? rendered, ([\d.]+) s \((.*)\) → ")


def _reported(stdout: str) -> dict:
    """The phases, seconds and swaps a build reports in its last line (a build that gave way to
    a waiting one reports no line: one swap)."""
    found = _BUILT.search(stdout)
    if not found:
        return {"swaps": 1, "handed_over": True}
    phases = {}
    for part in found.group(3).split(", "):
        name, _, seconds = part.rpartition(" ")[0].rpartition(" ")
        phases[name.replace(" ", "_")] = float(seconds)
    swaps = 2 if "switch_again" in phases else 1
    return {"phases": phases, "seconds": float(found.group(2)), "swaps": swaps,
            "handed_over": True}  # fmt: skip


def publish(tree: Path, cms_url: str, number: int = 9001, alone: bool = False) -> dict:
    """Publishes one new notice, then runs ``python -m portal build``: the time until the page,
    its listing and the notices feed are live, and until the build process has finished (search
    index and open data included)."""
    from portal.notices import notice_url

    output = tree / "publicity_site" / "output"
    generated = tree / "content" / "generated"
    site_before, sources_before = _inodes(output.resolve()), _inodes(generated)
    notice, items, began, publish_seconds = _publish_notice(number)
    page = notice_url(notice.slug, notice.pk)
    target = output / page / "index.html"
    existed_before = target.exists()
    process = _start_build(tree, cms_url, alone)
    live_at = _wait_live(process, output, page)
    build, cli_output, built = _finish(process)
    return {
        "files_written": _written(site_before, _inodes(output.resolve())),
        "sources_written": _written(sources_before, _inodes(generated)),
        "notice": notice.pk,
        "items": items,
        "page": str(target.relative_to(output)),
        "existed_before": existed_before,
        "exists": target.exists(),
        "live_parts": _live_parts(output, page),
        "publish_seconds": publish_seconds,
        "live_seconds": (live_at - began) if live_at else None,
        "build_process_seconds": built - began - publish_seconds,
        "total_seconds": built - began,
        "build": build,
        "cli_output": cli_output[-3:],
    }


def _inodes(directory: Path) -> dict[str, int]:
    return {
        str(path.relative_to(directory)): path.stat().st_ino
        for path in directory.rglob("*")
        if path.is_file()
    }


def _written(before: dict[str, int], after: dict[str, int], named: int = 40) -> dict:
    """The files of ``after`` that are not ``before``'s (hard-linked or kept): written anew,
    counted by their top directory, with the first ``named`` named."""
    written = sorted(path for path, inode in after.items() if before.get(path) != inode)
    by_top: dict[str, int] = {}
    for path in written:
        top = path.split("/")[0] if "/" in path else "."
        by_top[top] = by_top.get(top, 0) + 1
    return {"count": len(written), "of": len(after), "by_top": by_top, "sample": written[:named]}


def publish_twice(tree: Path, cms_url: str, number: int = 9002) -> dict:
    """Two publications in a row, each built by its own process (as by two task workers): the
    second is published once the first is live, while the first writes its search index. The
    time until the second is live, and what each build did (how many swaps)."""
    from portal.notices import notice_url

    output = tree / "publicity_site" / "output"
    first, _, first_began, _ = _publish_notice(number)
    first_build = _start_build(tree, cms_url)
    first_live = _wait_live(first_build, output, notice_url(first.slug, first.pk))
    second, _, second_began, _ = _publish_notice(number + 1)
    second_build = _start_build(tree, cms_url)
    second_live = _wait_live(second_build, output, notice_url(second.slug, second.pk))
    first_result, first_output, first_done = _finish(first_build)
    second_result, second_output, second_done = _finish(second_build)
    return {
        "first_live_seconds": (first_live - first_began) if first_live else None,
        "first_build_seconds": first_done - first_began,
        "first_swaps": first_result["swaps"],
        "second_live_seconds": (second_live - second_began) if second_live else None,
        "second_build_seconds": second_done - second_began,
        "second_swaps": second_result["swaps"],
        "first_second_apart_seconds": second_began - first_began,
        "cli_output": first_output[-2:] + second_output[-2:],
    }


# What notice.html shows only once the notice's results are confirmed (its 结果确认日期 line).
FINALISED_MARKER = "<dt>结果确认日期</dt>"
FINALISER = "bench-approver"  # a member of 审定, as the admin step's user of that name


def _finalised_parts(output: Path, page: str) -> dict[str, bool]:
    """Whether the live site shows the notice finalised on its page and lists it on the first
    page of the results listing (认定结果)."""

    def read(relative: str) -> str:
        try:
            return (output / relative).read_text(encoding="utf-8")
        except OSError:
            return ""

    parts = {"page": FINALISED_MARKER in read(f"{page}index.html")}
    segment = page.rstrip("/").rsplit("/", 1)[-1] + "/"
    parts["results_listing"] = parts["page"] and segment in read(f"{RESULTS_URL}index.html")
    return parts


def _finaliser():
    """The staff user who confirms the results: a member of 审定, made if missing."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user, _ = get_user_model().objects.get_or_create(
        username=FINALISER, defaults={"email": f"{FINALISER}@example.invalid", "is_staff": True}
    )
    user.groups.add(Group.objects.get(name="审定"))
    return user


def _waiting_longest(now) -> tuple[DecisionNoticePage, int]:
    """The live notice that has waited longest for its results to be confirmed: the first,
    by start of publicity, that the domain's own checks (``finalise_errors``) let be finalised
    now; and how many notices were passed over before it (under the same checks: none may be
    finalised)."""
    from cms.notices.services import finalise_errors

    candidates = (
        DecisionNoticePage.objects.live()
        .filter(finalised_at__isnull=True, withdrawn_at__isnull=True)
        .exclude(corrections__live=True)
        .order_by("publicity_start", "pk")
    )
    for passed, notice in enumerate(candidates.iterator()):
        if not finalise_errors(notice, now):
            return notice, passed
    raise RuntimeError("no generated notice may be finalised now")


def finalise(tree: Path, cms_url: str, alone: bool = False) -> dict:
    """Confirms the results of the notice waiting longest (``finalise_notice``, as the admin's
    认定结果 action does), then runs ``python -m portal build``: the time until the notice's
    page shows it finalised and the first page of the results listing lists it, and what the
    build wrote (sources and site files that are not the previous build's)."""
    from cms.notices.services import finalise_notice
    from portal.notices import notice_url

    output = tree / "publicity_site" / "output"
    generated = tree / "content" / "generated"
    site_before, sources_before = _inodes(output.resolve()), _inodes(generated)
    user = _finaliser()
    notice, passed = _waiting_longest(timezone.now())
    page = notice_url(notice.slug, notice.pk)
    began = time.perf_counter()
    marks = finalise_notice(notice, user)
    finalise_seconds = time.perf_counter() - began
    process = _start_build(tree, cms_url, alone)
    live_at = _wait_live(process, output, page, _finalised_parts)
    build, cli_output, built = _finish(process)
    return {
        "files_written": _written(site_before, _inodes(output.resolve()), named=50),
        "sources_written": _written(sources_before, _inodes(generated), named=50),
        "notice": notice.pk,
        "notice_number": notice.notice_number,
        "publicity_start": notice.publicity_start.isoformat(),
        "passed_over": passed,
        "marks": len(marks),
        "page": page,
        "live_parts": _finalised_parts(output, page),
        "finalise_seconds": finalise_seconds,
        "live_seconds": (live_at - began) if live_at else None,
        "build_process_seconds": built - began - finalise_seconds,
        "total_seconds": built - began,
        "build": build,
        "cli_output": cli_output[-3:],
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "what", choices=["queries", "profile", "publish", "publish-twice", "finalise"]
    )
    parser.add_argument("--item", type=int)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--tree", type=Path)
    parser.add_argument("--cms-url")
    parser.add_argument("--number", type=int, default=9001, help="the new notice's batch number")
    parser.add_argument(
        "--no-builder", action="store_true", help="publish, finalise: build in a process of its own"
    )
    args = parser.parse_args()
    if args.what == "queries":
        result = queries(args.item)
    elif args.what == "profile":
        result = profile(args.item, args.requests)
    elif args.what == "publish":
        result = publish(args.tree, args.cms_url, args.number, args.no_builder)
    elif args.what == "finalise":
        result = finalise(args.tree, args.cms_url, args.no_builder)
    else:
        result = publish_twice(args.tree, args.cms_url, args.number)
    print("BENCH_RESULT " + json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
