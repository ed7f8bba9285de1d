"""The lifecycle without and with people: scheduled go-live, windows closing at midnight,
finalisation and exemption marks, corrections, withdrawal, and the audit log."""

import csv
import datetime
import io
import json
from unittest import mock

import pytest
from django.utils import timezone
from wagtail.models import ModelLogEntry, PageLogEntry

from cms.core.models import PortalBuild
from cms.domain import dates, windows
from cms.notices import services
from cms.notices.guards import NoticeGuardError
from cms.notices.management.commands.run_publicity_scheduler import run_once

from .conftest import today

pytestmark = pytest.mark.django_db


def _log_actions(notice) -> list[str]:
    return list(
        PageLogEntry.objects.filter(page=notice)
        .order_by("timestamp")
        .values_list("action", flat=True)
    )


def test_scheduled_notice_goes_live_when_the_scheduler_runs_on_its_start_day(make_notice):
    start = today() + datetime.timedelta(days=1)
    notice = make_notice(start=start)
    notice.get_latest_revision().publish()
    notice.refresh_from_db()
    assert not notice.live and notice.state_at().value == "approved"

    run_once(timezone.now())
    notice.refresh_from_db()
    assert not notice.live

    just_after_midnight = windows.PublicityWindow(start).opens_at + datetime.timedelta(seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=just_after_midnight):
        run_once(just_after_midnight)
    notice.refresh_from_db()
    assert notice.live
    assert notice.recorded_state == "under_publicity"


def test_window_closing_is_recorded_once_in_the_audit_log_and_asks_for_a_rebuild(make_notice):
    notice = make_notice(publish=True)
    closes = notice.publicity_window.closes_at
    PortalBuild.objects.all().delete()

    run_once(closes - datetime.timedelta(microseconds=1))
    assert not PortalBuild.objects.filter(reason="公示状态变化").exists()

    done = run_once(closes)
    notice.refresh_from_db()
    assert notice.recorded_state == "closed"
    assert any("closed" in line for line in done)
    assert PortalBuild.objects.filter(reason="公示状态变化").exists()
    entry = PageLogEntry.objects.filter(page=notice, action="notices.state_change").latest(
        "timestamp"
    )
    assert entry.data["to"] == "closed" and entry.data["from"] == "under_publicity"

    run_once(closes + datetime.timedelta(minutes=1))
    assert PageLogEntry.objects.filter(page=notice, action="notices.state_change").count() == 2


def test_a_new_day_asks_for_a_rebuild_even_without_changes(make_notice):
    make_notice(publish=True)
    run_once(timezone.now())
    PortalBuild.objects.update(requested_at=timezone.now() - datetime.timedelta(days=1))
    before = PortalBuild.objects.count()
    run_once(timezone.now())
    assert PortalBuild.objects.count() == before + 1
    assert PortalBuild.objects.latest("requested_at").reason.startswith("日期变更")


def test_finalise_records_marks_and_exports_them(make_notice, approver, admin_client):
    notice = make_notice(publish=True, started_days_ago=7)
    marks = services.finalise_notice(notice, approver)
    assert {(m.project_code, m.decision) for m in marks} == {
        ("ZJ2026-001", "exempted"),
        ("ZJ2026-002", "rejected"),
    }
    notice.refresh_from_db()
    assert notice.state_at().value == "finalised"
    assert "notices.finalise" in _log_actions(notice)

    body = b"".join(admin_client.get("/admin/notices/marks.csv").streaming_content).decode(
        "utf-8-sig"
    )
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows[0].keys() == {
        "project_code",
        "decision",
        "decision_date",
        "notice_number",
        "superseded_by",
    }
    assert rows[0]["superseded_by"] == ""
    assert {r["project_code"] for r in rows} == {"ZJ2026-001", "ZJ2026-002"}
    assert rows[0]["notice_number"] == notice.notice_number
    data = json.loads(b"".join(admin_client.get("/admin/notices/marks.json").streaming_content))
    assert len(data["exemption_marks"]) == 2
    assert (
        data["exemption_marks"][0]["decision_date"] == dates.local_date(timezone.now()).isoformat()
    )


