"""The failure-lessons library (失败经验总结) as Pelican sources: one page per report at
``lessons/<slug>/``, the listing at ``lessons/`` (newest first) and, so that it can be filtered
without JavaScript, one listing per field of study (``lessons/field/<key>/``) and per programme
(``lessons/programme/<key>/``), each in pages of :data:`LISTING_PAGE_SIZE`. Also the entries
of the lessons feed (:func:`feed_entries`, written by :mod:`portal.feeds`).

The reports reach the CMS's read API already de-identified (the CMS's guard refuses anything
else); this module picks their public fields by name, cleans every text at the boundary and
formats dates. It never imports ``cms``.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from common.cleaning import clean_text

from .client import CMSClient
from .dates import EPOCH_ISO, date_zh, local_iso
from .sources import page_source, source_path
from .text import paragraphs
from .urls import (
    LESSONS_URL,
    lesson_field_url,
    lesson_programme_url,
    lesson_url,
    notice_url,
    page_url,
)

LESSON_TYPE = "lessons.LessonPage"
LESSON_INDEX_TYPE = "lessons.LessonIndexPage"
PAGE_TEMPLATE = "lesson"
LIST_TEMPLATE = "lesson_list"
FEED_SLUG = "lessons"
DEFAULT_TITLE = "失败经验总结"
#: Reports per listing page; page N (N ≥ 2) of a listing is at ``<listing>page/N/``.
LISTING_PAGE_SIZE = 20
#: The report's body, in reading order: (API field, heading).
SECTIONS = (
    ("approach", "技术路线与尝试"),
    ("failure_analysis", "失败原因分析"),
    ("lessons", "经验与启示"),
    ("scientific_value", "科学价值评估"),
)


class LessonDataError(ValueError):
    """The reports cannot be published as the API sent them (e.g. two at one address)."""


# --- one report -------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return clean_text(str(value)).strip() if value is not None else ""


def _paragraphs(value: Any) -> list[str]:
    return paragraphs(clean_text(str(value)) if value is not None else "")


def _period(start: Any, end: Any) -> str:
    if not start:
        return ""
    return f"{start}年" if not end or end == start else f"{start}年至{end}年"


def _related_notice(notice: dict[str, Any] | None) -> dict[str, Any] | None:
    if not notice:
        return None
    return {
        "title": _text(notice.get("title")),
        "notice_number": _text(notice.get("notice_number")),
        "url": notice_url(notice["slug"], notice["id"]),
    }


def lesson_data(page: dict[str, Any]) -> dict[str, Any]:
    """The public facts of one report, field by field, cleaned and ready for the templates."""
    meta = page.get("meta") or {}
    field = _text(page.get("field_of_study"))
    programme = _text(page.get("programme"))
    published = meta.get("first_published_at") or EPOCH_ISO
    return {
        "id": page["id"],
        "title": _text(page["title"]),
        "url": lesson_url(meta.get("slug") or "", page["id"]),
        "field_of_study": field,
        "field_url": lesson_field_url(field) if field else "",
        "programme": programme,
        "programme_label": _text(page.get("programme_label")) or programme,
        "programme_url": lesson_programme_url(programme) if programme else "",
        "start_year": page.get("start_year"),
        "end_year": page.get("end_year"),
        "period_zh": _period(page.get("start_year"), page.get("end_year")),
        "summary": _text(page.get("summary")),
        "sections": [
            {
                "id": name.replace("_", "-"),
                "heading": heading,
                "paragraphs": _paragraphs(page.get(name)),
            }
            for name, heading in SECTIONS
            if _paragraphs(page.get(name))
        ],
        "related_notice": _related_notice(page.get("related_notice_summary") or None),
        "first_published_at": published,
        "last_published_at": page.get("last_published_at") or published,
        "published_zh": date_zh(published),
    }


def _entry(lesson: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "title", "url", "field_of_study", "field_url", "programme_label", "programme_url",
        "period_zh", "summary", "related_notice", "published_zh", "first_published_at",
    )  # fmt: skip
    return {key: lesson[key] for key in keys}


# --- sources ----------------------------------------------------------------------------------


def _filters(lessons: list[dict[str, Any]], current: str) -> dict[str, list[dict[str, Any]]]:
    def links(label_key: str, url_key: str) -> list[dict[str, Any]]:
        counts: dict[tuple[str, str], int] = {}
        for lesson in lessons:
            if lesson[url_key]:
                pair = (lesson[label_key], lesson[url_key])
                counts[pair] = counts.get(pair, 0) + 1
        return [
            {"label": label, "url": url, "count": count, "current": url == current}
            for (label, url), count in sorted(counts.items())
        ]

    return {
        "fields": links("field_of_study", "field_url"),
        "programmes": links("programme_label", "programme_url"),
    }


@dataclass(frozen=True)
class _Library:
    """The reports, newest first, and what every listing of them shows besides its entries."""

    lessons: list[dict[str, Any]]
    title: str
    introduction: list[str]
    date: str  # a listing's date when it has no entries

    @property
    def link(self) -> dict[str, str]:
        return {"title": self.title, "url": LESSONS_URL}

    def page_sources(self) -> dict[str, dict[str, Any]]:
        """One page per report."""
        sources = {}
        for lesson in self.lessons:
            metadata = {
                "title": lesson["title"],
                "slug": "lesson-" + lesson["url"].strip("/").split("/")[-1],
                "template": PAGE_TEMPLATE,
                "url": lesson["url"],
                "date": lesson["first_published_at"],
            }
            sources[source_path(lesson["url"])] = page_source(
                metadata, {**lesson, "listing": self.link}
            )
        return sources

    def listing(self, url: str, slug: str, heading: str, chosen: list[dict[str, Any]],
                kind: str) -> dict[str, dict[str, Any]]:  # fmt: skip
        """The pages of one listing of the ``chosen`` reports, at ``url``."""
        sources = {}
        size = max(1, LISTING_PAGE_SIZE)
        count = max(1, math.ceil(len(chosen) / size))
        for number in range(1, count + 1):
            entries = chosen[(number - 1) * size : number * size]
            cms = {
                "kind": kind,
                "heading": heading,
                "introduction": self.introduction,
                "filters": _filters(self.lessons, url),
                "entries": [_entry(lesson) for lesson in entries],
                "total": len(chosen),
                "all_url": LESSONS_URL,
                "listing": self.link,
                "pagination": {
                    "number": number,
                    "count": count,
                    "previous_url": page_url(url, number - 1) if number > 1 else "",
                    "next_url": page_url(url, number + 1) if number < count else "",
                },
            }
            page_title = self.title if kind == "all" else f"{self.title}：{heading}"
            metadata = {
                "title": page_title if number == 1 else f"{page_title}（第{number}页）",
                "slug": slug if number == 1 else f"{slug}-page-{number}",
                "template": LIST_TEMPLATE,
                "url": page_url(url, number),
                "date": entries[0]["first_published_at"] if entries else self.date,
            }
            sources[f"lesson-listings/{metadata['slug']}.json"] = page_source(metadata, cms)
        return sources

    def listings(self) -> dict[str, dict[str, Any]]:
        """Every listing: all the reports, then by field of study and by programme."""
        sources = self.listing(LESSONS_URL, "lessons", "全部报告", self.lessons, "all")
        filters = _filters(self.lessons, "")
        for group in filters["fields"]:
            chosen = [lesson for lesson in self.lessons if lesson["field_url"] == group["url"]]
            slug = "lessons-field-" + group["url"].strip("/").split("/")[-1]
            sources |= self.listing(group["url"], slug, f"学科领域：{group['label']}", chosen,
                                    "field")  # fmt: skip
        for group in filters["programmes"]:
            chosen = [lesson for lesson in self.lessons if lesson["programme_url"] == group["url"]]
            slug = "lessons-programme-" + group["url"].strip("/").split("/")[-1]
            sources |= self.listing(group["url"], slug, f"计划类别：{group['label']}", chosen,
                                    "programme")  # fmt: skip
        return sources


def lesson_sources(
    pages: Iterable[dict[str, Any]], index: dict[str, Any] | None
) -> dict[str, dict[str, Any]]:
    """Every lessons source keyed by its file path: the reports' pages and the listings.

    Nothing when the CMS has no lessons section and no reports.
    """
    lessons = [lesson_data(page) for page in pages]
    if index is None and not lessons:
        return {}
    lessons.sort(key=lambda lesson: (lesson["first_published_at"], lesson["id"]), reverse=True)
    urls = [lesson["url"] for lesson in lessons]
    if duplicates := sorted({url for url in urls if urls.count(url) > 1}):
        raise LessonDataError(
            f"Two failure reports would be written to the same address: {duplicates}"
        )
    index = index or {}
    library = _Library(
        lessons,
        title=_text(index.get("title")) or DEFAULT_TITLE,
        introduction=_paragraphs(index.get("introduction")),
        date=(index.get("meta") or {}).get("first_published_at") or EPOCH_ISO,
    )
    return library.page_sources() | library.listings()


def sources(client: CMSClient) -> dict[str, dict[str, Any]]:
    """The exporter's hook (``collect_sources``): every lessons source, read from the API."""
    index = next(iter(client.pages_of_type(LESSON_INDEX_TYPE)), None)
    return lesson_sources(client.pages_of_type(LESSON_TYPE), index)


