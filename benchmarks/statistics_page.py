"""Times the statistics page (统计) at 10,000 notices and prints one line: ``BENCH_RESULT {json}``.

    python benchmarks/statistics_page.py --content DIR       # the records a portal build kept
    python benchmarks/statistics_page.py --synthetic 10000   # made-up records, no CMS needed

What a build does for the page, each step timed: the figures from the notices' records as the
export holds them in memory (``portal.statistics``), then the charts and the page's source
(``portal.statistics_pages``): together the page's own cost, whose goal is under a second. Then
Pelican renders that one source with the site's theme, in a process of its own as a build does,
beside a Pelican run with nothing to render: the difference is what the page adds to a render.
Run it with the portal tree on ``PYTHONPATH`` (``make bench`` runs it in its scratch tree, on
the records its portal build kept: ``content/.notices.json``). A measurement, not a test.
"""

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

# Like benchmarks/generate.py's notices (which need the CMS to make): 1 to 10 items, weighted
# grounds and reasons, every state, over three years ending on a fixed day.
ITEM_COUNT_WEIGHTS = [15, 15, 14, 12, 10, 9, 8, 7, 5, 5]
GROUND_WEIGHTS = {"A1": 30, "A2": 30, "A3": 10, "A4": 25, "A5": 5}
REASON_WEIGHTS = {
    "X1": 4, "X2": 6, "X3": 14, "X4": 6, "out_of_scope": 12, "no_ground": 24,
    "diligence_not_shown": 20, "after_acceptance": 10, "objection_upheld": 4,
}  # fmt: skip
ANCHORS = {
    "A1": "s2-2-1", "A2": "s2-2-2", "A3": "s2-2-3", "A4": "s2-2-4", "A5": "s2-2-5",
    "X1": "s2-3-1", "X2": "s2-3-2", "X3": "s2-3-3", "X4": "s2-3-4", "out_of_scope": "s2-1",
    "no_ground": "s2-2", "diligence_not_shown": "s3-3", "after_acceptance": "s3-1",
    "objection_upheld": "s3-5",
}  # fmt: skip
PROGRAMMES = {
    "basic_public_welfare": "省基础公益研究专项", "key_rd": "省重点研发计划",
    "natural_science_fund": "省自然科学基金", "soft_science": "省软科学研究计划",
    "other": "其他省级科技计划",
}  # fmt: skip
LAST_DAY = date(2026, 11, 25)
SPAN_DAYS = 1095


def _pick(rng: random.Random, weights: dict[str, int], count: int) -> tuple[str, ...]:
    chosen: list[str] = []
    while len(chosen) < count:
        code = rng.choices(list(weights), weights=list(weights.values()))[0]
        if code not in chosen:
            chosen.append(code)
    return tuple(chosen)


def synthetic_records(count: int, seed: int) -> list[dict]:
    """``count`` notices' records (their facts: all the page reads), the same for the same seed."""
    from portal.statistics import ItemFacts, NoticeFacts

    rng = random.Random(seed)  # noqa: S311 (made-up data, not secrets)
    records = []
    for _ in range(count):
        start = LAST_DAY - timedelta(days=rng.randrange(SPAN_DAYS))
        end = start + timedelta(days=6)
        programme = rng.choice(list(PROGRAMMES))
        items = []
        for _ in range(rng.choices(range(1, 11), weights=ITEM_COUNT_WEIGHTS)[0]):
            if rng.random() < 0.6:
                items.append(ItemFacts(programme, "exempted", _pick(rng, GROUND_WEIGHTS, 1)))
            else:
                reasons = _pick(rng, REASON_WEIGHTS, rng.choice((1, 1, 2)))
                items.append(ItemFacts(programme, "rejected", (), reasons))
        state = rng.choices(
            ["finalised", "closed", "under_publicity", "corrected", "withdrawn"],
            weights=[78, 6, 3, 8, 5],
        )[0]
        received = rng.choice((0,) * 8 + (1, 2, 3))
        codes = {code for item in items for code in (*item.grounds, *item.reasons)}
        facts = NoticeFacts(
            start_date=start.isoformat(),
            end_date=end.isoformat(),
            state=state,
            items=tuple(items),
            finalised_on=(
                (end + timedelta(days=rng.randint(1, 30))).isoformat()
                if state == "finalised" else None
            ),
            withdrawn_on=(start + timedelta(days=rng.randint(0, 6))).isoformat()
            if state == "withdrawn" else None,
            is_correction=rng.random() < 0.08,
            objections_received=received,
            objections_upheld=min(received, rng.choice((0, 0, 0, 1))),
            programmes={programme: PROGRAMMES[programme]},
            clauses={code: ("（示例标签）", ANCHORS[code]) for code in codes},
        )  # fmt: skip
        records.append({"facts": facts.as_record()})
    return records


