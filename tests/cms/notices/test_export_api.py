"""``/api/v3/export/``: given the version of the last export, the notices whose public data may
have changed since, by every way they change (publication, withdrawal, finalisation, correction,
unpublication, deletion, privacy, a midnight in their window, an objection), and nothing else;
a version it cannot use means every notice; the other reads a build makes, bundled."""

import datetime

import pytest
from django.db.models import F
from django.utils import timezone
from wagtail.models import PageLogEntry, PageViewRestriction

from cms.core.clock import travel_to
from cms.notices import changes, services
from cms.notices.export_api import page_types
from cms.notices.models import DecisionNoticePage
from cms.objections.rules import Outcome

from .conftest import today
from .test_objection_counts import _object

pytestmark = pytest.mark.django_db
EXPORT = "/api/v3/export/"


def _age(hours: int = 1) -> None:
    """Everything so far as if done ``hours`` ago (outside the export's margin)."""
    PageLogEntry.objects.update(timestamp=F("timestamp") - datetime.timedelta(hours=hours))


def _export(client, since: str = "", **params) -> dict:
    response = client.get(EXPORT, {"since": since, **params} if since else params)
    assert response.status_code == 200, response.content
    return response.json()


def _changes(client, since: str) -> tuple[set[int], set[int]]:
    notices = _export(client, since)["notices"]
    assert notices["since"] == since, "the version was not usable"
    return {row["id"] for row in notices["changed"]}, set(notices["removed"])


@pytest.fixture
def site(make_notice):
    """Two live notices, one under publicity and one closed long ago, made an hour ago."""
    open_ = make_notice(publish=True)
    closed = make_notice(publish=True, started_days_ago=40)
    _age()
    return open_, closed


def test_a_first_export_reads_every_notice_elsewhere_and_bundles_the_other_reads(client, site):
    answer = _export(client)
    assert answer["notices"] == {"since": None, "changed": [], "removed": []}
    reads = answer["reads"]
    for page_type in page_types():
        assert f"/api/v3/pages/?limit=100&offset=0&type={page_type}" in reads
    assert "/api/v3/pages/?limit=100&offset=0&type=notices.DecisionNoticePage" not in reads
    index = reads["/api/v3/pages/?limit=100&offset=0&type=notices.NoticeIndexPage"]
    (entry,) = index["items"]
    assert (
        reads[f"/api/v3/pages/{entry['id']}/"] == client.get(f"/api/v3/pages/{entry['id']}/").json()
    )
    for path in ("/api/schema/?format=json", "/api/v3/eligibility/", "/api/v3/site/"):
        assert path in reads
    record = reads["/api/v3/record/?after=0&limit=1000"]
    assert record == client.get("/api/v3/record/", {"after": 0, "limit": 1000}).json()
    assert record["items"], "the notices' publications are on the record"


def test_nothing_changed_means_no_notice(client, site):
    version = _export(client)["version"]
    assert _changes(client, version) == (set(), set())


def test_the_rows_are_those_of_the_notice_list(client, site, make_notice):
    version = _export(client)["version"]
    new = make_notice(publish=True)
    answer = _export(client, version)
    listed = client.get("/api/v3/notices/", {"ids": str(new.pk)}).json()["items"]
    for row in (*answer["notices"]["changed"], *listed):
        row["window"].pop("computed_at")  # each answer's own instant
    assert answer["notices"]["changed"] == listed


@pytest.mark.parametrize("how", ["withdraw", "finalise", "restrict"])
def test_each_way_a_notice_changes_is_seen(client, site, how, admin_user):
    """(A published notice cannot be edited, unpublished or deleted: the gate refuses.)"""
    open_, closed = site
    version = _export(client)["version"]
    if how == "withdraw":
        services.withdraw_notice(open_, admin_user, "项目信息有误，撤回重发。")
        assert _changes(client, version) == ({open_.pk}, set())
    elif how == "finalise":
        assert services.finalise_notice(closed, admin_user)
        assert _changes(client, version) == ({closed.pk}, set())
    else:
        PageViewRestriction.objects.create(page=open_, restriction_type="login")
        PageLogEntry.objects.log_action(open_, "wagtail.view_restriction.create")
        assert _changes(client, version) == (set(), {open_.pk})


