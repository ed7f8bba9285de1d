"""The feeds (RSS 2.0 and Atom, by feedgen) of the demo site built from a live CMS, checked with
feedparser and against the elements each format requires; and their dating rules on made-up data.

The site is conftest's ``site``: built once per session, shared with test_notices.py.
"""

import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup

from portal import feeds
from portal.build import SITE_DIR
from portal.dates import add_notice_dates, date_zh, notice_dates
from portal.feeds import FEEDS
from portal.opendata import read_pelican_settings
from portal.sitewide import NOTICE_TEMPLATE, Site, absolute_base
from portal.sources import load_sources
from portal.urls import item_segments, notice_url

uses_site = pytest.mark.django_db(transaction=True, serialized_rollback=True)
ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture(scope="module")
def base_url() -> str:
    return absolute_base(read_pelican_settings(SITE_DIR / "pelicanconf.py"))


def _parsed(site, path: str):
    parsed = feedparser.parse((site.output / path).read_bytes())
    assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
    return parsed


def _notice_url(notice: dict) -> str:
    return notice_url(notice["meta"]["slug"], notice["id"])


def _items(site, decision: str) -> list[tuple[dict, dict, str]]:
    """(notice, item, item page) for every item with that decision, from the read API."""
    found = []
    for notice in site.notices:
        segments = item_segments(i["project_code"] for i in notice["public_items"])
        for item, segment in zip(notice["public_items"], segments, strict=True):
            if item["decision"] == decision:
                found.append((notice, item, f"{_notice_url(notice)}{segment}/"))
    return found


# --- every feed ---------------------------------------------------------------------------------


@uses_site
def test_every_feed_parses_cleanly_in_both_formats(site, base_url):
    for spec in FEEDS:
        atom = _parsed(site, spec.atom_path)
        rss = _parsed(site, spec.rss_path)
        assert atom.version == "atom10" and rss.version == "rss20", spec.slug
        assert atom.feed.language == "zh-CN" and rss.feed.language == "zh-CN"
        assert atom.feed.title == rss.feed.title and spec.title in atom.feed.title
        assert [e.id for e in atom.entries] == [e.id for e in rss.entries]
        assert atom.feed.link == rss.feed.link == base_url + spec.page
        for entry in atom.entries:
            assert entry.link.startswith(base_url), entry.link
            assert entry.id.startswith(f"tag:{Site(base_url, '', '').host},")
        assert len({e.id for e in atom.entries}) == len(atom.entries), spec.slug


@uses_site
def test_rss_has_what_rss_2_requires(site, base_url):
    for spec in FEEDS:
        root = ET.fromstring((site.output / spec.rss_path).read_bytes())  # noqa: S314 - our own output
        assert root.tag == "rss" and root.get("version") == "2.0"
        [channel] = root.findall("channel")
        for name in ("title", "link", "description", "language", "lastBuildDate"):
            assert (channel.findtext(name) or "").strip(), (spec.slug, name)
        self_link = channel.find(f"{ATOM}link")
        assert self_link.get("rel") == "self"
        assert self_link.get("href") == base_url + spec.rss_path
        for item in channel.findall("item"):
            for name in ("title", "link", "description", "guid", "pubDate"):
                assert (item.findtext(name) or "").strip(), (spec.slug, name)
            assert item.find("guid").get("isPermaLink") == "false"


@uses_site
def test_atom_has_what_atom_requires(site, base_url):
    for spec in FEEDS:
        root = ET.fromstring((site.output / spec.atom_path).read_bytes())  # noqa: S314 - our own output
        assert root.tag == f"{ATOM}feed" and root.get(XML_LANG) == "zh-CN"
        assert root.findtext(f"{ATOM}id") == base_url + spec.atom_path
        for name in ("title", "updated"):
            assert (root.findtext(f"{ATOM}{name}") or "").strip(), (spec.slug, name)
        assert root.find(f"{ATOM}author/{ATOM}name").text == "浙江省科学技术厅"
        links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
        assert links == {"self": base_url + spec.atom_path, "alternate": base_url + spec.page}
        updated = [datetime.fromisoformat(root.findtext(f"{ATOM}updated"))]
        for entry in root.findall(f"{ATOM}entry"):
            for name in ("id", "title", "updated", "summary", "published"):
                assert (entry.findtext(f"{ATOM}{name}") or "").strip(), (spec.slug, name)
            assert entry.find(f"{ATOM}link").get("href")
            updated.append(datetime.fromisoformat(entry.findtext(f"{ATOM}updated")))
        # The feed's updated is its newest entry's: the data's time, never the build's.
        assert updated[0] == max(updated)


