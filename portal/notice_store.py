"""The notices' part of the export, incremental: only the notices that changed are fetched and
written again; the listings and the home page are made from a compact record of every notice
that the exporter keeps between builds.

The CMS's export (``/api/v3/export/``) hands out a version with every answer and, given the
version of the last export, sends the notices that may have changed since and the ids of those
no longer live. The records, with the version they hold for, are kept in ``content/.notices.json``
(the version alone also in ``.export-version``, which the next export sends before the records
are read), beside (not in) the sources. A build makes the changed notices' page sources as a full
export would, and marks every other notice page :data:`~portal.sources.UNCHANGED`: the exporter
leaves its file as it is. Every notice is read again when there is no usable record (first build,
other code or objection form, a version the CMS no longer takes), and always for a full build.
Both ways give the same sources for the same data.
"""

import hashlib
import json
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import warm
from .client import CMSClient, notice_pages
from .dates import notice_dates, notice_updated
from .files import replace_file
from .fingerprint import code_version
from .listings import listing_entry, listings_from_records
from .notices import check_addresses, notice_data, notice_page_sources
from .record import data_hash
from .sources import UNCHANGED, source_path
from .statistics import NoticeFacts, notice_facts

STATE_FILE = ".notices.json"
VERSION_FILE = ".export-version"
STATE_VERSION = 2


def _digest(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class NoticeState:
    """What the last export knew of every notice, by id, and the CMS's version it holds for."""

    key: str = ""  # the code and objection form it was made with
    records: dict[int, dict[str, Any]] = field(default_factory=dict)
    version: str = ""  # the CMS's export version the records hold for
    others: list[str] = field(default_factory=list)  # the export's other sources' paths
    pending: Future | None = None  # a load still running (see load_soon)

    @classmethod
    def load_soon(cls, content_dir: Path) -> "NoticeState":
        """Starts reading the state in a thread (while the exporter waits for the CMS);
        :meth:`ready` waits for it."""
        pool = ThreadPoolExecutor(max_workers=1)
        state = cls(pending=pool.submit(cls.load, content_dir))
        pool.shutdown(wait=False)
        return state

    def ready(self) -> "NoticeState":
        if self.pending is not None:
            loaded, self.pending = self.pending.result(), None
            self.key, self.records, self.version = loaded.key, loaded.records, loaded.version
            self.others = loaded.others
        return self

    @classmethod
    def load(cls, content_dir: Path) -> "NoticeState":
        """The kept state (held in memory by the resident builder: :mod:`portal.warm`)."""
        return warm.loaded(content_dir / STATE_FILE, lambda: cls._read(content_dir), "notices")

    @classmethod
    def _read(cls, content_dir: Path) -> "NoticeState":
        try:
            data = json.loads((content_dir / STATE_FILE).read_text(encoding="utf-8"))
            if data.get("version") != STATE_VERSION:
                return cls()
            records = {int(k): v for k, v in data["records"].items()}
            others = [str(path) for path in data["others"]]
            return cls(data["key"], records, str(data["cms_version"]), others)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return cls()

    def save(self, content_dir: Path) -> None:
        data = {
            "version": STATE_VERSION,
            "key": self.key,
            "cms_version": self.version,
            "others": self.others,
            "records": self.records,
        }
        replace_file(content_dir / STATE_FILE, json.dumps(data, ensure_ascii=False).encode())
        replace_file(content_dir / VERSION_FILE, self.version.encode())

    def source_paths(self) -> set[str] | None:
        """Every source the export these records are from wrote, or None when not known."""
        if not self.records:
            return None
        paths = set(self.others)
        for record in self.records.values():
            paths.update(record["sources"])
        return paths

    @staticmethod
    def saved_version(content_dir: Path) -> str:
        """The version of the records last saved ("" when there are none), without reading them."""
        try:
            return (content_dir / VERSION_FILE).read_text(encoding="ascii").strip()
        except (OSError, ValueError):
            return ""

    @staticmethod
    def discard(content_dir: Path) -> None:
        (content_dir / STATE_FILE).unlink(missing_ok=True)
        (content_dir / VERSION_FILE).unlink(missing_ok=True)


def notice_record(
    notice: dict[str, Any], paths: list[str], facts: NoticeFacts | None = None
) -> dict[str, Any]:
    """What the listings, the home page, the feeds' order and the statistics (``facts``, see
    :mod:`portal.statistics`) need of a notice."""
    window = notice["window"]
    return {
        "id": notice["id"],
        "url": notice["url"],
        "state": notice["state"],
        "first_published_at": notice["first_published_at"],
        "updated": notice_updated(notice),
        "start_date": window["start_date"],
        "end_date": window["end_date"],
        "finalised_on": notice["finalised_on"],
        "entry": listing_entry(notice),
        "record_sha256": data_hash(notice["record_data"]),
        "sources": paths,
        **({"facts": facts.as_record()} if facts is not None else {}),
    }


@dataclass
class NoticeExport:
    """The notices' sources (unchanged pages marked), the notices under publicity (newest
    first, for the home page) and the new state to keep once the sources are written."""

    sources: dict[str, Any]
    under_publicity: list[dict[str, Any]]
    state: NoticeState
    fetched: int
    full: bool
    fresh: set[int] = field(default_factory=set)  # the ids of the notices fetched


def collect(
    client: CMSClient,
    index: dict[str, Any] | None,
    objection_form: dict[str, Any],
    previous: NoticeState | None = None,
    changes: dict[str, Any] | None = None,
) -> NoticeExport:
    """Every notice-related source; with ``previous`` and the export's ``changes`` since its
    version, reading only the notices that changed."""
    if previous is not None:
        previous.ready()
    key = _digest([code_version(), objection_form])
    since = (changes or {}).get("since")
    reuse = (
        previous is not None
        and bool(since)
        and previous.key == key
        and previous.version == since
        and bool(previous.records)
    )
    if reuse:
        pages = notice_pages(changes["changed"])
        gone = set(changes["removed"]) | {page["id"] for page in pages}
        kept = {i: record for i, record in previous.records.items() if i not in gone}
    else:
        pages, kept = client.notices(), {}
    live_ids = {page["id"] for page in pages} | set(kept)
    # Corrections' first publication dates the notices they correct (dates.notice_dates).
    by_id: dict[int, dict[str, Any]] = {
        i: {"meta": {"first_published_at": record["first_published_at"]}}
        for i, record in kept.items()
    }
    by_id.update({page["id"]: page for page in pages})

    sources: dict[str, Any] = {}
    records: dict[int, dict[str, Any]] = {}
    for record in kept.values():
        records[record["id"]] = record
        for path in record["sources"]:
            sources[path] = UNCHANGED
    for page in pages:
        notice = notice_data(page, live_ids)
        page_sources = notice_page_sources(notice, objection_form)
        first = page_sources[0]
        first["cms"]["dates"] = notice_dates(page, by_id)
        by_path = page_sources_by_path(page_sources)
        sources.update(by_path)
        records[page["id"]] = notice_record(first["cms"], [*by_path], notice_facts(page))

    check_addresses(record["url"] for record in records.values())
    listings, under_publicity = listings_from_records(list(records.values()), index)
    sources.update(listings)
    state = NoticeState(key, records)
    fresh = {page["id"] for page in pages}
    return NoticeExport(sources, under_publicity, state, len(pages), not reuse, fresh)


def page_sources_by_path(page_sources: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {source_path(source["metadata"]["url"]): source for source in page_sources}
