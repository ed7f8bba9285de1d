"""The read API publishes notices with their window, items and cited clauses, and nothing of
the expert panel."""

import datetime
import json
from unittest import mock

import pytest

from .conftest import exempted_item, rejected_item

pytestmark = pytest.mark.django_db

PANEL_WORDS = ("panel_size", "technical_members", "financial_members", "专家组人数")


def _detail(client, notice):
    return client.get(f"/api/v3/pages/{notice.pk}/").json()


def test_notice_detail_carries_window_items_and_cited_clauses(client, make_notice):
    notice = make_notice(publish=True)
    data = _detail(client, notice)
    assert data["notice_number"] == notice.notice_number
    window = data["window"]
    assert window["start_date"] == notice.publicity_start.isoformat()
    assert window["end_date"] == (notice.publicity_start + datetime.timedelta(days=6)).isoformat()
    assert window["state"] == "under_publicity" and window["days_left"] == 7
    assert data["handling_body"]["label"] == "省科学技术厅"
    exempted, rejected = data["public_items"]
    assert exempted["grounds"][0]["code"] == "A2"
    assert exempted["grounds"][0]["clause_text"].startswith("因技术路线选择失误")
    reason = rejected["reasons"][0]
    assert (reason["code"], reason["anchor"], reason["clause_ref"]) == ("X3", "s2-3-3", "二（三）3")
    assert reason["clause_text"].startswith("发生《科学技术活动违规行为处理暂行规定》")
    assert reason["policy"]["slug"] == "exemption-policy"
    assert rejected["explanation"] == "存在科研失信行为。"


def test_no_panel_details_in_the_api(client, make_notice):
    notice = make_notice(publish=True)
    body = json.dumps(_detail(client, notice), ensure_ascii=False)
    listing = client.get("/api/v3/pages/", {"type": "notices.DecisionNoticePage"}).content
    for word in PANEL_WORDS:
        assert word not in body
        assert word not in listing.decode()


def test_state_is_computed_at_request_time(client, make_notice):
    notice = make_notice(publish=True)
    closes = notice.publicity_window.closes_at
    with mock.patch("django.utils.timezone.now", return_value=closes):
        data = _detail(client, notice)
    assert data["window"]["state"] == "closed" and data["window"]["days_left"] == 0


def test_foundation_office_handles_basic_public_welfare_notices(client, make_notice):
    items = [
        exempted_item(programme="basic_public_welfare"),
        rejected_item(programme="basic_public_welfare"),
    ]
    data = _detail(client, make_notice(items=items, publish=True))
    assert data["handling_body"]["code"] == "foundation_office"
    assert data["handling_body"]["label"] == "省自然科学基金委员会办公室"


def test_drafts_are_not_in_the_api(client, make_notice):
    notice = make_notice()
    assert client.get(f"/api/v3/pages/{notice.pk}/").status_code == 404
