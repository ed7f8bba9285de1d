"""The admin at scale, measured in-process against the benchmark database (benchmarks.settings):

    python benchmarks/admin_pages.py [--repeat 20] [--objections 100000] [--keep-data]

Real admin views through Django's test client, as logged-in users (a superuser, a member of 审定,
a member of 异议处理; a session verified by a second factor where the role needs one): each URL
is requested once to warm it and once more to count its SQL statements; then every URL in turn,
``--repeat`` times, for each one's median, p95 and max. The baseline is Wagtail's own page
explorer on a bare tree of plain ``Page`` rows with as many children as the 公示公告 section has
notices. The streamed marks exports are also timed to their first chunk and read once under
tracemalloc: the peak memory their streaming takes, beside their size.

Before measuring, it adds what the generated data lacks: ``--objections`` spread over the live
notices, the notices' search-index entries, the bare tree, the users and the collected static
files (production's manifest storage). The objections and the bare tree are removed afterwards
unless ``--keep-data``.

Prints one line: ``BENCH_RESULT {json}``. :func:`bench_admin` runs it as a step of ``python -m
benchmarks``; :func:`admin_section` gives its section of docs/benchmarks.md.
"""

import argparse
import json
import math
import os
import random
import statistics
import subprocess
import sys
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_MS = 300
GOAL_RATIO = 1.2
#: What marks the objections made here (in place of a lookup code's digest), to remove them.
BENCH_MARK = "benchmark:admin_pages"
BARE_SLUG = "bench-bare-tree"
BARE_TITLE = "基准对照页面树"


# --- the step of ``python -m benchmarks`` ------------------------------------------------------


def bench_admin(env: dict, args, work: Path) -> tuple[dict, str]:
    """Runs this script on the benchmark database; its results and one summary line."""
    command = [sys.executable, str(Path(__file__).resolve())]
    command += ["--repeat", str(getattr(args, "admin_repeat", 20))]
    completed = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=3600, check=False
    )
    (work / "admin_pages.log").write_text(completed.stdout + completed.stderr, encoding="utf-8")
    lines = [x for x in completed.stdout.splitlines() if x.startswith("BENCH_RESULT ")]
    if completed.returncode or not lines:
        raise RuntimeError(f"admin_pages.py failed:\n{completed.stderr[-3000:]}")
    results = json.loads(lines[-1].split(" ", 1)[1])
    return results, summary_line(results)


def summary_line(results: dict) -> str:
    """One line: the listing against the bare explorer, the export, the views over the goal."""
    views, ratio = results["views"], results["ratio"]
    over = [v for v in views.values() if v["p95_ms"] > GOAL_MS]
    worst = max(views.values(), key=lambda v: v["p95_ms"])
    explorer, last, bare = views["explorer_p1"], views["explorer_pn"], views["bare_explorer_p1"]
    marks = views["marks_csv"]
    return (
        f"{results['notices']:,} notices, {results['objections']:,} objections: 公示公告 "
        f"explorer p95 {explorer['p95_ms']:.0f} ms ({explorer['statements']} SQL; page "
        f"{results['last_page']} {last['p95_ms']:.0f} ms, {last['statements']} SQL) vs "
        f"Wagtail's explorer on a bare tree {bare['p95_ms']:.0f} ms ({bare['statements']} SQL): "
        f"{ratio['p1']:.2f}x / {ratio['pn']:.2f}x (goal ≤ {GOAL_RATIO}x; medians "
        f"{ratio['p1_median']:.2f}x, CPU {ratio['p1_cpu']:.2f}x); marks.csv p95 "
        f"{marks['p95_ms']:.0f} ms for {marks['bytes'] / 1e6:.1f} MB streamed (first chunk "
        f"{results['streaming']['marks_csv']['first_chunk_ms']:.0f} ms, peak "
        f"{results['streaming']['marks_csv']['peak_bytes'] / 1e6:.1f} MB); "
        f"{len(views) - len(over)}/{len(views)} views at p95 ≤ {GOAL_MS} ms (slowest: "
        f"{worst['label']} {worst['p95_ms']:.0f} ms); SQL per page "
        f"{'constant' if results['constant_statements'] else 'NOT constant'}"
    )


