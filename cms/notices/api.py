"""Bulk read of live notices for the portal build, beside Wagtail's page API (same fields as a
notice's page detail). A page of results costs a constant number of queries, whatever its size."""

from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from ninja import Router
from ninja.pagination import paginate
from wagtail.api.v3.pagination import WagtailLimitOffsetPagination

from .models import DecisionItem, DecisionNoticePage, NoticeIndexPage
from .publication import clause_lookup

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
def list_notices(request):
    """Live decision notices with their window (state computed now), items and cited clauses."""
    now = timezone.now()
    index = NoticeIndexPage.objects.select_related("policy").first()
    lookup = clause_lookup(index)
    return _NoticeRows(live_notices(), lookup, now)


class _NoticeRows:
    """A lazy sequence: the paginator slices it, and only the slice is turned into dicts."""

    def __init__(self, queryset, lookup, now):
        self.queryset, self.lookup, self.now = queryset, lookup, now

    def __len__(self):
        return self.queryset.count()

    def count(self):
        return len(self)

    def __getitem__(self, window: slice):
        return [notice.public_data(self.lookup, self.now) for notice in self.queryset[window]]
