"""统计 in headless Chromium, on the demo site (conftest's ``site``): axe-core finds no WCAG 2.1
A or AA violation on the statistics page and the home page in the standard display and in the
large-text, high-contrast mode (with and without the mode's script); each chart is one image,
named by its title, to assistive technology; the page fits a phone and prints its tables."""

import itertools

import pytest

from portal.urls import STATISTICS_URL

from .browser import _require, in_browser_thread, pdf_text
from .test_a11y import (
    LARGE_FONT_PX,
    SIDEWAYS,
    STRUCTURE,
    _axe,
    _has_chinese_font,
    _open,
    _require_axe,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
PAGES = {"statistics": STATISTICS_URL, "home": ""}


def _font_size(page) -> str:
    return page.evaluate("getComputedStyle(document.documentElement).fontSize")


@in_browser_thread
def test_axe_finds_no_violation_in_either_display_mode(site, origin, page, browser):
    _require_axe()
    found = {}
    for name, path in PAGES.items():
        _open(page, origin, path)
        assert _font_size(page) == "16px"
        if violations := _axe(page):
            found[name] = violations
    # The large-text mode with its script: the toggle, remembered from page to page.
    _open(page, origin, "")
    page.get_by_role("button", name="大字号 · 高对比度").click()
    for name, path in PAGES.items():
        _open(page, origin, path)
        assert _font_size(page) == LARGE_FONT_PX
        if violations := _axe(page):
            found[f"{name} (large text)"] = violations
    # And without it: the fragment (axe needs JavaScript, so only a11y.js is refused).
    context = browser.new_context(locale="zh-CN")
    try:
        context.route("**/theme/js/a11y.js", lambda route: route.abort())
        plain = context.new_page()
        plain.goto(f"{origin}/{STATISTICS_URL}#a11y-large")
        assert _font_size(plain) == LARGE_FONT_PX
        if violations := _axe(plain):
            found["statistics (large text, no a11y.js)"] = violations
    finally:
        context.close()
    assert found == {}


@in_browser_thread
def test_each_chart_is_one_image_named_by_its_title_beside_its_table(site, origin, page):
    _open(page, origin, STATISTICS_URL)
    sections = page.locator("section.stat-figure:has(svg)")
    assert sections.count() >= 3  # the demo has decisions, codes and finalisations to draw
    assert page.locator("main svg").count() == sections.count()  # one chart a section
    for index in range(sections.count()):
        section = sections.nth(index)
        chart = section.locator("svg")
        title = chart.locator("title").text_content()
        assert chart.get_attribute("role") == "img"
        assert page.get_by_role("img", name=title, exact=True).count() == 1
        # Its numbers, for every reader, in the table beside it.
        assert section.get_by_role("table", name=title, exact=True).count() == 1
    assert page.locator("script:not([src])").count() == 0


@in_browser_thread
def test_the_page_fits_a_phone_in_either_mode_with_sound_headings(site, origin, browser):
    context = browser.new_context(viewport={"width": 375, "height": 667}, locale="zh-CN")
    try:
        page = context.new_page()
        found = {}
        for large in (False, True):
            for name, path in PAGES.items():
                _open(page, origin, f"{path}#a11y-large" if large else path)
                measured = page.evaluate(SIDEWAYS)
                if measured["scrollWidth"] > 375 or measured["scrolled"]:
                    found[f"{name}{' (large text)' if large else ''}"] = measured
        assert found == {}
        _open(page, origin, STATISTICS_URL)
        structure = page.evaluate(STRUCTURE)
        assert structure["lang"] == "zh-CN" and structure["mains"] == 1
        headings = structure["headings"]
        assert headings[0] == 1 and headings.count(1) == 1
        assert all(after <= before + 1 for before, after in itertools.pairwise(headings))
    finally:
        context.close()


@in_browser_thread
def test_the_page_prints_its_charts_and_tables_without_the_sites_chrome(site, origin, page):
    _require(
        _has_chinese_font(), "no Chinese font for Chromium (apt-get install fonts-wqy-microhei)"
    )
    _open(page, origin, STATISTICS_URL)
    captions = page.locator("table.stat-table caption").all_text_contents()
    text = pdf_text(page.pdf(format="A4"))
    for caption in captions:
        assert "".join(caption.split()) in text
    assert "统计口径" in text
    for absent in ("跳到正文", "大字号", "隐私声明"):
        assert absent not in text, absent