def admin_section(results: dict) -> str:
    """The body of the admin's section of docs/benchmarks.md (its heading is the caller's):
    what was measured, one table row per view, the baseline's ratio, the exports' memory."""
    ratio = results["ratio"]
    rows = [
        f"Real admin views in-process (Django's test client; a superuser, a member of 审定 and "
        f"one of 异议处理, logged in) at {results['notices']:,} notices and "
        f"{results['objections']:,} objections: median, p95 and max of {results['repeat']} "
        f"requests each, the views taken in turn after one request to warm each; CPU is this "
        f"process's (the database server's is not counted); SQL statements of one request. "
        f"Goal: p95 ≤ {GOAL_MS} ms with the statements per page constant, and the 公示公告 "
        f"listing within {GOAL_RATIO}x of Wagtail's own page explorer on a bare tree of "
        f"{results['bare_children']:,} plain pages.",
        "",
        "| view | user | median ms | p95 ms | max ms | CPU ms (median) | SQL | KB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for view in results["views"].values():
        mark = "" if view["p95_ms"] <= GOAL_MS else " ✗"
        rows.append(
            f"| {view['label']} | {view['user']} | {view['median_ms']:.0f} | "
            f"{view['p95_ms']:.0f}{mark} | {view['max_ms']:.0f} | {view['cpu_median_ms']:.0f} | "
            f"{view['statements']} | {view['bytes'] / 1024:,.0f} |"
        )
    exports = ", ".join(
        f"{name.replace('_', '.')} {s['peak_bytes'] / 1e6:.1f} MB for {s['bytes'] / 1e6:.1f} MB "
        f"(first chunk after {s['first_chunk_ms']:.0f} ms)"
        for name, s in results["streaming"].items()
    )
    rows += [
        "",
        f"公示公告 explorer / bare explorer: p95 page 1 **{ratio['p1']:.2f}x**, page "
        f"{results['last_page']} {ratio['pn']:.2f}x (goal ≤ {GOAL_RATIO}x); median page 1 "
        f"{ratio['p1_median']:.2f}x, CPU {ratio['p1_cpu']:.2f}x. SQL statements per page "
        f"{'constant' if results['constant_statements'] else '**not constant**'}: "
        f"{'; '.join(results['statement_checks'])}.",
        "",
        f"Streamed exports, peak memory while read to the end (tracemalloc, Python's "
        f"allocations): {exports}.",
    ]
    return "\n".join(rows)


# --- in-process measurement --------------------------------------------------------------------


def _django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.settings")
    import django

    django.setup()


def _static_files() -> None:
    """The admin's static files and their manifest, as production collects them."""
    from django.conf import settings
    from django.core.management import call_command

    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)


