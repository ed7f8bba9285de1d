"""Search on the static portal, with no server: Pagefind's index of the demo notices, built as a
step of the portal build, read back from its files and queried in headless Chromium, through
Pagefind's own JavaScript and through the site's search page, by keyboard.

The demo site is conftest's (``site``: built once per session from a live CMS); it is served on
127.0.0.1 once per module, and one browser serves every test.
Without Chromium (or Playwright) or Pagefind's extended binary the tests are skipped, except in
CI (CI=true), where they fail and say what is missing.
"""

import gzip
import json
import re
from pathlib import Path

import pytest

from portal.search import bundles, shard_count, shard_of
from portal.urls import (
    FAQ_URL,
    GUIDANCE_URL,
    OBJECTIONS_URL,
    SELF_CHECK_URL,
    item_segments,
    lesson_url,
    notice_url,
    policy_url,
)

from .browser import PAGEFIND_QUERY, in_browser_thread, require_pagefind

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Two-character words from the middle of the demo's texts, each a word of its own in Chinese: a
# rejection's explanation ("…部分数据无法溯源，…") and the notices' introduction ("…请以书面形式…").
REASON_WORD = "溯源"
INTRODUCTION_WORD = "书面"


@pytest.fixture(autouse=True)
def _pagefind():
    require_pagefind()


def _rejection_pages(notices: list[dict]) -> set[str]:
    pages = set()
    for notice in notices:
        items = notice["public_items"]
        for item, segment in zip(
            items, item_segments(i["project_code"] for i in items), strict=True
        ):
            if item["decision"] == "rejected":
                pages.add(f"{_notice_page(notice)}{segment}/")
    return pages


def _notice_page(notice: dict) -> str:
    return notice_url(notice["meta"]["slug"], notice["id"])


def _indexed(output: Path) -> dict[str, str]:
    """Every page in the index, read from Pagefind's own files: site path → indexed text."""
    shards = _indexed_by_shard(output).values()
    return {page: text for pages in shards for page, text in pages.items()}


def _indexed_by_shard(output: Path) -> dict[str, dict[str, str]]:
    """Each shard's pages: bundle directory → {site path → indexed text}."""
    shards = {}
    for bundle in bundles(output):
        pages = shards.setdefault(bundle.name, {})
        for fragment in (bundle / "fragment").iterdir():
            raw = gzip.decompress(fragment.read_bytes())
            assert raw.startswith(b"pagefind_dcd")
            data = json.loads(raw[len(b"pagefind_dcd") :])
            assert data["url"].lstrip("/") not in pages
            pages[data["url"].lstrip("/")] = data["content"]
    return shards


def _fragments(output: Path) -> dict[str, dict]:
    """Every page's fragment as Pagefind wrote it (text, meta, anchors), by site path."""
    found = {}
    for bundle in bundles(output):
        for fragment in (bundle / "fragment").iterdir():
            data = json.loads(gzip.decompress(fragment.read_bytes())[len(b"pagefind_dcd") :])
            found[data["url"].lstrip("/")] = data
    return found


def _parts(fragment: dict) -> dict[str, str]:
    """The indexed text of a page's parts, by the id of the heading each starts at (the words
    before the first such heading are left out), as Pagefind's sub-results cut them."""
    words = fragment["content"].split("\u200b")
    anchors = sorted(
        (a for a in fragment["anchors"] if re.fullmatch(r"h\d", a["element"]) and a["text"]),
        key=lambda a: a["location"],
    )
    ends = [a["location"] for a in anchors[1:]] + [len(words)]
    return {
        a["id"]: "".join(words[a["location"] : end]) for a, end in zip(anchors, ends, strict=True)
    }


def _query(page, origin: str, query: str) -> set[str]:
    if not page.url.startswith(origin):
        page.goto(f"{origin}/search/")
    return {url.lstrip("/") for url in page.evaluate(PAGEFIND_QUERY, query)}


# --- the index --------------------------------------------------------------------------------