def test_a_correction_changes_the_notice_it_corrects(client, site, admin_user):
    _open, closed = site
    version = _export(client)["version"]
    correction = services.start_correction(closed, admin_user)
    correction.save_revision().publish()
    changed, removed = _changes(client, version)
    assert changed == {closed.pk, correction.pk} and not removed


def test_a_midnight_changes_the_notices_in_their_window_only(client, site):
    open_, _closed = site
    version = _export(client)["version"]
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    with travel_to(tomorrow):
        assert _changes(client, version) == ({open_.pk}, set())
    closes = open_.publicity_window.closes_at
    with travel_to(closes - datetime.timedelta(minutes=1)):
        day_before = _export(client)["version"]
    with travel_to(closes + datetime.timedelta(minutes=1)):
        assert _changes(client, day_before) == ({open_.pk}, set())
    with travel_to(closes + datetime.timedelta(days=3)):
        after_closing = _export(client)["version"]
    with travel_to(closes + datetime.timedelta(days=9)):
        assert _changes(client, after_closing) == (set(), set())


def test_an_objection_filed_or_answered_changes_its_notice(client, site):
    open_, _closed = site
    version = _export(client)["version"]
    objection = _object(open_, 1)
    assert _changes(client, version) == ({open_.pk}, set())
    with travel_to(timezone.now() + datetime.timedelta(hours=1)):
        later = _export(client)["version"]
    with travel_to(timezone.now() + datetime.timedelta(hours=2)):
        objection.outcome, objection.answered_at = Outcome.UPHELD, timezone.now()
        objection.save()
        assert _changes(client, later) == ({open_.pk}, set())


def test_a_log_entry_that_commits_late_with_a_lower_id_is_still_seen(client, site):
    _open, closed = site
    version = changes.Version.decode(_export(client)["version"])
    late = PageLogEntry.objects.log_action(closed, "notices.state_change")
    assert late.pk > version.log_id
    earlier = changes.Version(late.pk, version.at, version.day, version.shared)
    assert _changes(client, earlier.encode()) == ({closed.pk}, set())


def test_privacy_on_a_section_changes_the_notices_under_it(client, site, notice_index):
    version = _export(client)["version"]
    PageViewRestriction.objects.create(page=notice_index, restriction_type="login")
    PageLogEntry.objects.log_action(notice_index, "wagtail.view_restriction.create")
    assert _changes(client, version) == (set(), {notice.pk for notice in site})


def test_a_page_removed_elsewhere_in_the_tree_changes_no_notice(client, site, notice_index):
    version = _export(client)["version"]
    elsewhere = notice_index.get_parent().get_children().exclude(pk=notice_index.pk).first()
    PageLogEntry.objects.log_action(elsewhere, "wagtail.delete")
    PageLogEntry.objects.log_action(elsewhere, "wagtail.move")
    assert _changes(client, version) == (set(), set())


def test_too_many_changed_notices_mean_every_notice(client, site, monkeypatch):
    version = _export(client)["version"]
    PageViewRestriction.objects.create(page=site[0], restriction_type="login")
    PageLogEntry.objects.log_action(site[0], "wagtail.view_restriction.create")
    monkeypatch.setattr(changes, "MAX_CHANGED", 0)
    assert _export(client, version)["notices"]["since"] is None


@pytest.mark.parametrize(
    "since",
    ["", "garbage", "e30", "WzEsMiwzXQ", "W251bGwsbnVsbCxudWxsLG51bGxd", "%00", "W" * 5000],
)
def test_a_version_it_did_not_make_means_every_notice(client, site, since):
    answer = _export(client, since) if since else _export(client)
    assert answer["notices"]["since"] is None
    assert changes.Version.decode(answer["version"]) is not None


@pytest.mark.parametrize("after", ["-1", "99999999999999999999999", "x"])
def test_odd_record_positions_are_refused_or_clamped_never_a_server_error(client, site, after):
    response = client.get(EXPORT, {"record_after": after})
    assert response.status_code in (200, 422), response.content
    if response.status_code == 200:
        assert any(key.startswith("/api/v3/record/?after=") for key in response.json()["reads"])


def test_a_version_from_the_future_is_not_used(client, site):
    with travel_to(timezone.now() + datetime.timedelta(days=2)):
        future = _export(client)["version"]
    assert _export(client, future)["notices"]["since"] is None


def test_notices_start_on_their_day(site):
    open_, _closed = site
    assert open_.publicity_start == today()
    assert DecisionNoticePage.objects.live().count() == 2