def _users() -> dict:
    """A superuser, a member of 审定 and one of 异议处理, each with a verified session."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from cms.accounts.second_factor import requires_second_factor

    clients = {}
    for name, group, superuser in (
        ("bench-admin", None, True),
        ("bench-approver", "审定", False),
        ("bench-handler", "异议处理", False),
    ):
        user, _ = get_user_model().objects.get_or_create(
            username=name,
            defaults={"email": f"{name}@example.invalid", "is_staff": True,
                      "is_superuser": superuser},
        )  # fmt: skip
        if group:
            user.groups.add(Group.objects.get(name=group))
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        if requires_second_factor(user):
            device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", confirmed=True)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
        clients[name.removeprefix("bench-")] = client
    return clients


def _receipt(day, number: int) -> str:
    """A receipt number of the real form (``YY20261125-7K3F9Q``), unique by ``number``."""
    from cms.submissions.rules import LOOKUP_ALPHABET

    digits = ""
    for _ in range(6):
        number, digit = divmod(number, len(LOOKUP_ALPHABET))
        digits = LOOKUP_ALPHABET[digit] + digits
    return f"YY{day:%Y%m%d}-{digits}"


def _objections(total: int, seed: int = 7) -> int:
    """``total`` objections spread evenly over the live notices, as they would stand by now: on a
    notice
    under publicity received, under investigation or answered; on the others answered. Dated
    within each notice's window in the order of their ids. Kept if already made."""
    from django.db import connection
    from django.utils import timezone

    from cms.notices.models import DecisionItem, DecisionNoticePage
    from cms.objections.models import Objection
    from cms.objections.rules import ObjectionStatus, Outcome

    made = Objection.objects.filter(lookup_code_hash=BENCH_MARK)
    if made.exists():
        return made.count()
    rng = random.Random(seed)  # noqa: S311 (test data)
    items: dict[int, list[int]] = {}
    for notice_id, item_id in DecisionItem.objects.values_list("notice_id", "pk"):
        items.setdefault(notice_id, []).append(item_id)
    now = timezone.now()
    rows = []
    notices = DecisionNoticePage.objects.live().order_by("go_live_at", "pk")
    notices = list(notices.only("pk", "publicity_start", "withdrawn_at"))
    per_notice, extra = divmod(total, len(notices))
    for position, notice in enumerate(notices):
        open_now = notice.publicity_window.closes_at > now and notice.withdrawn_at is None
        for _ in range(per_notice + (position < extra)):
            if open_now:
                status = rng.choice([ObjectionStatus.RECEIVED] * 3 + [
                    ObjectionStatus.INVESTIGATING, ObjectionStatus.ANSWERED])  # fmt: skip
            else:
                status = ObjectionStatus.ANSWERED
            answered = status == ObjectionStatus.ANSWERED
            outcome = rng.choices(
                [Outcome.NOT_UPHELD, Outcome.INADMISSIBLE, Outcome.UPHELD], [7, 2, 1]
            )[0]
            rows.append(
                Objection(
                    notice_id=notice.pk,
                    item_id=rng.choice(items[notice.pk]),
                    receipt_number=_receipt(notice.publicity_start, len(rows)),
                    lookup_code_hash=BENCH_MARK,
                    consented_at=now,
                    objector_type=rng.choice(["individual", "organisation"]),
                    real_name="王异议",
                    phone="13800000000",
                    email="objector@example.invalid",
                    content="该事项的项目承担单位与事实不符，请核实。" * rng.randint(1, 6),
                    status=status,
                    investigation="已调取合同书和专家组论证材料核实。" if answered else "",
                    outcome=outcome if answered else "",
                    answer="经核实，现答复如下。" if answered else "",
                    answered_at=now if answered else None,
                )
            )
    Objection.objects.bulk_create(rows, batch_size=5000)
    # created_at is set on insert: each notice's objections spread over its 7-day window in
    # the order of their ids, each answered a day after it came in.
    hours = 144 // (per_notice + 2)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE objections_objection o SET created_at = p.go_live_at + r.n * %s,"
            " answered_at = CASE WHEN o.answered_at IS NULL THEN NULL"
            " ELSE p.go_live_at + r.n * %s + interval '1 day' END"
            " FROM (SELECT id, notice_id, row_number() OVER (PARTITION BY notice_id ORDER BY id)"
            " AS n FROM objections_objection WHERE lookup_code_hash = %s) r"
            " JOIN wagtailcore_page p ON p.id = r.notice_id WHERE o.id = r.id",
            [timedelta(hours=hours), timedelta(hours=hours), BENCH_MARK],
        )
        cursor.execute("ANALYZE objections_objection")
    return len(rows)