def test_only_the_bodies_of_notices_rejections_policies_and_guidance_are_indexed(site):
    indexed = _indexed(site.output)
    notices = {_notice_page(n) for n in site.notices}
    rejections = _rejection_pages(site.notices)
    policies = {policy_url(p["meta"]["slug"]) for p in site.policies}
    assert notices and rejections and policies
    lessons = {lesson_url(p["meta"]["slug"], p["id"]) for p in site.lessons}
    assert lessons
    guidance = {GUIDANCE_URL, FAQ_URL, SELF_CHECK_URL}
    assert set(indexed) == notices | rejections | policies | lessons | guidance | {OBJECTIONS_URL}
    # Listings, the home page and the search page itself are not in the index.
    for listing in ("", "notices/", "notices/closed/", "results/", "policies/", "search/",
                    "lessons/"):  # fmt: skip
        assert listing not in indexed
    # Only the bodies: no navigation, no objection form, no breadcrumb.
    for url in notices:
        text = indexed[url].replace("\u200b", "")
        for boilerplate in ("跳到正文", "主办", "真实姓名", "提交异议", "当前位置", "首页",
                            "本页所示状态"):  # fmt: skip
            assert boilerplate not in text, (url, boilerplate)
    # A rejection page is indexed for its reasons and explanation, not for copies of the
    # policy's clauses (the policy page is found for those) or of its notice's table row.
    rejected = [
        (f"{_notice_page(n)}{segment}/", item)
        for n in site.notices
        for item, segment in zip(
            n["public_items"],
            item_segments(i["project_code"] for i in n["public_items"]),
            strict=True,
        )
        if item["decision"] == "rejected"
    ]
    assert rejected
    for url, item in rejected:
        text = indexed[url].replace("\u200b", "")
        assert item["project_name"] in text and item["explanation"].split("\n")[0] in text
        assert item["undertaking_unit"] not in text, url
        for reason in item["reasons"]:
            assert reason["label"] in text
            assert not reason.get("clause_text") or reason["clause_text"] not in text, url
    for bundle in bundles(site.output):
        entry = json.loads((bundle / "pagefind-entry.json").read_text())
        assert list(entry["languages"]) == ["zh-cn"]
        # Only Pagefind's search library is published, not its ready-made interfaces.
        assert (bundle / "pagefind.js").is_file()
        assert not list(bundle.glob("pagefind-*ui*"))


def test_the_index_is_in_shards_with_each_notice_whole_in_one(site):
    """A notice's page and its rejection pages share a shard (publishing it re-indexes one);
    every other page is in the first, which the search page loads pagefind.js from."""
    shards, count = _indexed_by_shard(site.output), shard_count()
    assert next(iter(shards)) == "0" and count > 1
    where = {page: int(shard) for shard, pages in shards.items() for page in pages}
    notices = {_notice_page(n) for n in site.notices}
    for page, shard in where.items():
        assert shard == shard_of(f"{page}index.html", count), page
        if not any(page.startswith(notice) for notice in notices):
            assert shard == 0, page
    for page in _rejection_pages(site.notices):
        notice = next(n for n in notices if page.startswith(n))
        assert where[page] == where[notice], page
    assert len(set(where.values())) > 1  # the demo's notices are spread over shards


def test_a_notice_is_indexed_item_by_item_each_with_its_own_decision_and_its_state(site):
    """Each decision item of a notice is a part of its own in the index (under its heading), so
    an excerpt shows an item's decision beside that item only; a notice and its rejection pages
    carry the notice's state, as the page shows it, for the results to say."""
    fragments = _fragments(site.output)
    labels = {item["decision_label"] for n in site.notices for item in n["public_items"]}
    assert labels == {"予以免责", "不予认定"}
    for notice in site.notices:
        fragment = fragments[_notice_page(notice)]
        assert fragment["meta"]["state"] == notice["window"]["state_label"]
        parts = _parts(fragment)
        items = notice["public_items"]
        assert [key for key in parts if key.startswith("item-")] == [
            f"item-{i['id']}" for i in items
        ]
        for item in items:
            text = parts[f"item-{item['id']}"]
            assert text.startswith(item["project_code"]) and item["project_name"] in text
            assert item["decision_label"] in text
            for other in labels - {item["decision_label"]}:
                assert other not in text, (item["project_code"], other)
    for rejection in _rejection_pages(site.notices):
        notice = next(n for n in site.notices if rejection.startswith(_notice_page(n)))
        assert fragments[rejection]["meta"]["state"] == notice["window"]["state_label"]
    states = {f["meta"].get("state") for f in fragments.values()}
    assert {"公示中", "公示结束", "已确认结果", "已更正", "已撤回"} <= states


