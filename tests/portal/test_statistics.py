"""统计: the figures from a small hand-made set of notices (exact numbers, months across a year
boundary in Asia/Shanghai, medians), the page and the home page's chart as Pelican renders them,
the data files, and the page rendered again only when its figures change. No CMS, no database."""

import csv
import dataclasses
import io
import json
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from portal import render
from portal.build import SITE_DIR, THEME_DIR
from portal.charts import Chart, draw
from portal.export import home_source, write_sources
from portal.notice_store import notice_record
from portal.notices import notice_data
from portal.opendata import statistics_csv, statistics_files, statistics_json
from portal.render import run_pelican_command
from portal.sitewide import Site
from portal.sources import source_bytes
from portal.statistics import (
    DATA_COLUMN_NAMES,
    ItemFacts,
    NoticeFacts,
    compute,
    data_rows,
    median,
    months_between,
    notice_facts,
)
from portal.statistics_pages import collect, statistics_source
from portal.urls import STATISTICS_CSV, STATISTICS_JSON, STATISTICS_URL

from .test_notice_export import _item, _page

ROOT = Path(__file__).resolve().parents[2]
PROGRAMMES = {
    "key_rd": "省重点研发计划",
    "basic_public_welfare": "省基础公益研究专项",
    "soft_science": "省软科学研究计划",
}
CLAUSES = {
    "A1": ("不可抗拒因素或现有条件难以克服的技术", "s2-2-1"),
    "A2": ("技术路线选择失误", "s2-2-2"),
    "A4": ("市场变化致产业化应用无意义", "s2-2-4"),
    "X3": ("存在违规行为或科研失信行为", "s2-3-3"),
    "out_of_scope": ("不属于适用范围", "s2-1"),
    "diligence_not_shown": ("未能证明履行勤勉尽责义务", "s3-3"),
}


def _facts(start, end, state, items, **extra) -> NoticeFacts:
    programmes = {item.programme: PROGRAMMES[item.programme] for item in items}
    codes = {code for item in items for code in (*item.grounds, *item.reasons)}
    return NoticeFacts(start, end, state, tuple(items), programmes=programmes,
                       clauses={code: CLAUSES[code] for code in codes}, **extra)  # fmt: skip


def _exempted(programme, *grounds):
    return ItemFacts(programme, "exempted", grounds)


def _rejected(programme, *reasons):
    return ItemFacts(programme, "rejected", (), reasons)


def notices() -> list[NoticeFacts]:
    """Six notices around the turn of 2025 to 2026 (dates are Asia/Shanghai days)."""
    return [
        # Started 29 December: its items count in December; finalised 2 days after its last day.
        _facts("2025-12-29", "2026-01-04", "finalised",
               [_exempted("key_rd", "A1"), _rejected("key_rd", "X3", "diligence_not_shown")],
               finalised_on="2026-01-06", objections_received=2, objections_upheld=1),
        _facts("2025-12-24", "2025-12-30", "finalised", [_rejected("soft_science", "out_of_scope")],
               finalised_on="2026-01-08"),  # 9 days
        # Corrected: its items count through its correction; its objection still counts.
        _facts("2026-01-10", "2026-01-16", "corrected", [_exempted("key_rd", "A2")],
               objections_received=1, objections_upheld=1),
        _facts("2026-01-21", "2026-01-27", "finalised", [_exempted("key_rd", "A4")],
               finalised_on="2026-02-01", is_correction=True),  # 5 days
        # Withdrawn on 1 January in Beijing (31 December in UTC): counted as a withdrawal only.
        _facts("2025-12-31", "2026-01-06", "withdrawn", [_exempted("key_rd", "A1")],
               withdrawn_on="2026-01-01"),
        # Nothing in February: the month is there, at 0.
        _facts("2026-03-02", "2026-03-08", "closed",
               [_exempted("basic_public_welfare", "A2", "A1")]),
    ]  # fmt: skip


def _table(table) -> list[tuple]:
    return [(row.key, *row.values) for row in table.rows] + [("total", *table.total.values)]


# --- the figures --------------------------------------------------------------------------------


