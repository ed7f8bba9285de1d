"""Writes Pelican source files (JSON, read by the ``cms_content`` plugin) from the read API.

Each file holds ``metadata`` (Pelican's: title, slug, template, url, save_as, date) and ``cms``,
the page's data for its template (see :mod:`portal.sources`). Rich text is cleaned here, once,
at the boundary. The export is the last step before rendering: it gathers what the modules below
it make of the API's answers, and hands the build the sources, as written and as held in memory.
"""

import contextlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common.cleaning import clean_html

from . import (
    consultation,
    forked,
    guidance,
    lessons,
    notice_store,
    objections,
    record,
    record_pages,
    selfcheck,
    site_identity,
    site_map,
    statistics_pages,
    warm,
)
from .client import BundledClient, CMSClient
from .dates import first_published
from .files import replace_file, walk_files
from .listings import HOME_NOTICE_COUNT
from .notices import LISTINGS, NOTICE_INDEX_TYPE, NoticeDataError
from .sitewide import NOTICE_TEMPLATE, Site
from .sources import GENERATED_DIR, UNCHANGED, page_source, source_bytes
from .urls import HOME_URL, POLICIES_URL, policy_url

HOME_TYPE = "core.HomePage"
POLICY_INDEX_TYPE = "policies.PolicyIndexPage"
POLICY_TYPE = "policies.PolicyPage"


def policy_source(page: dict[str, Any]) -> dict[str, Any]:
    slug = page["meta"]["slug"]
    superseded = page.get("superseded_by_summary")
    cms = {
        "id": page["id"],
        "title": page["title"],
        "document_number": page.get("document_number") or "",
        "issuing_body": page["issuing_body"],
        "status": page["status"],
        "status_label": page["status_label"],
        "superseded_by": (
            {"title": superseded["title"], "url": policy_url(superseded["slug"])}
            if superseded
            else None
        ),
        "issue_date": page.get("issue_date"),
        "effective_date": page.get("effective_date"),
        "preamble": page.get("preamble") or "",
        "outline": page.get("outline") or [],
        "interpretation_html": clean_html(page.get("interpretation")),
        **consultation.consultation(page),
    }
    metadata = {
        "title": page["title"],
        "slug": slug,
        "template": "policy",
        "url": policy_url(slug),
        "date": first_published(page),
    }
    return page_source(metadata, cms)


def policy_index_source(index: dict[str, Any], policies: Iterable[dict[str, Any]]) -> dict:
    entries = [
        {
            "title": source["cms"]["title"],
            "url": source["metadata"]["url"],
            "status_label": source["cms"]["status_label"],
            "document_number": source["cms"]["document_number"],
            "issue_date": source["cms"]["issue_date"],
        }
        for source in policies
    ]
    metadata = {
        "title": index["title"],
        "slug": "policies",
        "template": "policy_index",
        "url": POLICIES_URL,
        "date": first_published(index),
    }
    cms = {"introduction": index.get("introduction") or "", "policies": entries}
    return page_source(metadata, cms)


