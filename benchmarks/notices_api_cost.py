"""What the bulk notice read (``GET /api/v3/notices/``) costs in the CMS, in-process:

    deploy/ci/with-postgres.sh .venv/bin/python benchmarks/notices_api_cost.py --load 2000

Every page of ``/api/v3/notices/?limit=100`` through Django's test client (middleware, view,
serialisation, JSON), ``--rounds`` times over all live notices after one warm-up pass; the best
and median pass as notices/s, the CPU time per notice, and the SQL statements of each request
(which must not depend on the page). Then the serialisation alone, every page's body made two
ways in the same run: from page instances (``DecisionNoticePage.public_data``, validated by
pydantic as ``@paginate`` did) and from columns (``cms.notices.serialisation``), the same
bytes both ways. With ``--http 2``, the notices are also read from gunicorn with the production
config and 2 sync workers, as the portal's client reads them: one request after another, two
in flight (``CMSClient.notices``, the full build's read) and three. Last, a cProfile of one
pass, its top cumulative entries.

``--load N`` first prepares the database as ``make bench`` does (migrate, the cache table, the
seed policy, ``load_benchmark_data --notices N``) when it holds no notice yet; without it the
database (``DATABASE_URL``) must hold them already. The environment ``benchmarks.settings``
needs is filled in where missing (secret key, hosts, plain HTTP, no proxy).

Prints the figures, then one line: ``BENCH_RESULT {json}``.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PATH = "/api/v3/notices/"
PAGE = 100
DEFAULT_ENV = {
    "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
    "DJANGO_SECRET_KEY": "benchmark-only-" + "k" * 50,
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "CMS_BASE_URL": "http://127.0.0.1:8000",
    "PORTAL_BASE_URL": "http://127.0.0.1:8001",
    "DJANGO_SECURE_SSL_REDIRECT": "false",
    "NUM_PROXIES": "0",
}


def setup_django() -> None:
    for name, value in DEFAULT_ENV.items():
        os.environ.setdefault(name, value)
    os.environ.setdefault("CMS_VAR_DIR", str(ROOT / "var" / "bench" / "notices_api_cost"))
    if "DATABASE_URL" not in os.environ:
        raise SystemExit("DATABASE_URL is not set: run it under deploy/ci/with-postgres.sh")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def load(notices: int, seed: int) -> None:
    from django.core.management import call_command

    from cms.notices.models import DecisionNoticePage

    quiet = io.StringIO()
    call_command("migrate", "--noinput", verbosity=0, stdout=quiet)
    call_command("createcachetable", stdout=quiet)
    if DecisionNoticePage.objects.exists():
        return
    call_command("load_seed_policy", stdout=quiet)
    call_command("load_benchmark_data", notices=notices, seed=seed, stdout=quiet)


def get(client, params: dict):
    response = client.get(PATH, params)
    if response.status_code != 200:
        raise RuntimeError(f"{PATH} answered {response.status_code}: {response.content[:500]!r}")
    return response


def notice_count(client) -> int:
    return json.loads(get(client, {"limit": 1}).content)["count"]


def one_pass(client, count: int) -> int:
    """Every page in turn, as the portal's exporter reads them; the bytes received."""
    received = 0
    for offset in range(0, count, PAGE):
        received += len(get(client, {"limit": PAGE, "offset": offset}).content)
    return received


