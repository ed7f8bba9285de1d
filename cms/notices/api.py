"""Bulk read of live notices for the portal build, beside Wagtail's page API (same fields as a
notice's page detail). A page of results costs a constant number of queries, whatever its size.

``/versions/`` is what an incremental build asks first: one short token per live notice that
changes whenever anything the notice's public data shows changes (a publication, its state or
days left, the day its state holds for, its corrections, the notice it corrects), and one token
for what every notice shows (the cited policy's clauses). The build then fetches in full only the
notices whose token changed, with ``?ids=`` on the list.

Each notice also carries ``objection_counts`` (received, upheld): aggregates for the portal's
statistics, never anything about an objector; its token changes with them.
"""

import hashlib
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from ninja import Router
from ninja.errors import HttpError
from ninja.pagination import paginate
from wagtail.api.v3.pagination import WagtailLimitOffsetPagination

from cms.domain.dates import local_date
from cms.domain.windows import PublicityWindow

from . import rules
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


def _digest(value: Any) -> str:
    """A short hash of plain values (str, int, None, dates, lists, dicts) by their repr."""
    return hashlib.blake2b(repr(value).encode(), digest_size=10).hexdigest()


# The texts (introduction, contact, notes, items) change only with a publication, which
# changes ``latest_revision_id`` and ``last_published_at``; withdrawal sets ``withdrawn_at``.
# corrects_id last: the rows' last value is what they correct.
OWN_FIELDS = (
    "pk", "latest_revision_id", "last_published_at", "first_published_at", "title", "slug",
    "notice_number", "publicity_start", "publicity_days", "finalised_at", "withdrawn_at",
    "recorded_state", "correction_note", "withdrawal_reason", "corrects_id",
)  # fmt: skip
SUMMARY_FIELDS = ("pk", "title", "slug", "notice_number", "live", "first_published_at")


def notice_versions(notices, now) -> list[list]:
    """``[id, token]`` for each of ``notices`` (live ones), by id. The token changes whenever
    the notice's public data (as :meth:`DecisionNoticePage.public_data` makes it) may change,
    apart from what every notice shares: a publication or any of its own fields, its state and
    days left, the day its state holds for (the pages name it), its live corrections, the
    notice it corrects and its objection counts. Read as plain rows: no page objects for 10,000
    notices."""
    rows = list(notices.order_by("pk").values_list(*OWN_FIELDS))
    tallies = objection_counts(notices)
    corrections: dict[int, list] = {}
    for corrects_id, *summary in (
        DecisionNoticePage.objects.filter(live=True, corrects__isnull=False)
        .order_by("pk")
        .values_list("corrects_id", *SUMMARY_FIELDS)
    ):
        corrections.setdefault(corrects_id, []).append(summary)
    corrected_ids = {row[-1] for row in rows if row[-1]}
    corrected = {
        row[0]: list(row)
        for row in DecisionNoticePage.objects.filter(pk__in=corrected_ids).values_list(
            *SUMMARY_FIELDS
        )
    }
    today = local_date(now).isoformat()
    states: dict[tuple, list] = {}  # many notices share a window and flags: one rules call each
    versions = []
    for row in rows:
        own = dict(zip(OWN_FIELDS, row, strict=True))
        key = (
            own["publicity_start"],
            own["publicity_days"],
            own["finalised_at"] is not None,
            bool(corrections.get(own["pk"])),
            own["withdrawn_at"] is not None,
        )
        if key not in states:
            window = PublicityWindow(key[0], key[1])
            facts = rules.NoticeFacts(
                approved=True,  # live: published (DecisionNoticePage.is_approved)
                window=window,
                finalised=key[2],
                corrected=key[3],
                withdrawn=key[4],
                in_review=False,
            )
            state = rules.state_at(facts, now)
            states[key] = [state.value, window.days_left(now), window.phase(now).value, today]
        facts_now = states[key]
        token = [
            row, facts_now, corrections.get(own["pk"]), corrected.get(own["corrects_id"]),
            tallies.get(own["pk"]),
        ]  # fmt: skip
        versions.append([own["pk"], _digest(token)])
    return versions


@router.get("/versions/", response=dict[str, Any], url_name="notices_versions",
            summary="Versions of the live notices")  # fmt: skip
def list_versions(request):
    """A token per live notice (``[id, token]`` pairs, by id) and one for what all notices
    share; a build re-fetches the notices whose token changed, or all when ``shared`` did."""
    now = timezone.now()
    index = NoticeIndexPage.objects.select_related("policy").first()
    items = notice_versions(DecisionNoticePage.objects.live().public(), now)
    return {
        "computed_at": now.isoformat(),
        "shared": _digest(clause_lookup(index)),
        "count": len(items),
        "items": items,
    }


class _NoticeRows:
    """A lazy sequence: the paginator slices it, and only the slice is turned into dicts."""

    def __init__(self, queryset, lookup, now):
        self.queryset, self.lookup, self.now = queryset, lookup, now

    def __len__(self):
        return self.queryset.count()

    def count(self):
        return len(self)

    def __getitem__(self, window: slice):
        notices = list(self.queryset[window])
        ids = [notice.pk for notice in notices]
        tallies = objection_counts(DecisionNoticePage.objects.filter(pk__in=ids))
        return [
            {
                **notice.public_data(self.lookup, self.now),
                "objection_counts": tallies.get(notice.pk) or no_objections(),
            }
            for notice in notices
        ]
