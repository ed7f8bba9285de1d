"""The three notice listings (公示中, 公示结束, 认定结果) as Pelican sources, in pages of
:data:`LISTING_PAGE_SIZE`, and what the home page shows of the notices under publicity.

A listing's own address shows its newest entries; its archive pages are numbered from the oldest,
as archives are, so a full page keeps its entries (and its file) however many newer notices come:
finalising a notice rewrites the results listing's first page and at most its newest archive
page, not every page after it.

They are made from a compact record of each notice (:func:`listing_entry` and the dates the
listings sort by), so an incremental export need not read every notice again.
"""

from collections.abc import Callable, Iterable
from typing import Any

from .dates import EPOCH_ISO
from .notices import (
    CLOSED,
    CORRECTED,
    FINALISED,
    LISTINGS,
    UNDER_PUBLICITY,
    WITHDRAWN,
    check_addresses,
    notice_data,
    notice_page_sources,
)
from .sources import page_source, source_path
from .text import paragraphs
from .urls import archive_url

# Entries per listing page; page N (N ≥ 2) of a listing is at ``<base>page/N/``.
LISTING_PAGE_SIZE = 20
HOME_NOTICE_COUNT = 5


def listing_entry(notice: dict[str, Any]) -> dict[str, Any]:
    """What a listing shows of a notice (its group is added by the listing)."""
    return {
        "title": notice["title"],
        "url": notice["url"],
        "notice_number": notice["notice_number"],
        "state": notice["state"],
        "state_label": notice["state_label"],
        "dates_zh": notice["window"]["dates_zh"],
        "days_left": notice["window"]["days_left"],
        "handling_body": notice["handling_body"],
        "item_count": len(notice["decision_items"]),
        "exempted_count": notice["exempted_count"],
        "rejected_count": notice["rejected_count"],
        "finalised_on_zh": notice["finalised_on_zh"],
        "corrected_by": notice["corrected_by"],
        "withdrawal": notice["withdrawal"],
    }


