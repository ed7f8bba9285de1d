"""The public record's pages as Pelican sources: one 公示记录 page per notice (its entries, under
the notice's own address) and the page at ``record/`` that says what the record is and how to
check it.

A notice's record page depends only on its own source (the notice's title, number and address,
and its entries), so an export makes afresh only the pages of notices fetched again or with new
entries, and marks the others :data:`~portal.sources.UNCHANGED`.
"""

from dataclasses import dataclass
from typing import Any

from . import record
from .client import CMSClient
from .dates import recorded_at_zh
from .notices import listing_of
from .sources import UNCHANGED, source_path
from .urls import (
    HEAD_JSON,
    HEAD_SIG,
    PUBLIC_KEY,
    RECORD_JSONL,
    RECORD_URL,
    page_file,
    record_url,
)

ABOUT_SOURCE = "record.json"
ABOUT_TEMPLATE = "record"
NOTICE_TEMPLATE = "notice_record"


def entry_view(entry: dict[str, Any]) -> dict[str, Any]:
    """An entry as the pages show it."""
    return {
        "sequence": entry["sequence"],
        "recorded_at": entry["recorded_at"],
        "recorded_at_zh": recorded_at_zh(entry["recorded_at"]),
        "event": entry["event"],
        "event_label": record.EVENTS.get(entry["event"], entry["event"]),
        "data_sha256": entry["data_sha256"],
        "previous_hash": entry["previous_hash"],
        "hash": entry["hash"],
    }


def notice_source(notice: dict[str, Any], entries: list[dict[str, Any]]) -> dict[str, Any]:
    """The record page of a notice (its record as :func:`portal.notice_store.notice_record`
    keeps it) with its entries, oldest first."""
    listing = listing_of(notice["state"])
    entry = notice["entry"]
    url = record_url(notice["url"])
    metadata = {
        "title": f"公示记录 - {entry['title']}",
        "slug": "record-" + notice["url"].strip("/").split("/")[-1],
        "template": NOTICE_TEMPLATE,
        "url": url,
        "save_as": page_file(url),
    }
    cms = {
        "notice": {
            "title": entry["title"],
            "notice_number": entry["notice_number"],
            "url": notice["url"],
            "listing": {"title": listing["title"], "url": listing["url"]},
        },
        "entries": [entry_view(e) for e in entries],
        "about_url": RECORD_URL,
        "record_file": RECORD_JSONL,
    }
    return {"metadata": metadata, "cms": cms}


def notice_sources(
    entries: list[dict[str, Any]],
    notices: list[dict[str, Any]],
    fresh: set[int] | None,
    changed: set[str] | None,
) -> dict[str, Any]:
    """The record page of each notice, by source path: made for the notices in ``fresh`` (ids)
    or with an entry of ``changed`` (subjects), the others :data:`UNCHANGED`; every one made
    when either is None."""
    every = fresh is None or changed is None
    remade = {
        notice["entry"]["notice_number"]
        for notice in notices
        if every or notice["id"] in fresh or notice["entry"]["notice_number"] in changed
    }
    by_subject: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        if entry["kind"] == "notice" and entry["subject"] in remade:
            by_subject.setdefault(entry["subject"], []).append(entry)
    sources: dict[str, Any] = {}
    for notice in notices:
        number = notice["entry"]["notice_number"]
        path = source_path(record_url(notice["url"]))
        made = number in remade
        sources[path] = notice_source(notice, by_subject.get(number, [])) if made else UNCHANGED
    return sources


def about_source(signing: dict[str, str] | None) -> dict[str, Any]:
    """The page that explains the record, with the files it links (the signature's when
    signed)."""
    metadata = {
        "title": "公示记录",
        "slug": "record",
        "template": ABOUT_TEMPLATE,
        "url": RECORD_URL,
        "save_as": page_file(RECORD_URL),
    }
    cms = {
        "record_file": RECORD_JSONL,
        "head_file": HEAD_JSON,
        "signature_file": HEAD_SIG if signing else "",
        "public_key_file": PUBLIC_KEY if signing else "",
        "public_key_sha256": signing["public_key_sha256"] if signing else "",
        "events": [{"event": code, "label": label} for code, label in record.EVENTS.items()],
        "zero_hash": record.ZERO_HASH,
    }
    return {"metadata": metadata, "cms": cms}


@dataclass(frozen=True)
class RecordExport:
    sources: dict[str, Any]
    entries: list[dict[str, Any]]  # what the site publishes


def collect(
    client: CMSClient,
    held: list[dict[str, Any]],
    notices: list[dict[str, Any]],
    fresh: set[int] | None,
) -> RecordExport:
    """The record (after ``held``, see :func:`portal.record.fetch`) as far as it agrees with
    ``notices`` (their records, :func:`portal.notice_store.notice_record`), and its pages;
    ``fresh``: the ids of the notices fetched (None: all were)."""
    fetched = record.fetch(client, held)
    expected: dict[str, str] = {}
    for notice in notices:
        number = notice["entry"]["notice_number"]
        if number in expected:
            raise record.RecordError(f"Two live notices have the number {number!r}")
        expected[number] = notice["record_sha256"]
    # The notices fetched afresh and those with new entries; the others agree as the last
    # build found them (their data and their entries unchanged since).
    only = None
    if fresh is not None and fetched.changed is not None:
        only = fetched.changed | {
            notice["entry"]["notice_number"] for notice in notices if notice["id"] in fresh
        }
    length = record.consistent_length(fetched.entries, expected, only)
    entries, left = fetched.entries[:length], fetched.entries[length:]
    changed = fetched.changed
    if changed is not None:
        changed = changed | {entry["subject"] for entry in left}
    sources = notice_sources(entries, notices, fresh, changed)
    sources[ABOUT_SOURCE] = about_source(record.signing_info())
    return RecordExport(sources, entries)