# --- what each feed carries ---------------------------------------------------------------------


@uses_site
def test_notices_feed_has_every_notice_with_its_window_and_state(site, base_url):
    atom = _parsed(site, "feeds/notices.atom.xml")
    by_link = {entry.link: entry for entry in atom.entries}
    assert sorted(by_link) == sorted(base_url + _notice_url(n) for n in site.notices)
    for notice in site.notices:
        entry = by_link[base_url + _notice_url(notice)]
        window = notice["window"]
        dates = f"公示期：{date_zh(window['start_date'])}至{date_zh(window['end_date'])}"
        assert dates in entry.summary, entry.summary
        assert f"状态：{window['state_label']}" in entry.summary
        assert window["state_label"] in entry.title and notice["title"] in entry.title
        if notice["notice_number"]:
            assert notice["notice_number"] in entry.summary
        assert entry.published_parsed <= entry.updated_parsed
    # Newest change first.
    assert [e.updated for e in atom.entries] == sorted((e.updated for e in atom.entries),
                                                      reverse=True)  # fmt: skip
    rss = _parsed(site, "feeds/notices.rss.xml")
    assert sorted(e.link for e in rss.entries) == sorted(by_link)
    assert all("公示期：" in e.summary for e in rss.entries)


@uses_site
def test_rejections_feed_has_exactly_the_rejected_items_linking_to_their_pages(site, base_url):
    rejected = _items(site, "rejected")
    assert len(rejected) >= 3
    for path in ("feeds/rejections.atom.xml", "feeds/rejections.rss.xml"):
        parsed = _parsed(site, path)
        assert sorted(e.link for e in parsed.entries) == sorted(
            base_url + p for _, _, p in rejected
        )
        for entry in parsed.entries:
            page = entry.link.removeprefix(base_url)
            assert (site.output / page / "index.html").is_file(), page
    entries = {e.link: e for e in _parsed(site, "feeds/rejections.atom.xml").entries}
    for notice, item, page in rejected:
        entry = entries[base_url + page]
        assert item["project_code"] in entry.title and "不予认定" in entry.title
        for reason in item["reasons"]:
            assert reason["label"] in entry.summary
        assert notice["window"]["state_label"] in entry.summary
        assert f"{date_zh(notice['window']['start_date'])}至" in entry.summary


@uses_site
def test_exemptions_feed_has_exactly_the_exempted_items(site, base_url):
    exempted = _items(site, "exempted")
    assert exempted
    parsed = _parsed(site, "feeds/exemptions.atom.xml")
    assert len(parsed.entries) == len(exempted)
    titles = sorted(e.title for e in parsed.entries)
    expected = sorted(
        f"予以免责：{i['project_name']}（{i['project_code']}）" for _, i, _ in exempted
    )
    assert titles == expected
    links = {e.link for e in parsed.entries}
    assert links == {base_url + _notice_url(n) for n, _, _ in exempted}
    for entry in parsed.entries:
        assert "适用情形：A" in entry.summary and "公示期：" in entry.summary


@uses_site
def test_policies_feed_has_every_policy_with_its_status(site, base_url):
    parsed = _parsed(site, "feeds/policies.atom.xml")
    # Every policy, and the guidance page (申报指南), listed with the status of its policy.
    assert len(parsed.entries) == len(site.policies) + 1 >= 2
    by_link = {e.link: e for e in parsed.entries}
    for policy in site.policies:
        entry = by_link[f"{base_url}policies/{policy['meta']['slug']}/"]
        assert policy["status_label"] in entry.title
        assert f"状态：{policy['status_label']}" in entry.summary
    guidance = by_link[f"{base_url}guidance/"]
    assert guidance.title == f"申报指南（{site.policies[0]['status_label']}）"