def _search_index() -> int:
    """Search-index entries for the notices the generator wrote without them (admin search)."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.search.backends import get_search_backend
    from wagtail.search.models import IndexEntry

    from cms.notices.models import DecisionNoticePage

    kind = ContentType.objects.get_for_model(DecisionNoticePage)
    indexed = set(IndexEntry.objects.filter(content_type=kind).values_list("object_id", flat=True))
    missing = [
        pk
        for pk in DecisionNoticePage.objects.order_by("pk").values_list("pk", flat=True)
        if str(pk) not in indexed
    ]
    backend = get_search_backend()
    for start in range(0, len(missing), 1000):
        chunk = DecisionNoticePage.objects.filter(pk__in=missing[start : start + 1000])
        backend.add_bulk(DecisionNoticePage, list(chunk))
    return len(missing)


def _bare_tree(children: int):
    """A plain ``Page`` under the root with ``children`` plain pages, their tree paths computed
    in bulk as the generator computes the notices'; reused if it has that many."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.utils import timezone
    from wagtail.models import Locale, Page

    parent = Page.objects.filter(depth=2, slug=BARE_SLUG).first()
    if parent is not None and parent.numchild == children:
        return parent
    if parent is not None:
        _remove_bare_tree()
    root = Page.get_first_root_node()
    with transaction.atomic():
        parent = root.add_child(instance=Page(title=BARE_TITLE, slug=BARE_SLUG, live=True))
        kind = ContentType.objects.get_for_model(Page)
        locale = Locale.get_default()
        published = timezone.now()
        depth = parent.depth + 1
        pages = [
            Page(
                title=f"页面 {step}",
                draft_title=f"页面 {step}",
                slug=f"bare-{step}",
                content_type=kind,
                locale=locale,
                live=True,
                has_unpublished_changes=False,
                path=Page._get_path(parent.path, depth, step),
                depth=depth,
                numchild=0,
                url_path=f"{parent.url_path}bare-{step}/",
                first_published_at=published,
                last_published_at=published,
            )
            for step in range(1, children + 1)
        ]
        Page.objects.bulk_create(pages, batch_size=2000)
        Page.objects.filter(pk=parent.pk).update(numchild=children)
    parent.refresh_from_db()
    return parent


def _remove_bare_tree() -> None:
    from django.db import transaction
    from wagtail.models import Page, PageSubscription

    parent = Page.objects.filter(depth=2, slug=BARE_SLUG).first()
    if parent is None:
        return
    with transaction.atomic():
        # Opening a page's edit view subscribes the user to its comments.
        PageSubscription.objects.filter(page__path__startswith=parent.path).delete()
        children = Page.objects.filter(path__startswith=parent.path, depth__gt=parent.depth)
        children._raw_delete(children.db)
        Page.objects.filter(pk=parent.pk).update(numchild=0)
        Page.objects.get(pk=parent.pk).delete()


def _remove_objections() -> None:
    from cms.objections.models import Objection

    made = Objection.objects.filter(lookup_code_hash=BENCH_MARK)
    made._raw_delete(made.db)


def _percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: of 20 values, the 95th is the 19th smallest."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _read(response) -> int:
    """The response's body size, reading a streamed one to its end."""
    if response.streaming:
        size = sum(len(chunk) for chunk in response.streaming_content)
        response.close()
        return size
    return len(response.content)


