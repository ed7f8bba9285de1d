"""Subscription feeds (RSS 2.0 and Atom, written with feedgen) from the exported sources.

Five feeds, each in both formats, under ``feeds/``, each the latest :data:`FEED_LIMIT` (100)
changes: the decision notices, the exempted items, the rejected items (each linking to its
不予认定理由 page) and the policy-type pages (policies now, guidance pages later: any source
whose template is in :data:`~portal.sitewide.POLICY_TEMPLATES`). The open data files keep
everything.

They are written by a build step over the whole site (:func:`portal.opendata.write_site_outputs`),
not by Pelican, because Pelican may render only part of the sources in one run. Everything they
say comes from the sources the exporter wrote, the same data the pages show; nothing depends on
the time of the build, so the same sources give the same bytes (the dates are the exporter's,
:mod:`portal.dates`). Entry ids are tag URIs made of the site's host, the day the entry was
first published and the CMS id, so they survive a change of address.
"""

from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from feedgen.feed import FeedGenerator

from . import lessons as lesson_pages
from .dates import (
    EPOCH,
    date_zh,
    instant,
    iso,
    notice_published,
    notice_updated,
    source_published,
    source_updated,
)
from .sitewide import LANGUAGE, Site
from .urls import LESSONS_URL, NOTICES_URL, POLICIES_URL, RESULTS_URL, atom_feed, rss_feed

# Entries per feed: a feed is a stream of recent changes; the open data files keep everything.
FEED_LIMIT = 100


@dataclass(frozen=True)
class FeedSpec:
    slug: str
    title: str
    description: str
    page: str  # the listing the feed follows, relative to the site root

    @property
    def atom_path(self) -> str:
        return atom_feed(self.slug)

    @property
    def rss_path(self) -> str:
        return rss_feed(self.slug)


FEEDS = (
    FeedSpec(
        "notices",
        "公示公告",
        "最近更新的100条决定公告：公示中、公示结束、已确认结果、已更正和已撤回的公告，每条注明公示期和状态；全部公告见开放数据。",
        NOTICES_URL,
    ),
    FeedSpec(
        "exemptions",
        "予以免责事项",
        "最近更新的100个予以免责事项，每条注明适用情形、所属公告、公示期和公告状态；全部事项见开放数据。",
        RESULTS_URL,
    ),
    FeedSpec(
        "rejections",
        "不予认定事项",
        "最近更新的100个不予认定事项，每条链接到该事项的不予认定理由页面；全部事项见开放数据。",
        NOTICES_URL,
    ),
    FeedSpec(
        "policies",
        "政策文件变动",
        "政策文件的发布和状态变化（试行、正式、已修订、已废止等）。",
        POLICIES_URL,
    ),
    FeedSpec(
        lesson_pages.FEED_SLUG,
        "失败经验总结",
        "经认定容错免责项目的失败经验总结（已脱敏）：学科领域、计划类别、失败原因和经验启示。",
        LESSONS_URL,
    ),
)


def feed_links() -> list[dict[str, str]]:
    """The feeds as the templates list them (``<link rel="alternate">`` and the 订阅 page)."""
    return [
        {
            "slug": spec.slug,
            "title": spec.title,
            "description": spec.description,
            "atom": spec.atom_path,
            "rss": spec.rss_path,
        }
        for spec in FEEDS
    ]


# --- entries ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    link: str
    summary: str
    published: str
    updated: str
    categories: tuple[str, ...] = ()


def _cited(clauses: list[dict[str, Any]]) -> str:
    return "、".join(f"{c.get('short') or c['code']} {c.get('label', '')}".strip() for c in clauses)


def _notice_status(notice: dict[str, Any]) -> str:
    """The notice's state and window, the way every notice-related entry ends."""
    parts = [f"状态：{notice['state_label']}。", notice["window"]["label"]]
    if notice.get("withdrawal"):
        parts.append(f"本公告已于{notice['withdrawal']['date_zh']}撤回。")
    corrections = [c["title"] for c in notice.get("corrected_by") or []]
    if corrections:
        parts.append("本公告已更正，请以更正公告为准：" + "；".join(corrections) + "。")
    if notice.get("finalised_on_zh"):
        parts.append(f"结果确认日期：{notice['finalised_on_zh']}。")
    return "".join(parts)


def notice_entry(site: Site, notice: dict[str, Any]) -> Entry:
    items = notice["decision_items"]
    summary = [f"公告编号：{notice['notice_number']}。"] if notice["notice_number"] else []
    summary.append(_notice_status(notice))
    if notice.get("corrects"):
        summary.append(f"本公告为更正公告，更正的是{notice['corrects']['title']}。")
    if notice.get("handling_body"):
        summary.append(f"受理部门：{notice['handling_body']}。")
    summary.append(
        f"认定事项{len(items)}项：予以免责{notice['exempted_count']}项，"
        f"不予认定{notice['rejected_count']}项。"
    )
    published = notice_published(notice)
    return Entry(
        id=site.tag(published, f"page-{notice['id']}"),
        title=f"{notice['title']}（{notice['state_label']}）",
        link=site.absolute(notice["url"]),
        summary="".join(summary),
        published=published,
        updated=notice_updated(notice),
        categories=(notice["state_label"],),
    )


