"""What the gate holds beyond who may press which button: scheduled publishing after a
withdrawal or a missed day, corrections one at a time, finalising only what was on publicity
for its whole window, and the marks export."""

import csv
import datetime
import io

import pytest
from django.utils import timezone
from wagtail.actions.publish_page_revision import PublishPageRevisionAction
from wagtail.models import PageLogEntry, Revision

from cms.core.clock import travel_to
from cms.core.gate import GateError
from cms.notices import services
from cms.notices.demo import load_demo_notices
from cms.notices.guards import NoticeGuardError
from cms.notices.management.commands.run_publicity_scheduler import run_once
from cms.notices.models import DecisionNoticePage

from .conftest import move_start, today

pytestmark = pytest.mark.django_db


def _scheduled(make_notice, in_days: int) -> DecisionNoticePage:
    """Approved, waiting for its start date in ``in_days`` days."""
    notice = make_notice(start=today() + datetime.timedelta(days=in_days))
    notice.save_revision().publish()
    notice.refresh_from_db()
    assert not notice.live and notice.state_at().value == "approved"
    return notice


def _on_day(notice, days_after_start: int = 0) -> datetime.datetime:
    opens = notice.publicity_window.opens_at
    return opens + datetime.timedelta(days=days_after_start, minutes=1)


def test_withdrawing_a_waiting_notice_cancels_its_scheduled_go_live(make_notice, approver):
    notice = _scheduled(make_notice, 2)
    services.withdraw_notice(notice, approver, "材料需补充核实。")
    assert not Revision.objects.filter(
        object_id=str(notice.pk), approved_go_live_at__isnull=False
    ).exists()
    with travel_to(_on_day(notice)):
        run_once(timezone.now())
    notice.refresh_from_db()
    assert not notice.live
    assert notice.withdrawn_at is not None and notice.withdrawal_reason == "材料需补充核实。"


def test_a_withdrawal_is_never_undone_by_a_revision_that_still_waits(make_notice, approver):
    """Even with a scheduled revision left behind, publishing it neither restores the notice
    nor wipes its withdrawal: state lives on the row, and a withdrawn notice is not published."""
    notice = _scheduled(make_notice, 2)
    revision = notice.latest_revision
    services.withdraw_notice(notice, approver, "撤回。")
    Revision.objects.filter(pk=revision.pk).update(approved_go_live_at=notice.go_live_at)
    with travel_to(_on_day(notice)):
        assert revision.as_object().withdrawn_at is not None
        with pytest.raises(NoticeGuardError, match="已撤回"):
            revision.publish()
        run_once(timezone.now())
    notice.refresh_from_db()
    assert not notice.live and notice.withdrawn_at is not None


def test_a_late_scheduled_notice_is_held_for_reapproval_not_published(make_notice, admin_client):
    notice = _scheduled(make_notice, 1)
    with travel_to(_on_day(notice, days_after_start=2)):  # the scheduler missed two days
        done = run_once(timezone.now())
    notice.refresh_from_db()
    assert not notice.live
    assert f"{notice.notice_number}: 须重新审定" in done
    assert "已过" in notice.reapproval_reason and "重新提交集体审定" in notice.reapproval_reason
    assert not Revision.objects.filter(
        object_id=str(notice.pk), approved_go_live_at__isnull=False
    ).exists()
    assert PageLogEntry.objects.filter(page=notice, action="notices.reapproval_needed").exists()
    # The admin says why, on the notice's edit page.
    edit = admin_client.get(f"/admin/pages/{notice.pk}/edit/").content.decode()
    assert notice.reapproval_reason in edit
    # A new revision (the editor sets a new date) clears the flag.
    notice.publicity_start = today() + datetime.timedelta(days=1)
    notice.save_revision()
    notice.refresh_from_db()
    assert notice.reapproval_reason == ""


def test_a_scheduled_notice_goes_live_on_its_day(make_notice):
    notice = _scheduled(make_notice, 1)
    with travel_to(_on_day(notice)):
        run_once(timezone.now())
    notice.refresh_from_db()
    assert notice.live and notice.reapproval_reason == ""


def test_publishing_around_the_admin_still_meets_the_guards(make_notice):
    """Wagtail's publish action called directly (the shell, any code) is stopped in save."""
    notice = make_notice()
    move_start(notice, 3)
    revision = notice.save_revision()
    with pytest.raises(GateError, match="早于今天"):
        PublishPageRevisionAction(revision).execute()
    assert not DecisionNoticePage.objects.get(pk=notice.pk).live