def queries_per_request(client, count: int) -> list[dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    found = []
    for limit, offset in ((1, 0), (10, 0), (100, 0), (100, count // 2), (100, max(0, count - 100))):
        with CaptureQueriesContext(connection) as captured:
            client.get(PATH, {"limit": limit, "offset": offset})
        found.append({"limit": limit, "offset": offset, "queries": len(captured)})
    return found


def profile(client, count: int, top: int) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    one_pass(client, count)
    profiler.disable()
    out = io.StringIO()
    # The project's code, the queries and the JSON: not the middleware wrapping every request.
    where = r"cms/|json/|pydantic|psycopg|db/models/query\.py"
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(where, top)
    return out.getvalue()


def measure(client, count: int, rounds: int) -> dict:
    one_pass(client, count)  # warm-up: imports, connections, caches
    walls, cpus = [], []
    for _ in range(rounds):
        began, began_cpu = time.perf_counter(), time.process_time()
        received = one_pass(client, count)
        walls.append(time.perf_counter() - began)
        cpus.append(time.process_time() - began_cpu)
    best, median = min(walls), statistics.median(walls)
    return {
        "notices": count,
        "requests": -(-count // PAGE),
        "bytes": received,
        "rounds": rounds,
        "best_seconds": best,
        "median_seconds": median,
        "notices_per_second": count / best,
        "median_notices_per_second": count / median,
        "cpu_ms_per_notice": min(cpus) / count * 1000,
    }


# --- the serialisation alone: model instances (as the page detail) vs the bulk rows -----------


def model_rows(notices, lookup, now) -> list[dict]:
    """The rows as page instances give them (``DecisionNoticePage.public_data``, what the list
    served until it read columns): notices with their items, corrections and corrected notice
    prefetched, one query each."""
    from django.db.models import Prefetch

    from cms.notices.models import DecisionItem, DecisionNoticePage
    from cms.notices.publication import no_objections, objection_counts

    notices = list(
        notices.select_related("corrects").prefetch_related(
            Prefetch("items", queryset=DecisionItem.objects.order_by("sort_order", "pk")),
            Prefetch("corrections", queryset=DecisionNoticePage.objects.filter(live=True)),
        )
    )
    tallies = objection_counts(DecisionNoticePage.objects.filter(pk__in=[n.pk for n in notices]))
    return [
        {
            **notice.public_data(lookup, now),
            "objection_counts": tallies.get(notice.pk) or no_objections(),
        }
        for notice in notices
    ]


def serialisation(count: int, rounds: int) -> dict:
    """CPU per notice to make every page's body (rows, then JSON as the API renders it): from
    page instances, validated and dumped by pydantic as ``@paginate`` did, against the bulk
    rows rendered as they are. Both bodies must be the same bytes."""
    from typing import Any

    from django.utils import timezone
    from pydantic import TypeAdapter
    from wagtail.api.v3.api import api

    from cms.notices.api import live_notices
    from cms.notices.models import NoticeIndexPage
    from cms.notices.publication import clause_lookup
    from cms.notices.serialisation import notice_rows

    now = timezone.now()
    lookup = clause_lookup(NoticeIndexPage.objects.select_related("policy").first())
    notices = live_notices()
    validated = TypeAdapter(list[dict[str, Any]])

    def render(rows) -> bytes:
        return api.renderer.render(None, {"items": rows, "count": count}, response_status=200)

    def by_model() -> list:
        return [
            render(
                validated.dump_python(
                    validated.validate_python(model_rows(notices[o : o + PAGE], lookup, now))
                )
            )
            for o in range(0, count, PAGE)
        ]

    def by_columns() -> list:
        return [
            render(notice_rows(notices[o : o + PAGE], lookup, now)) for o in range(0, count, PAGE)
        ]

    found = {}
    for name, make in (("model", by_model), ("columns", by_columns)):
        best, bodies = float("inf"), None
        for _ in range(rounds):
            began = time.process_time()
            bodies = make()
            best = min(best, time.process_time() - began)
        found[name] = (best / count * 1000, bodies)
    if found["model"][1] != found["columns"][1]:
        raise RuntimeError("page instances and columns give different bodies")
    return {
        "model_cpu_ms_per_notice": found["model"][0],
        "columns_cpu_ms_per_notice": found["columns"][0],
        "ratio": found["model"][0] / found["columns"][0],
        "same_bytes": True,
    }


# --- over HTTP: gunicorn as in production, read as the portal's client reads -----------------


def without_clock(rows: list[dict]) -> list[dict]:
    """Rows with the instant they were computed at left out (each request has its own)."""
    return [{**row, "window": {**row["window"], "computed_at": None}} for row in rows]


def http_paging(rounds: int, workers: int) -> dict:
    """All notices from the CMS under gunicorn (``deploy/gunicorn.conf.py``, ``workers`` sync
    workers), one request after another (``CMSClient.iter_paginated``) against the portal's
    full read (``CMSClient.notices``: two requests in flight) and three in flight. The same
    notices in the same order every way."""
    import tempfile

    from benchmarks.__main__ import Gunicorn, django_env, free_port
    from portal.client import CMSClient, notice_pages

    ways = {
        "one at a time": lambda c: notice_pages(c.iter_paginated(PATH)),
        "notices() (2 in flight)": lambda c: c.notices(),
        "3 in flight": lambda c: notice_pages(c.parallel_paginated(PATH, connections=3)),
    }
    found: dict = {}
    with tempfile.TemporaryDirectory(prefix="notices-api-") as work:
        port = free_port()
        env = {**django_env(port, Path(work)), "DATABASE_URL": os.environ["DATABASE_URL"]}
        with Gunicorn(env, port, workers, Path(work) / "gunicorn.log") as server:
            reference = None
            for _ in range(rounds):
                for name, read in ways.items():
                    client = CMSClient(server.url, timeout=60)
                    began = time.perf_counter()
                    rows = read(client)
                    found.setdefault(name, []).append(time.perf_counter() - began)
                    rows = without_clock(rows)
                    if reference is None:
                        reference = rows
                    elif rows != reference:
                        raise RuntimeError(f"{name}: not the notices read one at a time")
    count = len(reference or [])
    return {
        "workers": workers,
        "notices": count,
        "ways": {
            name: {"best_seconds": min(times), "notices_per_second": count / min(times)}
            for name, times in found.items()
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--load", type=int, metavar="N", help="generate N notices if none")
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--top", type=int, default=25, help="profile entries shown (0: none)")
    parser.add_argument("--no-serialisation", action="store_true", help="requests only")
    parser.add_argument(
        "--http", type=int, metavar="WORKERS", help="also read them from gunicorn, WORKERS sync"
    )
    args = parser.parse_args()
    setup_django()
    if args.load:
        load(args.load, args.seed)
    from django.test import Client

    client = Client(SERVER_NAME="localhost")  # a host the production settings allow
    count = notice_count(client)
    results = measure(client, count, args.rounds)
    print(
        f"{count:,} notices in {results['requests']} requests of {PAGE} "
        f"({results['bytes'] / 1e6:.1f} MB): best pass {results['best_seconds']:.2f} s = "
        f"{results['notices_per_second']:.0f} notices/s (median {results['median_seconds']:.2f} s"
        f" = {results['median_notices_per_second']:.0f}/s), "
        f"CPU {results['cpu_ms_per_notice']:.3f} ms/notice"
    )
    results["queries"] = queries_per_request(client, count)
    counts = [q["queries"] for q in results["queries"]]
    results["constant_queries"] = len(set(counts)) == 1
    print(
        "SQL per request at limit/offset "
        + ", ".join(f"{q['limit']}/{q['offset']}: {q['queries']}" for q in results["queries"])
        + (" (constant)" if results["constant_queries"] else " (NOT constant)")
    )
    if not args.no_serialisation:
        results["serialisation"] = found = serialisation(count, args.rounds)
        print(
            f"serialisation, rows and JSON: page instances {found['model_cpu_ms_per_notice']:.3f}"
            f" ms/notice vs columns {found['columns_cpu_ms_per_notice']:.3f} ms/notice: "
            f"{found['ratio']:.1f}x; same bytes"
        )
    if args.http:
        results["http"] = http = http_paging(args.rounds, args.http)
        print(
            f"over HTTP, gunicorn with {args.http} sync workers, {http['notices']:,} notices: "
            + "; ".join(
                f"{name} {way['best_seconds']:.2f} s = {way['notices_per_second']:.0f}/s"
                for name, way in http["ways"].items()
            )
        )
    if args.top:
        print(profile(client, count, args.top))
    print("BENCH_RESULT " + json.dumps(results))


if __name__ == "__main__":
    main()
