"""Where the portal puts a page: the rules the portal builds by and the CMS links by."""

import re

NOTICES_PATH = "notices/"
# Paths right under notices/ that a notice's slug must not take.
RESERVED_NOTICE_SEGMENTS = frozenset({"page", "closed"})

_SEGMENT_UNSAFE = re.compile(r"[^a-z0-9_-]+")


def url_segment(text: str) -> str:
    """A path segment safe on any static host: lower-case ASCII letters, digits, ``-``, ``_``.
    ``DEMO-C-03`` → ``demo-c-03``; ``2024/C/01`` → ``2024-c-01``; may return ``""``.
    """
    segment = _SEGMENT_UNSAFE.sub("-", (text or "").strip().lower())
    return re.sub(r"-{2,}", "-", segment).strip("-_")


def notice_segment(slug: str, page_id: int) -> str:
    """The notice's directory under ``notices/``: its CMS slug when that is already safe and free,
    otherwise a form that is (``notice-<id>`` when nothing of the slug survives)."""
    segment = url_segment(slug)
    if not segment:
        return f"notice-{page_id}"
    if segment != slug or segment in RESERVED_NOTICE_SEGMENTS:
        return f"{segment}-{page_id}"
    return segment


def notice_path(slug: str, page_id: int) -> str:
    return f"{NOTICES_PATH}{notice_segment(slug, page_id)}/"