def test_decisions_by_month_count_the_items_in_force_with_empty_months_at_zero():
    figures = compute(notices())
    assert [c.key for c in figures.decisions.columns] == ["exempted", "rejected"]
    assert _table(figures.decisions) == [
        ("2025-12", 1, 2),
        ("2026-01", 1, 0),
        ("2026-02", 0, 0),
        ("2026-03", 1, 0),
        ("total", 3, 2),
    ]
    assert [row.label for row in figures.decisions.rows][:2] == ["2025年12月", "2026年1月"]


def test_grounds_and_reasons_by_programme_in_the_policys_order():
    figures = compute(notices())
    grounds = figures.grounds
    # Two citations each: the tie is broken by the programme's code.
    assert [c.key for c in grounds.columns] == ["basic_public_welfare", "key_rd", "total"]
    assert [c.label for c in grounds.columns] == ["省基础公益研究专项", "省重点研发计划", "合计"]
    assert _table(grounds) == [
        ("A1", 1, 1, 2),
        ("A2", 1, 0, 1),
        ("A4", 0, 1, 1),
        ("total", 2, 2, 4),
    ]
    assert grounds.rows[0].label == "A1 不可抗拒因素或现有条件难以克服的技术"
    reasons = figures.reasons
    assert [c.key for c in reasons.columns] == ["key_rd", "soft_science", "total"]
    # Out of scope (二（一）), X3 (二（三）3), diligence (三（三)): the policy's order.
    assert _table(reasons) == [
        ("out_of_scope", 0, 1, 1),
        ("X3", 1, 0, 1),
        ("diligence_not_shown", 1, 0, 1),
        ("total", 2, 1, 3),
    ]
    assert [row.label for row in reasons.rows] == [
        "不属于适用范围", "X3 存在违规行为或科研失信行为", "未能证明履行勤勉尽责义务",
    ]  # fmt: skip


def test_objections_corrections_and_withdrawals_by_month():
    figures = compute(notices())
    assert _table(figures.objections) == [("2025-12", 2, 1), ("2026-01", 1, 1), ("total", 3, 2)]
    assert _table(figures.changes) == [("2026-01", 1, 1), ("total", 1, 1)]


def test_median_days_from_the_windows_close_to_finalisation_by_month():
    figures = compute(notices())
    # January: 2 and 9 days (median 5.5); February: 5; all three: 5.
    assert _table(figures.finalisation) == [("2026-01", 2, 5.5), ("2026-02", 1, 5), ("total", 3, 5)]
    assert median([]) is None and median([4, 1, 3]) == 3 and median([1, 2]) == 1.5
    assert isinstance(median([2, 4]), int)


