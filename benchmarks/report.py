"""Writes the figures section of docs/benchmarks.md from a run's results. Everything outside
the markers is hand-written and kept as it is."""

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from .admin_pages import admin_section

BEGIN = "<!-- figures:begin (written by `make bench`; edit outside these markers) -->"
END = "<!-- figures:end -->"
SKELETON = f"""# Benchmarks

{BEGIN}
{END}
"""


def _table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _s(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds >= 1 else f"{seconds * 1000:.0f} ms"


def _kb(size: int) -> str:
    return f"{size / 1024:.1f} KB"


def _data(d: dict) -> str:
    seconds, counts, per = d["seconds"], d["counts"], d["ms_per_notice"]
    methods = {
        "bulk": "bulk insert, treebeard paths computed (no revision, no search index)",
        "add_child": "`add_child`, `live=True`, `first_published_at` set (no revision)",
        "publish": "`add_child` + `save_revision().publish()`, guards included (scheduled)",
    }
    rows = [
        [
            methods[m],
            f"{counts[m]:,}",
            _s(seconds[m]),
            f"{per[m]:.2f} ms",
            f"~{per[m] * d['notices'] / 1000:,.0f} s",
        ]
        for m in ("bulk", "add_child", "publish")
        if counts.get(m)
    ]
    states = ", ".join(f"{k} {v:,}" for k, v in d["states"].items())
    intro, expl = d["introduction_chars"], d["explanation_chars"]
    return "\n\n".join(
        [
            f"{d['notices']:,} notices, {d['items']:,} items ({d['rejected_items']:,} rejected), "
            f"generated and stored in **{_s(seconds['total'])}** (planning {_s(seconds['plan'])}, "
            f"tree check {_s(seconds['tree_check'])}). States: {states} (approved = scheduled, "
            f"not live). Introductions {min(intro)}–{max(intro)} characters, explanations "
            f"{min(expl)}–{max(expl)} (samples).",
            _table(["how", "notices", "time", "per notice", f"{d['notices']:,} this way"], rows),
            f"Ratio: bulk is **{d['ratio_add_child_over_bulk']:.0f}x** faster per notice than "
            f"`add_child`.",
        ]
    )


def _writes(w: dict) -> str:
    rows = []
    labels = [
        ("bare", "bare DRF `CreateAPIView`"),
        ("bare_no_recycling", "bare, gunicorn `max_requests=0` (diagnostic)"),
        ("objection", "objection API"),
    ]
    for key, label in labels:
        if key not in w:
            continue
        r = w[key]
        rows.append(
            [
                label,
                f"{r['rps']:.1f}",
                f"{r['p50_ms']:.0f} ms",
                f"{r['p99_ms']:.0f} ms",
                f"{r['latency_us']['max'] / 1000:.0f} ms",
                f"{r['requests']:,}",
                r["non_2xx"],
                r["socket_errors"],
                f"{r['created']:,}",
                f"{r['rows']:,}" if "rows" in r else "–",
                r.get("in_flight_extra", "–"),
                r.get("worker_boots", "–"),
            ]
        )
    parts = [
        f"wrk, {w['connections']} connections, 2 threads, {w['duration']} s per endpoint after a "
        f"3 s warm-up, `--timeout 30s`; gunicorn `deploy/gunicorn.conf.py` with "
        f"{w['workers']} sync workers; JSON bodies, no files; a fresh `Idempotency-Key` per "
        f"objection request; notice {w['notice']}, item {w['item']} (under publicity).",
        _table(
            [
                "endpoint",
                "req/s",
                "p50",
                "p99",
                "max",
                "requests",
                "non-2xx",
                "socket errors",
                "201s",
                "rows stored",
                "rows − 201s (in flight)",
                "worker restarts",
            ],
            rows,
        ),
        f"Ratio objection/bare: **{w['ratio']:.3f}x** (goal ≥ 0.5x). Lost: "
        f"**{w['objection']['lost'] + w['bare']['lost']}** (every 201 has its row; rows above "
        f"the 201s counted are requests in flight when wrk stopped, which the server finished).",
    ]
    queries = w.get("queries")
    if queries:
        parts.append(queries)
    profile = w.get("cprofile")
    if profile:
        rows = [
            [
                label,
                f"{seconds * 1000:.1f} ms",
                f"{seconds / profile['seconds_per_request_profiled']:.0%}",
            ]
            for label, seconds in profile["breakdown_seconds_per_request"].items()
        ]
        parts.append(
            f"Where an objection request's time goes (cProfile, {profile['requests']} requests "
            f"in-process on the same database, "
            f"{profile['seconds_per_request_profiled'] * 1000:.0f} ms each under the profiler; "
            f"cumulative, so rows overlap). For scale, Django's `make_password` (what the "
            f"lookup code was hashed with until commit b657782) takes "
            f"{profile['make_password_seconds_median'] * 1000:.0f} ms here "
            f"({profile['hasher']}, {profile['iterations']:,} iterations).\n\n"
            + _table(["part", "per request", "share"], rows)
        )
    for key, label in (("pyspy", "objection API"),):
        pyspy = w.get(key)
        if pyspy and "shares" in pyspy:
            rows = [[name, f"{share:.0%}"] for name, share in pyspy["shares"].items()]
            parts.append(
                f"{label}: one gunicorn worker under the same load, sampled by py-spy for 8 s "
                f"({pyspy['samples']:,} busy samples, each counted once, in the first part "
                f"its stack is in):\n\n" + _table(["in", "share of the worker's time"], rows)
            )
        elif pyspy:
            parts.append(f"py-spy could not sample a worker ({label}): {pyspy.get('error')}")
    statements = w.get("statements")
    if statements:
        parts.append(
            f"<details><summary>The {len(statements)} SQL statements of one objection create"
            "</summary>\n\n```\n" + "\n".join(statements) + "\n```\n</details>"
        )
    return "\n\n".join(parts)


def _read(r: dict) -> str:
    q = r["queries"]
    rows = [[p["limit"], p["offset"], p["queries"]] for p in q["notices_api"]]
    ms = r["request_ms"]
    writes = q.get("writes", {})
    return "\n\n".join(
        [
            f"{r['notices']:,} notices in **{_s(r['seconds'])}** through `/api/v3/notices/` "
            f"(100 a request, one after another as the exporter does; {r['requests']} requests: "
            f"min {ms['min']:.0f} ms, median {ms['median']:.0f} ms, p90 {ms['p90']:.0f} ms, max "
            f"{ms['max']:.0f} ms): {r['notices_per_second']:.0f} notices/s. Wagtail's page detail "
            f"`/api/v3/pages/<id>/`, one notice a request (sample of {r['detail_sample']}): "
            f"{r['detail_notices_per_second']:.0f} notices/s. Ratio: **{r['ratio']:.0f}x**. "
            f"States in the export {'match' if r['states_match'] else 'DO NOT match'} the "
            f"generator's: {', '.join(f'{k} {v:,}' for k, v in sorted(r['states'].items()))}.",
            "SQL queries per request (Django's `CaptureQueriesContext`, in-process, same "
            "database):",
            _table(["limit", "offset", "queries"], rows),
            (
                f"For comparison, one objection create: {writes['objection']['queries']} "
                f"queries; one bare create: {writes['bare']['queries']}."
                if writes
                else ""
            ),
        ]
    )


def _rebuild(p: dict) -> str:
    rebuild = p.get("rebuild")
    if not rebuild:
        return ""
    live = rebuild.get("live_seconds") or rebuild["seconds"]
    rows = [[name, _s(seconds)] for name, seconds in rebuild["phases"].items() if seconds > 0.0005]
    return "\n\n".join(
        [
            f"Full rebuild over the live site (`build_portal(..., incremental=False)` again, as "
            f"after a change of theme, settings or code; every notice fetched, every page "
            f"rendered): live after **{_s(live)}** (pages, listings, feeds, open data, sitemap, "
            f"with the live site's search index meanwhile), its own search index live "
            f"{_s(rebuild['seconds'] - live)} later ({_s(rebuild['seconds'])} in all, cleanup "
            f"included). Ratio to vanilla Pelican: **{p['ratio_rebuild_live']:.2f}x** until "
            f"live, {p['ratio_rebuild_process']:.2f}x in all.",
            _table(["phase", "time"], rows),
        ]
    )


def _portal(p: dict) -> str:
    full, vanilla, publish = p["full"], p["vanilla"], p["publish"]
    phase_rows = [
        [name, _s(seconds)] for name, seconds in full["phases"].items() if seconds > 0.0005
    ]
    build = publish["build"]
    live = full.get("live_seconds") or full["seconds"]
    markdown = _s(vanilla["markdown_seconds"])
    vanilla_files = f"{vanilla['files']:,} files, peak RSS {vanilla['peak_rss_mb']:,.0f} MB"
    publish_rows = [["publish() in the CMS", _s(publish["publish_seconds"])]]
    publish_rows += [
        [f"build: {name}", _s(seconds)]
        for name, seconds in build["phases"].items()
        if seconds > 0.0005
    ]
    publish_rows += [
        ["build process (start-up, exit)", _s(publish["build_process_seconds"] - build["seconds"])],
        [
            "**publish call → page, listing and feed in the live output**",
            f"**{_s(publish['live_seconds'])}**",
        ],
        [
            "publish call → build finished (search index, open data, next build's copy)",
            _s(publish["total_seconds"]),
        ],
    ]
    return "\n\n".join(
        [
            f"First full build (nothing built before), `build_portal(..., incremental=False)`, "
            f"from the CMS under gunicorn, the sources rendered in groups, one per search index "
            f"shard (a Pelican process each, as many at once as cores), each shard indexed by "
            f"Pagefind as soon as its group is written (`render` below includes that time): "
            f"**{_s(live)}** until the site is "
            f"live (search index and open data included), {_s(full['seconds'])} with the cleanup "
            f"after it (old builds removed, the next build's copy prepared), for "
            f"{full['pages']:,} sources, {full['files']:,} files, peak RSS "
            f"{full['peak_rss_mb']:,.0f} MB (largest single process).",
            _table(["phase", "time"], phase_rows),
            f"Vanilla Pelican, default theme and settings, no plugins, one process, on the "
            f"same content ({vanilla['articles']:,} notices as articles, "
            f"{vanilla['pages']:,} rejection pages as hidden pages; Markdown written in "
            f"{markdown}, not counted): **{_s(vanilla['seconds'])}**, {vanilla_files}.",
            f"Ratio ours/vanilla: **{p['ratio']:.2f}x** the time for the whole build until live "
            f"(goal ≤ 0.75x), {p.get('ratio_process', p['ratio']):.2f}x with the cleanup; "
            f"**{p['ratio_like_for_like']:.2f}x** for the part that does what Pelican "
            f"does, from the full rebuild below, which indexes after it renders (render + feeds, "
            f"open data and sitemap, {_s(p['like_for_like_seconds'])}: no export from the CMS "
            f"and no search index, which vanilla Pelican does not do).",
            _rebuild(p),
            f"Publish-to-live: one new notice ({publish['items']} items) published in the CMS, "
            f"then `python -m portal build`, handed to the resident builder "
            f"(`python -m portal builder`, started in the tree as production runs it) "
            f"({'exit 0' if build.get('status') == 0 else 'FAILED'}), timed until "
            f"`{publish['page']}` is in the live output, listed on `notices/` and in "
            f"`feeds/notices.atom.xml` (polled every 5 ms through the output link: "
            f"{', '.join(k for k, v in publish.get('live_parts', {}).items() if v) or 'none'}"
            f" seen), and until the build process exits. Goal ≤ 2 s.",
            _table(["step", "time"], publish_rows),
            "Build output: " + " / ".join(f"`{line}`" for line in publish["cli_output"] if line),
            *_publish_alone(p.get("publish_alone"), publish, vanilla),
            *_files_written(publish),
            *_publish_twice(p.get("publish_twice")),
            *_finalise(p.get("finalise")),
        ]
    )


def _publish_alone(alone: dict | None, publish: dict, vanilla: dict) -> list[str]:
    """The same publication built by ``python -m portal build --no-builder``, in a process of
    its own (start-up, imports, reading the kept state, a Pelican process): the comparison."""
    if not alone:
        return []
    rows = [[f"build: {name}", _s(seconds)] for name, seconds in alone["build"]["phases"].items()
            if seconds > 0.0005]  # fmt: skip
    rows.append(["**publish call → live**", f"**{_s(alone['live_seconds'])}**"])
    return [
        f"The same with a build in a process of its own (`python -m portal build --no-builder`, "
        f"as without the builder): live after **{_s(alone['live_seconds'])}**, "
        f"{alone['live_seconds'] / publish['live_seconds']:.1f}x the builder's. Vanilla "
        f"Pelican's full build over the builder's publish-to-live: "
        f"**{vanilla['seconds'] / publish['live_seconds']:.0f}x** (goal ≥ 100x).",
        _table(["step", "time"], rows),
    ]


def _written_counts(result: dict) -> str:
    """Sources and site files of the new live build that are not the previous build's (not
    hard links of them), counted by top directory."""
    parts = []
    for name, label in (("sources_written", "exported sources"), ("files_written", "site files")):
        written = result[name]
        tops = ", ".join(f"`{top}/` {n}" for top, n in sorted(written["by_top"].items()))
        parts.append(f"{label}: **{written['count']:,}** of {written['of']:,} ({tops})")
    return "; ".join(parts)


def _files_written(publish: dict) -> list[str]:
    """What that publication wrote."""
    if "files_written" not in publish:
        return []
    return [
        "Written for that publication (new files, not hard links of the previous build's): "
        + _written_counts(publish)
        + ". This count must not grow with the site."
    ]


def _items(count: int) -> str:
    return f"{count} item" if count == 1 else f"{count} items"


def _finalise(finalised: dict | None) -> list[str]:
    """Confirming a notice's results, then an incremental build through the resident builder:
    the time until it is live, and what the build wrote."""
    if not finalised:
        return []
    build = finalised["build"]
    rows = [["finalise_notice() in the CMS", _s(finalised["finalise_seconds"])]]
    rows += [[f"build: {name}", _s(seconds)] for name, seconds in build["phases"].items()
             if seconds > 0.0005]  # fmt: skip
    rows += [
        [
            "build process (start-up, exit)",
            _s(finalised["build_process_seconds"] - build["seconds"]),
        ],
        [
            "**finalise call → page and results listing in the live output**",
            f"**{_s(finalised['live_seconds'])}**",
        ],
        ["finalise call → build finished", _s(finalised["total_seconds"])],
    ]
    sources = finalised["sources_written"]
    named = sources["sample"]
    more = (
        f" (the first {len(named)} of {sources['count']:,})"
        if sources["count"] > len(named)
        else ""
    )
    return [
        f"Finalising a notice: the results of {finalised['notice_number']} "
        f"({_items(finalised['marks'])}; the notice waiting longest, publicity from "
        f"{finalised['publicity_start']}) confirmed with `finalise_notice`, as the admin's "
        f"认定结果 action does, then `python -m portal build`, handed to the resident builder "
        f"({'exit 0' if build.get('status') == 0 else 'FAILED'}), timed until "
        f"`{finalised['page']}` shows its 结果确认日期 and the first page of `results/` lists "
        f"it (polled every 5 ms through the output link: "
        f"{', '.join(k for k, v in finalised['live_parts'].items() if v) or 'none'} seen), and "
        f"until the build process exits.",
        _table(["step", "time"], rows),
        "Written for that finalisation (new files, not hard links of the previous build's): "
        + _written_counts(finalised)
        + ". This count must not grow with the site.",
        f"<details><summary>The exported sources written{more}</summary>\n\n```\n"
        + "\n".join(named)
        + "\n```\n</details>",
    ]


def _publish_twice(twice: dict | None) -> list[str]:
    if not twice:
        return []
    rows = [
        ["first: publish call → live", _s(twice["first_live_seconds"])],
        ["second published, after the first's call", _s(twice["first_second_apart_seconds"])],
        ["**second: publish call → live**", f"**{_s(twice['second_live_seconds'])}**"],
        ["first: build process finished, after its call", _s(twice["first_build_seconds"])],
        ["second: build finished, after its call", _s(twice["second_build_seconds"])],
        ["swaps (first build, second build)", f"{twice['first_swaps']}, {twice['second_swaps']}"],
    ]
    return [
        "Two publications in a row, each built by its own `python -m portal build` (as by the "
        "two task workers): the second notice is published as soon as the first is live, while "
        "the first build writes its search index. The second build waits for the lock; the "
        "first gives way (one swap: its pages, listings and feeds) and the second writes the "
        "search index and open data for both (two swaps).",
        _table(["step", "time"], rows),
    ]


def _weight(w: dict) -> str:
    heaviest = w["heaviest"]
    rows = [[name, f"{p['raw']:,}", f"{p['gzip']:,}"] for name, p in heaviest["parts"].items()]
    rows.append(["**total**", f"{heaviest['raw']:,}", f"**{heaviest['gzip']:,}**"])
    return "\n\n".join(
        [
            f"The heaviest notice page (of all {w['open_pages']} under publicity, which carry the "
            f"objection form and its script, and the 20 others with the most items): "
            f"`{heaviest['page']}`, gzip level {w['gzip_level']} as the portal's nginx serves it.",
            _table(["file", "bytes", "gzipped"], rows),
            f"**{_kb(heaviest['gzip'])}** of the {_kb(w['budget'])} budget: "
            f"**{w['ratio']:.2f}x**. Median page under publicity: {_kb(w['median_open_gzip'])}.",
        ]
    )


def _statistics(st: dict) -> str:
    added = st["pelican_page_seconds"] - st["pelican_empty_seconds"]
    rows = [
        ["figures from the notices' records (portal.statistics)", _s(st["figures_seconds"])],
        ["charts and the page's source (portal.statistics_pages)", _s(st["charts_seconds"])],
        ["**the page's own cost** (goal < 1 s)", f"**{_s(st['page_seconds'])}**"],
        ["Pelican rendering the page alone (process start included)",
         _s(st["pelican_page_seconds"])],
        ["Pelican with nothing to render", _s(st["pelican_empty_seconds"])],
    ]  # fmt: skip
    return "\n\n".join(
        [
            f"The statistics page from the records the portal build kept of its "
            f"{st['notices']:,} notices ({st['items']:,} items), best of five; then rendered by "
            f"Pelican in a process of its own.",
            _table(["step", "time"], rows),
            f"What the page adds to a Pelican run: {added * 1000:+.0f} ms. Page "
            f"{_kb(st['html_bytes'])}, {st['rows']} data rows; the home page's chart "
            f"{_kb(st['home_chart_bytes'])}.",
        ]
    )


def _idle(idle: dict) -> str:
    rows = [
        [f"`{mode}` (`db_worker {f['arguments']}`)",
         " / ".join(f"{share:.2%}" for share in f["core_share"]),
         " / ".join(f"{delay:.2f} s" for delay in f["start_delays"])]
        for mode, f in idle.items()
    ]  # fmt: skip
    seconds = next(iter(idle.values()))["seconds"]
    return "\n\n".join(
        [
            f"Two workers per mode, as each mode starts them, over a quiet {seconds} s: their CPU "
            "time (every thread, from `/proc/<pid>/task/*/schedstat`) as a share of one core; "
            "then a task that only notes the time, queued at random moments, and how long each "
            "waited for a worker. Goal: ≤ 1% of a core per worker, a task started within 2 s.",
            _table(["mode", "share of a core (each worker)", "waits before the start"], rows),
        ]
    )


def _load(results: dict, key: str) -> str:
    return " / ".join(f"{value:.2f}" for value in results.get(key) or ())


TRANSACTION_CONTROL = frozenset({"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"})


def _control(write: dict) -> int:
    """Statements that only mark a transaction (savepoints), neither reading nor writing."""
    return sum(
        statement.split(" ", 1)[0].upper() in TRANSACTION_CONTROL
        for statement in write.get("statements") or []
    )


def figures(results: dict) -> str:
    m = results["machine"]
    started = datetime.fromisoformat(results["started"])
    local = started.astimezone(ZoneInfo("Asia/Shanghai"))
    writes = dict(results["writes"])
    q = results["read"]["queries"].get("writes")
    if q:
        writes["queries"] = (
            f"SQL queries per request: objection {q['objection']['queries']}, "
            f"bare {q['bare']['queries']}; of them transaction control (savepoints): "
            f"objection {_control(q['objection'])}, bare {_control(q['bare'])}."
        )
        writes["statements"] = q["objection"].get("statements")
    durability = ", ".join(f"{k}={v}" for k, v in results["durability"].items())
    return "\n\n".join(
        [
            "## Figures",
            f"Measured {local:%Y-%m-%d %H:%M} Asia/Shanghai ({started:%Y-%m-%d %H:%M} UTC) with "
            f"`{results['command']}`; {results['total_seconds'] / 60:.1f} minutes in all "
            f"({results['seconds'] / 60:.1f} for the benchmarks themselves). Code at commit "
            f"{m['commit']}.",
            _table(
                ["machine", ""],
                [
                    ["cores (nproc)", m["nproc"]],
                    ["memory", f"{m['memory_gib']} GiB"],
                    ["CPU", m["cpu"]],
                    ["kernel", m["kernel"]],
                    ["Python", m["python"]],
                    ["PostgreSQL", f"{results['postgres']} ({durability}), on the same machine"],
                    ["wrk", m["wrk"]],
                    [
                        "load average (1, 5, 15 min)",
                        f"{_load(results, 'load_before')} at the start, "
                        f"{_load(results, 'load_after')} at the end (nothing else was stopped)",
                    ],
                ],
            ),
            "The summary lines:",
            "```\n" + "\n".join(results["lines"]) + "\n```",
            "### 1. Generating 10,000 notices",
            _data(results["data"]),
            "### 2. Objection API writes",
            _writes(writes),
            "### 3. Portal build",
            _portal(results["portal"]),
            "### 4. Read API export",
            _read(results["read"]),
            "### 5. Page weight",
            _weight(results["weight"]),
            *(
                ["### 6. Statistics page", _statistics(results["statistics"])]
                if results.get("statistics")
                else []
            ),
            *(["### 7. Idle task workers", _idle(results["idle"])] if results.get("idle") else []),
            *(
                ["### 8. The admin at scale", admin_section(results["admin"])]
                if results.get("admin")
                else []
            ),
        ]
    )


def write(path: Path, results: dict) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else SKELETON
    if BEGIN not in text or END not in text:
        text = text.rstrip("\n") + f"\n\n{BEGIN}\n{END}\n"
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.S)
    block = f"{BEGIN}\n{figures(results)}\n{END}"
    path.write_text(pattern.sub(lambda _: block, text, count=1), encoding="utf-8")
