"""``GET /api/v3/record/``: the public record, oldest first, in pages after a sequence."""

from typing import Any

from ninja import Router
from ninja.errors import HttpError

from .models import RecordEntry
from .services import head

MAX_LIMIT = 1000

router = Router(tags=["record"])


@router.get("/", response=dict[str, Any], url_name="record_entries", summary="Public record")
def list_entries(request, after: int = 0, limit: int = MAX_LIMIT):
    """Entries with a sequence greater than ``after`` (at most ``limit``, ≤ 1000), and the head."""
    if after < 0 or not 1 <= limit <= MAX_LIMIT:
        raise HttpError(
            400, f"after ≥ 0, 1 ≤ limit ≤ {MAX_LIMIT} / after 须 ≥ 0，limit 须在 1 至 {MAX_LIMIT}"
        )
    sequence, last_hash = head()
    entries = RecordEntry.objects.filter(sequence__gt=after).order_by("sequence")[:limit]
    items = [entry.fields() for entry in entries]
    return {"head": {"sequence": sequence, "hash": last_hash}, "count": len(items), "items": items}
