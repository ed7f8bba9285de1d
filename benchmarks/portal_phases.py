"""Runs a portal build with its phases timed, and prints one line: ``BENCH_RESULT {json}``.

    python benchmarks/portal_phases.py full --cms-url URL [--jobs N]  # build_portal(full)
    python benchmarks/portal_phases.py cli --cms-url URL [--no-builder]  # python -m portal build

Run it with the portal tree to build in as the working directory and on ``PYTHONPATH`` (the
benchmarks build in a scratch copy of portal/, themes/ and publicity_site/, never in the
repository's own output). The phases are timed by wrapping the functions ``portal.build`` calls
(export, scan, copy, render, site outputs, search index, swap) without changing them; a phase
that the code no longer has is simply not reported, and ``other`` is what no phase covers
(phases that run side by side overlap: their sum can exceed the total). A build handed to the
resident builder runs in another process: its phases are those its output line reports.
"""

import argparse
import json
import sys
import time
from collections import defaultdict

PHASES = {
    # phase name: (module, attribute)
    "export": ("portal.build", "export_site"),
    "scan": ("portal.render", "scan"),
    "fingerprint": ("portal.render", "fingerprint"),
    "copy": ("portal.builds", "copy_of"),
    "render": ("portal.render", "render"),
    "feeds": ("portal.build", "_feeds"),
    "site_outputs": ("portal.build", "_site_outputs"),
    "search_index": ("portal.build", "_index_for_search"),
    # The first build of all indexes each shard while others render; this is what is left to
    # wait for once the last page is written.
    "search_index_tail": ("portal.search", "IndexWriter.finish"),
    "second_copy": ("portal.builds", "second_copy"),
    "swap": ("portal.builds", "swap"),
    "prune": ("portal.builds", "prune"),
    "prepare_next": ("portal.builds", "prepare_next"),
}


SWAPS: list[float] = []  # perf_counter() when each swap put a build live
SPANS: list[tuple[float, float, str]] = []  # (start, end, phase) of every timed call


def _covered(spans: list[tuple[float, float, str]]) -> float:
    """Seconds covered by at least one span: phases that run side by side (open data while the
    search index is written) are counted once."""
    covered, reach = 0.0, float("-inf")
    for start, end, *_ in sorted(spans):
        if end > reach:
            covered += end - max(start, reach)
            reach = end
    return covered


def instrument() -> dict[str, float]:
    import importlib

    spent: dict[str, float] = defaultdict(float)

    def wrap(name, function):
        def timed(*args, **kwargs):
            began = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - began
                SPANS.append((began, time.perf_counter(), name))
                if name == "swap":
                    SWAPS.append(time.perf_counter())

        return timed

    for name, (module_name, attribute) in PHASES.items():
        owner = importlib.import_module(module_name)
        *path, attribute = attribute.split(".")  # "Class.method" wraps a method
        for part in path:
            owner = getattr(owner, part, None)
        if owner is not None and hasattr(owner, attribute):
            setattr(owner, attribute, wrap(name, getattr(owner, attribute)))
    return spent


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["full", "cli"])
    parser.add_argument("--cms-url", required=True)
    parser.add_argument("--jobs", type=int, default=0)
    parser.add_argument("--no-builder", action="store_true", help="cli: build in this process")
    args = parser.parse_args()
    spent = instrument()
    began, began_epoch = time.perf_counter(), time.time()
    result: dict = {}
    if args.mode == "full":
        from portal.build import build_portal

        built = build_portal(args.cms_url, incremental=False, jobs=args.jobs)
        result = {
            "mode": built.mode,
            "pages": built.pages,
            "rendered": built.rendered,
            "output": str(built.output),
        }
        status = 0
    else:
        from portal.__main__ import main as portal_main

        extra = ["--no-builder"] if args.no_builder else []
        status = portal_main(["build", "--cms-url", args.cms_url, *extra])
    total = time.perf_counter() - began
    # A phase's seconds are the time it ran, its calls side by side counted once.
    phases = {
        name: round(_covered([span for span in SPANS if span[2] == name]), 3) for name in spent
    }
    phases["other"] = round(total - _covered(SPANS), 3)
    print(
        "BENCH_RESULT "
        + json.dumps(
            {
                **result,
                "status": status,
                "seconds": round(total, 3),
                # Until the first swap: the site live (for an incremental build, its pages,
                # listings and feeds; the search index and open data follow).
                "live_seconds": round(SWAPS[0] - began, 3) if SWAPS else None,
                "swaps": len(SWAPS),
                "phases": phases,
                # When each phase ran: seconds from the start (and the start as a Unix time),
                # to line up with a record of the machine's load.
                "started_at": round(began_epoch, 3),
                "timeline": [
                    [name, round(start - began, 3), round(end - began, 3)]
                    for start, end, name in sorted(SPANS)
                ],
            }
        )
    )
    return status


if __name__ == "__main__":
    sys.exit(main())
