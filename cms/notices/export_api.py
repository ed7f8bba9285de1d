"""``GET /api/v3/export/``: what a portal build reads of the CMS, in one answer.

- ``version``: what the next build passes back as ``since``.
- ``notices``: with a ``since`` this CMS handed out, the notices whose public data may have
  changed since (:mod:`cms.notices.changes`): ``changed`` (live ones, as ``/api/v3/notices/``
  gives them) and ``removed`` (ids no longer live or public); ``since`` echoes the version they
  are changes since. Without one, or when too much changed, ``since`` is null: the build reads
  every notice from ``/api/v3/notices/``, a page at a time.
- ``reads``: the answers of the other reads a build makes, keyed by path and sorted query
  (:func:`cms.core.internal_reads.read_key`): every live page that is not a notice (their
  listings by type and their details), the OpenAPI document the portal's forms are made from,
  the self-check's rules, the site's identity, and the public record after ``record_after``.
  They are few and bounded by the pages editors write, not by the notices.
"""

from functools import lru_cache
from typing import Any

from django.utils import timezone
from ninja import Router
from wagtail.models import get_page_models

from cms.core.internal_reads import outer_request, read_json, read_key
from cms.core.models import HeadlessPage

from . import changes
from .api import live_notices, notice_rows
from .models import DecisionNoticePage, NoticeIndexPage
from .publication import clause_lookup

router = Router(tags=["export"])

PAGE_SIZE = 100  # the page listings' and the record's pages, as a client would ask for them
RECORD_LIMIT = 1000
SCHEMA = ("/api/schema/", {"format": "json"})
SINGLE_READS = ("/api/v3/eligibility/", "/api/v3/site/")


@router.get("/", response=dict[str, Any], url_name="export", summary="Export for a portal build")
def export(request, since: str = "", record_after: int = 0):
    """Everything a build needs, as of now; notices only as far as they changed since ``since``
    (a ``version`` an earlier answer gave)."""
    now = timezone.now()
    index = NoticeIndexPage.objects.select_related("policy").first()
    lookup = clause_lookup(index)
    shared = changes.shared_digest(lookup)
    version = changes.current_version(now, shared)
    previous = changes.Version.decode(since) if since else None
    ids = changes.changed_notices(previous, now, shared) if previous else None
    notices: dict[str, Any] = {"since": None, "changed": [], "removed": []}
    if ids is not None:
        rows = notice_rows(live_notices().filter(pk__in=ids), lookup, now)
        live = {row["id"] for row in rows}
        notices = {"since": since, "changed": rows, "removed": sorted(ids - live)}
    return {
        "version": version.encode(),
        "computed_at": now.isoformat(),
        "notices": notices,
        "reads": _reads(request, max(record_after, 0)),
    }


def page_types() -> list[str]:
    """Every type of page the site publishes apart from notices, as ``app_label.Model``."""
    return sorted(
        f"{model._meta.app_label}.{model.__name__}"
        for model in get_page_models()
        if issubclass(model, HeadlessPage) and model is not DecisionNoticePage
    )


def _reads(request, record_after: int) -> dict[str, Any]:
    reads: dict[str, Any] = {}

    def read(path: str, params: dict[str, Any] | None = None) -> Any:
        reads[read_key(path, params)] = answer = read_json(request, path, params)
        return answer

    for page_type in page_types():
        for item in _paginated(read, "/api/v3/pages/", {"type": page_type}):
            read(f"/api/v3/pages/{item['id']}/")
    reads[read_key(*SCHEMA)] = _schema(request.get_host(), request.scheme)
    for path in SINGLE_READS:
        read(path)
    after = record_after
    while True:
        answer = read("/api/v3/record/", {"after": after, "limit": RECORD_LIMIT})
        items, head = answer["items"], answer["head"]
        if not items or items[-1]["sequence"] >= head["sequence"]:
            return reads
        after = items[-1]["sequence"]


def _paginated(read, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        batch = read(path, {**params, "limit": PAGE_SIZE, "offset": len(items)})
        items += batch["items"]
        if not batch["items"] or len(items) >= batch["count"]:
            return items


@lru_cache(maxsize=8)
def _schema(host: str, scheme: str) -> Any:
    """The OpenAPI document changes only with the code: made once per process and host."""
    return read_json(outer_request(host, scheme), *SCHEMA)
