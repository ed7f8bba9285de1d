"""Accessibility (WCAG 2.1 AA) and the page budget of the built portal, in headless Chromium.

The demo site is conftest's (``site``: built once per session from a live CMS); it is served on
127.0.0.1 once per module, and one browser serves every test. axe-core checks the WCAG 2.0/2.1
A and AA rules on every kind of page, in the standard display and in the large-text,
high-contrast mode; the rest checks what axe cannot: a phone's width, printing, landmarks and
headings, the keyboard, requests to other hosts and the weight of a notice page. Without
Chromium, Playwright or axe the tests are skipped, except in CI (CI=true), where they fail and
say what is missing.
"""

import gzip
import io
import itertools
import re
import subprocess
from pathlib import Path
from urllib.parse import urljoin

import pytest
from bs4 import BeautifulSoup

from portal.dates import date_zh
from portal.urls import item_segments, notice_url

from .browser import _require, in_browser_thread, pdf_text

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
CMS_PUBLIC_URL = "http://cms.test.invalid"  # where conftest's demo build says the CMS is

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BUDGET_BYTES = 30 * 1024  # a notice page, gzipped, with its CSS and JavaScript
LARGE_FONT_PX = "20px"  # 125% of the browser's default 16px


# --- the pages --------------------------------------------------------------------------------


def _open_notice(site) -> dict:
    return next(n for n in site.notices if n["window"]["state"] == "under_publicity")


def _rejection_page(notice: dict) -> str:
    items = notice["public_items"]
    segments = item_segments(i["project_code"] for i in items)
    segment = next(s for i, s in zip(items, segments, strict=True) if i["decision"] == "rejected")
    return f"{_notice_url(notice)}{segment}/"


def _notice_url(notice: dict) -> str:
    return notice_url(notice["meta"]["slug"], notice["id"])


def _pages(site) -> dict[str, str]:
    """One page of every kind: name → path on the site."""
    notice = _open_notice(site)
    closed = next(n for n in site.notices if n["window"]["state"] != "under_publicity")
    return {
        "home": "",
        "listing": "notices/",
        "notice with the objection form": _notice_url(notice),
        "closed notice": _notice_url(closed),
        "rejection": _rejection_page(notice),
        "policy": "policies/exemption-policy/",
        "guidance": "guidance/",
        "guidance FAQ": "guidance/faq/",
        "how to object": "objections/",
        "objection lookup": "objections/status/",
        "search": "search/?q=溯源",
        "accessibility": "a11y/",
        "lessons": "lessons/",
        "lesson": "lessons/demo-solid-electrolyte-interface/",
        "eligibility self-check": "guidance/self-check/",
        "public record": "record/",
        "a notice's public record": f"{_notice_url(closed)}record/",
        "open data": "data/",
        "site map": "sitemap/",
    }


def _open(page, origin: str, path: str) -> None:
    page.goto(f"{origin}/{path}")
    page.wait_for_load_state("load")
    if path.startswith("search/?q="):
        page.wait_for_function("document.querySelector('#search-status').textContent.length > 0")


def _axe(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    results = Axe().run(page, options=options).response
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in results["violations"]
    ]


def _require_axe() -> None:
    try:
        import axe_playwright_python  # noqa: F401
    except ImportError:
        _require(
            False, "axe-playwright-python is not installed (pip install axe-playwright-python)"
        )


# --- axe-core ---------------------------------------------------------------------------------


@in_browser_thread
def test_axe_finds_no_wcag_a_or_aa_violation_on_any_kind_of_page(site, origin, page):
    _require_axe()
    found = {}
    for name, path in _pages(site).items():
        _open(page, origin, path)
        if violations := _axe(page):
            found[name] = violations
    assert found == {}


@in_browser_thread
def test_axe_finds_none_in_the_large_text_high_contrast_mode(site, origin, page, browser):
    _require_axe()
    pages = _pages(site)
    found = {}
    # With JavaScript: the toggle button.
    for name in ("home", "notice with the objection form", "rejection", "search"):
        _open(page, origin, pages[name])
        if name == "home":
            page.get_by_role("button", name="大字号 · 高对比度").click()
        assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == LARGE_FONT_PX
        if violations := _axe(page):
            found[name] = violations
    # Without the toggle's script: the fragment, and the links it shows. (axe itself needs
    # JavaScript, so the page keeps its other scripts; a11y.js alone is refused.)
    context = browser.new_context(locale="zh-CN")
    try:
        context.route("**/theme/js/a11y.js", lambda route: route.abort())
        plain = context.new_page()
        plain.goto(f"{origin}/{pages['notice with the objection form']}#a11y-large")
        assert (
            plain.evaluate("getComputedStyle(document.documentElement).fontSize") == LARGE_FONT_PX
        )
        assert plain.get_by_role("link", name="恢复标准显示").is_visible()
        if violations := _axe(plain):
            found["notice, without a11y.js"] = violations
    finally:
        context.close()
    assert found == {}


