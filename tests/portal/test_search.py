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
