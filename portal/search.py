"""Search on the static site, with no server: a Pagefind index written into the fresh build.

Pagefind reads the built HTML and writes the index (in fragments, and the ``pagefind.js`` the
search page loads from the site itself). Only what sits inside an element marked
``data-pagefind-body`` is indexed: the bodies of notice, rejection, policy and guidance pages,
never the listings or the home page, whose lists of titles would swamp the results. Parts of a
body marked ``data-pagefind-ignore`` (the objection form, breadcrumbs) are left out. A notice's
page is indexed item by item: each decision item sits under a heading of its own, which Pagefind
makes a part of the page (a sub-result), and the search page shows the excerpt of the part the
words were found in, so an item is never shown beside another item's decision. A notice's page
and its rejection pages carry the notice's state as metadata (``state``: 公示中, 已更正, …), which
each result shows.

The index is written in shards, ``pagefind/0/`` … ``pagefind/<n-1>/``, one Pagefind process
each, run side by side (one Pagefind uses about 1.4 cores). A notice's page and its rejection
pages share a shard, chosen by a hash of the notice's address; every other page is in the
first. The search page loads ``pagefind.js`` from the first and merges the others (Pagefind's
``mergeIndex``, which reuses the first one's WebAssembly); ``pagefind/bundles.json`` lists them.
A shard whose pages are the very files the previous build indexed (same inode, size and time:
builds share unchanged files through hard links) is hard-linked from that build, not indexed
again, so publishing one notice re-indexes one shard.

Chinese needs Pagefind's *extended* binary (``pip install 'pagefind[extended]'``): the plain one
does not segment Chinese, so a two-character word inside a sentence is never found. The pages
carry ``<html lang="zh-CN">``, which is how Pagefind picks the segmenter.
"""

import contextlib
import hashlib
import json
import math
import os
import shutil
import signal
import subprocess
import tempfile
import time
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .files import discard, replace_file
from .urls import NOTICES_URL, RECORD_SEGMENT, RESERVED_NOTICE_SEGMENTS, SEARCH_INDEX_DIR

_NOTICES_DIR = NOTICES_URL.rstrip("/")
BUNDLES_FILE = "bundles.json"
BODY_MARKER = b"data-pagefind-body"
SHARDS_VARIABLE = "PORTAL_SEARCH_SHARDS"
DEFAULT_SHARDS = 4
MAX_SHARDS = 64
# A shard's pages are in Pagefind's memory while it indexes them: about this many at most, so a
# site ten times larger gets ten times the shards, not a process ten times the size.
PAGES_PER_SHARD = 8000
HEAD_BYTES = 65536  # the marker sits on the <article>, well inside the first 64 KB of a page
# Pagefind also writes its ready-made interfaces; the search page uses its own (search.js), so
# they are not published. pagefind.js, its worker, the WebAssembly and the index stay.
UNUSED_FILES = (
    "pagefind-ui.js", "pagefind-ui.css", "pagefind-component-ui.js", "pagefind-component-ui.css",
    "pagefind-modular-ui.js", "pagefind-modular-ui.css", "pagefind-highlight.js",
)  # fmt: skip
TIMEOUT_SECONDS = 600  # ~30 s for 21,000 pages was measured; far more means something is stuck
POLL_SECONDS = 0.2  # how often ``check()`` is called while Pagefind runs


class SearchIndexError(RuntimeError):
    """The search index could not be written."""


@dataclass(frozen=True)
class SearchIndex:
    directory: Path | None
    pages: int
    seconds: float
    indexed_shards: int = 0  # the rest were hard-linked from the previous build
    shards: int = 0


def pagefind_executable() -> Path:
    """The extended Pagefind binary, from ``$PAGEFIND_BINARY_PATH`` or the pip package."""
    configured = os.environ.get("PAGEFIND_BINARY_PATH")
    if configured:
        path = Path(configured)
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise SearchIndexError(f"PAGEFIND_BINARY_PATH={configured} is not an executable file")
        return path
    try:
        from pagefind_bin_extended import get_executable
    except ImportError as exc:
        raise SearchIndexError(
            "Pagefind's extended binary is not installed (pip install 'pagefind[extended]');"
            " the plain binary does not segment Chinese"
        ) from exc
    try:
        return Path(get_executable())
    except (FileNotFoundError, OSError) as exc:
        raise SearchIndexError(f"Pagefind's extended binary is missing: {exc}") from exc


