"""The files of a built site as a release is made of them: each one's hash, size, and the
Content-Type and Cache-Control it is stored with (the rules of :mod:`portal.publish`)."""

import hashlib
import mimetypes
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HTML_CACHE = "public, max-age=60"
# Theme files are not fingerprinted (themes/publicity links /theme/css/site.css as is), so they
# are cached long but not forever: a day, not `immutable`, or new HTML would meet old CSS.
THEME_CACHE = "public, max-age=86400"
ASSET_CACHE = "public, max-age=3600"
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "application/javascript; charset=utf-8",
    ".mjs": "application/javascript; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".csv": "text/csv; charset=utf-8",
    ".ics": "text/calendar; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    # The public record (record/): its entries, the head's signature and the public key.
    ".jsonl": "text/plain; charset=utf-8",
    ".sig": "text/plain; charset=utf-8",
    ".pem": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/vnd.microsoft.icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".pdf": "application/pdf",
}
# Documents whose content can change with every build: short cache.
# The public record's files change together (a head and its signature must never mismatch).
SHORT_CACHE_SUFFIXES = {".html", ".htm", ".xml", ".rss", ".atom", ".json", ".csv", ".ics", ".txt",
                        ".jsonl", ".sig", ".pem"}  # fmt: skip
FEED_ROOTS = {b"rss": "application/rss+xml", b"feed": "application/atom+xml"}


@dataclass(frozen=True)
class SiteFile:
    sha256: str
    size: int
    content_type: str
    cache_control: str

    def as_manifest(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "size": self.size, "content_type": self.content_type}


def content_type(path: str, head: bytes = b"") -> str:
    """The Content-Type for a site path; ``head`` (first bytes) tells feeds from other XML."""
    suffix = Path(path).suffix.lower()
    if suffix == ".xml":
        # The first element: `<?xml ...?>` and `<!-- -->` start with ? or !, never a letter.
        root = re.search(rb"<([A-Za-z_][\w.-]*)", head)
        if root and root.group(1).lower() in FEED_ROOTS:
            return FEED_ROOTS[root.group(1).lower()]
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path)
    return guessed or "application/octet-stream"


def cache_control(path: str) -> str:
    if path.startswith("theme/"):
        return THEME_CACHE
    if Path(path).suffix.lower() in SHORT_CACHE_SUFFIXES:
        return HTML_CACHE
    return ASSET_CACHE


def scan_site(site: Path) -> dict[str, SiteFile]:
    """Every file under ``site`` by its relative POSIX path, hashed."""
    files: dict[str, SiteFile] = {}
    for directory, _, names in os.walk(site):
        for name in names:
            path = Path(directory, name)
            relative = path.relative_to(site).as_posix()
            digest = hashlib.sha256()
            size = 0
            head = b""
            with open(path, "rb") as handle:
                while chunk := handle.read(1 << 20):
                    head = head or chunk[:1024]
                    digest.update(chunk)
                    size += len(chunk)
            files[relative] = SiteFile(
                digest.hexdigest(), size, content_type(relative, head), cache_control(relative)
            )
    return dict(sorted(files.items()))
