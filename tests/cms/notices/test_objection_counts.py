"""The read API gives each notice's objection counts (received, upheld) for the portal's
statistics: counts only, nothing of the objectors, in the bulk list and the page detail alike,
at a constant number of queries, and the portal's export sends a notice again when they change."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageLogEntry

from cms.core.clock import travel_to
from cms.objections.models import Objection
from cms.objections.rules import ObjectionStatus, Outcome

from .conftest import exempted_item, rejected_item

pytestmark = pytest.mark.django_db
OBJECTOR = {"real_name": "王异议", "phone": "13800000000", "email": "objector@example.invalid"}


def _object(notice, number: int, outcome: str = "") -> Objection:
    return Objection.objects.create(
        notice=notice,
        item=notice.items.first(),
        receipt_number=f"YY-COUNT-{notice.pk}-{number}",
        lookup_code_hash="x",
        consented_at=timezone.now(),
        objector_type="individual",
        content="该事项的项目承担单位与事实不符，请核实。",
        status=ObjectionStatus.ANSWERED if outcome else ObjectionStatus.RECEIVED,
        outcome=outcome,
        **OBJECTOR,
    )


def _rows(client) -> dict[int, dict]:
    items = client.get("/api/v3/notices/", {"limit": 100}).json()["items"]
    return {row["id"]: row for row in items}


def _changed(client, since: str) -> set[int]:
    """The notices the portal's export sends as changed since the version ``since``."""
    notices = client.get("/api/v3/export/", {"since": since}).json()["notices"]
    assert notices["since"] == since
    return {row["id"] for row in notices["changed"]}


def _version(client) -> str:
    return client.get("/api/v3/export/").json()["version"]


def test_each_notice_carries_its_counts_and_nothing_of_the_objectors(client, make_notice):
    objected, quiet = make_notice(publish=True), make_notice(publish=True)
    _object(objected, 1)
    _object(objected, 2, Outcome.UPHELD)
    _object(objected, 3, Outcome.NOT_UPHELD)
    _object(objected, 4, Outcome.INADMISSIBLE)
    rows = _rows(client)
    assert rows[objected.pk]["objection_counts"] == {"received": 4, "upheld": 1}
    assert rows[quiet.pk]["objection_counts"] == {"received": 0, "upheld": 0}
    detail = client.get(f"/api/v3/pages/{objected.pk}/").json()
    assert detail["objection_counts"] == rows[objected.pk]["objection_counts"]
    body = json.dumps(rows, ensure_ascii=False) + json.dumps(detail, ensure_ascii=False)
    for personal in (*OBJECTOR.values(), "YY-COUNT", "项目承担单位与事实不符"):
        assert personal not in body


def test_the_counts_cost_no_query_per_notice(client, make_notice):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get("/api/v3/notices/", {"limit": 100})
        return len(captured)

    for number in range(2):
        _object(make_notice(items=[exempted_item(), rejected_item()], publish=True), number)
    few = queries()
    for number in range(5):
        _object(make_notice(items=[exempted_item(), rejected_item()], publish=True), number)
    assert queries() == few


def test_a_notice_is_exported_again_when_an_objection_comes_in_or_is_upheld(client, make_notice):
    objected = make_notice(publish=True)
    # Closed long ago: no midnight changes it, whatever the hour the test runs at.
    make_notice(publish=True, started_days_ago=40)
    PageLogEntry.objects.update(timestamp=F("timestamp") - timedelta(hours=1))
    before = _version(client)
    objection = _object(objected, 1)
    assert _changed(client, before) == {objected.pk}
    with travel_to(timezone.now() + timedelta(hours=1)):
        received = _version(client)
    with travel_to(timezone.now() + timedelta(hours=2)):
        objection.outcome, objection.status = Outcome.UPHELD, ObjectionStatus.ANSWERED
        objection.answered_at = timezone.now()
        objection.save()
        assert _changed(client, received) == {objected.pk}