def test_months_run_across_the_year_boundary():
    assert months_between("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert months_between("2026-03", "2026-03") == ["2026-03"]


def test_no_notices_no_rows():
    figures = compute([])
    assert all(table.empty for table in figures.tables)
    assert figures.finalisation.total.values == (0, None)
    assert data_rows(figures) == []


def test_a_notices_facts_from_the_api_withdrawal_day_in_beijing_time():
    page = _page(
        7,
        state="withdrawn",
        items=[_item("P-1"), _item("P-2", decision="exempted")],
        withdrawal={"withdrawn_at": "2025-12-31T16:30:00+00:00", "reason": "撤回"},
        objection_counts={"received": 3, "upheld": 1},
    )
    facts = notice_facts(page)
    assert facts.withdrawn_on == "2026-01-01"
    assert (facts.start_date, facts.end_date, facts.state) == (
        "2026-03-03",
        "2026-03-09",
        "withdrawn",
    )
    assert facts.items == (
        ItemFacts("key_rd", "rejected", (), ("X3",)),
        ItemFacts("key_rd", "exempted", ("A1",), ()),
    )
    assert (facts.objections_received, facts.objections_upheld) == (3, 1)
    assert facts.programmes == {"key_rd": "省重点研发计划"}
    assert facts.clauses["A1"] == ("存在违规行为或科研失信行为", "s2-2-1")  # as the API labels it
    # Kept between builds as plain JSON, and read back the same.
    assert NoticeFacts.from_record(json.loads(json.dumps(facts.as_record()))) == facts
    # A notice from a CMS without the counts: none.
    del page["objection_counts"]
    assert notice_facts(page).objections_received == 0


# --- the charts -------------------------------------------------------------------------------


def test_a_chart_is_an_accessible_svg_without_script_style_or_other_hosts():
    table = compute(notices()).decisions
    svg = draw(Chart("chart-x", "每月认定事项", "十二月最多。", "stacked"), table)
    assert svg == draw(Chart("chart-x", "每月认定事项", "十二月最多。", "stacked"), table)
    soup = BeautifulSoup(svg, "html.parser")
    root = soup.find("svg")
    assert root["role"] == "img" and root["id"] == "chart-x"
    assert root["aria-labelledby"] == "chart-x-title" and root["aria-describedby"] == "chart-x-desc"
    assert [t.get("id") for t in soup.find_all("title")] == ["chart-x-title"]
    assert soup.find("title").get_text() == "每月认定事项"
    assert [d.get_text() for d in soup.find_all("desc")] == ["十二月最多。"]
    assert not soup.find_all(["script", "style"]) and "<!--" not in svg
    assert "http" not in svg and "pygal" not in svg.lower()
    ids = [tag["id"] for tag in soup.find_all(id=True)]
    assert len(ids) == len(set(ids)) and all(i.startswith("chart-x") for i in ids)
    # Two series, two patterns; each bar and legend swatch filled with its series' pattern.
    assert [p["id"] for p in soup.find_all("pattern")] == ["chart-x-p0", "chart-x-p1"]
    fills = {rect["fill"] for rect in soup.select("g.series rect")}
    assert fills == {"url(#chart-x-p0)", "url(#chart-x-p1)"}
    legend = [text.get_text() for text in soup.select("g.legends text")]
    assert legend == ["予以免责", "不予认定"]
    # The values are written on the bars (zeros left out).
    values = sorted(text.get_text() for text in soup.select("text.value"))
    assert values == ["1", "1", "1", "2"]


def test_text_from_the_api_is_escaped_in_a_chart():
    hostile = '<script>alert("x")</script>'
    facts = _facts("2026-01-05", "2026-01-11", "closed", [_exempted("key_rd", "A1")])
    facts = dataclasses.replace(facts, programmes={"key_rd": hostile})
    table = compute([facts]).grounds
    svg = draw(Chart("chart-g", hostile, hostile, "horizontal"), table)
    assert "<script>" not in svg and "&lt;script&gt;" in svg


# --- the page, the home page, the data files --------------------------------------------------


def _records(facts: list[NoticeFacts], title: str = "公告") -> list[dict]:
    """Notice records as the exporter keeps them, each with its facts (all that counts here)."""
    records = []
    for number, fact in enumerate(facts, start=1):
        page = _page(number, slug=f"n-{number}", title=f"{title}{number}")
        notice = notice_data(page, {number})
        records.append(notice_record(notice, [f"notices/n-{number}.json"], fact))
    return records


HOME = {"title": "首页", "meta": {"first_published_at": None}, "introduction": "导语"}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    """The statistics page and the home page, rendered by Pelican with the site's theme."""
    base = tmp_path_factory.mktemp("statistics")
    exported = collect(_records(notices()), None)
    sources = {**exported.sources, "home.json": home_source(HOME, [], [], exported.home)}
    content = base / "content"
    shutil.copytree(ROOT / "content" / "pages", content / "pages")
    write_sources(sources, content)
    output = base / "out"
    run_pelican_command(SITE_DIR / "pelicanconf.py", THEME_DIR, ROOT)(content, output)
    return {"output": output, "sources": sources, "exported": exported}


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_the_page_shows_every_figure_as_a_chart_and_a_table_that_match(built):
    soup = _soup(built["output"] / STATISTICS_URL / "index.html")
    figures = compute(notices())
    sections = soup.select("section.stat-figure")
    assert len(sections) == len(figures.tables)
    for section, table in zip(sections, figures.tables, strict=True):
        assert section.h2.get_text(strip=True) == table.title
        html_table = section.find("table")
        assert html_table.caption.get_text(strip=True).startswith(table.title)
        head = [th.get_text(strip=True) for th in html_table.thead.find_all("th")]
        assert head[0] == table.row_heading and len(head) == len(table.columns) + 1
        assert all(th["scope"] == "col" for th in html_table.thead.find_all("th"))
        shown = [
            [tr.th.get_text(strip=True), *[td.get_text(strip=True) for td in tr.find_all("td")]]
            for tr in html_table.select("tbody tr, tfoot tr")
        ]
        expected = [
            [row.label, *["无" if v is None else f"{v:g}" for v in row.values]]
            for row in (*table.rows, table.total)
        ]
        assert shown == expected, table.key
        assert all(th["scope"] == "row" for th in html_table.select("tbody th, tfoot th"))
        region = html_table.find_parent("div", class_="table-scroll")
        assert region["role"] == "region" and region["tabindex"] == "0"
        assert region["aria-labelledby"] == html_table.caption["id"]
        svg = section.find("svg")
        assert svg["role"] == "img"
        assert svg.find("title", id=svg["aria-labelledby"]).get_text() == (
            html_table.caption.get_text(strip=True)
        )
        desc = svg.find("desc", id=svg["aria-describedby"]).get_text()
        assert desc.startswith(table.title) and "表格" in desc
    # Every number is on the page as text; the charts carry no script, the page none of its own.
    scripts = [script.get("src", "") for script in soup.find_all("script")]
    assert scripts == ["../theme/js/a11y.js"]  # the display-mode switch every page has
    assert not soup.select("svg script, svg style")
    assert "5.5" in soup.find("section", attrs={"aria-labelledby": "stat-finalisation-h"}).text
    summary = {
        div.dt.get_text(strip=True): div.dd.get_text(strip=True)
        for div in soup.select(".stat-totals div")
    }
    assert summary["认定事项"] == "5项" and summary["异议成立"] == "2件"
    assert summary["确认用时中位数"] == "5天"
    nav = soup.find("nav", attrs={"aria-label": "主导航"})
    assert nav.find("a", attrs={"aria-current": "page"}).get_text() == "统计"


def test_the_home_page_shows_the_last_months_and_links_to_the_page(built):
    soup = _soup(built["output"] / "index.html")
    section = soup.find("section", class_="home-chart")
    svg = section.find("svg")
    assert svg["role"] == "img"
    title = svg.find("title", id=svg["aria-labelledby"]).get_text()
    assert title == "近12个月认定事项（2025年12月至2026年3月）"
    assert section.find(class_="stat-caption").get_text() == title  # shown, not only named
    # No table beside it: the description gives every month's numbers.
    desc = svg.find("desc", id=svg["aria-describedby"]).get_text()
    assert "2025年12月：予以免责1项，不予认定2项" in desc and "2026年2月：予以免责0项" in desc
    link = section.find("a", href=True)
    assert link["href"] == "./statistics/" or link["href"].endswith("statistics/")
    assert (built["output"] / "statistics" / "index.html").is_file()
    nav = {a.get_text(): a["href"] for a in soup.select("nav[aria-label='主导航'] a")}
    assert nav["统计"].endswith("statistics/")


def test_the_home_chart_shows_twelve_months_at_most():
    facts = [
        _facts(f"{2025 + (m - 1) // 12}-{(m - 1) % 12 + 1:02d}-10", "2026-01-01", "closed",
               [_exempted("key_rd", "A1")])
        for m in range(1, 16)
    ]  # fmt: skip
    home = collect(_records(facts), None).home
    soup = BeautifulSoup(home["chart"], "html.parser")
    assert home["months"] == 12
    assert soup.find("title").get_text() == "近12个月认定事项（2025年4月至2026年3月）"
    assert collect([], None).home == {"url": STATISTICS_URL, "chart": "", "caption": "",
                                      "months": 0}  # fmt: skip


def test_the_data_files_say_what_the_page_says(built):
    site = Site("https://example.invalid/", "平台", "省科技厅", list(built["sources"].values()))
    files = dict(statistics_files(site))
    assert set(files) == {STATISTICS_JSON, STATISTICS_CSV}
    document = json.loads(files[STATISTICS_JSON])
    assert document["source"] == "https://example.invalid/statistics/"
    assert [c["name"] for c in document["columns"]] == list(DATA_COLUMN_NAMES)
    raw = files[STATISTICS_CSV]
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""))
    assert tuple(reader.fieldnames) == DATA_COLUMN_NAMES
    rows = list(reader)
    assert len(rows) == document["count"] == len(document["rows"])
    for row, expected in zip(rows, document["rows"], strict=True):
        value = expected["value"]
        assert row == {**expected, "value": "" if value is None else str(value)}
    wanted = {
        ("decisions", "2025-12", "rejected"): 2,
        ("decisions", "total", "exempted"): 3,
        ("grounds", "A1", "total"): 2,
        ("reasons", "out_of_scope", "soft_science"): 1,
        ("objections", "2026-01", "upheld"): 1,
        ("changes", "2026-01", "withdrawals"): 1,
        ("finalisation", "2026-01", "median_days"): 5.5,
        ("finalisation", "total", "median_days"): 5,
    }
    found = {(r["figure"], r["category"], r["measure"]): r["value"] for r in document["rows"]}
    for key, value in wanted.items():
        assert found[key] == value, key


