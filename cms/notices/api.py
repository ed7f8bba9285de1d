"""Bulk read of live notices for the portal build, beside Wagtail's page API (same fields as a
notice's page detail). A page of results costs a constant number of queries, whatever its size.

What changed since a portal build's last export is the export's part (:mod:`.export_api`); its
changed notices are the rows this list gives.

Each notice also carries ``objection_counts`` (received, upheld): aggregates for the portal's
statistics, never anything about an objector.
"""

from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from ninja import Router
from ninja.errors import HttpError
from ninja.pagination import paginate
from wagtail.api.v3.pagination import WagtailLimitOffsetPagination

from .models import DecisionItem, DecisionNoticePage, NoticeIndexPage
from .publication import clause_lookup, no_objections, objection_counts

MAX_IDS = 100

router = Router(tags=["notices"])


def live_notices():
    return (
        DecisionNoticePage.objects.live()
        .public()
        .select_related("corrects")
        .prefetch_related(
            Prefetch("items", queryset=DecisionItem.objects.order_by("sort_order", "pk")),
            Prefetch("corrections", queryset=DecisionNoticePage.objects.filter(live=True)),
        )
        .order_by("pk")
    )


@router.get("/", response=list[dict[str, Any]], url_name="notices_export", summary="List notices")
@paginate(WagtailLimitOffsetPagination)
def list_notices(request, ids: str = ""):
    """Live decision notices with their window (state computed now), items and cited clauses;
    ``ids=1,2,3`` (at most 100) for only those notices."""
    now = timezone.now()
    index = NoticeIndexPage.objects.select_related("policy").first()
    lookup = clause_lookup(index)
    notices = live_notices()
    if ids:
        notices = notices.filter(pk__in=_parse_ids(ids))
    return _NoticeRows(notices, lookup, now)


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


def notice_rows(notices, lookup, now) -> list[dict[str, Any]]:
    """Each notice of the queryset ``notices`` (of :func:`live_notices`) as the list gives it."""
    notices = list(notices)
    ids = [notice.pk for notice in notices]
    tallies = objection_counts(DecisionNoticePage.objects.filter(pk__in=ids))
    return [
        {
            **notice.public_data(lookup, now),
            "objection_counts": tallies.get(notice.pk) or no_objections(),
        }
        for notice in notices
    ]
