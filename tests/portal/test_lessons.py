"""The failure-lessons library on the portal: the sources made from made-up API answers, then the
demo site (conftest's ``site``, built once per session from a live CMS): the listing and its
filter pages, each report's page, the feed, and search finding a word from a report's body."""

import json

import feedparser
import pytest
from bs4 import BeautifulSoup

from portal import feeds
from portal.feeds import FEEDS
from portal.lessons import (
    LESSONS_URL,
    LessonDataError,
    feed_entries,
    lesson_sources,
    lesson_url,
)
from portal.sitewide import Site, absolute_base
from portal.urls import notice_url

from .browser import PAGEFIND_QUERY, in_browser_thread, require_pagefind

uses_site = pytest.mark.django_db(transaction=True, serialized_rollback=True)
# A two-character word from the middle of a demo report's failure analysis (…改造后的菌株在…),
# found nowhere else on the site.
BODY_WORD = "菌株"
FERMENTATION = "demo-fermentation-pathway"


def _api_lesson(page_id: int, slug: str, published: str, **fields) -> dict:
    values = {
        "id": page_id,
        "title": f"报告{page_id}",
        "meta": {"slug": slug, "first_published_at": published},
        "last_published_at": published,
        "field_of_study": "材料科学",
        "programme": "key_rd",
        "programme_label": "省重点研发计划",
        "start_year": 2021,
        "end_year": 2024,
        "summary": "摘要。",
        "approach": "尝试一。\n尝试二。",
        "failure_analysis": "原因。",
        "lessons": "启示。",
        "scientific_value": "评估。",
        "related_notice_summary": None,
    }
    return {**values, **fields}


INDEX = {"title": "失败经验总结", "introduction": "导语。", "meta": {"first_published_at": None}}


# --- sources, on made-up API answers --------------------------------------------------------


def test_report_addresses_are_plain_and_never_a_listing_path():
    assert lesson_url("battery-interface", 7) == "lessons/battery-interface/"
    assert lesson_url("field", 7) == "lessons/field-7/"
    assert lesson_url("Battery Interface", 7) == "lessons/battery-interface-7/"
    assert lesson_url("电池", 7) == "lessons/lesson-7/"


def test_listing_is_newest_first_and_filter_pages_hold_their_reports():
    pages = [
        _api_lesson(1, "old", "2026-01-01T00:00:00Z"),
        _api_lesson(2, "new", "2026-06-01T00:00:00Z", field_of_study="生物技术"),
        _api_lesson(3, "mid", "2026-03-01T00:00:00Z", programme="natural_science_fund",
                    programme_label="省自然科学基金"),
    ]  # fmt: skip
    sources = lesson_sources(pages, INDEX)
    listings = {
        s["metadata"]["url"]: s
        for s in sources.values()
        if s["metadata"]["template"] == "lesson_list"
    }
    everything = listings[LESSONS_URL]["cms"]
    assert [e["url"] for e in everything["entries"]] == [
        "lessons/new/",
        "lessons/mid/",
        "lessons/old/",
    ]
    fields = {f["label"]: f for f in everything["filters"]["fields"]}
    assert {label: f["count"] for label, f in fields.items()} == {"材料科学": 2, "生物技术": 1}
    programmes = {p["label"]: p for p in everything["filters"]["programmes"]}
    assert programmes["省重点研发计划"]["url"] == "lessons/programme/key_rd/"
    materials = listings[fields["材料科学"]["url"]]["cms"]
    assert [e["url"] for e in materials["entries"]] == ["lessons/mid/", "lessons/old/"]
    assert [f["current"] for f in materials["filters"]["fields"]] == [True, False]
    assert listings[programmes["省自然科学基金"]["url"]]["cms"]["total"] == 1
    # Every listing and page has its own address and Pelican slug.
    urls = [s["metadata"]["url"] for s in sources.values()]
    slugs = [s["metadata"]["slug"] for s in sources.values()]
    assert len(set(urls)) == len(urls) == 3 + 1 + 2 + 2
    assert len(set(slugs)) == len(slugs)