def test_the_data_files_are_the_same_bytes_from_a_source_in_memory_or_on_disk(built):
    """A full build writes them from the sources it holds, an incremental one from the files
    (whose keys are sorted): both give the same bytes."""
    in_memory = list(built["sources"].values())
    on_disk = [json.loads(source_bytes(source)) for source in in_memory]
    sites = [Site("https://example.invalid/", "平台", "省科技厅", s) for s in (in_memory, on_disk)]
    assert statistics_files(sites[0]) == statistics_files(sites[1])


def test_a_label_a_spreadsheet_would_run_is_neutralised_in_the_csv_only():
    rows = [{"figure": "grounds", "figure_label": "适用情形", "category": "A1",
             "category_label": "A1", "measure": "key_rd", "measure_label": "=HYPERLINK(1)",
             "value": 3}]  # fmt: skip
    text = statistics_csv(rows).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text
    site = Site("https://example.invalid/", "平台", "省科技厅")
    assert json.loads(statistics_json(site, {"figures": [], "rows": rows}))["rows"] == rows


# --- rendered again only when the figures change ----------------------------------------------


def test_the_page_is_rendered_again_only_when_its_figures_change(tmp_path):
    """The page's source is its figures: other changes to the notices (a title, a token) leave
    its bytes, so an incremental build's plan leaves it out; a new decision puts it in."""
    content = tmp_path / "content"
    (content / "pages").mkdir(parents=True)

    def export(records) -> list[str]:
        sources = {**collect(records, None).sources}
        written = write_sources(sources, content)
        return written.written

    def manifest():
        return render.scan(content, "fingerprint")

    assert export(_records(notices())) == ["statistics.json"]
    before = manifest()
    # The notices change (titles, tokens, order), their figures do not.
    assert export(list(reversed(_records(notices(), title="更名")))) == []
    assert render.plan(before, manifest()).render == []
    # One more decision: the page's source changes, and it is rendered again.
    more = [*notices(), _facts("2026-03-09", "2026-03-15", "under_publicity",
                               [_rejected("key_rd", "X3")])]  # fmt: skip
    assert export(_records(more)) == ["statistics.json"]
    assert render.plan(before, manifest()).render == ["generated/statistics.json"]