def shard_count(pages: int = 0) -> int:
    """How many shards: ``$PORTAL_SEARCH_SHARDS``, else one per :data:`PAGES_PER_SHARD` of the
    site's ``pages`` (its sources), at least :data:`DEFAULT_SHARDS`."""
    raw = os.environ.get(SHARDS_VARIABLE, "").strip()
    if not raw:
        return min(MAX_SHARDS, max(DEFAULT_SHARDS, math.ceil(pages / PAGES_PER_SHARD)))
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_SHARDS:
        raise SearchIndexError(f"{SHARDS_VARIABLE}={raw!r}: expected a whole number from 1 to 64")
    return int(raw)


def _notice_directory(page: str) -> str | None:
    """The directory under ``notices/`` of a notice's page (its own or a rejection's), else
    None (the listings under ``notices/page/`` and ``notices/closed/`` are not notices)."""
    parts = page.split("/")
    if len(parts) > 2 and parts[0] == _NOTICES_DIR and parts[1] not in RESERVED_NOTICE_SEGMENTS:
        return parts[1]
    return None


def _is_record_page(page: str) -> bool:
    """A notice's 公示记录 page: in the notice's directory, but not indexed (hashes and dates)."""
    parts = page.split("/")
    return len(parts) == 4 and parts[2] == RECORD_SEGMENT and _notice_directory(page) is not None


def shard_of(page: str, shards: int) -> int:
    """The shard of a page (its path in the site): a notice's pages by a hash of its directory,
    every other page the first."""
    directory = _notice_directory(page)
    if shards > 1 and directory is not None:
        return zlib.crc32(directory.encode("utf-8")) % shards
    return 0


def _is_marked(path: Path) -> bool:
    with path.open("rb") as file:
        head = file.read(HEAD_BYTES)
        if BODY_MARKER in head:
            return True
        return BODY_MARKER in head[-len(BODY_MARKER) :] + file.read()


Signature = tuple[int, int, int]  # a file's inode, size and modification time (ns)


def _scan(site: Path, pages: Iterable[str] | None = None) -> dict[str, Signature]:
    """The pages to index (paths in the site, sorted) with their signatures, of ``pages`` or of
    every HTML file: every page in a notice's directory but its record page (all carry a body:
    not read, there are tens of thousands), and the other pages that carry one (a few hundred,
    read)."""

    def check(path: Path) -> tuple[str, Signature] | None:
        page = path.relative_to(site).as_posix()
        if _is_record_page(page) or (_notice_directory(page) is None and not _is_marked(path)):
            return None
        found = path.stat()
        return page, (found.st_ino, found.st_size, found.st_mtime_ns)

    if pages is None:
        paths = [
            p for p in site.rglob("*.html") if p.relative_to(site).parts[0] != SEARCH_INDEX_DIR
        ]
    else:
        paths = [site / page for page in pages if page.endswith(".html")]
    with ThreadPoolExecutor(max_workers=8) as pool:  # stats and reads wait on the kernel
        return dict(sorted(found for found in pool.map(check, paths) if found))


def marked_pages(site: Path) -> list[str]:
    """The built pages (paths in the site) that carry a body for the index."""
    return [page for page in _scan(site) if _is_marked(site / page)]


def record_path(site: Path) -> Path:
    """What each shard was made from, kept beside the build (it is not part of the site)."""
    return site.with_name(f"{site.name}.search.json")


def _fingerprint(pages: dict[str, Signature], executable: Path) -> str:
    digest = hashlib.sha256()
    binary = executable.stat()
    digest.update(f"{executable}\0{binary.st_size}\0{binary.st_mtime_ns}\n".encode())
    for page, (inode, size, mtime) in pages.items():
        digest.update(f"{page}\0{inode}\0{size}\0{mtime}\n".encode())
    return digest.hexdigest()


