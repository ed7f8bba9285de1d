"""Where the portal puts a page: the rules the portal builds by and the CMS links by."""

import re
import unicodedata

NOTICES_PATH = "notices/"
# Paths right under notices/ that a notice's slug must not take.
RESERVED_NOTICE_SEGMENTS = frozenset({"page", "closed"})

POLICIES_PATH = "policies/"
GUIDANCE_PATH = "guidance/"
FAQ_PATH = "guidance/faq/"
LESSONS_PATH = "lessons/"
#: Paths right under lessons/ that a report's slug must not take.
RESERVED_LESSON_SEGMENTS = frozenset({"field", "programme", "page"})
STATISTICS_PATH = "statistics/"

_SEGMENT_UNSAFE = re.compile(r"[^a-z0-9_-]+")
_NOT_LETTER_OR_DIGIT = re.compile(r"[^a-z0-9]+")
#: A slug the CMS gives a page: lower-case ASCII letters and digits, ``-`` between them.
PLAIN_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def url_segment(text: str) -> str:
    """A path segment safe on any static host: lower-case ASCII letters, digits, ``-``, ``_``.
    ``DEMO-C-03`` → ``demo-c-03``; ``2024/C/01`` → ``2024-c-01``; may return ``""``.
    """
    segment = _SEGMENT_UNSAFE.sub("-", (text or "").strip().lower())
    return re.sub(r"-{2,}", "-", segment).strip("-_")


def number_slug(number: str) -> str:
    """A slug from a document number: its ASCII letters and digits (full-width ones too), lower
    case, anything between them one ``-``; nothing is transliterated.
    ``浙科容〔2026〕8号`` → ``2026-8``; ``示例-C-03`` → ``c-03``; may return ``""``.
    """
    text = unicodedata.normalize("NFKC", number or "").lower()
    return _NOT_LETTER_OR_DIGIT.sub("-", text).strip("-")


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


def policy_path(slug: str) -> str:
    return f"{POLICIES_PATH}{slug}/"


def lesson_path(slug: str, page_id: int) -> str:
    """``lessons/<slug>/``; a slug that is not plain or is a listing path gets the page id."""
    segment = url_segment(slug)
    if not segment:
        return f"{LESSONS_PATH}lesson-{page_id}/"
    if segment != slug or segment in RESERVED_LESSON_SEGMENTS:
        return f"{LESSONS_PATH}{segment}-{page_id}/"
    return f"{LESSONS_PATH}{segment}/"
