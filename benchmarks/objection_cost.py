"""What an objection request costs in CPU against the bare DRF endpoint, in-process (Django's test
client, no server, no network), on the benchmark database:

    PG_DURABLE=1 deploy/ci/with-postgres.sh sh -c '... manage.py migrate, load_seed_policy,
        load_benchmark_data --notices 200 ...; python benchmarks/objection_cost.py'

with the environment ``make bench`` gives the CMS (``benchmarks.__main__.django_env``: the
benchmark settings, rates no run reaches, NUM_PROXIES=0). Requests to the two endpoints are
timed in alternating rounds in the same process, so a busy machine weighs on both alike; the
ratio of CPU time per request (``time.process_time``: this process only, the database server's
work excluded) is the figure to compare. ``--profile`` adds the functions with the most time of
their own and the cumulative time of the parts ``make bench`` reports.

Prints one line: ``BENCH_RESULT {json}``.
"""

import argparse
import cProfile
import io
import json
import logging
import os
import pstats
import statistics
import sys
import time
import uuid
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

from benchmarks.payloads import bare_body, objection_body  # noqa: E402
from cms.notices import rules as notice_rules  # noqa: E402
from cms.objections.serializers import public_items  # noqa: E402

HOST = {"HTTP_HOST": "127.0.0.1", "HTTP_ACCEPT": "application/json"}
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def item_under_publicity() -> int:
    """An item of a live, public notice under publicity now."""
    now = timezone.now()
    for item in public_items().order_by("pk").iterator():
        if item.notice.specific.state_at(now) == notice_rules.NoticeState.UNDER_PUBLICITY:
            return item.pk
    raise SystemExit("no notice under publicity: load_benchmark_data first")


def quiet_logs() -> None:
    """Log records are still formatted (a request pays for that), but written nowhere."""
    sink = open(os.devnull, "w")  # noqa: SIM115 (open for the process's life)
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(sink)


class Endpoint:
    def __init__(self, name: str, path: str, body: dict, keyed: bool):
        self.name, self.path, self.keyed = name, path, keyed
        self.body = json.dumps(body)
        self.client = Client()
        self.cpu: list[float] = []
        self.wall: list[float] = []

    def post(self):
        headers = {"HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())} if self.keyed else {}
        response = self.client.post(
            self.path, data=self.body, content_type="application/json", **headers, **HOST
        )
        if response.status_code != 201:
            raise SystemExit(f"{self.name}: {response.status_code} {response.content[:500]!r}")

    def round(self, requests: int) -> None:
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(requests):
            self.post()
        self.cpu.append((time.process_time() - cpu) / requests)
        self.wall.append((time.perf_counter() - wall) / requests)

    def statements(self) -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            self.post()
        return [
            query["sql"][:120]
            for query in captured.captured_queries
            if not query["sql"].upper().startswith(TRANSACTION_CONTROL)
        ]


def profile(endpoint: Endpoint, requests: int, top: int) -> dict:
    profiler = cProfile.Profile(time.process_time)  # CPU: waits on the database excluded
    profiler.enable()
    for _ in range(requests):
        endpoint.post()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return {"requests": requests, "text": out.getvalue()}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300, help="per endpoint")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--item", type=int)
    parser.add_argument("--profile", type=int, default=0, help="objection requests to profile")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    quiet_logs()
    item = args.item or item_under_publicity()
    objection = Endpoint("objection", "/api/objections/", objection_body(item), keyed=True)
    bare = Endpoint("bare", "/bench/bare/", bare_body(item), keyed=False)
    for endpoint in (objection, bare):
        for _ in range(20):  # imports, connections, caches
            endpoint.post()
    per_round = max(1, args.requests // args.rounds)
    for _ in range(args.rounds):
        objection.round(per_round)
        bare.round(per_round)
    result: dict = {"item": item, "requests": per_round * args.rounds}
    for endpoint in (objection, bare):
        result[endpoint.name] = {
            "cpu_ms": statistics.median(endpoint.cpu) * 1000,
            "wall_ms": statistics.median(endpoint.wall) * 1000,
            "statements": endpoint.statements(),
        }
    result["cpu_ratio_bare_over_objection"] = (
        result["bare"]["cpu_ms"] / result["objection"]["cpu_ms"]
    )
    result["wall_ratio_bare_over_objection"] = (
        result["bare"]["wall_ms"] / result["objection"]["wall_ms"]
    )
    if args.profile:
        result["profile"] = profile(objection, args.profile, args.top)
        print(result["profile"]["text"], file=sys.stderr)
    summary = {k: v for k, v in result.items() if k != "profile"}
    print(
        f"objection {result['objection']['cpu_ms']:.2f} ms CPU "
        f"({len(result['objection']['statements'])} statements), bare "
        f"{result['bare']['cpu_ms']:.2f} ms CPU: {summary['cpu_ratio_bare_over_objection']:.3f}x "
        f"(wall {summary['wall_ratio_bare_over_objection']:.3f}x)",
        file=sys.stderr,
    )
    print("BENCH_RESULT " + json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