def _previous_fingerprints(previous: Path | None) -> dict[str, str]:
    if previous is None:
        return {}
    try:
        shards = json.loads(record_path(previous).read_text(encoding="utf-8"))["shards"]
        return shards if isinstance(shards, dict) else {}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _run_pagefind(command: list[str], check: Callable[[], None] | None = None) -> None:
    """Runs Pagefind to the end; ``check()`` is called while it runs, and what it raises stops
    Pagefind (its whole process group) and is raised."""
    try:
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, encoding="utf-8",
            errors="replace", start_new_session=True,
        )  # fmt: skip
    except OSError as exc:
        raise SearchIndexError(f"Pagefind did not run: {exc}") from exc
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while True:
        try:
            stdout, stderr = process.communicate(timeout=POLL_SECONDS)
            break
        except subprocess.TimeoutExpired:
            try:
                if check is not None:
                    check()
                if time.monotonic() > deadline:
                    raise SearchIndexError(f"Pagefind did not finish in {TIMEOUT_SECONDS} s")
            except BaseException:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.communicate()
                raise
    output = f"{stdout}\n{stderr}".strip()
    if process.returncode != 0:
        raise SearchIndexError(f"Pagefind failed (exit {process.returncode}):\n{output[-2000:]}")
    if "(Extended)" not in output:
        raise SearchIndexError(
            f"Pagefind ran without Chinese segmentation (not the extended binary): {command[0]}"
        )


def _index_shard(site: Path, pages: list[str], view: Path, target: Path, exe: Path,
                 check: Callable[[], None] | None = None) -> None:  # fmt: skip
    """Pagefind over a hard-linked view of the shard's pages (it has no list-of-files option;
    addresses in the index are relative to the view, the same as in the site)."""
    try:
        for page in pages:
            (view / page).parent.mkdir(parents=True, exist_ok=True)
            os.link(site / page, view / page)
    except OSError as exc:
        message = f"The pages of shard {target.name} could not be linked: {exc}"
        raise SearchIndexError(message) from exc
    _run_pagefind([str(exe), "--site", str(view), "--output-path", str(target)], check)
    if not (target / "pagefind.js").is_file():
        raise SearchIndexError(f"Pagefind wrote no {target.name}/pagefind.js")
    for name in UNUSED_FILES:
        (target / name).unlink(missing_ok=True)


def index_site(
    site: Path,
    *,
    previous: Path | None = None,
    shards: int | None = None,
    executable: Path | None = None,
    trash: Path | None = None,
    check: Callable[[], None] | None = None,
) -> SearchIndex:
    """Writes ``site/pagefind/`` from the pages of ``site``; raises :class:`SearchIndexError`.

    ``previous`` is the build this one was copied from: its shards are reused where their pages
    are unchanged. The hard-linked views Pagefind reads go into ``trash`` when given (deleting
    tens of thousands of links takes seconds), else are deleted at once. An index already in
    ``site`` is removed first, file by file: a build that starts as a hard-linked copy of the
    live one must never rewrite the live one's files in place. A site with no marked page gets
    no index (Pagefind would otherwise index every page whole, listings included); its search
    page then says that search is unavailable. ``check()`` is called while Pagefind runs: what
    it raises stops every Pagefind process and is raised.
    """
    writer = IndexWriter(
        site, previous=previous, shards=shards, executable=executable, trash=trash,
        check=check,
    )  # fmt: skip
    try:
        pages = _scan(site)
        if check is not None:
            check()
        for shard, group in sorted(writer.shards_of(pages).items()):
            writer.add(shard, group)
    finally:
        writer.close()
    return writer.finish()