def test_chinese_is_segmented_into_words(site):
    """The extended binary: a reason's words are indexed one by one, not as whole sentences."""
    [rejection, *_] = sorted(_rejection_pages(site.notices))
    assert f"\u200b{REASON_WORD}\u200b" in _indexed(site.output)[rejection]


# --- queries ----------------------------------------------------------------------------------


@in_browser_thread
def test_a_word_from_the_middle_of_a_reason_finds_the_rejection_pages(site, origin, page):
    explanations = [
        item["explanation"]
        for notice in site.notices
        for item in notice["public_items"]
        if item["decision"] == "rejected"
    ]
    assert explanations and all(REASON_WORD in text for text in explanations)
    assert not any(text.startswith(REASON_WORD) or text.endswith(REASON_WORD)
                   for text in explanations)  # fmt: skip
    # The word is only in the explanations: exactly the rejection pages are found.
    assert _query(page, origin, REASON_WORD) == _rejection_pages(site.notices)


@in_browser_thread
def test_a_word_from_the_middle_of_an_introduction_finds_its_notices(site, origin, page):
    introduced = {
        _notice_page(n) for n in site.notices if INTRODUCTION_WORD in "".join(n["introduction"])
    }
    assert introduced
    found = _query(page, origin, INTRODUCTION_WORD)
    assert introduced <= found
    assert not found & {"", "notices/", "notices/closed/", "results/"}


@in_browser_thread
def test_nothing_is_found_for_words_that_are_not_on_the_site(site, origin, page):
    absent = "长颈鹿"
    assert not any(absent in text.replace("\u200b", "") for text in _indexed(site.output).values())
    assert _query(page, origin, absent) == set()


# --- the search page --------------------------------------------------------------------------


STATUS = "#search-status"


@in_browser_thread
def test_the_search_page_by_keyboard_alone_with_results_announced(site, origin, page):
    page.goto(f"{origin}/")
    # From the home page to the search box by keyboard: the navigation link, then Tab.
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="搜索").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{origin}/search/")
    assert page.get_by_role("search").is_visible()
    assert not page.locator("[data-search-nojs]").is_visible()
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "search-input":
            break
    else:
        raise AssertionError("the search box cannot be reached with Tab")
    assert page.get_by_label("搜索关键词").evaluate("e => e === document.activeElement")

    status = page.locator(STATUS)
    assert status.get_attribute("role") == "status"
    assert status.get_attribute("aria-live") == "polite"
    page.keyboard.type(REASON_WORD)
    page.keyboard.press("Enter")
    expected = _rejection_pages(site.notices)
    page.wait_for_function(
        "n => document.querySelector('#search-status').textContent.includes(`找到${n}条`)",
        arg=len(expected),
    )
    assert REASON_WORD in status.text_content()
    results = page.locator("#search-results li.search-result")
    assert results.count() == len(expected)
    links = {
        href.split(origin, 1)[-1].lstrip("/")
        for href in page.locator("#search-results h2 a").evaluate_all("as => as.map(a => a.href)")
    }
    assert links == expected
    # The words found are marked in each excerpt; each result says what kind of page it is.
    assert page.locator("#search-results mark").first.text_content() == REASON_WORD
    assert "不予认定理由" in results.first.locator(".search-result-meta").text_content()
    # Focus stayed in the box; the query is in the address; Tab goes on to the results.
    assert page.evaluate("document.activeElement.id") == "search-input"
    assert "q=" in page.url
    page.keyboard.press("Tab")  # the 搜索 button
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.search-result') !== null")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.split(origin, 1)[-1].lstrip("/") in expected