def test_finalising_twice_is_refused(make_notice, approver):
    notice = make_notice(publish=True, started_days_ago=7)
    services.finalise_notice(notice, approver)
    with pytest.raises(NoticeGuardError, match="不能从"):
        services.finalise_notice(notice, approver)


def test_unanswered_objections_block_finalisation(make_notice, approver, monkeypatch):
    notice = make_notice(publish=True, started_days_ago=7)
    monkeypatch.setattr(services, "UNANSWERED_OBJECTION_COUNTERS", [lambda n: 2])
    with pytest.raises(NoticeGuardError) as excinfo:
        services.finalise_notice(notice, approver)
    assert excinfo.value.errors[0].code == "objections_unanswered"
    assert "2件异议未答复" in excinfo.value.errors[0].message
    monkeypatch.setattr(services, "UNANSWERED_OBJECTION_COUNTERS", [lambda n: 0])
    services.finalise_notice(notice, approver)


def test_correction_is_a_new_notice_linked_both_ways_with_a_fresh_window(
    make_notice, editor, client
):
    original = make_notice(publish=True, started_days_ago=3)
    correction = services.start_correction(original, editor)
    assert correction.corrects_id == original.pk and not correction.live
    assert [i.project_code for i in correction.items.all()] == ["ZJ2026-001", "ZJ2026-002"]
    assert correction.publicity_start == today()
    assert "notices.correction_started" in _log_actions(original)

    correction.publicity_start = today()
    correction.correction_note = "更正项目名称。"
    correction.save_revision().publish()
    original.refresh_from_db()
    correction.refresh_from_db()
    assert original.state_at().value == "corrected"
    assert correction.state_at().value == "under_publicity"
    assert correction.publicity_window.end_date == today() + datetime.timedelta(days=6)

    api_original = client.get(f"/api/v3/pages/{original.pk}/").json()
    api_correction = client.get(f"/api/v3/pages/{correction.pk}/").json()
    assert api_original["corrected_by_summary"][0]["id"] == correction.pk
    assert api_original["window"]["state"] == "corrected"
    assert api_correction["corrects_summary"]["id"] == original.pk
    assert api_correction["correction_note"] == "更正项目名称。"


def test_correction_of_a_draft_is_refused(make_notice, editor):
    with pytest.raises(NoticeGuardError, match="不能从"):
        services.start_correction(make_notice(), editor)


def test_withdrawal_needs_a_reason_and_keeps_the_notice_readable(make_notice, approver, client):
    notice = make_notice(publish=True)
    with pytest.raises(NoticeGuardError, match="须说明原因"):
        services.withdraw_notice(notice, approver, "  ")
    services.withdraw_notice(notice, approver, "材料需补充核实。")
    notice.refresh_from_db()
    assert notice.live and notice.state_at().value == "withdrawn"
    data = client.get(f"/api/v3/pages/{notice.pk}/").json()
    assert data["withdrawal"]["reason"] == "材料需补充核实。"
    entry = PageLogEntry.objects.get(page=notice, action="notices.withdraw")
    assert entry.user == approver


def test_every_state_change_is_in_the_audit_log_with_user_and_time(make_notice, approver):
    notice = make_notice(publish=True, started_days_ago=7)
    services.finalise_notice(notice, approver)
    entries = PageLogEntry.objects.filter(page=notice, action="notices.state_change").order_by(
        "timestamp"
    )
    assert [e.data["to"] for e in entries] == ["under_publicity", "finalised"]
    assert entries.last().user == approver
    assert all(e.timestamp for e in entries)
    assert not ModelLogEntry.objects.filter(action__startswith="notices.").exists()
