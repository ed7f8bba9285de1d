"""Search on the static site, with no server: a Pagefind index written into the fresh build.

Pagefind reads the built HTML and writes ``pagefind/`` (the index, in fragments, and the
``pagefind.js`` the search page loads from the site itself). Only what sits inside an element
marked ``data-pagefind-body`` is indexed: the bodies of notice, rejection, policy and guidance
pages, never the listings or the home page, whose lists of titles would swamp the results.
Parts of a body marked ``data-pagefind-ignore`` (the objection form, breadcrumbs) are left out.

Chinese needs Pagefind's *extended* binary (``pip install 'pagefind[extended]'``): the plain one
does not segment Chinese, so a two-character word inside a sentence is never found. The pages
carry ``<html lang="zh-CN">``, which is how Pagefind picks the segmenter.
"""

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

OUTPUT_SUBDIR = "pagefind"
BODY_MARKER = "data-pagefind-body"
# Pagefind also writes its ready-made interfaces; the search page uses its own (search.js), so
# they are not published. pagefind.js, its worker, the WebAssembly and the index stay.
UNUSED_FILES = (
    "pagefind-ui.js", "pagefind-ui.css", "pagefind-component-ui.js", "pagefind-component-ui.css",
    "pagefind-modular-ui.js", "pagefind-modular-ui.css", "pagefind-highlight.js",
)  # fmt: skip
TIMEOUT_SECONDS = 600  # ~30 s for 5,000 pages was measured; far more means something is stuck


class SearchIndexError(RuntimeError):
    """The search index could not be written."""


@dataclass(frozen=True)
class SearchIndex:
    directory: Path | None
    pages: int
    seconds: float


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


def marked_pages(site: Path) -> list[Path]:
    """The built pages that carry a body for the index."""
    return sorted(
        path
        for path in site.rglob("*.html")
        if BODY_MARKER in path.read_text(encoding="utf-8", errors="replace")
    )


def index_site(site: Path, *, executable: Path | None = None) -> SearchIndex:
    """Writes ``site/pagefind/`` from the pages of ``site``; raises :class:`SearchIndexError`.

    An index already in ``site`` is removed first, file by file: a build that starts as a
    hard-linked copy of the live one must never rewrite the live one's files in place. A site
    with no marked page gets no index (Pagefind would otherwise index every page whole, listings
    included); its search page then says that search is unavailable.
    """
    started = time.monotonic()
    shutil.rmtree(site / OUTPUT_SUBDIR, ignore_errors=True)
    if not marked_pages(site):
        return SearchIndex(None, 0, time.monotonic() - started)
    command = [
        str(executable or pagefind_executable()),
        "--site", str(site), "--output-subdir", OUTPUT_SUBDIR,
    ]  # fmt: skip
    try:
        completed = subprocess.run(
            command, capture_output=True, text=True, check=False, timeout=TIMEOUT_SECONDS
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SearchIndexError(f"Pagefind did not run: {exc}") from exc
    output = f"{completed.stdout}\n{completed.stderr}".strip()
    if completed.returncode != 0:
        raise SearchIndexError(f"Pagefind failed (exit {completed.returncode}):\n{output[-2000:]}")
    if "(Extended)" not in output:
        raise SearchIndexError(
            f"Pagefind ran without Chinese segmentation (not the extended binary): {command[0]}"
        )
    directory = site / OUTPUT_SUBDIR
    if not (directory / "pagefind.js").is_file():
        raise SearchIndexError(f"Pagefind wrote no {OUTPUT_SUBDIR}/pagefind.js")
    for name in UNUSED_FILES:
        (directory / name).unlink(missing_ok=True)
    return SearchIndex(directory, _page_count(directory), time.monotonic() - started)


def _page_count(directory: Path) -> int:
    try:
        entry = json.loads((directory / "pagefind-entry.json").read_text(encoding="utf-8"))
        return sum(language["page_count"] for language in entry["languages"].values())
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SearchIndexError(f"Pagefind's pagefind-entry.json is unreadable: {exc}") from exc
