"""The 公示公告 explorer costs the same SQL statements however many notices it lists, and shows
each notice's state as the notice itself gives it; the marks export streams in chunks of rows."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.notices import views
from cms.notices.models import DecisionNoticePage, ExemptionMark
from cms.notices.services import start_correction, withdraw_notice

from .conftest import today

pytestmark = pytest.mark.django_db


def _notices_in_every_state(make_notice, editor, approver) -> None:
    """A draft, one in review, one approved for a later start, one under publicity, a corrected
    one (its correction under publicity) and a withdrawn one."""
    make_notice()
    reviewed = make_notice()
    reviewed.get_workflow().start(reviewed, editor)
    make_notice(start=today() + datetime.timedelta(days=3), publish=True)
    make_notice(publish=True)
    start_correction(make_notice(publish=True), approver).save_revision().publish()
    withdraw_notice(make_notice(publish=True), approver, "认定依据有误，撤回重审。")


def _explore(client, index):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/admin/pages/{index.pk}/")
    assert response.status_code == 200
    return len(captured), response.content.decode()


def _states_shown(html: str) -> dict[str, str]:
    """公告编号 → the 公示状态 cell of its row."""
    table = BeautifulSoup(html, "html.parser").find("table", class_="listing")
    headings = [th.get_text(strip=True) for th in table.find("thead").find_all("th")]
    number, state = headings.index("公告编号"), headings.index("公示状态")
    shown = {}
    for row in table.find("tbody").find_all("tr"):
        cells = [cell.get_text(strip=True) for cell in row.find_all(["td", "th"])]
        shown[cells[number]] = cells[state]
    return shown


def test_the_explorer_costs_the_same_statements_for_4_times_the_notices(
    admin_client, make_notice, editor, approver, notice_index
):
    _explore(admin_client, notice_index)  # caches warmed
    _notices_in_every_state(make_notice, editor, approver)
    few, _ = _explore(admin_client, notice_index)
    for _ in range(3):
        _notices_in_every_state(make_notice, editor, approver)
    many, html = _explore(admin_client, notice_index)
    assert DecisionNoticePage.objects.count() == 4 * 7
    assert many == few
    assert len(_states_shown(html)) == 4 * 7


def test_the_explorer_shows_each_notice_s_own_state(
    admin_client, make_notice, editor, approver, notice_index
):
    _notices_in_every_state(make_notice, editor, approver)
    scheduled = DecisionNoticePage.objects.filter(publicity_start__gt=today())
    scheduled.update(reapproval_reason="开始日期已过。")
    _, html = _explore(admin_client, notice_index)
    shown = _states_shown(html)
    expected = {}
    for notice in DecisionNoticePage.objects.all():
        state = notice.state_at().label
        expected[notice.notice_number] = (
            f"{state}（须重新审定）" if notice.reapproval_reason else state
        )
    assert shown == expected
    assert set(shown.values()) == {
        "草稿", "审定中", "已审定待公示（须重新审定）", "公示中", "已更正", "已撤回"
    }  # fmt: skip


def test_the_marks_export_streams_in_chunks_of_rows(admin_client, make_notice):
    notice = make_notice(publish=True)
    ExemptionMark.objects.bulk_create(
        ExemptionMark(notice=notice, notice_number=notice.notice_number,
                      project_code=f"ZJ-{n:05d}", decision="exempted", decision_date=today())
        for n in range(2 * views.ROWS_PER_CHUNK + 1)
    )  # fmt: skip
    for fmt in ("csv", "json"):
        chunks = list(admin_client.get(f"/admin/notices/marks.{fmt}").streaming_content)
        assert len(chunks) <= 5  # not one per row
        assert b"".join(chunks).count(b"ZJ-") == 2 * views.ROWS_PER_CHUNK + 1