class IndexWriter:
    """Writes ``site/pagefind/`` shard by shard, each in the background as soon as its pages are
    handed over: a build can index a shard while Pelican still renders the others. ``close()``
    waits for them (call it however the build ends); ``finish()`` then writes the list of
    bundles and the record. See :func:`index_site` for the arguments."""

    def __init__(self, site: Path, *, previous=None, shards=None, executable=None, trash=None,
                 check=None):  # fmt: skip
        self.started = time.monotonic()
        self.site, self.previous, self.trash = site, previous, trash
        self.check = check
        self.directory = site / SEARCH_INDEX_DIR
        shutil.rmtree(self.directory, ignore_errors=True)
        record_path(site).unlink(missing_ok=True)
        self.count = shards or shard_count()
        self.executable = executable or pagefind_executable()
        self.earlier = _previous_fingerprints(previous)
        self.groups: dict[int, dict[str, Signature]] = {}
        self.fingerprints: dict[str, str] = {}
        self.runs: list = []
        # As many Pagefind processes at once as a site of the default size has shards, however
        # many a larger site has: its memory stays that of a few shards.
        self._pool = ThreadPoolExecutor(max_workers=min(self.count, DEFAULT_SHARDS))
        self._views: Path | None = None

    def shards_of(self, pages: dict[str, Signature]) -> dict[int, dict[str, Signature]]:
        groups: dict[int, dict[str, Signature]] = defaultdict(dict)
        for page, signature in pages.items():
            groups[shard_of(page, self.count)][page] = signature
        return groups

    def pages(self, outputs: Iterable[str]) -> dict[str, Signature]:
        """Of a build's output files, the pages to index with their signatures."""
        return _scan(self.site, outputs)

    def add(self, shard: int, pages: dict[str, Signature]) -> None:
        """Indexes a shard's pages in the background, or reuses the previous build's index of
        the very same files. A shard none of whose pages carries a body is left out (Pagefind
        would index such pages whole, navigation and all)."""
        if not pages or not _any_marked(self.site, pages):
            return
        name, target = str(shard), self.directory / str(shard)
        self.groups[shard] = pages
        self.fingerprints[name] = _fingerprint(pages, self.executable)
        earlier = self.previous / SEARCH_INDEX_DIR / name if self.previous else None
        if earlier and earlier.is_dir() and self.earlier.get(name) == self.fingerprints[name]:
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copytree(earlier, target, copy_function=os.link)
            except (OSError, shutil.Error) as exc:
                raise SearchIndexError(f"Shard {name} could not be reused: {exc}") from exc
            return
        if self._views is None:
            try:
                self._views = Path(tempfile.mkdtemp(prefix=".search-views-", dir=self.site.parent))
            except OSError as exc:
                raise SearchIndexError(f"No room for Pagefind's views of the pages: {exc}") from exc
        view = self._views / name
        self.runs.append(
            self._pool.submit(
                _index_shard, self.site, list(pages), view, target, self.executable,
                self.check,
            )
        )  # fmt: skip

    def close(self) -> None:
        """Waits for the shards being indexed and removes the views; raises the first error."""
        try:
            for run in self.runs:
                run.result()
        finally:
            self._pool.shutdown(wait=True)
            if self._views is not None:
                discard(self._views, self.trash)
                self._views = None

    def finish(self) -> SearchIndex:
        self.close()
        if not self.groups:
            return SearchIndex(None, 0, time.monotonic() - self.started)
        if 0 not in self.groups:  # the first shard carries pagefind.js: never leave it empty
            everything = {p: sig for group in self.groups.values() for p, sig in group.items()}
            shutil.rmtree(self.directory, ignore_errors=True)
            self.groups, self.fingerprints, self.runs = {}, {}, []
            self._pool = ThreadPoolExecutor(max_workers=1)
            self.add(0, dict(sorted(everything.items())))
            return self.finish()
        bundles = [f"{shard}/" for shard in sorted(self.groups)]
        replace_file(self.directory / BUNDLES_FILE, _json({"bundles": bundles}))
        replace_file(record_path(self.site), _json({"shards": self.fingerprints}))
        indexed = sum(_page_count(self.directory / bundle) for bundle in bundles)
        seconds = time.monotonic() - self.started
        return SearchIndex(self.directory, indexed, seconds, len(self.runs), len(bundles))


def _any_marked(site: Path, pages: dict[str, Signature]) -> bool:
    return any(_is_marked(site / page) for page in pages)  # stops at the first: a page or two


def _json(data: dict) -> bytes:
    return json.dumps(data, sort_keys=True).encode("utf-8")


def bundles(site: Path) -> list[Path]:
    """The shards of the index in ``site``, the first (with ``pagefind.js``) first."""
    try:
        listed = json.loads((site / SEARCH_INDEX_DIR / BUNDLES_FILE).read_text(encoding="utf-8"))
        return [site / SEARCH_INDEX_DIR / bundle for bundle in listed["bundles"]]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def _page_count(directory: Path) -> int:
    try:
        entry = json.loads((directory / "pagefind-entry.json").read_text(encoding="utf-8"))
        return sum(language["page_count"] for language in entry["languages"].values())
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SearchIndexError(f"Pagefind's pagefind-entry.json is unreadable: {exc}") from exc
