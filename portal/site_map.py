"""网站地图: every section of the site on one page, a plain nested list of links, which every
page's footer links to (政府网站发展指引 asks for one).

The sections are fixed here, in the order the map lists them; the policies are listed under
政策文件 by their titles. A page is listed only when the site has it: a page the export made (its
source among those exported) or a hand-written one (``content/pages``, by its ``Slug``). A
section whose own page is missing but some of whose pages are there is listed as a heading of
them; one with nothing is left out. Notices and failure reports are reached through their
listings, which are listed: the map stays one short page however many there are.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .sources import UNCHANGED, page_source
from .urls import (
    CLOSED_URL,
    DATA_URL,
    FAQ_URL,
    GUIDANCE_URL,
    HOME_URL,
    LESSONS_URL,
    NOTICES_URL,
    OBJECTION_STATUS_URL,
    OBJECTIONS_URL,
    POLICIES_URL,
    RECORD_URL,
    RESULTS_URL,
    SELF_CHECK_URL,
    SITE_MAP_URL,
    STATISTICS_URL,
)

SITE_MAP_SOURCE = "sitemap.json"
TEMPLATE = "sitemap"
TITLE = "网站地图"
POLICY_TEMPLATE = "policy"
HAND_WRITTEN_DIR = "pages"


@dataclass(frozen=True)
class Section:
    """A part of the site: its label, its page (None for a heading of its parts alone), its
    parts; with ``policies``, the policies are its parts."""

    label: str
    url: str | None
    parts: tuple["Section", ...] = ()
    policies: bool = False


SECTIONS = (
    Section("首页", HOME_URL),
    Section("政策文件", POLICIES_URL, policies=True),
    Section(
        "申报指南",
        GUIDANCE_URL,
        (Section("常见问题", FAQ_URL), Section("申报资格自查", SELF_CHECK_URL)),
    ),
    Section(
        "公示公告",
        NOTICES_URL,
        (
            Section("公示结束", CLOSED_URL),
            Section("认定结果", RESULTS_URL),
            Section("公示记录", RECORD_URL),
            Section("统计", STATISTICS_URL),
        ),
    ),
    Section(
        "异议",
        None,
        (
            Section("如何提出异议", OBJECTIONS_URL),
            Section("查询异议处理结果", OBJECTION_STATUS_URL),
        ),
    ),
    Section("失败经验总结", LESSONS_URL),
    Section(
        "服务",
        None,
        (Section("搜索", "search/"), Section("订阅", "subscribe/"), Section("开放数据", DATA_URL)),
    ),
    Section(
        "关于本站",
        "about/",
        (Section("隐私声明", "privacy/"), Section("无障碍与适老化说明", "a11y/")),
    ),
)


def hand_written_urls(pages_dir: Path) -> set[str]:
    """The addresses of the hand-written pages (``<slug>/``; the file's name without a Slug)."""
    urls = set()
    for path in sorted(Path(pages_dir).glob("*.md")):
        slug = path.stem
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                break  # the metadata ends at the first blank line
            key, _, value = line.partition(":")
            if key.strip().lower() == "slug" and value.strip():
                slug = value.strip()
        urls.add(f"{slug}/")
    return urls


def _entry(title: str, url: str | None, parts: list[dict[str, Any]]) -> dict[str, Any]:
    return {"title": title, "url": url, "parts": parts}


def _section(
    section: Section, present: set[str], policies: list[dict[str, str]]
) -> dict[str, Any] | None:
    if section.policies:
        parts = [_entry(policy["title"], policy["url"], []) for policy in policies]
    else:
        parts = [e for part in section.parts if (e := _section(part, present, policies))]
    url = section.url if section.url in present else None
    return _entry(section.label, url, parts) if (url is not None or parts) else None


def site_map(sources: dict[str, Any], hand_written: Iterable[str] = ()) -> list[dict[str, Any]]:
    """The sections the site has, each ``{"title", "url", "parts"}`` (``url`` None for a heading
    without a page of its own), from the exported ``sources`` and the hand-written pages' urls."""
    exported = [s for s in sources.values() if s is not UNCHANGED]
    present = {s["metadata"]["url"] for s in exported} | set(hand_written)
    policies = [
        {"title": s["cms"]["title"], "url": s["metadata"]["url"]}
        for s in exported
        if s["metadata"].get("template") == POLICY_TEMPLATE
    ]
    return [e for section in SECTIONS if (e := _section(section, present, policies))]


def site_map_source(sources: dict[str, Any], content_dir: Path) -> dict[str, dict[str, Any]]:
    """The 网站地图 page's source, keyed by its file, for the exported ``sources`` and the
    hand-written pages in ``content_dir``."""
    hand_written = hand_written_urls(Path(content_dir) / HAND_WRITTEN_DIR)
    metadata = {"title": TITLE, "slug": "sitemap", "template": TEMPLATE, "url": SITE_MAP_URL}
    cms = {"sections": site_map(sources, hand_written)}
    return {SITE_MAP_SOURCE: page_source(metadata, cms)}