def listing_pages(entries: list, size: int) -> list[tuple[int, list]]:
    """The pages of a listing of ``entries`` (newest first) as ``(number, entries)``: 0, the
    listing itself, shows the newest ``size``; when there are more, archive pages 1 … F
    (F = len // size, newest first) hold ``size`` entries each, counted from the oldest, so page
    N keeps its entries as newer ones arrive. The newest few (fewer than ``size``) are on the
    listing's own page only."""
    total = len(entries)
    pages = [(0, entries[:size])]
    if total > size:
        for number in range(total // size, 0, -1):
            pages.append((number, entries[total - number * size : total - (number - 1) * size]))
    return pages


def _pagination(base: str, number: int, archived: int) -> dict[str, Any]:
    """Links to the newer and the older page (the listing's own page is the newest)."""
    newer = number + 1 if number < archived else 0
    older = archived if number == 0 else number - 1
    return {
        # An archive page names only itself: "of N" would change every page as pages are added.
        "current": "最新" if number == 0 else f"存档第 {number} 页（第 1 页最早）",
        "newer_url": archive_url(base, newer) if number else "",
        "newer_label": "最新" if newer == 0 else f"存档第 {newer} 页",
        "older_url": archive_url(base, older) if older else "",
        "older_label": f"存档第 {older} 页" if older else "",
    }


def listing_sources(
    kind: str,
    entries: list[dict[str, Any]],
    groups: dict[str, str],
    *,
    introduction: list[str] | None = None,
    date: str,
) -> list[dict[str, Any]]:
    """The pages of one listing (:func:`listing_pages`, at least one page). A full archive page
    holds nothing that depends on how many notices came after it (no count, no number of
    pages), so its source, and its file, stay as they are while newer notices arrive.

    ``groups`` names, in order, the sections entries fall into (``entry["group"]``); each page
    shows the sections its own entries belong to.
    """
    listing = LISTINGS[kind]
    base = listing["url"]
    pages = listing_pages(entries, max(1, LISTING_PAGE_SIZE))
    archived = len(pages) - 1
    subnav = [
        {"title": other["title"], "url": other["url"], "current": name == kind}
        for name, other in LISTINGS.items()
    ]
    sources = []
    for number, chunk in pages:
        sections = [
            {
                "id": group,
                "heading": heading,
                "entries": [entry for entry in chunk if entry["group"] == group],
            }
            for group, heading in groups.items()
        ]
        # The first section always shows (with its "none" line); the others only with entries.
        sections = [s for position, s in enumerate(sections) if position == 0 or s["entries"]]
        title = listing["title"] if number == 0 else f"{listing['title']}（存档第{number}页）"
        cms = {
            "kind": kind,
            "heading": listing["heading"],
            "introduction": introduction or [],
            "subnav": subnav,
            "sections": sections,
            "pagination": _pagination(base, number, archived),
        }
        metadata = {
            "title": title,
            "slug": f"listing-{kind}" if number == 0 else f"listing-{kind}-page-{number}",
            "template": "notice_list",
            "url": archive_url(base, number),
            "date": date,
        }
        sources.append(page_source(metadata, cms))
    return sources


def _latest_first(notices: Iterable[dict[str, Any]], date_of: Callable) -> list[dict[str, Any]]:
    """Newest first by the given ISO date, then by id (newer pages have higher ids)."""
    return sorted(notices, key=lambda n: (date_of(n) or "", n["id"]), reverse=True)


def _home_entry(record: dict[str, Any]) -> dict[str, Any]:
    """What the home page shows of a notice under publicity."""
    entry = record["entry"]
    return {
        "id": record["id"],
        "title": entry["title"],
        "url": entry["url"],
        "notice_number": entry["notice_number"],
        "window": {"dates_zh": entry["dates_zh"], "days_left": entry["days_left"]},
        "handling_body": entry["handling_body"],
    }


def listings_from_records(
    records: list[dict[str, Any]], index: dict[str, Any] | None
) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """The listing pages from each notice's record (``portal.notice_store.notice_record``: id,
    state, window dates, finalised_on and ``entry``), and the notices under publicity, newest
    first, as the home page shows them."""
    by_state: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_state.setdefault(record["state"], []).append(record)
    date = (index or {}).get("meta", {}).get("first_published_at") or EPOCH_ISO

    def start(record):
        return record["start_date"]

    under_publicity = _latest_first(by_state.get(UNDER_PUBLICITY, []), start)
    closed = _latest_first(by_state.get(CLOSED, []), lambda r: r["end_date"])
    changed = _latest_first(by_state.get(CORRECTED, []) + by_state.get(WITHDRAWN, []), start)
    finalised = _latest_first(by_state.get(FINALISED, []), lambda r: r["finalised_on"])

    def entries(group, chosen):
        return [{**record["entry"], "group": group} for record in chosen]

    listings = [
        listing_sources(
            "open",
            entries("open", under_publicity),
            {"open": "公示中的公告"},
            introduction=paragraphs((index or {}).get("introduction")),
            date=date,
        ),
        listing_sources(
            "closed",
            entries("closed", closed) + entries("changed", changed),
            {"closed": "公示期满、待确认结果的公告", "changed": "已更正或已撤回的公告"},
            date=date,
        ),
        listing_sources(
            "results", entries("results", finalised), {"results": "已确认的认定结果"}, date=date
        ),
    ]
    sources = {
        f"listings/{source['metadata']['slug']}.json": source
        for listing in listings
        for source in listing
    }
    return sources, [_home_entry(record) for record in under_publicity]


def notice_collection_sources(
    pages: Iterable[dict[str, Any]],
    index: dict[str, Any] | None,
    *,
    objection_form: dict[str, Any],
) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """Every notice-related source keyed by its file path, and the notices under publicity,
    newest first, with what the home page shows of them (id, title, url, notice_number,
    window's dates_zh and days_left, handling_body).

    ``objection_form`` is what :func:`portal.objections.form_from_schema` read from the API.
    """
    pages = list(pages)
    live_ids = {page["id"] for page in pages}
    notices = [notice_data(page, live_ids) for page in pages]
    check_addresses(notice["url"] for notice in notices)

    sources: dict[str, dict[str, Any]] = {}
    for notice in notices:
        for source in notice_page_sources(notice, objection_form):
            sources[source_path(source["metadata"]["url"])] = source
    records = [
        {
            "id": notice["id"],
            "state": notice["state"],
            "start_date": notice["window"]["start_date"],
            "end_date": notice["window"]["end_date"],
            "finalised_on": notice["finalised_on"],
            "entry": listing_entry(notice),
        }
        for notice in notices
    ]
    listings, under_publicity = listings_from_records(records, index)
    sources.update(listings)
    return sources, under_publicity
