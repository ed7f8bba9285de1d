"""The bulk notice endpoint the portal build reads: same data as each page's detail, and a
constant number of queries per page of results."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .conftest import exempted_item, rejected_item

pytestmark = pytest.mark.django_db
FIELDS = (
    "notice_number", "introduction", "window", "handling_body", "objection_contact",
    "public_items", "corrects_summary", "correction_note", "corrected_by_summary",
    "withdrawal", "finalised_on",
)  # fmt: skip


def _without_clock(window: dict) -> dict:
    return {k: v for k, v in window.items() if k != "computed_at"}


def test_bulk_rows_match_each_notice_detail(client, make_notice):
    notices = [make_notice(publish=True) for _ in range(3)]
    make_notice()  # a draft: not exported
    rows = client.get("/api/v3/notices/", {"limit": 10}).json()
    assert rows["count"] == 3
    for notice, row in zip(notices, rows["items"], strict=True):
        detail = client.get(f"/api/v3/pages/{notice.pk}/").json()
        assert row["id"] == notice.pk and row["slug"] == notice.slug
        for field in FIELDS:
            if field == "window":
                assert _without_clock(row[field]) == _without_clock(detail[field])
            else:
                assert row[field] == detail[field], field
        assert "panel_size" not in str(row)


def test_queries_per_page_do_not_grow_with_the_number_of_notices(client, make_notice):
    def queries_for(limit):
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/api/v3/notices/", {"limit": limit})
        assert len(response.json()["items"]) == limit
        return len(captured)

    for _ in range(2):
        make_notice(items=[exempted_item(), rejected_item()], publish=True)
    few = queries_for(2)
    for _ in range(6):
        make_notice(items=[exempted_item(), rejected_item(), rejected_item("X-3")], publish=True)
    many = queries_for(8)
    assert many == few


def test_limit_is_capped(client):
    response = client.get("/api/v3/notices/", {"limit": 1000})
    assert response.status_code == 400


# --- ?ids= (what an incremental portal build asks) ------------------------------------------


def test_ids_selects_notices_and_is_checked(client, make_notice):
    notices = [make_notice(publish=True) for _ in range(3)]
    draft = make_notice()
    wanted = f"{notices[2].pk},{notices[0].pk},{draft.pk}"
    rows = client.get("/api/v3/notices/", {"ids": wanted, "limit": 100}).json()
    assert [row["id"] for row in rows["items"]] == [notices[0].pk, notices[2].pk]
    assert rows["count"] == 2
    for bad in ("1,x", ",".join(str(i) for i in range(1, 102))):
        response = client.get("/api/v3/notices/", {"ids": bad})
        assert response.status_code == 400
        assert "ids" in response.json()["detail"]
