"""``python -m benchmarks.writes_only``: step 2 of ``make bench`` alone (the objection API
against the bare DRF endpoint under wrk), on a database it fills first with fewer notices:

    PG_DURABLE=1 deploy/ci/with-postgres.sh .venv/bin/python -m benchmarks.writes_only

The same gunicorn, settings, wrk script and counting as the full run
(:func:`benchmarks.__main__.bench_writes`), without the diagnostics (py-spy, cProfile, the bare
endpoint without worker recycling). Prints each endpoint's req/s and the ratio, and one line
``BENCH_RESULT {json}``; touches neither docs/benchmarks.md nor var/bench/latest.json.
"""

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path

from .__main__ import RUNNING, bench_data, bench_writes, django_env, ensure_wrk, log, manage, sql


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.writes_only")
    parser.add_argument("--notices", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--add-child", type=int, default=30)
    parser.add_argument("--duration", type=int, default=20, help="seconds of load per endpoint")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    args.profile = False
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print(
            "Run through PG_DURABLE=1 deploy/ci/with-postgres.sh: it needs a throwaway "
            "PostgreSQL in DATABASE_URL.",
            file=sys.stderr,
        )
        return 2

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)
    work = Path(tempfile.mkdtemp(prefix="bench-writes-"))
    try:
        ensure_wrk()
        durability = {name: sql(f"SHOW {name}")[0] for name in ("fsync", "synchronous_commit")}
        env = django_env(0, work)
        log(f"database ({durability}): migrate, cache table, seed policy, {args.notices} notices")
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "createcachetable")
        manage(env, "load_seed_policy")
        data, _line = bench_data(env, args, work)
        results, line = bench_writes(env, args, work, data["objection_targets"][0])
    finally:
        for server in list(RUNNING):
            server.__exit__(None, None, None)
        shutil.rmtree(work, ignore_errors=True)
    objection, bare = results["objection"], results["bare"]
    print(f"writes    {line}")
    print(
        f"objection {objection['rps']:.1f} req/s, bare {bare['rps']:.1f} req/s, "
        f"ratio {results['ratio']:.3f}x (load average {os.getloadavg()[0]:.2f})"
    )
    print("BENCH_RESULT " + json.dumps({"durability": durability, **results}, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