# --- the feed ---------------------------------------------------------------------------------


def feed_entries(site) -> list[dict[str, Any]]:
    """The lessons feed's entries (keyword arguments of :class:`portal.feeds.Entry`), from the
    exported report pages of ``site`` (a :class:`portal.sitewide.Site`)."""
    found = []
    for source in site.of_template(PAGE_TEMPLATE):
        lesson = source["cms"]
        published = local_iso(lesson["first_published_at"])
        facts = [f"学科领域：{lesson['field_of_study']}；计划类别：{lesson['programme_label']}"]
        if lesson.get("period_zh"):
            facts.append(f"；项目起止：{lesson['period_zh']}")
        facts.append("。" + lesson.get("summary", ""))
        if lesson.get("related_notice"):
            facts.append(f"相关决定公告：{lesson['related_notice']['title']}。")
        found.append(
            {
                "id": site.tag(published, f"page-{lesson['id']}"),
                "title": lesson["title"],
                "link": site.absolute(lesson["url"]),
                "summary": "".join(facts),
                "published": published,
                "updated": local_iso(
                    lesson.get("last_published_at") or lesson["first_published_at"]
                ),
                "categories": tuple(
                    c for c in (lesson["field_of_study"], lesson["programme_label"]) if c
                ),
            }
        )
    return found