def test_the_source_holds_no_build_time_and_is_the_same_for_the_same_figures():
    first = statistics_source(compute(notices()), "1970-01-01T00:00:00+00:00")
    again = statistics_source(compute(list(reversed(notices()))), "1970-01-01T00:00:00+00:00")
    assert json.dumps(first, sort_keys=True) == json.dumps(again, sort_keys=True)
    assert first["metadata"]["save_as"] == "statistics/index.html"
    assert first["cms"]["data"]["rows"] == data_rows(compute(notices()))


def test_the_data_page_lists_the_statistics_files_and_documents_their_columns(built):
    soup = _soup(built["output"] / "data" / "index.html")
    links = {a["href"].split("/")[-1] for a in soup.select("main a[href]")}
    assert {"statistics.csv", "statistics.json"} <= links
    table = soup.find("table", class_="statistics-columns")
    names = [row.th.get_text(strip=True) for row in table.tbody.find_all("tr")]
    assert names == list(DATA_COLUMN_NAMES)


def test_a_chart_of_many_series_or_months_keeps_its_legend_inside_and_its_bars_unlabelled():
    programmes = ("key_rd", "basic_public_welfare", "soft_science", "other", "fund")
    labels = {p: f"省{p}计划" for p in programmes}
    facts = [
        NoticeFacts(f"{2024 + m // 12}-{m % 12 + 1:02d}-05", "2026-01-01", "closed",
                    tuple(_exempted(p, "A1") for p in programmes),
                    programmes=labels, clauses={"A1": CLAUSES["A1"]})
        for m in range(20)
    ]  # fmt: skip
    figures = compute(facts)
    for table, kind in ((figures.grounds, "horizontal"), (figures.decisions, "stacked")):
        soup = BeautifulSoup(draw(Chart("chart-m", "t", "d", kind), table), "html.parser")
        height = float(soup.svg["viewbox"].split()[3])
        legends = soup.select_one("g.legends")
        top = float(legends["transform"].split(",")[1].rstrip(")"))
        bottoms = [top + float(text["y"]) for text in legends.find_all("text")]
        assert bottoms and max(bottoms) <= height, (kind, bottoms, height)
        assert not soup.select("text.value")  # too many bars to write on: the table has them
    assert len(soup.select("g.legends text")) == 2


