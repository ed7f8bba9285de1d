"""Where the portal puts everything, relative to the site's root: every page address, listing,
feed and data file, and the rules that make an address from a CMS slug.

Addresses end in ``/`` and are written to ``<address>index.html``; the notices' addresses
follow :mod:`common.addresses`, which the CMS links by too. The paths of the CMS's own APIs are
not here: they are where the portal reads from, kept with the module that reads them.
"""

import hashlib
from collections.abc import Iterable

from common.addresses import (  # noqa: F401 (the portal's names too)
    FAQ_PATH,
    GUIDANCE_PATH,
    LESSONS_PATH,
    NOTICES_PATH,
    POLICIES_PATH,
    RESERVED_LESSON_SEGMENTS,
    RESERVED_NOTICE_SEGMENTS,
    STATISTICS_PATH,
    lesson_path,
    notice_path,
    notice_segment,
    url_segment,
)

HOME_URL = ""
POLICIES_URL = POLICIES_PATH

# --- notices and their listings -----------------------------------------------------------------

NOTICES_URL = NOTICES_PATH
CLOSED_URL = "notices/closed/"
RESULTS_URL = "results/"
# Under a notice's address: its 公示记录 page (portal/record_pages.py), which no item may take.
RECORD_SEGMENT = "record"

# --- guidance, objections, lessons ------------------------------------------------------------

GUIDANCE_URL = GUIDANCE_PATH
FAQ_URL = FAQ_PATH
SELF_CHECK_URL = "guidance/self-check/"
OBJECTIONS_URL = "objections/"  # how to object
OBJECTION_STATUS_URL = "objections/status/"  # the lookup of an objection's answer
LESSONS_URL = LESSONS_PATH
LESSON_RESERVED_SEGMENTS = RESERVED_LESSON_SEGMENTS
# 网站地图: every section of the site (portal/site_map.py), linked from every page's footer.
SITE_MAP_URL = "sitemap/"
STATISTICS_URL = STATISTICS_PATH  # 统计: figures and charts, built with the site

# --- files the build writes beside the pages ----------------------------------------------------

FEED_DIR = "feeds"
DATA_DIR = "data"
DATA_URL = f"{DATA_DIR}/"
DECISIONS_JSON = f"{DATA_DIR}/decisions.json"
DECISIONS_CSV = f"{DATA_DIR}/decisions.csv"
WINDOWS_ICS = f"{DATA_DIR}/windows.ics"
ELIGIBILITY_JSON = f"{DATA_DIR}/eligibility.json"
STATISTICS_JSON = f"{DATA_DIR}/statistics.json"
STATISTICS_CSV = f"{DATA_DIR}/statistics.csv"
SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
SEARCH_INDEX_DIR = "pagefind"
RECORD_DIR = "record"
RECORD_URL = f"{RECORD_DIR}/"  # the page that explains the public record
RECORD_JSONL = f"{RECORD_DIR}/record.jsonl"
HEAD_JSON = f"{RECORD_DIR}/head.json"
HEAD_SIG = f"{RECORD_DIR}/head.json.sig"
PUBLIC_KEY = f"{RECORD_DIR}/public-key.pem"


def page_file(url: str) -> str:
    """The file a page at ``url`` is written to: 'notices/x/' → 'notices/x/index.html'."""
    return f"{url}index.html"


def page_url(base: str, number: int) -> str:
    """Page ``number`` of a listing at ``base``: the listing itself, then ``<base>page/N/``."""
    return base if number == 1 else f"{base}page/{number}/"


def archive_url(base: str, number: int) -> str:
    """A notice listing's page: 0 is the listing itself (the newest), N ≥ 1 the archive page
    ``<base>page/N/``, counted from the oldest (:func:`portal.listings.listing_pages`)."""
    return base if number == 0 else f"{base}page/{number}/"


def url_of_file(relative: str) -> str:
    """'notices/x/index.html' → 'notices/x/'; 'index.html' → ''; 'a/b.html' stays."""
    if relative == "index.html":
        return ""
    return relative[: -len("index.html")] if relative.endswith("/index.html") else relative


def with_anchor(url: str, anchor: str) -> str:
    return f"{url}#{anchor}"


# --- builders -----------------------------------------------------------------------------------


def policy_url(slug: str) -> str:
    return f"{POLICIES_URL}{slug}/"


def notice_url(slug: str, page_id: int) -> str:
    return notice_path(slug, page_id)


def item_segments(codes: Iterable[str]) -> list[str]:
    """One unique, safe segment per item code, in order (``-2``, ``-3``… on a clash, or for
    ``record``, the notice's record page)."""
    taken: set[str] = {RECORD_SEGMENT}
    segments = []
    for position, code in enumerate(codes, start=1):
        base = url_segment(code) or f"item-{position}"
        segment, suffix = base, 2
        while segment in taken:
            segment, suffix = f"{base}-{suffix}", suffix + 1
        taken.add(segment)
        segments.append(segment)
    return segments


def item_url(notice: str, segment: str) -> str:
    """A rejected item's 不予认定理由 page, under its notice's address."""
    return f"{notice}{segment}/"


def record_url(notice: str) -> str:
    """A notice's 公示记录 page, under its address."""
    return f"{notice}{RECORD_SEGMENT}/"


def lesson_url(slug: str, page_id: int) -> str:
    """``lessons/<slug>/``; a slug that is not plain or is a listing path gets the page id."""
    return lesson_path(slug, page_id)


def _key(text: str) -> str:
    """A stable, plain path segment for a label (Chinese labels get a short hash of the text)."""
    return url_segment(text) or "f" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


def lesson_field_url(field: str) -> str:
    return f"{LESSONS_URL}field/{_key(field)}/"


def lesson_programme_url(programme: str) -> str:
    return f"{LESSONS_URL}programme/{_key(programme)}/"


def atom_feed(slug: str) -> str:
    return f"{FEED_DIR}/{slug}.atom.xml"


def rss_feed(slug: str) -> str:
    return f"{FEED_DIR}/{slug}.rss.xml"
