"""Alerts go out from the task worker after the portal build that put their page live, with
the page's portal address, once per subscriber and event: not before the build, not for a build
that failed, not twice when builds repeat or a worker dies mid-way; each topic from its own
publications."""

# The notice and lesson fixtures are imported below, and taken as parameters by name.
# ruff: noqa: F811

import datetime

import pytest
from django.test import TestCase
from django.utils import timezone

from cms.alerts import services
from cms.alerts.models import AlertEvent
from cms.core import tasks
from cms.core.clock import travel_to
from cms.notices.services import finalise_notice
from cms.outbox import services as outbox
from cms.outbox.models import OutgoingMail
from cms.policies.models import PolicyPage
from common.addresses import lesson_path, notice_path

from ..lessons.conftest import REPORT, lesson_index, make_lesson  # noqa: F401
from ..notices.conftest import approver, make_notice, notice_index  # noqa: F401
from .conftest import build, confirmed, links

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(api, mailbox, seeded):
    """A confirmed subscriber to new notices; the mailbox emptied of the confirmation."""
    subscription = confirmed(api, mailbox, topics=["notices"])
    mailbox.envelopes.clear()
    return subscription


def alerts_to(mailbox, address: str) -> list:
    return [m for m in mailbox.messages if m["To"] == address]


def test_an_alert_waits_for_a_successful_build_and_goes_out_once(
    reader,
    mailbox,
    settings,
    make_notice,
):
    notice = make_notice(publish=True)
    [event] = AlertEvent.objects.filter(topic="notices")
    assert event.url == f"{settings.PORTAL_BASE_URL}/{notice_path(notice.slug, notice.pk)}"
    services.sweep()
    assert mailbox.envelopes == []  # published, not yet on the portal

    failed = build(settings, succeeds=False)
    event.refresh_from_db()
    assert event.build_started_at == failed.started_at and event.live_at is None
    services.sweep()
    assert mailbox.envelopes == []  # the build failed: the page is not there

    built = build(settings)
    [message] = mailbox.messages
    assert message["To"] == reader.email
    assert message["Subject"].strip() == f"【新公示】{notice.title}"
    body = message.get_content()
    assert event.url in body and notice.notice_number in body and "公示期：" in body
    assert set(links(message)) == {"manage", "unsubscribe"}
    unsubscribe = message["List-Unsubscribe"].strip()
    assert unsubscribe == f"<{settings.CMS_BASE_URL}{links(message)['unsubscribe']}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    event.refresh_from_db()
    assert event.live_at >= built.started_at and event.fanned_out_at is not None

    build(settings)  # the builds go on; the sweep runs every minute
    services.sweep()
    assert len(mailbox.envelopes) == 1


def test_what_is_published_while_a_build_runs_waits_for_the_next(
    reader,
    mailbox,
    settings,
    monkeypatch,
    make_notice,
):
    """The build's export started before the publication was committed: its page may not be in
    that build, so its alert waits for the next one (the one the publication asked for)."""
    run_build = tasks.run_build
    published = []
    seen = []  # at each build's success: (its reason, whether the event was due)

    def publishing_meanwhile(command, on_phase):
        if not published:  # once (the publication asks for a build of its own)
            published.append(make_notice(publish=True))
        return run_build(command, on_phase)

    def after_success(sender, build, **kwargs):
        event = AlertEvent.objects.get(topic="notices")
        seen.append((build.reason, event.live_at is not None))

    monkeypatch.setattr(tasks, "run_build", publishing_meanwhile)
    tasks.portal_build_succeeded.connect(after_success)
    try:
        build(settings)
    finally:
        tasks.portal_build_succeeded.disconnect(after_success)
    notice = published[0]
    assert seen == [("测试构建", False), (f"发布：{notice.title}", True)]
    assert len(mailbox.envelopes) == 1