@uses_site
def test_feeds_are_the_same_bytes_from_the_same_sources(site):
    """Written from the exported sources alone: no clock, so a rebuild changes nothing."""
    settings = read_pelican_settings(SITE_DIR / "pelicanconf.py")
    again = Site.from_settings(settings, load_sources(site.content))
    for spec in FEEDS:
        atom, rss = feeds.render_feed(again, spec)
        assert atom == (site.output / spec.atom_path).read_bytes(), spec.slug
        assert rss == (site.output / spec.rss_path).read_bytes(), spec.slug


@uses_site
def test_each_feed_keeps_the_latest_entries_and_reads_no_more_notices_than_it_needs(
    site, monkeypatch
):
    """A feed is a stream of recent changes (the open data keep everything): capped at
    FEED_LIMIT. An incremental build gives the notices one by one, newest first, from its
    records, and gets the same bytes as from every source, reading only the notices it needs."""
    monkeypatch.setattr(feeds, "FEED_LIMIT", 2)
    settings = read_pelican_settings(SITE_DIR / "pelicanconf.py")
    sources = load_sources(site.content)
    whole = Site.from_settings(settings, sources)
    newest = whole.notices
    assert len(newest) > 2
    notices_feed = feeds.entries(whole, "notices")
    assert [e.link for e in notices_feed] == [whole.absolute(n["url"]) for n in newest[:2]]
    rejected = [
        (notice, item)
        for notice in newest
        for item in notice["decision_items"]
        if item["decision"] == "rejected"
    ]
    rejections = feeds.entries(whole, "rejections")
    assert len(rejections) == 2 < len(rejected)
    assert [e.link for e in rejections] == [
        whole.absolute(item["rejection_url"]) for _, item in rejected[:2]
    ]

    read = []

    def reader():
        for notice in newest:
            read.append(notice["id"])
            yield notice

    others = [s for s in sources if s["metadata"].get("template") != NOTICE_TEMPLATE]
    lazy = Site.from_settings(settings, others, notice_reader=reader)
    for spec in FEEDS:
        assert feeds.render_feed(lazy, spec) == feeds.render_feed(whole, spec), spec.slug
    assert len(set(read)) < len(newest)


# --- links to the feeds ---------------------------------------------------------------------------


@uses_site
def test_every_page_links_every_feed_in_its_head(site):
    pages = list(site.output.rglob("*.html"))
    assert len(pages) > 10
    for html in pages:
        head = BeautifulSoup(html.read_text(encoding="utf-8"), "html.parser").head
        found = {
            (link["type"], (html.parent / link["href"]).resolve())
            for link in head.find_all("link", rel="alternate")
        }
        expected = set()
        for spec in FEEDS:
            expected.add(("application/atom+xml", (site.output / spec.atom_path).resolve()))
            expected.add(("application/rss+xml", (site.output / spec.rss_path).resolve()))
        assert found == expected, html
        titles = [link["title"] for link in head.find_all("link", rel="alternate")]
        assert all(title for title in titles)


@uses_site
def test_subscribe_page_explains_and_lists_the_feeds_and_the_calendar(site):
    page = site.output / "subscribe"
    soup = BeautifulSoup((page / "index.html").read_text(encoding="utf-8"), "html.parser")
    text = "".join(soup.get_text().split())
    for words in ("什么是订阅源", "阅读器", "复制", "公示期截止日历", "日历"):
        assert words in text, words
    targets = {(page / a["href"]).resolve() for a in soup.select("main a[href]")}
    for spec in FEEDS:
        assert spec.title in text
        assert (site.output / spec.atom_path).resolve() in targets
        assert (site.output / spec.rss_path).resolve() in targets
    assert (site.output / "data" / "windows.ics").resolve() in targets
    home = BeautifulSoup((site.output / "index.html").read_text(encoding="utf-8"), "html.parser")
    footer = {a.get_text(): a["href"] for a in home.find("footer").find_all("a")}
    assert footer["订阅"] == "./subscribe/" and footer["开放数据"] == "./data/"


# --- dates, on made-up API answers -------------------------------------------------------------