def test_the_builder_reuses_the_facts_it_read_ahead_and_reads_the_changed_ones(monkeypatch):
    """In the resident builder (portal.warm) a build's figures start from the facts the builder
    read from the notices' state it holds; a notice whose record changed is read again."""
    from portal import statistics_pages, warm

    monkeypatch.setattr(warm, "_enabled", True)
    monkeypatch.setattr(statistics_pages, "_held_facts", {})
    one = _facts("2026-01-05", "2026-01-11", "closed", [_exempted("key_rd", "A1")])
    two = _facts("2026-02-05", "2026-02-11", "finalised", [_rejected("key_rd", "X3")])
    records = [{"id": 1, "facts": one.as_record()}, {"id": 2, "facts": two.as_record()}]
    statistics_pages.hold_facts(records)
    held = statistics_pages.facts_of(records)
    assert held == [one, two]
    changed = _facts("2026-02-05", "2026-02-11", "withdrawn", [_rejected("key_rd", "X3")])
    records[1] = {"id": 2, "facts": changed.as_record()}
    again = statistics_pages.facts_of(records)
    assert again[0] is held[0]  # read ahead, not again
    assert again[1] == changed != two
    assert compute(again) == compute([one, changed])


def test_the_builder_draws_the_charts_ahead_and_a_build_redraws_only_changed_figures(monkeypatch):
    """The builder draws the figures of the state it holds; a build then draws again only the
    charts whose tables its changes touched, and each chart is what drawing it afresh gives."""
    from portal import charts, statistics_pages, warm

    monkeypatch.setattr(warm, "_enabled", True)
    monkeypatch.setattr(statistics_pages, "_held_facts", {})
    monkeypatch.setattr(charts, "_drawn", {})
    drawn: list[str] = []
    real_draw = charts._draw

    def counting(chart, table):
        drawn.append(chart.id)
        return real_draw(chart, table)

    monkeypatch.setattr(charts, "_draw", counting)
    records = [{"id": n, "facts": facts.as_record()} for n, facts in enumerate(notices())]
    statistics_pages.hold_facts(records)
    ahead = sorted(drawn)
    assert "chart-home-decisions" in ahead and "chart-grounds" in ahead
    drawn.clear()
    same = statistics_pages.collect(records, None)
    assert drawn == []  # nothing changed: every chart as drawn ahead
    statistics_pages.hold_facts(records)
    assert drawn == []  # the same state held again: nothing worked out again
    # An objection upheld on one notice: only the objections chart changes.
    changed = dataclasses.replace(notices()[2], objections_received=2)
    records[2] = {"id": 2, "facts": changed.as_record()}
    after = statistics_pages.collect(records, None)
    assert drawn == ["chart-objections"]
    monkeypatch.setattr(charts, "_drawn", {})
    fresh = statistics_pages.collect(records, None)
    assert fresh == after != same
