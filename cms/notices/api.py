"""Bulk read of live notices for the portal build, beside Wagtail's page API (same fields as a
notice's page detail). A page of results costs a constant number of queries, whatever its size.

What changed since a portal build's last export is the export's part (:mod:`.export_api`); its
changed notices are the rows this list gives.

Each notice also carries ``objection_counts`` (received, upheld): aggregates for the portal's
statistics, never anything about an objector.
"""

from typing import Any

from django.utils import timezone
from ninja import Router
from ninja.errors import HttpError
from wagtail.api.v3.api import api as wagtail_api  # the API this router is mounted on
from wagtail.api.v3.pagination import WagtailLimitOffsetPagination

from .models import DecisionNoticePage, NoticeIndexPage
from .publication import clause_lookup
from .serialisation import notice_rows

MAX_IDS = 100

router = Router(tags=["notices"])


def live_notices():
    """Live public notices by id; :func:`~.serialisation.notice_rows` reads the columns it
    needs of them, and their items and corrections, a page of notices at a time."""
    return DecisionNoticePage.objects.live().public().order_by("pk")


Paging = WagtailLimitOffsetPagination
#: What ``@paginate(Paging)`` would declare for ``response=list[dict[str, Any]]``, under the name it
#: gives it: the OpenAPI document describes the answer as it did when the paginator made it.
Pageddict = type(
    "Pageddict",
    (Paging.Output,),
    {"__annotations__": {"items": list[dict[str, Any]]}},
)


@router.get("/", response=Pageddict, url_name="notices_export", summary="List notices")
def list_notices(request, ids: str = "", paging: Paging.Input = Paging.InputSource):
    """Live decision notices with their window (state computed now), items and cited clauses;
    ``ids=1,2,3`` (at most 100) for only those notices."""
    now = timezone.now()
    index = NoticeIndexPage.objects.select_related("policy").first()
    lookup = clause_lookup(index)
    notices = live_notices()
    if ids:
        notices = notices.filter(pk__in=_parse_ids(ids))
    page = Paging().paginate_queryset(_NoticeRows(notices, lookup, now), paging, request)
    # The rows are plain JSON values already: rendered as they are, without validating each
    # one against ``dict[str, Any]`` first (that alone took a quarter of a request's time).
    body = {"items": page["items"], "count": page["count"]}
    return wagtail_api.create_response(request, body, status=200)


def _parse_ids(text: str) -> list[int]:
    try:
        ids = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        message = "ids: 须为以逗号分隔的整数 / comma-separated integers"
        raise HttpError(400, message) from None
    if len(ids) > MAX_IDS:
        raise HttpError(400, f"ids: 最多 {MAX_IDS} 个 / at most {MAX_IDS} ids") from None
    return ids


class _NoticeRows:
    """A lazy sequence: the paginator slices it, and only the slice is turned into dicts."""

    def __init__(self, queryset, lookup, now):
        self.queryset, self.lookup, self.now = queryset, lookup, now

    def __len__(self):
        return self.queryset.count()

    def count(self):
        return len(self)

    def __getitem__(self, window: slice):
        return notice_rows(self.queryset[window], self.lookup, self.now)
