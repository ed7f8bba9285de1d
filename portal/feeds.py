"""Subscription feeds (RSS 2.0 and Atom, written with feedgen) from the exported sources.

Five feeds, each in both formats, under ``feeds/``, each the latest :data:`FEED_LIMIT` (100)
changes: the decision notices, the exempted items, the rejected items (each linking to its
不予认定理由 page) and the policy-type pages (policies now, guidance pages later: any source
whose template is in :data:`POLICY_TEMPLATES`). The open data files keep everything.

They are written by a build step over the whole site (:func:`portal.opendata.write_site_outputs`),
not by Pelican, because Pelican may render only part of the sources in one run. Everything they
say comes from the sources the exporter wrote, the same data the pages show; nothing depends on
the time of the build, so the same sources give the same bytes. Entry ids are tag URIs made of
the site's host, the day the entry was first published and the CMS id, so they survive a change
of address; links are absolute, on ``SITEURL`` when it is absolute (publishconf) or else
``PORTAL_BASE_URL``.

This module also holds the exporter's hook that dates each notice (:func:`add_notice_dates`):
when it was first published and when its public state last changed.
"""

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from itertools import islice
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from feedgen.feed import FeedGenerator

from . import lessons as lesson_pages
from . import notices as notice_pages

LOCAL_TZ = notice_pages.LOCAL_TZ
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
LANGUAGE = "zh-CN"
FEED_DIR = "feeds"
DEFAULT_BASE_URL = "http://127.0.0.1:8001"
NOTICE_TEMPLATE = "notice"
REJECTION_TEMPLATE = "rejection"
# Entries per feed: a feed is a stream of recent changes; the open data files keep everything.
FEED_LIMIT = 100
# Sources listed in the policy feed, JSON-LD'd as Legislation; guidance pages join when they exist.
POLICY_TEMPLATES = ("policy", "guidance")


@dataclass(frozen=True)
class FeedSpec:
    slug: str
    title: str
    description: str
    page: str  # the listing the feed follows, relative to the site root

    @property
    def atom_path(self) -> str:
        return f"{FEED_DIR}/{self.slug}.atom.xml"

    @property
    def rss_path(self) -> str:
        return f"{FEED_DIR}/{self.slug}.rss.xml"