def _warm(client, url: str) -> dict:
    """One request to warm the URL (it must answer 200), then one to count its statements."""
    from django.db import connection

    response = client.get(url, secure=True)
    if response.status_code != 200:
        raise RuntimeError(f"{url}: {response.status_code} {response.get('Location', '')}")
    size = _read(response)
    statements: list[str] = []

    def note(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(note):  # every statement, a streamed body's included
        _read(client.get(url, secure=True))
    return {"url": url, "statements": len(statements), "bytes": size}


def _timed(views: dict, clients: dict, repeat: int) -> dict[str, dict[str, list[float]]]:
    """Milliseconds of each request, wall-clock and this process's CPU, the views taken in turn
    ``repeat`` times: a burst of load from elsewhere on the machine falls on all of them alike,
    not on one view's series."""
    times: dict = {key: {"wall": [], "cpu": []} for key in views}
    for _ in range(repeat):
        for key, (_label, user, url) in views.items():
            began, cpu = time.perf_counter(), time.process_time()
            _read(clients[user].get(url, secure=True))
            times[key]["cpu"].append((time.process_time() - cpu) * 1000)
            times[key]["wall"].append((time.perf_counter() - began) * 1000)
    return times


def _streaming(client, url: str) -> dict:
    """A streamed export: the time to its first chunk (median of 3), then the peak memory
    allocated while it is read to its end (tracemalloc: Python's allocations)."""
    firsts = []
    for _ in range(3):
        began = time.perf_counter()
        response = client.get(url, secure=True)
        next(iter(response.streaming_content))
        firsts.append((time.perf_counter() - began) * 1000)
        _read(response)
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    size = _read(client.get(url, secure=True))
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return {"bytes": size, "peak_bytes": peak, "first_chunk_ms": statistics.median(firsts)}


def _targets(index, bare) -> dict:
    """What the URLs point at: a notice under publicity with the most items, a corrected one,
    a notice number fragment and a status that find objections, words that find notices."""
    from django.db.models import Count
    from django.utils import timezone

    from cms.notices.models import DecisionNoticePage
    from cms.objections.models import Objection

    now = timezone.now()
    live = DecisionNoticePage.objects.live().annotate(n=Count("items"))
    recent = [
        n
        for n in live.order_by("-publicity_start")[:200]
        if n.publicity_window.closes_at > now and n.withdrawn_at is None
    ]
    open_notice = max(recent or live.order_by("-publicity_start")[:50], key=lambda n: n.n)
    corrected = live.filter(corrections__isnull=False).order_by("-n", "pk").first() or open_notice
    objected = Objection.objects.filter(notice=open_notice).values_list(
        "receipt_number", flat=True
    )[:1]
    number = open_notice.notice_number
    fragment = number[number.index("〔") :] if "〔" in number else number
    last_page = max(1, min(50, -(-index.numchild // 50)))
    return {
        "open_notice": open_notice,
        "corrected": corrected,
        "fragment": fragment,
        "receipt": objected[0] if objected else "YY",
        "last_page": last_page,
        "bare_last_page": max(1, min(50, -(-bare.numchild // 50))),
        "bare_child": bare.get_first_child().pk,
        # Wagtail's database search backend keeps a Chinese title as one word: a year finds
        # the notices whose title starts with it, or has it after 关于.
        "words": str(open_notice.publicity_start.year - 1),
    }


def measure(repeat: int, objection_count: int, keep: bool) -> dict:
    _django()
    from urllib.parse import urlencode

    from cms.notices.models import DecisionNoticePage, NoticeIndexPage
    from cms.objections.models import Objection

    began = time.perf_counter()
    _static_files()
    index = NoticeIndexPage.objects.get()
    objections = _objections(objection_count)
    indexed = _search_index()
    bare = _bare_tree(index.numchild)
    clients = _users()
    prepared = time.perf_counter() - began
    t = _targets(index, bare)
    explore = f"/admin/pages/{index.pk}/"
    bare_url = f"/admin/pages/{bare.pk}/"
    objections_url = "/admin/objections/"
    fragment = {"notice_number": t["fragment"]}
    fragment_status = {**fragment, "status": "received"}
    views = {
        "explorer_p1": ("公示公告 explorer, page 1", "admin", explore),
        "explorer_pn": (f"公示公告 explorer, page {t['last_page']}", "admin",
                        f"{explore}?p={t['last_page']}"),
        "explorer_p1_approver": ("公示公告 explorer, page 1", "approver", explore),
        "bare_explorer_p1": ("Wagtail explorer, bare tree, page 1", "admin", bare_url),
        "bare_explorer_pn": (f"Wagtail explorer, bare tree, page {t['bare_last_page']}",
                             "admin", f"{bare_url}?p={t['bare_last_page']}"),
        "bare_edit": ("Wagtail edit page, bare page", "admin",
                      f"/admin/pages/{t['bare_child']}/edit/"),
        "edit_open": ("notice edit page (under publicity)", "admin",
                      f"/admin/pages/{t['open_notice'].pk}/edit/"),
        "edit_corrected": ("notice edit page (corrected)", "approver",
                           f"/admin/pages/{t['corrected'].pk}/edit/"),
        "objections": ("objection list", "handler", objections_url),
        "objections_notice": ("objection list, notice number search", "handler",
                              f"{objections_url}?{urlencode(fragment)}"),
        "objections_status": ("objection list, status", "handler",
                              f"{objections_url}?status=received"),
        "objections_notice_status": ("objection list, notice number and status", "handler",
                                     f"{objections_url}?{urlencode(fragment_status)}"),
        "objections_search": ("objection list, search by receipt number", "handler",
                              f"{objections_url}?{urlencode({'q': t['receipt']})}"),
        "objections_search_part": ("objection list, search by part of one", "handler",
                                   f"{objections_url}?{urlencode({'q': t['receipt'][:10]})}"),
        "page_search": ("admin page search", "admin",
                        f"/admin/pages/search/?{urlencode({'q': t['words']})}"),
        "explorer_search": ("公示公告 explorer, search", "admin",
                            f"{explore}?{urlencode({'q': t['words']})}"),
        "marks_csv": ("marks.csv (streamed)", "approver", "/admin/notices/marks.csv"),
        "marks_json": ("marks.json (streamed)", "approver", "/admin/notices/marks.json"),
    }  # fmt: skip
    results: dict = {}
    try:
        for key, (label, user, url) in views.items():
            print(f"  · {label} ({user}): {url}", file=sys.stderr, flush=True)
            results[key] = {"label": label, "user": user, **_warm(clients[user], url)}
        for key, times in _timed(views, clients, repeat).items():
            results[key].update(
                median_ms=statistics.median(times["wall"]),
                p95_ms=_percentile(times["wall"], 0.95),
                max_ms=max(times["wall"]),
                cpu_median_ms=statistics.median(times["cpu"]),
            )
        streaming = {
            key: _streaming(clients["approver"], views[key][2])
            for key in ("marks_csv", "marks_json")
        }
    finally:
        if not keep:
            _remove_bare_tree()
            _remove_objections()
    # The same views again with other numbers of rows: statements must not change.
    checks = {
        "explorer page 1 = page N": (results["explorer_p1"], results["explorer_pn"]),
        "bare page 1 = page N": (results["bare_explorer_p1"], results["bare_explorer_pn"]),
        "objections all = by notice": (results["objections"], results["objections_notice"]),
        "objections all = by status": (results["objections"], results["objections_status"]),
    }
    constant = all(a["statements"] == b["statements"] for a, b in checks.values())
    ratio = {
        "p1": results["explorer_p1"]["p95_ms"] / results["bare_explorer_p1"]["p95_ms"],
        "pn": results["explorer_pn"]["p95_ms"] / results["bare_explorer_pn"]["p95_ms"],
        "p1_median": results["explorer_p1"]["median_ms"] / results["bare_explorer_p1"]["median_ms"],
        "p1_cpu": results["explorer_p1"]["cpu_median_ms"]
        / results["bare_explorer_p1"]["cpu_median_ms"],
    }
    return {
        "notices": DecisionNoticePage.objects.count(),
        "objections": objections,
        "objection_rows": Objection.objects.count() if keep else objections,
        "search_entries_added": indexed,
        "bare_children": bare.numchild,
        "last_page": t["last_page"],
        "repeat": repeat,
        "prepare_seconds": prepared,
        "views": results,
        "streaming": streaming,
        "ratio": ratio,
        "constant_statements": constant,
        "statement_checks": [
            f"{name}: {a['statements']}/{b['statements']}" for name, (a, b) in checks.items()
        ],
        "kept": keep,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--objections", type=int, default=100_000)
    parser.add_argument("--keep-data", action="store_true", help="keep the objections, bare tree")
    args = parser.parse_args()
    result = measure(args.repeat, args.objections, args.keep_data)
    print(summary_line(result), file=sys.stderr)
    print("BENCH_RESULT " + json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