# --- the large-text, high-contrast mode -------------------------------------------------------


def _font_size(page) -> str:
    return page.evaluate("getComputedStyle(document.documentElement).fontSize")


@in_browser_thread
def test_large_text_mode_with_javascript_is_a_toggle_remembered_across_pages(site, origin, page):
    _open(page, origin, "")
    toggle = page.get_by_role("button", name="大字号 · 高对比度")
    assert toggle.get_attribute("aria-pressed") == "false"
    assert page.get_by_role("link", name="大字号 · 高对比度").count() == 0  # the no-JS link hid
    assert _font_size(page) == "16px"
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-pressed") == "true"
    assert _font_size(page) == LARGE_FONT_PX
    assert page.evaluate("getComputedStyle(document.body).color") == "rgb(0, 0, 0)"

    _open(page, origin, "notices/")
    assert _font_size(page) == LARGE_FONT_PX
    toggle = page.get_by_role("button", name="大字号 · 高对比度")
    assert toggle.get_attribute("aria-pressed") == "true"
    toggle.click()
    assert _font_size(page) == "16px"
    _open(page, origin, "")
    assert _font_size(page) == "16px"
    # A link with the fragment (as on /a11y/) turns it on, and it is remembered too.
    _open(page, origin, "a11y/")
    page.get_by_role("main").get_by_role("link", name="大字号 · 高对比度").click()
    assert _font_size(page) == LARGE_FONT_PX
    toggle = page.get_by_role("button", name="大字号 · 高对比度")
    assert toggle.get_attribute("aria-pressed") == "true"
    _open(page, origin, "policies/exemption-policy/")
    assert _font_size(page) == LARGE_FONT_PX


@in_browser_thread
def test_large_text_mode_works_without_javascript(site, origin, browser):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{origin}/{_notice_url(_open_notice(site))}")
        assert _font_size(page) == "16px"
        assert page.get_by_role("button", name="大字号 · 高对比度").count() == 0
        page.get_by_role("link", name="大字号 · 高对比度").click()
        assert page.url.endswith("#a11y-large")
        assert _font_size(page) == LARGE_FONT_PX
        assert page.evaluate("getComputedStyle(document.body).color") == "rgb(0, 0, 0)"
        assert page.evaluate("scrollY") == 0  # the target is the body: no jump
        page.get_by_role("link", name="恢复标准显示").click()
        assert _font_size(page) == "16px"
        assert page.get_by_role("link", name="大字号 · 高对比度").is_visible()
    finally:
        context.close()


@in_browser_thread
def test_the_system_high_contrast_setting_is_honoured(site, origin, browser):
    context = browser.new_context(contrast="more")
    try:
        page = context.new_page()
        page.goto(f"{origin}/")
        assert page.evaluate("getComputedStyle(document.body).color") == "rgb(0, 0, 0)"
        assert _font_size(page) == "16px"
    finally:
        context.close()


# --- a phone's width --------------------------------------------------------------------------


OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const element of document.querySelectorAll("body *")) {
    if (element.closest(".table-scroll, .visually-hidden, .skip-link, .hp-field")) continue;
    const box = element.getBoundingClientRect();
    if (box.width && box.right > width + 1) wide.push(element.outerHTML.slice(0, 80));
  }
  return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 5)};
}"""


@in_browser_thread
def test_at_320_pixels_wide_nothing_scrolls_sideways(site, origin, browser):
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="zh-CN")
    try:
        page = context.new_page()
        found = {}
        for large in (False, True):
            for name, path in _pages(site).items():
                _open(page, origin, path)
                if large and name == "home":
                    page.get_by_role("button", name="大字号 · 高对比度").click()
                measured = page.evaluate(OVERFLOW)
                if measured["scroll"] > measured["width"] or measured["wide"]:
                    found[f"{name}{' (large text)' if large else ''}"] = measured
        assert found == {}
    finally:
        context.close()


# The hand-written pages a reader reaches from every page's footer, beside the kinds above.
FOOTER_PAGES = {"subscribe": "subscribe/", "about": "about/", "privacy": "privacy/"}
SIDEWAYS = """() => {
  const scroller = document.scrollingElement;
  const before = scrollX;
  scrollTo(scroller.scrollWidth, scrollY);
  const moved = scrollX;
  scrollTo(before, scrollY);
  return {scrollWidth: scroller.scrollWidth, scrolled: moved};
}"""


@in_browser_thread
def test_at_375_pixels_wide_no_page_scrolls_sideways(site, origin, browser):
    """A common phone's width: every kind of page and the footer's pages (订阅 among them), in
    the standard display and in the large-text mode, fit without scrolling sideways."""
    context = browser.new_context(viewport={"width": 375, "height": 667}, locale="zh-CN")
    try:
        page = context.new_page()
        found = {}
        for large in (False, True):
            for name, path in {**FOOTER_PAGES, **_pages(site)}.items():
                _open(page, origin, path)
                if large and name == "subscribe":
                    page.get_by_role("button", name="大字号 · 高对比度").click()
                measured = page.evaluate(SIDEWAYS)
                if measured["scrollWidth"] > 375 or measured["scrolled"]:
                    wide = page.evaluate(OVERFLOW)["wide"]
                    found[f"{name}{' (large text)' if large else ''}"] = {**measured, "wide": wide}
        assert found == {}
    finally:
        context.close()


# --- print --------------------------------------------------------------------------------------


def _has_chinese_font() -> bool:
    try:
        listed = subprocess.run(
            ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False
        )
    except OSError:
        return False
    return bool(listed.stdout.strip())


@in_browser_thread
def test_a_notice_prints_as_a_clean_a4_document_with_its_number_and_window(site, origin, page):
    _require(
        _has_chinese_font(), "no Chinese font for Chromium (apt-get install fonts-wqy-microhei)"
    )
    from pypdf import PdfReader

    notice = _open_notice(site)
    _open(page, origin, _notice_url(notice))
    pdf = page.pdf(format="A4")
    for sheet in PdfReader(io.BytesIO(pdf)).pages:
        width, height = float(sheet.mediabox.width), float(sheet.mediabox.height)
        assert abs(width - 595.3) < 1 and abs(height - 841.9) < 1  # A4 in points
    text = pdf_text(pdf)
    window = notice["window"]
    assert notice["notice_number"] in text
    assert notice["title"] in text
    assert f"{date_zh(window['start_date'])}至{date_zh(window['end_date'])}" in text
    for item in notice["public_items"]:
        assert item["project_code"] in text
    # Without the site's navigation, its display switch, the form or the footer.
    for absent in ("跳到正文", "主导航", "大字号", "提交异议", "真实姓名", "隐私声明"):
        assert absent not in text, absent


# --- screen readers: landmarks, headings, names --------------------------------------------------


STRUCTURE = """() => {
  const named = (e) => e.getAttribute("aria-label") || (e.getAttribute("aria-labelledby") &&
    document.getElementById(e.getAttribute("aria-labelledby"))?.textContent.trim()) || "";
  const focusable = [...document.querySelectorAll("a[href], button, input, select, textarea")]
    .filter((e) => e.offsetParent !== null || e.classList.contains("skip-link"));
  return {
    lang: document.documentElement.lang,
    title: document.title,
    mains: document.querySelectorAll("main").length,
    banners: document.querySelectorAll("body > header").length,
    footers: document.querySelectorAll("body > footer").length,
    navs: [...document.querySelectorAll("nav")].map(named),
    headings: [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")]
      .filter((h) => h.offsetParent !== null).map((h) => Number(h.tagName[1])),
    outside: [...document.body.children].filter((e) => !["HEADER", "MAIN", "FOOTER", "SCRIPT"]
      .includes(e.tagName) && !e.classList.contains("skip-link")).map((e) => e.tagName),
    first: focusable[0] && focusable[0].getAttribute("href"),
  };
}"""


@in_browser_thread
def test_landmarks_headings_and_the_skip_link_on_every_kind_of_page(site, origin, page):
    for name, path in _pages(site).items():
        _open(page, origin, path)
        found = page.evaluate(STRUCTURE)
        assert found["lang"] == "zh-CN", name
        assert found["title"], name
        assert (found["mains"], found["banners"], found["footers"]) == (1, 1, 1), name
        assert all(found["navs"]) and len(set(found["navs"])) == len(found["navs"]), (name, found)
        assert "主导航" in found["navs"], name
        assert found["outside"] == [], (name, found["outside"])
        assert found["first"] == "#main", name
        headings = found["headings"]
        assert headings[0] == 1 and headings.count(1) == 1, (name, headings)
        for before, after in itertools.pairwise(headings):
            assert after <= before + 1, (name, headings)


@in_browser_thread
def test_the_items_table_has_a_caption_and_headers_for_screen_readers(site, origin, page):
    _open(page, origin, _notice_url(_open_notice(site)))
    table = page.get_by_role("table")
    caption = table.locator("caption").text_content()
    assert _open_notice(site)["notice_number"] in caption
    region = page.get_by_role("region", name=caption.strip())
    assert region.get_attribute("tabindex") == "0"  # the scrolling wrapper takes the focus
    assert table.get_by_role("columnheader").count() == 7
    assert table.get_by_role("rowheader").count() == len(_open_notice(site)["public_items"])


# --- the keyboard -----------------------------------------------------------------------------


FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const style = getComputedStyle(e);
  const box = e.getBoundingClientRect();
  return {
    tag: e.tagName, id: e.id, text: (e.textContent || e.value || "").trim().slice(0, 30),
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
    visible: box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0,
    footer: !!e.closest("footer"),
  };
}"""


@in_browser_thread
def test_by_keyboard_alone_every_stop_shows_its_focus_and_nothing_traps_it(site, origin, page):
    _open(page, origin, _notice_url(_open_notice(site)))
    page.keyboard.press("Tab")
    first = page.evaluate(FOCUSED)
    assert first["text"] == "跳到正文" and first["visible"] and first["outline"]
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    stops = []
    for _ in range(200):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:  # past the last stop: the keyboard got through the whole page
            break
        stops.append(focused)
    else:
        raise AssertionError(f"the focus never left the page: {stops[-5:]}")
    assert stops, "nothing after the skip link takes the focus"
    assert stops[-1]["footer"], stops[-1]  # it went all the way to the footer
    hidden = [s for s in stops if not (s["visible"] and s["outline"])]
    assert hidden == []
    reached = {s["id"] for s in stops}
    for field in ("objection-item", "objection-real-name", "objection-phone", "objection-email",
                  "objection-content", "objection-evidence", "objection-consent"):  # fmt: skip
        assert field in reached, field
    assert "objection-website" not in reached  # the robots' trap field is out of the tab order


# --- requests and weight ----------------------------------------------------------------------


@in_browser_thread
def test_no_page_requests_anything_from_another_host(site, origin, browser):
    context = browser.new_context(locale="zh-CN")
    requested: list[str] = []
    context.on("request", lambda request: requested.append(request.url))
    try:
        page = context.new_page()
        for path in _pages(site).values():
            _open(page, origin, path)
    finally:
        context.close()
    assert requested
    assert any("/pagefind/" in url for url in requested)  # the search page's index was loaded
    elsewhere = sorted({url for url in requested if not url.startswith(f"{origin}/")})
    assert elsewhere == []
    assert not any(url.startswith(CMS_PUBLIC_URL) for url in requested)  # forms post on submit only


@in_browser_thread
def test_the_icons_load_as_images_for_the_browser(site, origin, page):
    """The icon a page links and the /favicon.ico browsers ask for on their own are served
    from the site and decode as images (a missing one was a 404 in every browser's log)."""
    _open(page, origin, "notices/")
    icon = page.locator('link[rel="icon"]').evaluate("link => link.href")
    assert icon == f"{origin}/theme/favicon.svg"
    sizes = page.evaluate(
        """(urls) => Promise.all(urls.map((url) => new Promise((done) => {
          const image = new Image();
          image.onload = () => done([image.naturalWidth, image.naturalHeight]);
          image.onerror = () => done(null);
          image.src = url;
        })))""",
        [icon, f"{origin}/favicon.ico"],
    )
    assert all(size and size[0] >= 16 and size[1] >= 16 for size in sizes), sizes
    answer = page.request.get(f"{origin}/favicon.ico")
    assert answer.status == 200 and answer.headers["content-type"].startswith("image/")


def _assets(html_path: Path, output: Path) -> list[Path]:
    soup = BeautifulSoup(html_path.read_text(encoding="utf-8"), "html.parser")
    page_url = "http://site.invalid/" + html_path.parent.relative_to(output).as_posix() + "/"
    urls = [link["href"] for link in soup.find_all("link", rel="stylesheet")]
    urls += [script["src"] for script in soup.find_all("script", src=True)]
    paths = []
    for url in urls:
        absolute = urljoin(page_url, url)
        assert absolute.startswith("http://site.invalid/"), url
        paths.append(output / absolute.removeprefix("http://site.invalid/"))
    return paths


def test_a_notice_page_weighs_at_most_30_kb_gzipped_with_its_css_and_javascript(site):
    weights = {}
    for notice in site.notices:
        html = site.output / _notice_url(notice) / "index.html"
        files = [html, *_assets(html, site.output)]
        assert any(p.suffix == ".css" for p in files) and any(p.suffix == ".js" for p in files)
        weights[_notice_url(notice)] = sum(len(gzip.compress(p.read_bytes(), 6)) for p in files)
    heaviest = max(weights, key=weights.get)
    assert weights[heaviest] <= BUDGET_BYTES, (heaviest, weights[heaviest])
    # The heaviest is a notice with the objection form, and its script, on it.
    assert re.search(r"objection\.js", (site.output / heaviest / "index.html").read_text())