def test_long_listings_are_paged_with_links_both_ways(monkeypatch):
    monkeypatch.setattr("portal.lessons.LISTING_PAGE_SIZE", 2)
    pages = [_api_lesson(i, f"r{i}", f"2026-01-0{i}T00:00:00Z") for i in range(1, 6)]
    sources = lesson_sources(pages, INDEX)
    listings = {
        s["metadata"]["url"]: s
        for s in sources.values()
        if s["metadata"]["template"] == "lesson_list"
    }
    pages_of_all = [
        listings[url]["cms"] for url in ("lessons/", "lessons/page/2/", "lessons/page/3/")
    ]
    assert [[e["url"] for e in p["entries"]] for p in pages_of_all] == [
        ["lessons/r5/", "lessons/r4/"],
        ["lessons/r3/", "lessons/r2/"],
        ["lessons/r1/"],
    ]
    assert pages_of_all[0]["pagination"] == {
        "number": 1,
        "count": 3,
        "previous_url": "",
        "next_url": "lessons/page/2/",
    }
    assert pages_of_all[2]["pagination"]["previous_url"] == "lessons/page/2/"
    assert listings["lessons/page/3/"]["metadata"]["title"] == "失败经验总结（第3页）"
    # Every report has one field and one programme here: their listings are paged alike.
    field = pages_of_all[0]["filters"]["fields"][0]["url"]
    assert f"{field}page/3/" in listings and f"{field}page/4/" not in listings


def test_only_public_fields_go_out_cleaned_and_the_notice_is_a_link():
    page = _api_lesson(
        5,
        "x",
        "2026-01-01T00:00:00Z",
        summary='摘要<script>alert("x")</script><b>加粗</b>',
        project_leader="张三",
        owner={"id": 1},
        related_notice_summary={
            "id": 9,
            "title": "某公告",
            "slug": "demo-1",
            "notice_number": "N1",
        },
    )
    [source] = [
        s for s in lesson_sources([page], INDEX).values() if s["metadata"]["template"] == "lesson"
    ]
    text = json.dumps(source, ensure_ascii=False)
    assert "<" not in source["cms"]["summary"] and "加粗" in source["cms"]["summary"]
    assert "张三" not in text and "owner" not in text
    assert source["cms"]["related_notice"]["url"] == notice_url("demo-1", 9)
    assert [s["heading"] for s in source["cms"]["sections"]] == [
        "技术路线与尝试",
        "失败原因分析",
        "经验与启示",
        "科学价值评估",
    ]
    assert source["cms"]["sections"][0]["paragraphs"] == ["尝试一。", "尝试二。"]
    assert source["cms"]["period_zh"] == "2021年至2024年"


def test_two_reports_at_one_address_are_refused():
    pages = [
        _api_lesson(1, "same", "2026-01-01T00:00:00Z"),
        _api_lesson(2, "same", "2026-01-02T00:00:00Z"),
    ]
    with pytest.raises(LessonDataError):
        lesson_sources(pages, INDEX)


def test_no_section_and_no_reports_writes_nothing():
    assert lesson_sources([], None) == {}
    assert LESSONS_URL in {s["metadata"]["url"] for s in lesson_sources([], INDEX).values()}


def test_the_feed_dates_entries_in_shanghai_time_and_parses():
    sources = list(lesson_sources([_api_lesson(1, "a", "2026-01-01T00:00:00Z")], INDEX).values())
    site = Site("https://portal.example.org/", "站", "浙江省科学技术厅", sources)
    [entry] = feed_entries(site)
    assert entry["published"] == "2026-01-01T08:00:00+08:00"
    assert entry["link"] == "https://portal.example.org/lessons/a/"
    assert entry["id"] == "tag:portal.example.org,2026-01-01:page-1"
    assert "学科领域：材料科学" in entry["summary"]
    spec = next(spec for spec in FEEDS if spec.slug == "lessons")
    for document in feeds.render_feed(site, spec):
        parsed = feedparser.parse(document)
        assert parsed.bozo == 0 and [e.title for e in parsed.entries] == ["报告1"]


# --- the demo site --------------------------------------------------------------------------


def _soup(site, url: str) -> BeautifulSoup:
    return BeautifulSoup(
        (site.output / url / "index.html").read_text(encoding="utf-8"), "html.parser"
    )


def _resolves(site, page_url: str, href: str) -> bool:
    target = (site.output / page_url / href.split("#")[0]).resolve()
    return (target / "index.html").is_file() if target.is_dir() else target.is_file()