def home_source(
    home: dict[str, Any],
    policies: Iterable[dict[str, Any]],
    under_publicity: Sequence[dict[str, Any]] = (),
    statistics: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The home page: its introduction, the policies, the latest notices under publicity and
    the chart of the last months' decisions (:func:`portal.statistics_pages.home_chart`)."""
    metadata = {"title": home["title"], "slug": "home", "template": "home", "url": HOME_URL}
    metadata["date"] = first_published(home)
    featured = [
        {
            "title": s["cms"]["title"],
            "url": s["metadata"]["url"],
            "status_label": s["cms"]["status_label"],
        }
        for s in policies
    ]
    latest = [
        {
            "title": notice["title"],
            "url": notice["url"],
            "notice_number": notice["notice_number"],
            "dates_zh": notice["window"]["dates_zh"],
            "days_left": notice["window"]["days_left"],
            "handling_body": notice["handling_body"],
        }
        for notice in under_publicity[:HOME_NOTICE_COUNT]
    ]
    listings = [{"title": listing["title"], "url": listing["url"]} for listing in LISTINGS.values()]
    cms = {
        "introduction": home.get("introduction") or "",
        "policies": featured,
        "under_publicity": latest,
        "under_publicity_total": len(under_publicity),
        "listings": listings,
        "statistics": statistics,
    }
    return page_source(metadata, cms)


def collect_sources(
    client: CMSClient,
    notices: notice_store.NoticeState | None = None,
    held: record.Held | None = None,
    changes: dict[str, Any] | None = None,
) -> dict[str, dict[str, Any]]:
    """Every generated source file, keyed by its path relative to the generated directory.

    Pages that are few are fetched and made in full on every build; the notices are fetched only
    as far as they changed since ``notices`` (the last export's state; ``changes``: the export's
    notices since its version), and the pages of the others are marked
    :data:`~portal.sources.UNCHANGED` (see :mod:`portal.notice_store`). The
    public record is fetched after ``held`` (the entries the last export kept), and ``held``
    then holds the entries to publish (see :mod:`portal.record_pages`).
    """
    policies = sorted(
        (policy_source(page) for page in client.pages_of_type(POLICY_TYPE)),
        key=lambda source: (source["cms"]["issue_date"] or "", source["cms"]["id"]),
        reverse=True,
    )
    sources = {f"policies/{s['metadata']['slug']}.json": s for s in policies}
    consultation.add_comment_forms(policies, client)
    for index in client.pages_of_type(POLICY_INDEX_TYPE):
        sources["policies.json"] = policy_index_source(index, policies)
    objection_form = objections.fetch_form(client)
    notice_index = next(iter(client.pages_of_type(NOTICE_INDEX_TYPE)), None)
    # Each notice page is dated (dates.notice_dates) there: for feeds, sitemap and JSON-LD.
    notice_export = notice_store.collect(client, notice_index, objection_form, notices, changes)
    sources.update(notice_export.sources)
    under_publicity = notice_export.under_publicity
    held = held if held is not None else record.Held()
    entries = held.ready()  # its thread done before a fork (see _statistics_soon)
    # The figures from every notice's record, as held in memory (no notice page is read).
    statistics = _statistics_soon(notice_export.state.records.values(), notice_index)
    record_export = record_pages.collect(
        client,
        entries,
        list(notice_export.state.records.values()),
        None if notice_export.full else notice_export.fresh,
    )
    sources.update(record_export.sources)
    held.entries = record_export.entries
    sources.update(objections.page_sources(objection_form))
    sources.update(guidance.sources(client))
    sources.update(selfcheck.sources(client))
    sources.update(lessons.sources(client))
    figures = statistics()
    sources.update(figures.sources)
    for home in client.pages_of_type(HOME_TYPE):
        sources["home.json"] = home_source(home, policies, under_publicity, figures.home)
    if notices is not None:
        notices.key, notices.records = notice_export.state.key, notice_export.state.records
    return sources


def _statistics_soon(
    records: Iterable[dict[str, Any]], index: dict[str, Any] | None
) -> Callable[[], statistics_pages.StatisticsExport]:
    """The statistics page and the home page's chart, made while the other sources are: in a
    fork in the resident builder (:mod:`portal.forked`), where the figures would otherwise be
    the longest step before a publication goes live."""
    if warm.enabled():
        return forked.start(lambda: statistics_pages.collect(records, index))
    made = statistics_pages.collect(records, index)
    return lambda: made


class MissingSource(RuntimeError):
    """A source marked unchanged is not on disk: the notices must be exported in full."""


@dataclass(frozen=True)
class Written:
    """What :func:`write_sources` changed, as paths relative to the generated directory."""

    directory: Path
    written: list[str]
    removed: list[str]
    # Every source file now there, with its directory entry when it was not written (its
    # stat still holds), or UNCHANGED for a notice's page left as the last export wrote it:
    # the render step's scan then need not walk tens of thousands again, nor stat those.
    files: dict[str, os.DirEntry | str | None]


def write_sources(
    sources: dict[str, Any], content_dir: Path, known: set[str] | None = None
) -> Written:
    """Brings the generated directory to ``sources``: a file whose bytes change is written to a
    new name and renamed into place, a file of no source is removed, the rest is left alone
    (also its modification time, which :func:`portal.render.scan` relies on). ``known``: the
    files the last export left (its state), which an incremental export (some source
    UNCHANGED) trusts instead of walking the directory, whose size is the site's."""
    target = content_dir / GENERATED_DIR
    target.mkdir(parents=True, exist_ok=True)
    entries: dict[str, os.DirEntry | str | None]
    if known is not None and UNCHANGED in sources.values():
        entries = dict.fromkeys(known, UNCHANGED)
    else:
        entries = dict(walk_files(target))
    on_disk = set(entries)
    missing = [
        relative
        for relative, source in sources.items()
        if source is UNCHANGED and relative not in on_disk
    ]
    if missing:
        raise MissingSource(f"{len(missing)} unchanged sources are missing, e.g. {missing[0]}")
    written = []
    for relative, source in sources.items():
        if source is UNCHANGED:
            continue
        data = source_bytes(source)
        path = target / relative
        with contextlib.suppress(OSError):  # a new source: written below
            if path.read_bytes() == data:
                continue
        replace_file(path, data)
        written.append(relative)
        entries[relative] = None
    removed = sorted(on_disk - set(sources))
    for relative in removed:
        with contextlib.suppress(FileNotFoundError):  # known, but already gone
            os.unlink(target / relative)
        del entries[relative]
    return Written(target, written, removed, entries)


class ExportError(RuntimeError):
    """The CMS answered, but with data the exporter cannot publish (nothing is written)."""


@dataclass(frozen=True)
class Export:
    sources: dict[str, Any]  # path → source, or UNCHANGED for a notice page left as it was
    written: Written
    notices: notice_store.NoticeState  # each live notice's record, by id
    held: record.Held  # the public record's entries the site publishes

    def every_source(self) -> list[dict[str, Any]] | None:
        """Every source, when the export holds them all (a full export), in the order of files."""
        if any(source is UNCHANGED for source in self.sources.values()):
            return None
        return [self.sources[path] for path in sorted(self.sources, key=Path)]

    def feed_site(self, settings: dict[str, Any]) -> Site:
        """The feeds' view of the site without reading every notice page: the notices' records
        give their order; a page is read (from the export, or its file) when a feed reaches it."""
        generated = self.written.directory
        records = sorted(
            self.notices.records.values(), key=lambda r: (r["updated"], r["id"]), reverse=True
        )

        def read() -> Iterator[dict[str, Any]]:
            for kept in records:
                path = kept["sources"][0]
                source = self.sources[path]
                if source is UNCHANGED:
                    source = json.loads((generated / path).read_text(encoding="utf-8"))
                yield source["cms"]

        others = [
            (path, source)
            for path, source in self.sources.items()
            if source is not UNCHANGED and source["metadata"].get("template") != NOTICE_TEMPLATE
        ]
        others.sort(key=lambda item: Path(item[0]))  # as the files are read: the same feed bytes
        return Site.from_settings(settings, [s for _, s in others], notice_reader=read)


def export_site(
    client: CMSClient, content_dir: Path, *, incremental: bool = True, save_state: bool = True
) -> Export:
    """Collects and writes the sources from one answer of the CMS's export (``/api/v3/export/``:
    the notices changed since the last export's version, and every other read the sources are
    made from); incrementally, from the last export's notice state, when asked and possible (a
    full export otherwise, reading every notice page by page, and whenever a kept source is
    missing). Without ``save_state`` the caller saves ``notices`` (after going live, say);
    unsaved, the next export fetches again what this one fetched. The public record's entries
    are kept (``content/.record.jsonl``) once the sources are written: the build publishes them
    from there, and the next export fetches only what follows them. The site's identity, which
    every page's footer shows, is kept beside them (:mod:`portal.site_identity`)."""
    state, held, since = notice_store.NoticeState(), record.Held(), ""
    if incremental:
        state = notice_store.NoticeState.load_soon(content_dir)
        held = record.Held.load_soon(content_dir)
        since = notice_store.NoticeState.saved_version(content_dir)
    answer = client.export(since, record.last_sequence(content_dir) if incremental else 0)

    def collect() -> dict[str, Any]:
        sources = collect_sources(bundled, state, held, changes)
        sources.update(site_map.site_map_source(sources, content_dir))
        return sources

    try:
        bundled, changes = BundledClient(client, answer["reads"]), answer["notices"]
        identity = site_identity.fetch(bundled)
        known = state.ready().source_paths() if incremental else None
        try:
            sources = collect()
            written = write_sources(sources, content_dir, known)
        except MissingSource:
            state, changes = notice_store.NoticeState(), None
            sources = collect()
            written = write_sources(sources, content_dir)
    except (
        NoticeDataError, objections.ObjectionSchemaError, record.RecordError
    ) as exc:  # fmt: skip
        raise ExportError(str(exc)) from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise ExportError(f"Unexpected data from the CMS: {exc!r}") from exc
    state.version = answer["version"]
    notice_paths = {path for record in state.records.values() for path in record["sources"]}
    state.others = sorted(path for path in sources if path not in notice_paths)
    held.save(content_dir)
    site_identity.write(content_dir, identity)  # every page's footer: in the build's fingerprint
    if save_state:
        state.save(content_dir)
    return Export(sources, written, state, held)


def export(client: CMSClient, content_dir: Path) -> dict[str, Any]:
    """A full export: every source, fetched and made afresh."""
    return export_site(client, content_dir, incremental=False).sources
