"""The objection list costs the same SQL statements however many objections it shows, filtered
by notice number or status or not: each row's notice and item come with the page."""

# The fixtures are imported below and taken as parameters by name.
# ruff: noqa: F811

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cms.objections.models import Objection
from cms.objections.rules import ObjectionStatus

from ..notices.conftest import make_notice, notice_index  # noqa: F401
from .conftest import handler  # noqa: F401

pytestmark = pytest.mark.django_db


def _object(notices, count: int) -> None:
    """``count`` objections more, spread over the notices and their items."""
    start = Objection.objects.count()
    for number in range(start, start + count):
        notice = notices[number % len(notices)]
        Objection.objects.create(
            notice=notice,
            item=notice.items.all()[number % 2],
            receipt_number=f"YY-LIST-{number:04d}",
            lookup_code_hash="x",
            consented_at=timezone.now(),
            objector_type="individual",
            real_name="王异议",
            content="该事项的项目承担单位与事实不符，请核实。",
        )


def _statements(client, **filters) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/admin/objections/", filters)
    assert response.status_code == 200
    return len(captured), response.content.decode()


@pytest.mark.parametrize(
    "filters",
    [{}, {"status": ObjectionStatus.RECEIVED}, {"notice_number": "〔2026〕"}, {"q": "YY-LIST"}],
    ids=["all", "status", "notice_number", "search"],
)
def test_the_list_costs_the_same_statements_for_6_times_the_objections(
    client, handler, make_notice, filters
):
    notices = [make_notice(publish=True) for _ in range(3)]
    client.force_login(handler)
    _statements(client, **filters)  # caches warmed
    _object(notices, 3)
    few, page = _statements(client, **filters)
    assert page.count("YY-LIST-") >= 3
    _object(notices, 15)
    many, page = _statements(client, **filters)
    assert all(f"YY-LIST-{number:04d}" in page for number in range(18))
    assert many == few


def test_a_whole_receipt_number_finds_its_objection_and_a_part_finds_every_match(
    client, handler, make_notice
):
    notice = make_notice(publish=True)
    for suffix in ("7K3F9Q", "7K3F9R"):
        Objection.objects.create(
            notice=notice, item=notice.items.first(), receipt_number=f"YY20261125-{suffix}",
            lookup_code_hash="x", consented_at=timezone.now(), objector_type="individual",
            real_name="王异议", content="该事项的项目承担单位与事实不符，请核实。",
        )  # fmt: skip
    client.force_login(handler)
    for query, found in (
        ("YY20261125-7K3F9Q", {"7K3F9Q"}),
        (" yy20261125-7k3f9r ", {"7K3F9R"}),
        ("20261125-7K3F9", {"7K3F9Q", "7K3F9R"}),
        ("YY20261125-7K3F9Z", set()),
    ):
        _, page = _statements(client, q=query)
        table = BeautifulSoup(page, "html.parser").find("table", class_="listing")
        listed = table.get_text() if table else ""
        assert {s for s in ("7K3F9Q", "7K3F9R") if f"YY20261125-{s}" in listed} == found, query