def test_only_one_correction_is_open_at_a_time(make_notice, editor, approver, client):
    original = make_notice(publish=True)
    first = services.start_correction(original, editor)
    with pytest.raises(NoticeGuardError) as excinfo:
        services.start_correction(original, editor)
    assert excinfo.value.errors[0].code == "correction_open"
    assert first.notice_number in excinfo.value.errors[0].message
    # The confirm page says so before the click and offers no button.
    client.force_login(approver)
    page = client.get(f"/admin/notices/{original.pk}/correct/").content.decode()
    assert "现在不能创建更正公告" in page and first.notice_number in page
    assert 'type="submit"' not in page
    # A draft correction that was never published may be deleted; then a new one may start.
    first.delete()
    second = services.start_correction(original, editor)
    assert second.corrects_id == original.pk


def test_the_correction_form_shows_its_start_date_and_allows_today(make_notice, approver, client):
    original = make_notice(publish=True)
    client.force_login(approver)
    url = f"/admin/notices/{original.pk}/correct/"
    page = client.get(url).content.decode()
    assert f'value="{today().isoformat()}"' in page and f'min="{today().isoformat()}"' in page
    yesterday = (today() - datetime.timedelta(days=1)).isoformat()
    refused = client.post(url, {"start_date": yesterday})
    assert refused.status_code == 200 and "早于今天" in refused.content.decode()
    assert not DecisionNoticePage.objects.filter(corrects=original).exists()
    assert client.post(url, {"start_date": "not a date"}).status_code == 200
    client.post(url, {"start_date": today().isoformat()})
    assert DecisionNoticePage.objects.get(corrects=original).publicity_start == today()


def test_a_notice_not_live_for_its_whole_window_is_not_finalised(make_notice, approver):
    notice = move_start(make_notice(publish=True), 8)  # went live today, window moved back
    with pytest.raises(NoticeGuardError) as excinfo:
        services.finalise_notice(notice, approver)
    assert [error.code for error in excinfo.value.errors] == ["not_live_whole_window"]


def test_the_finalise_page_names_every_reason_before_the_click(
    make_notice, approver, client, monkeypatch
):
    notice = make_notice(publish=True)
    monkeypatch.setattr(services, "UNANSWERED_OBJECTION_COUNTERS", [lambda n: 1])
    client.force_login(approver)
    page = client.get(f"/admin/notices/{notice.pk}/finalise/").content.decode()
    assert "现在不能确认认定结果" in page
    assert "结束后方可确认结果" in page and "1件异议未答复" in page


def test_marks_of_a_corrected_notice_are_superseded_and_demo_marks_never_exported(
    make_notice, editor, approver, admin_client
):
    original = make_notice(publish=True, started_days_ago=7)
    services.finalise_notice(original, approver)
    correction = services.start_correction(original, editor)
    correction.save_revision().publish()
    services.finalise_notice(
        correction, approver, now=correction.publicity_window.closes_at + datetime.timedelta(1)
    )
    load_demo_notices()
    assert DecisionNoticePage.objects.filter(
        notice_number__startswith="示例-", finalised_at__isnull=False
    ).exists()

    body = b"".join(admin_client.get("/admin/notices/marks.csv").streaming_content).decode(
        "utf-8-sig"
    )
    rows = list(csv.DictReader(io.StringIO(body)))
    assert not [row for row in rows if row["notice_number"].startswith("示例")]
    by_notice = {}
    for row in rows:
        by_notice.setdefault(row["notice_number"], []).append(row)
    assert {row["superseded_by"] for row in by_notice[original.notice_number]} == {
        correction.notice_number
    }
    assert {row["superseded_by"] for row in by_notice[correction.notice_number]} == {""}


def test_the_notices_menu_item_opens_the_notices_with_their_state(make_notice, admin_client):
    notice = _scheduled(make_notice, 1)
    home = admin_client.get("/admin/").content.decode()
    assert '"url": "/admin/notices/"' in home and '"url": null' not in home  # the sidebar
    listing = admin_client.get("/admin/notices/", follow=True)
    assert listing.redirect_chain[-1][0] == f"/admin/pages/{notice.get_parent().pk}/"
    assert "已审定待公示" in listing.content.decode()


def test_a_permanent_page_keeps_no_expiry_so_the_scheduler_never_unpublishes_it(seeded):
    """publish_scheduled unpublishes expired pages, which the gate refuses for a live policy:
    the expiry is never stored, so the scheduler's run goes on for everyone else."""
    from cms.policies.models import PolicyPage

    policy = PolicyPage.objects.get()
    policy.expire_at = timezone.now() - datetime.timedelta(days=1)
    policy.save()
    assert PolicyPage.objects.get(pk=policy.pk).expire_at is None
    run_once(timezone.now())
    assert PolicyPage.objects.get(pk=policy.pk).live
