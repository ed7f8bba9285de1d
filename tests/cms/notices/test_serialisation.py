"""The bulk read's rows, made from columns (:mod:`cms.notices.serialisation`), are each page's
own public data (``DecisionNoticePage.public_data``) key for key and in the same order, in every
state a notice can be read in; the list renders them to the bytes it gave when every row went
through ``@paginate`` and pydantic, at a constant number of queries."""

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from ninja.responses import NinjaJSONEncoder
from pydantic import TypeAdapter
from wagtail.api.v3.api import api
from wagtail.models import PageViewRestriction

from cms.core.clock import travel_to
from cms.notices import services
from cms.notices.api import live_notices
from cms.notices.models import DecisionNoticePage, NoticeIndexPage
from cms.notices.publication import clause_lookup
from cms.notices.serialisation import notice_rows
from cms.objections.rules import Outcome

from .conftest import exempted_item, rejected_item
from .test_objection_counts import _object

pytestmark = pytest.mark.django_db
AT = datetime(2031, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)


@pytest.fixture
def notices(make_notice, admin_user) -> dict[str, DecisionNoticePage]:
    """Live notices in every state the list shows, with the parts a row is made of, and two
    that it leaves out (a draft, a private page)."""
    found = {
        "open": make_notice(publish=True),
        "many_items": make_notice(
            items=[
                exempted_item("C-1", grounds=["A1", "A3"]),
                rejected_item("C-2", reasons=["X1", "X3"]),
                rejected_item("C-3", reasons=["out_of_scope"]),
                exempted_item("C-4", grounds=["A5"], project_name="第四项"),
            ],
            publish=True,
        ),
        "foundation": make_notice(
            items=[exempted_item("F-1", programme="basic_public_welfare")], publish=True
        ),
        "finalised": make_notice(publish=True, started_days_ago=40),
        "corrected": make_notice(publish=True, started_days_ago=30),
        "withdrawn": make_notice(publish=True),
        "private": make_notice(publish=True),
    }
    services.finalise_notice(found["finalised"], admin_user)
    correction = services.start_correction(found["corrected"], admin_user)
    correction.save_revision().publish()
    found["correction"] = correction
    services.withdraw_notice(found["withdrawn"], admin_user, "项目承担单位申请撤回。")
    _object(found["open"], 1)
    _object(found["open"], 2, Outcome.UPHELD)
    _object(found["many_items"], 1, Outcome.NOT_UPHELD)
    PageViewRestriction.objects.create(page=found["private"], restriction_type="login")
    make_notice()  # a draft
    return found


def _lookup() -> dict[str, Any]:
    return clause_lookup(NoticeIndexPage.objects.select_related("policy").first())


def _by_pages(lookup, now) -> list[dict[str, Any]]:
    """Each live public notice's row as its page instance gives it, nothing prefetched."""
    pages = DecisionNoticePage.objects.live().public().order_by("pk")
    return [
        {**page.public_data(lookup, now), "objection_counts": page.objection_counts}
        for page in pages
    ]


def _json(value) -> str:
    return json.dumps(value, cls=NinjaJSONEncoder)


def test_rows_are_each_pages_own_public_data(notices):
    lookup, now = _lookup(), timezone.now()
    rows = notice_rows(live_notices(), lookup, now)
    expected = _by_pages(lookup, now)
    assert _json(rows) == _json(expected)  # same keys, order and values
    by_id = {row["id"]: row for row in rows}
    assert set(by_id) == {notice.pk for name, notice in notices.items() if name != "private"}
    states = {name: by_id[notice.pk]["window"]["state"] for name, notice in notices.items()
              if name != "private"}  # fmt: skip
    assert states == {
        "open": "under_publicity",
        "many_items": "under_publicity",
        "foundation": "under_publicity",
        "finalised": "finalised",
        "corrected": "corrected",
        "correction": "under_publicity",
        "withdrawn": "withdrawn",
    }
    correction, corrected = by_id[notices["correction"].pk], by_id[notices["corrected"].pk]
    assert correction["corrects_summary"]["id"] == corrected["id"]
    assert [s["id"] for s in corrected["corrected_by_summary"]] == [correction["id"]]
    assert by_id[notices["foundation"].pk]["handling_body"]["code"] == "foundation_office"
    assert by_id[notices["open"].pk]["objection_counts"] == {"received": 2, "upheld": 1}
    assert [item["project_code"] for item in by_id[notices["many_items"].pk]["public_items"]] == [
        "C-1", "C-2", "C-3", "C-4",
    ]  # fmt: skip
    # A page of the list, and the export's selection by id, as the whole gives them.
    assert notice_rows(live_notices()[2:5], lookup, now) == rows[2:5]
    wanted = [rows[4]["id"], rows[0]["id"], notices["private"].pk]
    chosen = notice_rows(live_notices().filter(pk__in=wanted), lookup, now)
    assert chosen == [rows[0], rows[4]]
    assert notice_rows(live_notices().filter(pk__in=[notices["private"].pk]), lookup, now) == []


def test_the_list_renders_the_bytes_paginate_and_pydantic_made(client, notices):
    validated = TypeAdapter(list[dict[str, Any]])
    with travel_to(AT):
        response = client.get("/api/v3/notices/", {"limit": 3, "offset": 2})
        expected_rows = _by_pages(_lookup(), AT)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    items = validated.dump_python(validated.validate_python(expected_rows[2:5]))
    body = {"items": items, "count": len(expected_rows)}
    assert response.content == api.renderer.render(None, body, response_status=200).encode()


def test_rows_take_four_queries_whatever_the_page_holds(notices):
    lookup = _lookup()
    one, every = live_notices()[:1], live_notices()
    with CaptureQueriesContext(connection) as few:
        assert len(notice_rows(one, lookup, AT)) == 1
    with CaptureQueriesContext(connection) as many:
        assert len(notice_rows(every, lookup, AT)) == len(notices) - 1
    assert len(few) == len(many) == 4


def test_the_list_is_described_and_checked_as_paginate_did(client):
    operation = client.get("/api/v3/openapi.json").json()["paths"]["/api/v3/notices/"]["get"]
    assert [p["name"] for p in operation["parameters"]] == ["ids", "limit", "offset"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/Pageddict"}
    too_many = client.get("/api/v3/notices/", {"limit": 101})
    assert too_many.status_code == 400
    assert too_many.json()["detail"] == "limit cannot be higher than 100"
    none = client.get("/api/v3/notices/", {"limit": 0})
    assert none.status_code == 422
    assert none.json()["errors"][0]["loc"] == ["query", "limit"]


def test_now_is_the_instant_of_the_request(client, make_notice):
    make_notice(publish=True)
    make_notice(publish=True, started_days_ago=30)
    with travel_to(AT):
        rows = client.get("/api/v3/notices/", {"limit": 100}).json()["items"]
    assert {row["window"]["computed_at"] for row in rows} == {AT.isoformat()}
    assert {row["window"]["phase"] for row in rows} == {"closed"}