def kept_records(content: Path) -> list[dict]:
    """The records the last export kept (``content/.notices.json``)."""
    from portal.notice_store import NoticeState

    return list(NoticeState.load(content).records.values())


def _pelican_seconds(content: Path, sources: list[str], out: Path) -> float:
    from portal import render
    from portal.build import ROOT, SITE_DIR, THEME_DIR

    run = render.run_pelican_command(SITE_DIR / "pelicanconf.py", THEME_DIR, ROOT)
    began = time.perf_counter()
    render.render(content, sources, out, run, jobs=1)
    return time.perf_counter() - began


def measure(records: list[dict], repeat: int = 5) -> dict:
    from portal import charts
    from portal.export import write_sources
    from portal.statistics import compute
    from portal.statistics_pages import facts_of, home_chart, statistics_source

    figures_s, charts_s = [], []
    for _ in range(repeat):  # the best of a few runs: the machine is shared
        charts.forget_drawn()  # every chart drawn afresh, as when every figure changed
        began = time.perf_counter()
        figures = compute(facts_of(records))
        computed = time.perf_counter()
        source = statistics_source(figures, "1970-01-01T00:00:00+00:00")
        home = home_chart(figures)
        drawn = time.perf_counter()
        figures_s.append(computed - began)
        charts_s.append(drawn - computed)
    work = Path(tempfile.mkdtemp(prefix="bench-statistics-"))
    try:
        content = work / "content"
        (content / "pages").mkdir(parents=True)
        write_sources({"statistics.json": source}, content)
        page = _pelican_seconds(content, ["generated/statistics.json"], work / "page")
        empty = _pelican_seconds(content, [], work / "empty")
        html = (work / "page" / "statistics" / "index.html").read_bytes()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    facts = facts_of(records)
    return {
        "notices": len(facts),
        "items": sum(len(notice.items) for notice in facts),
        "figures_seconds": min(figures_s),
        "charts_seconds": min(charts_s),
        "page_seconds": min(f + c for f, c in zip(figures_s, charts_s, strict=True)),
        "pelican_page_seconds": page,
        "pelican_empty_seconds": empty,
        "html_bytes": len(html),
        "home_chart_bytes": len(home["chart"]),
        "rows": len(source["cms"]["data"]["rows"]),
    }


def summary_line(result: dict) -> str:
    added = result["pelican_page_seconds"] - result["pelican_empty_seconds"]
    return (
        f"statistics page at {result['notices']:,} notices ({result['items']:,} items): figures "
        f"{result['figures_seconds'] * 1000:.0f} ms + charts and source "
        f"{result['charts_seconds'] * 1000:.0f} ms = {result['page_seconds'] * 1000:.0f} ms "
        f"(goal < 1 s); rendered by Pelican alone {result['pelican_page_seconds']:.2f} s, "
        f"{added * 1000:+.0f} ms over a run with nothing to render; page "
        f"{result['html_bytes'] / 1024:.0f} KB"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--content", type=Path, help="content directory of a portal build")
    source.add_argument("--synthetic", type=int, metavar="NOTICES")
    parser.add_argument("--seed", type=int, default=20261125)
    args = parser.parse_args(argv)
    records = kept_records(args.content) if args.content else synthetic_records(
        args.synthetic, args.seed
    )  # fmt: skip
    if not records:
        print("no notice records to measure", file=sys.stderr)
        return 1
    result = measure(records)
    result["line"] = summary_line(result)
    print(result["line"], file=sys.stderr)
    print("BENCH_RESULT " + json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