@uses_site
def test_the_listing_shows_every_demo_report_newest_first_with_working_filters(site):
    assert len(site.lessons) == 3
    soup = _soup(site, LESSONS_URL)
    titles = [a.get_text() for a in soup.select("main .notice-entry-title a")]
    newest_first = sorted(
        site.lessons, key=lambda p: (p["meta"]["first_published_at"], p["id"]), reverse=True
    )
    assert titles == [p["title"] for p in newest_first]
    filters = soup.find("nav", attrs={"aria-label": "按学科领域和计划类别筛选"})
    links = filters.find_all("a")
    assert len(links) == 1 + 3 + 3  # all, three fields, three programmes
    for link in links:
        assert _resolves(site, LESSONS_URL, link["href"]), link["href"]
    # A programme's page lists just its report.
    [welfare] = [a for a in links if a.get_text().startswith("省基础公益研究专项")]
    page = (
        (site.output / LESSONS_URL / welfare["href"]).resolve().relative_to(site.output.resolve())
    )
    listed = [a.get_text() for a in _soup(site, str(page)).select("main .notice-entry-title a")]
    assert listed == [p["title"] for p in site.lessons if p["programme"] == "basic_public_welfare"]
    footer = {a.get_text(): a["href"] for a in _soup(site, "").find("footer").find_all("a")}
    assert footer["失败经验总结"] == "./lessons/"


@uses_site
def test_each_report_page_has_its_sections_a_link_to_its_notice_and_no_personal_data(site):
    related = [p for p in site.lessons if p["related_notice_summary"]]
    assert len(related) == 1
    for lesson in site.lessons:
        url = lesson_url(lesson["meta"]["slug"], lesson["id"])
        soup = _soup(site, url)
        body = soup.find(attrs={"data-pagefind-body": True})
        assert body.find("h1").get_text() == lesson["title"]
        headings = [h.get_text() for h in body.find_all("h2")]
        assert headings == [
            "技术路线与尝试",
            "失败原因分析",
            "经验与启示",
            "科学价值评估",
            "关于本报告",
        ]
        assert lesson["failure_analysis"].splitlines()[0] in body.get_text()
        for link in soup.select("main a[href]"):
            assert _resolves(site, url, link["href"]), (url, link["href"])
    notice = next(n for n in site.notices if n["id"] == related[0]["related_notice_summary"]["id"])
    url = lesson_url(related[0]["meta"]["slug"], related[0]["id"])
    html = (site.output / url / "index.html").read_text(encoding="utf-8")
    soup = _soup(site, url)
    link = soup.find("a", string=notice["title"])
    assert (site.output / url / link["href"]).resolve() == (
        site.output / notice_url(notice["meta"]["slug"], notice["id"])
    ).resolve()
    # The policy's clause 四（二） is an anchor on the policy page.
    policy = _soup(site, "policies/exemption-policy/")
    assert policy.find(id="s4-2") is not None and "#s4-2" in html
    for item in notice["public_items"]:
        for private in (item["project_leader"], item["undertaking_unit"], item["project_code"]):
            assert private not in html, private


@uses_site
def test_the_lessons_feed_carries_every_report(site):
    base = absolute_base({"PORTAL_BASE_URL": "http://127.0.0.1:8001"})
    expected = sorted(base + lesson_url(p["meta"]["slug"], p["id"]) for p in site.lessons)
    for path in ("feeds/lessons.atom.xml", "feeds/lessons.rss.xml"):
        parsed = feedparser.parse((site.output / path).read_bytes())
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        assert sorted(e.link for e in parsed.entries) == expected
        assert all("学科领域：" in e.summary for e in parsed.entries)
    subscribe = _soup(site, "subscribe/").get_text()
    assert "失败经验总结" in subscribe


# --- search ---------------------------------------------------------------------------------


@uses_site
@in_browser_thread
def test_a_word_from_the_middle_of_a_report_finds_it(site, origin, page):
    require_pagefind()
    [lesson] = [p for p in site.lessons if p["meta"]["slug"] == FERMENTATION]
    text = lesson["failure_analysis"]
    assert BODY_WORD in text and not text.startswith(BODY_WORD) and not text.endswith(BODY_WORD)
    assert BODY_WORD not in lesson["title"]
    page.goto(f"{origin}/search/")
    found = {url.lstrip("/") for url in page.evaluate(PAGEFIND_QUERY, BODY_WORD)}
    assert found == {lesson_url(lesson["meta"]["slug"], lesson["id"])}