@in_browser_thread
def test_each_result_says_the_notice_state_and_keeps_an_item_with_its_own_decision(
    site, origin, page
):
    """The name of the item each demo notice rejects: every notice and rejection page is
    found, each result says its notice's state (已撤回, 已更正, …), and a notice's excerpt shows
    the item with its decision, 不予认定, not the 予以免责 of the items beside it."""
    [name] = {
        item["project_name"]
        for notice in site.notices
        for item in notice["public_items"]
        if item["decision"] == "rejected"
    }
    query = name.removesuffix("（示例）")
    notices = {_notice_page(n): n for n in site.notices}
    page.goto(f"{origin}/search/?q={query}")
    page.wait_for_function("document.querySelector('#search-status').textContent.includes('找到')")
    total = int(re.search(r"找到(\d+)条", page.locator(STATUS).text_content())[1])
    while page.locator("#search-results li").count() < total:
        page.get_by_role("button", name="显示更多结果").click()
        page.wait_for_function(
            "n => document.querySelectorAll('#search-results li').length >= n",
            arg=min(total, page.locator("#search-results li").count() + 10),
        )
    shown = page.locator("#search-results li.search-result").evaluate_all(
        """items => items.map((item) => ({
          url: new URL(item.querySelector("h2 a").href).pathname.replace(/^\\//, ""),
          meta: item.querySelector(".search-result-meta").textContent,
          state: item.querySelector(".search-result-state")?.textContent ?? null,
          excerpt: item.querySelector(".search-result-excerpt").textContent,
        }))"""
    )
    by_url = {result["url"]: result for result in shown}
    assert set(notices) | _rejection_pages(site.notices) <= set(by_url)
    for url, result in by_url.items():
        notice = notices.get(url) or next(
            (n for u, n in notices.items() if url.startswith(u)), None
        )
        if notice is None:
            continue
        assert result["state"] == notice["window"]["state_label"], url
        assert result["meta"].endswith(result["state"])
        if url in notices:
            assert query in result["excerpt"] and "不予认定" in result["excerpt"], result
            assert "予以免责" not in result["excerpt"], result
    states = {result["state"] for result in shown}
    assert {"已更正", "已撤回", "公示中"} <= states


@in_browser_thread
def test_typing_searches_and_the_address_keeps_the_query(site, origin, page):
    page.goto(f"{origin}/search/")
    page.get_by_label("搜索关键词").fill("")
    page.get_by_label("搜索关键词").press_sequentially(INTRODUCTION_WORD)
    page.wait_for_function("document.querySelector('#search-status').textContent.includes('找到')")
    reloaded = page.url
    assert "q=" in reloaded
    page.goto(reloaded)
    page.wait_for_function("document.querySelector('#search-status').textContent.includes('找到')")
    assert page.get_by_label("搜索关键词").input_value() == INTRODUCTION_WORD

    page.get_by_label("搜索关键词").fill("长颈鹿")
    page.get_by_role("button", name="搜索", exact=True).click()
    page.wait_for_function(
        "document.querySelector('#search-status').textContent.includes('没有找到')"
    )
    assert page.locator("#search-results").is_hidden()


@in_browser_thread
def test_more_results_on_request_with_the_focus_on_the_first_added(site, origin, page):
    page.goto(f"{origin}/search/?q=公示")
    page.wait_for_function("document.querySelector('#search-status').textContent.includes('找到')")
    total = int(re.search(r"找到(\d+)条", page.locator(STATUS).text_content())[1])
    results = page.locator("#search-results li.search-result")
    assert total > 10 and results.count() == 10
    page.get_by_role("button", name="显示更多结果").focus()
    page.keyboard.press("Enter")
    page.wait_for_function(
        f"document.querySelectorAll('#search-results li').length === {min(total, 20)}"
    )
    assert page.evaluate(
        "document.activeElement === document.querySelectorAll('#search-results li a')[10]"
    )
    assert page.get_by_role("button", name="显示更多结果").is_visible() == (total > 20)


@in_browser_thread
def test_without_javascript_the_page_says_so_and_links_to_the_listings(site, origin, browser):
    context = browser.new_context(java_script_enabled=False)
    try:
        nojs = context.new_page()
        nojs.goto(f"{origin}/search/")
        message = nojs.locator("[data-search-nojs]")
        assert message.is_visible()
        assert "需要浏览器启用 JavaScript" in message.text_content()
        hrefs = {a.split(origin, 1)[-1] for a in message.locator("a").evaluate_all(
            "as => as.map(a => a.href)")}  # fmt: skip
        assert {"/notices/", "/results/", "/policies/exemption-policy/"} <= hrefs
        assert nojs.locator("[data-search]").is_hidden()
    finally:
        context.close()