def item_entry(site: Site, notice: dict[str, Any], item: dict[str, Any]) -> Entry:
    rejected = item["decision"] == "rejected"
    facts = [
        f"{item['project_code']} {item['project_name']}。",
        f"计划类别：{item['programme_label']}；" if item.get("programme_label") else "",
        f"项目承担单位：{item['undertaking_unit']}；项目负责人：{item['project_leader']}。",
        f"认定结论：{item['decision_label']}。",
    ]
    if rejected:
        facts.append(f"不予认定理由：{_cited(item['reasons'])}。")
        facts.extend(f"理由说明：{p}" if i == 0 else p for i, p in enumerate(item["explanation"]))
    else:
        facts.append(f"适用情形：{_cited(item['grounds'])}。")
    number = f"（{notice['notice_number']}）" if notice["notice_number"] else ""
    facts.append(f"所属公告：{notice['title']}{number}。")
    facts.append(_notice_status(notice))
    published = notice_published(notice)
    return Entry(
        id=site.tag(published, f"item-{item['id']}"),
        title=f"{item['decision_label']}：{item['project_name']}（{item['project_code']}）",
        link=site.absolute(item["rejection_url"] if rejected else notice["url"]),
        summary="".join(facts),
        published=published,
        updated=notice_updated(notice),
        categories=(item["decision_label"], notice["state_label"]),
    )


def policy_entry(site: Site, source: dict[str, Any]) -> Entry:
    policy = source["cms"]
    facts = [
        f"文号：{policy['document_number']}；" if policy.get("document_number") else "",
        f"发文机关：{policy.get('issuing_body', '')}；状态：{policy['status_label']}。",
    ]
    if policy.get("issue_date"):
        facts.append(f"发布日期：{date_zh(policy['issue_date'])}。")
    if policy.get("effective_date"):
        facts.append(f"施行日期：{date_zh(policy['effective_date'])}。")
    if policy.get("superseded_by"):
        facts.append(f"现行文件为{policy['superseded_by']['title']}。")
    published = source_published(source)
    return Entry(
        id=site.tag(published, f"page-{policy['id']}"),
        title=f"{policy['title']}（{policy['status_label']}）",
        link=site.absolute(source["metadata"]["url"]),
        summary="".join(facts),
        published=published,
        updated=source_updated(source),
        categories=(policy["status_label"],),
    )


def entries(site: Site, slug: str, limit: int | None = None) -> list[Entry]:
    """The entries of one feed, newest change first: the latest ``limit``
    (:data:`FEED_LIMIT` by default) of them."""
    limit = FEED_LIMIT if limit is None else limit
    if slug == "notices":
        found = [notice_entry(site, n) for n in islice(site.recent_notices(), limit)]
    elif slug in ("exemptions", "rejections"):
        decision = "exempted" if slug == "exemptions" else "rejected"
        found = []
        # An item is as new as its notice: the notices' order is the items' order.
        for notice in site.recent_notices():
            if len(found) >= limit:
                break
            found += [
                item_entry(site, notice, item)
                for item in notice["decision_items"]
                if item["decision"] == decision
            ]
    elif slug == "policies":
        found = [policy_entry(site, source) for source in site.policies]
    elif slug == lesson_pages.FEED_SLUG:
        found = [Entry(**entry) for entry in lesson_pages.feed_entries(site)]
    else:
        raise ValueError(f"No feed called {slug!r}")
    return sorted(found, key=lambda e: e.updated, reverse=True)[:limit]


# --- writing ----------------------------------------------------------------------------------


def _generator(site: Site, spec: FeedSpec, found: list[Entry]) -> FeedGenerator:
    feed = FeedGenerator()
    feed.id(site.absolute(spec.atom_path))
    feed.title(f"{spec.title} - {site.name}" if site.name else spec.title)
    feed.description(spec.description)
    feed.language(LANGUAGE)
    if site.publisher:
        feed.author({"name": site.publisher})
    # The latest change among the entries, never the build's clock: same sources, same bytes.
    latest = max((e.updated for e in found), default=None) or latest_change(site)
    feed.updated(instant(latest))
    for entry in found:  # newest first; feedgen prepends unless told to append
        item = feed.add_entry(order="append")
        item.id(entry.id)
        item.title(entry.title)
        item.link(href=entry.link, rel="alternate", type="text/html")
        item.summary(entry.summary)
        item.published(instant(entry.published))
        item.updated(instant(entry.updated))
        for term in entry.categories:
            item.category(term=term)
    return feed


def latest_change(site: Site) -> str:
    """The latest change anywhere in the notices and policies (the epoch when there are none)."""
    latest = next(site.recent_notices(), None)
    changes = [notice_updated(latest)] if latest else []
    changes += [source_updated(s) for s in site.policies]
    return max(changes, default=iso(EPOCH))


def _links(feed: FeedGenerator, site: Site, spec: FeedSpec, self_path: str, kind: str) -> None:
    # feedgen takes the last link as RSS's <link>: the HTML page goes last.
    feed.link(href=site.absolute(self_path), rel="self", type=kind, replace=True)
    feed.link(href=site.absolute(spec.page), rel="alternate", type="text/html")


def render_feed(site: Site, spec: FeedSpec) -> tuple[bytes, bytes]:
    """One feed as (Atom, RSS 2.0) documents."""
    feed = _generator(site, spec, entries(site, spec.slug))
    _links(feed, site, spec, spec.atom_path, "application/atom+xml")
    atom = feed.atom_str(pretty=True)
    _links(feed, site, spec, spec.rss_path, "application/rss+xml")
    rss = feed.rss_str(pretty=True)
    return atom, rss


def write_feeds(site: Site, output: Path, write) -> list[str]:
    """Writes every feed into ``output`` with ``write(path, data)``; returns the paths written."""
    written = []
    for spec in FEEDS:
        atom, rss = render_feed(site, spec)
        for path, data in ((spec.atom_path, atom), (spec.rss_path, rss)):
            write(output / path, data)
            written.append(path)
    return written