FEEDS = (
    FeedSpec(
        "notices",
        "公示公告",
        "最近更新的100条决定公告：公示中、公示结束、已确认结果、已更正和已撤回的公告，每条注明公示期和状态；全部公告见开放数据。",
        notice_pages.NOTICES_URL,
    ),
    FeedSpec(
        "exemptions",
        "予以免责事项",
        "最近更新的100个予以免责事项，每条注明适用情形、所属公告、公示期和公告状态；全部事项见开放数据。",
        notice_pages.RESULTS_URL,
    ),
    FeedSpec(
        "rejections",
        "不予认定事项",
        "最近更新的100个不予认定事项，每条链接到该事项的不予认定理由页面；全部事项见开放数据。",
        notice_pages.NOTICES_URL,
    ),
    FeedSpec(
        "policies",
        "政策文件变动",
        "政策文件的发布和状态变化（试行、正式、已修订、已废止等）。",
        "policies/",
    ),
    FeedSpec(
        lesson_pages.FEED_SLUG,
        "失败经验总结",
        "经认定容错免责项目的失败经验总结（已脱敏）：学科领域、计划类别、失败原因和经验启示。",
        lesson_pages.LESSONS_URL,
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


# --- dates ------------------------------------------------------------------------------------


def instant(value: str | None) -> datetime | None:
    """An ISO timestamp (aware, or read in Asia/Shanghai) or a date (its 00:00 in Asia/Shanghai)."""
    if not value:
        return None
    if "T" not in value:
        return datetime.combine(date.fromisoformat(value), time(), tzinfo=LOCAL_TZ)
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_TZ)


def iso(moment: datetime) -> str:
    """Asia/Shanghai time to the second: '2026-11-25T17:15:48+08:00'."""
    return moment.astimezone(LOCAL_TZ).replace(microsecond=0).isoformat()


def notice_dates(page: dict[str, Any], pages_by_id: dict[int, dict[str, Any]]) -> dict[str, str]:
    """When a notice (as the API sent it) was first published, and when what the public sees of it
    last changed: published again, withdrawn, finalised, corrected (the correction went live) or
    its window closed (the CMS's own closing instant, once the CMS said it had passed)."""
    published = instant(page["meta"].get("first_published_at")) or EPOCH
    changes = [published, instant(page.get("last_published_at"))]
    changes.append(instant((page.get("withdrawal") or {}).get("withdrawn_at")))
    changes.append(instant(page.get("finalised_on")))
    window = page.get("window") or {}
    closes, computed = instant(window.get("closes_at")), instant(window.get("computed_at"))
    if closes and computed and closes <= computed:
        changes.append(closes)
    for summary in page.get("corrected_by_summary") or []:
        correction = pages_by_id.get(summary.get("id"))
        if correction:
            changes.append(instant(correction["meta"].get("first_published_at")))
    updated = max(moment for moment in changes if moment is not None)
    return {"published_at": iso(published), "updated_at": iso(updated)}


def add_notice_dates(sources: dict[str, dict[str, Any]], pages: Iterable[dict[str, Any]]) -> None:
    """The exporter's hook: each notice page's source gets ``cms.dates`` (see :func:`notice_dates`),
    which the feeds, the sitemap and the page's JSON-LD use."""
    pages = list(pages)
    by_id = {page["id"]: page for page in pages}
    for page in pages:
        url = notice_pages.notice_url(page["meta"]["slug"], page["id"])
        source = sources.get(f"{url.strip('/')}.json")
        if source is not None:
            source["cms"]["dates"] = notice_dates(page, by_id)


def _notice_published(cms: dict[str, Any]) -> datetime:
    dates = cms.get("dates") or {}
    return instant(dates.get("published_at")) or instant(cms.get("first_published_at")) or EPOCH


def notice_published(cms: dict[str, Any]) -> str:
    return iso(_notice_published(cms))


def notice_updated(cms: dict[str, Any]) -> str:
    """The notice's last change (from the exporter's dates; its first publication without them)."""
    updated = instant((cms.get("dates") or {}).get("updated_at"))
    return iso(updated or _notice_published(cms))


def source_published(source: dict[str, Any]) -> str:
    """A page source's publication (Pelican's ``date``, the CMS's first_published_at)."""
    return iso(instant(source["metadata"].get("date")) or EPOCH)


def source_updated(source: dict[str, Any]) -> str:
    """A page source's last publication when the API tells it, else its first."""
    updated = instant(source["cms"].get("last_published_at"))
    return iso(updated) if updated else source_published(source)


# --- the site, as exported --------------------------------------------------------------------


def absolute_base(settings: dict[str, Any]) -> str:
    """The site's absolute address, ending in '/': SITEURL when absolute, else PORTAL_BASE_URL."""
    siteurl = str(settings.get("SITEURL") or "")
    if not siteurl.startswith(("http://", "https://")):
        siteurl = str(settings.get("PORTAL_BASE_URL") or DEFAULT_BASE_URL)
    return siteurl.rstrip("/") + "/"


def load_sources(
    content_dir: Path, check: Callable[[], None] | None = None
) -> list[dict[str, Any]]:
    """Every source the exporter wrote (``content/generated``), in a stable order; ``check()``
    is called every few hundred files (what it raises stops the reading)."""
    generated = content_dir / "generated"
    sources = []
    for count, path in enumerate(sorted(generated.rglob("*.json"))):
        if check is not None and count % 256 == 0:
            check()
        if not any(part.startswith(".") for part in path.relative_to(generated).parts):
            sources.append(json.loads(path.read_text(encoding="utf-8")))
    return sources


@dataclass(frozen=True)
class Site:
    """What the site-wide outputs are made of: the exported sources and a few settings."""

    base_url: str
    name: str
    publisher: str
    sources: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_settings(
        cls, settings: dict[str, Any], sources: list[dict[str, Any]], notice_reader=None
    ) -> "Site":
        return cls(
            base_url=absolute_base(settings),
            name=str(settings.get("SITENAME") or ""),
            publisher=str(settings.get("AUTHOR") or settings.get("SITESUBTITLE") or ""),
            sources=sources,
            notice_reader=notice_reader,
        )

    def absolute(self, url: str) -> str:
        """``url`` resolved against the site's address. A plain path below it (the sitemap and
        the open data make ~80,000 of them) is appended; anything else goes through urljoin."""
        plain = (
            self.base_url.endswith("/")
            and not url.startswith(("/", "."))
            and "/." not in url
            and ":" not in url.split("/", 1)[0]
        )
        return self.base_url + url if plain else urljoin(self.base_url, url)

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or "localhost"

    def tag(self, published: str, specific: str) -> str:
        """A tag URI (RFC 4151): 'tag:<host>,<first publication day>:<specific>'."""
        return f"tag:{self.host},{published[:10]}:{specific}"

    #: When set, the notices' page data newest change first, read only as far as a feed needs
    #: (an incremental build, whose unchanged notice pages stay on disk); else from ``sources``.
    notice_reader: Callable[[], Iterator[dict[str, Any]]] | None = None

    def recent_notices(self) -> Iterator[dict[str, Any]]:
        """The notices' page data, newest change first (then by id), one by one."""
        return self.notice_reader() if self.notice_reader else iter(self.notices)

    def of_template(self, *templates: str) -> list[dict[str, Any]]:
        return [s for s in self.sources if s["metadata"].get("template") in templates]

    @property
    def notices(self) -> list[dict[str, Any]]:
        """The notices' page data, newest change first (then by id)."""
        if self.notice_reader:
            return list(self.notice_reader())
        notices = [s["cms"] for s in self.of_template(NOTICE_TEMPLATE)]
        return sorted(notices, key=lambda n: (notice_updated(n), n["id"]), reverse=True)

    @property
    def policies(self) -> list[dict[str, Any]]:
        """The policy-type sources, newest change first (then by id)."""
        policies = self.of_template(*POLICY_TEMPLATES)
        return sorted(policies, key=lambda s: (source_updated(s), s["cms"]["id"]), reverse=True)


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
        facts.append(f"发布日期：{notice_pages.date_zh(policy['issue_date'])}。")
    if policy.get("effective_date"):
        facts.append(f"施行日期：{notice_pages.date_zh(policy['effective_date'])}。")
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