def _api_notice(page_id: int, published: str, **extra) -> dict:
    window = {
        "closes_at": "2026-03-10T00:00:00+08:00",
        "computed_at": "2026-03-05T02:00:00+00:00",
    }
    return {
        "id": page_id,
        "meta": {"first_published_at": published},
        "last_published_at": published,
        "window": {**window, **extra.pop("window", {})},
        **extra,
    }


def test_a_notice_is_updated_when_its_public_state_changes():
    published = "2026-03-02T16:00:00Z"  # 00:00 on 3 March in Asia/Shanghai
    plain = _api_notice(1, published)
    assert notice_dates(plain, {}) == {
        "published_at": "2026-03-03T00:00:00+08:00",
        "updated_at": "2026-03-03T00:00:00+08:00",
    }
    # The window closed (by the CMS's own clock at export): that is when the state changed.
    closed = _api_notice(1, published, window={"computed_at": "2026-03-12T01:00:00+00:00"})
    assert notice_dates(closed, {})["updated_at"] == "2026-03-10T00:00:00+08:00"
    withdrawn = _api_notice(1, published, withdrawal={"withdrawn_at": "2026-03-05T01:30:00Z"})
    assert notice_dates(withdrawn, {})["updated_at"] == "2026-03-05T09:30:00+08:00"
    finalised = _api_notice(
        1, published, finalised_on="2026-03-16", window={"computed_at": "2026-03-20T00:00:00Z"}
    )
    assert notice_dates(finalised, {})["updated_at"] == "2026-03-16T00:00:00+08:00"
    correction = _api_notice(2, "2026-03-07T00:00:00Z")
    corrected = _api_notice(1, published, corrected_by_summary=[{"id": 2}, {"id": 99}])
    dates = notice_dates(corrected, {2: correction})
    assert dates["updated_at"] == "2026-03-07T08:00:00+08:00"


def test_the_exporter_dates_each_notice_source():
    page = _api_notice(7, "2026-03-02T16:00:00Z")
    page["meta"]["slug"] = "n-7"
    sources = {"notices/n-7.json": {"cms": {}}, "other.json": {"cms": {}}}
    add_notice_dates(sources, [page])
    assert sources["notices/n-7.json"]["cms"]["dates"]["published_at"].startswith("2026-03-03")
    assert "dates" not in sources["other.json"]["cms"]


def test_links_are_absolute_on_siteurl_when_set_else_on_portal_base_url():
    published = {"SITEURL": "https://portal.example.org/", "PORTAL_BASE_URL": "http://x"}
    assert absolute_base(published) == "https://portal.example.org/"
    local = {"SITEURL": "", "PORTAL_BASE_URL": "http://127.0.0.1:8001"}
    assert absolute_base(local) == "http://127.0.0.1:8001/"
    site = Site("https://portal.example.org/", "站", "厅")
    assert site.absolute("notices/a/") == "https://portal.example.org/notices/a/"
    assert (
        site.tag("2026-03-03T00:00:00+08:00", "page-1")
        == "tag:portal.example.org,2026-03-03:page-1"
    )


def test_an_empty_site_still_writes_valid_feeds(tmp_path: Path):
    site = Site("https://portal.example.org/", "站", "浙江省科学技术厅")
    for spec in FEEDS:
        atom, rss = feeds.render_feed(site, spec)
        for document in (atom, rss):
            parsed = feedparser.parse(document)
            assert parsed.bozo == 0 and parsed.entries == []


@pytest.mark.parametrize(
    "url",
    ["", "notices/", "notices/x/r-1/index.html", "policies/p/#clause-a1", "#top", "?q=a",
     "feeds/notices.atom.xml", "/rooted/", "./here/", "../up/", "a/./b/", "a/../b/",
     "mailto:someone@example.invalid", "https://other.example/x", "//other.example/x",
     "a:b/c", "path/with:colon/"],
)  # fmt: skip
@pytest.mark.parametrize("base", ["https://portal.example/", "https://portal.example/kj/"])
def test_an_address_is_resolved_as_urljoin_resolves_it(base, url):
    from urllib.parse import urljoin

    site = Site(base_url=base, name="", publisher="", sources=[])
    assert site.absolute(url) == urljoin(base, url)
