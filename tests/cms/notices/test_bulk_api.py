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


# --- versions and ?ids= (what an incremental portal build asks) ----------------------------


def _versions(client) -> dict[int, str]:
    response = client.get("/api/v3/notices/versions/")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == len(data["items"]) and data["shared"]
    return {notice_id: token for notice_id, token in data["items"]}


def test_versions_list_each_live_notice_once_and_stay_put_while_nothing_changes(
    client, make_notice
):
    live = [make_notice(publish=True) for _ in range(3)]
    make_notice()  # a draft: not on the portal
    first = _versions(client)
    assert sorted(first) == sorted(notice.pk for notice in live)
    assert len(set(first.values())) == 3
    assert _versions(client) == first


def test_a_version_changes_with_what_the_notice_shows(client, make_notice, editor):
    from cms.notices import services

    original, other, bystander = (make_notice(publish=True) for _ in range(3))
    before = _versions(client)

    services.withdraw_notice(bystander, editor, "测试撤回。")  # withdrawn: no new revision
    after = _versions(client)
    assert after[bystander.pk] != before[bystander.pk]
    assert after[original.pk] == before[original.pk]
    assert after[other.pk] == before[other.pk]

    correction = services.start_correction(original, editor)
    correction.publicity_start = original.publicity_start
    correction.save_revision().publish()
    corrected = _versions(client)
    # The original now shows its correction (and its state, 已更正); the others are untouched.
    assert corrected[original.pk] != after[original.pk]
    assert corrected[other.pk] == after[other.pk]
    assert correction.pk in corrected


def test_versions_change_overnight_as_the_pages_name_the_day(make_notice):
    from datetime import timedelta

    from django.utils import timezone

    from cms.notices.api import notice_versions
    from cms.notices.models import DecisionNoticePage

    make_notice(publish=True)
    now = timezone.now()
    live = DecisionNoticePage.objects.live()
    assert notice_versions(live, now) == notice_versions(live, now)
    assert notice_versions(live, now) != notice_versions(live, now + timedelta(days=1))


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