def test_each_subscriber_gets_each_event_once_when_a_worker_dies_and_builds_repeat(
    api,
    reader,
    mailbox,
    settings,
    monkeypatch,
    make_notice,
):
    second = confirmed(api, mailbox, email="second@example.invalid", topics=["notices"])
    mailbox.envelopes.clear()
    make_notice(publish=True)
    make_notice(publish=True)
    queue = outbox.enqueue_many
    calls = []

    def dies_on_the_second_event(drafts, now=None):
        drafts = list(drafts)
        calls.append(len(drafts))
        if len([n for n in calls if n]) == 2:
            raise SystemExit("the worker was stopped")
        return queue(drafts, now)

    monkeypatch.setattr(outbox, "enqueue_many", dies_on_the_second_event)
    build(settings)  # the alert task dies half-way (the build itself succeeded)
    monkeypatch.setattr(outbox, "enqueue_many", queue)
    assert OutgoingMail.objects.filter(purpose="订阅提醒").count() == 2  # the first event's
    build(settings)  # the next build's success asks for what was left
    services.portal_build_succeeded(timezone.now())  # a build announced twice
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.sweep()  # and the scheduler's minute
    pairs = sorted((m["To"], m["Subject"]) for m in mailbox.messages)
    assert len(pairs) == 4 and len(set(pairs)) == 4
    assert {to for to, _subject in pairs} == {reader.email, second.email}


def test_results_reach_the_subscribers_of_their_decisions(
    api,
    mailbox,
    settings,
    approver,
    make_notice,
    seeded,
):
    exemptions = confirmed(api, mailbox, email="ex@example.invalid", topics=["exemptions"])
    rejections = confirmed(api, mailbox, email="rej@example.invalid", topics=["rejections"])
    mailbox.envelopes.clear()
    notice = make_notice(publish=True, started_days_ago=10)  # its window has closed
    notice.refresh_from_db()
    finalise_notice(notice, approver)
    build(settings)
    [to_exemptions] = alerts_to(mailbox, exemptions.email)
    [to_rejections] = alerts_to(mailbox, rejections.email)
    assert to_exemptions["Subject"].strip() == f"【予以免责】认定结果：{notice.title}"
    assert "ZJ2026-001 新型电池材料研究" in to_exemptions.get_content()
    assert "ZJ2026-002" not in to_exemptions.get_content()
    assert "ZJ2026-002 传感器芯片研发" in to_rejections.get_content()
    assert len(mailbox.envelopes) == 2


def test_policy_changes_and_failure_reports_have_their_topics(
    api,
    mailbox,
    settings,
    seeded,
    make_lesson,
):
    policies = confirmed(api, mailbox, email="p@example.invalid", topics=["policies"])
    lessons = confirmed(api, mailbox, email="l@example.invalid", topics=["lessons"])
    mailbox.envelopes.clear()
    policy = PolicyPage.objects.get()
    policy.save_revision().publish()
    lesson = make_lesson(publish=True)
    lesson.save_revision().publish()  # published again: no new report
    build(settings)
    [to_policies] = alerts_to(mailbox, policies.email)
    assert to_policies["Subject"].strip() == f"【政策文件变动】{policy.title}"
    assert policy.portal_url() in to_policies.get_content()
    [to_lessons] = alerts_to(mailbox, lessons.email)
    assert to_lessons["Subject"].strip() == f"【失败经验总结】{lesson.title}"
    body = to_lessons.get_content()
    assert f"{settings.PORTAL_BASE_URL}/{lesson_path(lesson.slug, lesson.pk)}" in body
    assert REPORT["field_of_study"] in body


def test_nobody_is_sent_news_older_than_their_subscription(
    api,
    mailbox,
    settings,
    make_notice,
    seeded,
):
    make_notice(publish=True)  # before anyone subscribed
    confirmed(api, mailbox, topics=["notices"])
    mailbox.envelopes.clear()
    build(settings)
    assert mailbox.envelopes == []


def test_an_unsubscribed_address_is_sent_nothing_more(
    api,
    reader,
    mailbox,
    settings,
    make_notice,
):
    make_notice(publish=True)
    services.unsubscribe(reader)
    build(settings)
    assert mailbox.envelopes == []


def test_old_events_are_deleted(reader, settings, make_notice):
    make_notice(publish=True)
    build(settings)
    later = timezone.now() + datetime.timedelta(days=settings.ALERTS_EVENT_RETENTION_DAYS + 1)
    with travel_to(later):
        services.sweep()
    assert not AlertEvent.objects.exists()
