"""The daily digest: one mail at ALERTS_DIGEST_TIME (08:00 Beijing time by default) with the
events that went live since the last one, on the subscriber's topics, none older than the
subscription; nothing on a day without any; never twice for one day. A fixed clock throughout."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import TestCase

from cms.alerts import rules, services
from cms.alerts.models import AlertEvent
from cms.core.clock import travel_to

from .conftest import confirmed

pytestmark = pytest.mark.django_db
BEIJING = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime.datetime:
    """That moment of March 2026, Beijing time."""
    return datetime.datetime(2026, 3, day, hour, minute, second, tzinfo=BEIJING)


def event(n: int, topic: str, recorded: datetime.datetime, live: datetime.datetime) -> None:
    AlertEvent.objects.create(
        key=f"test:{n}", topic=topic, title=f"第{n}条更新", summary=f"摘要{n}",
        url=f"http://portal.example.invalid/page-{n}/", recorded_at=recorded,
        build_started_at=recorded, live_at=live,
    )  # fmt: skip


def minute(when: datetime.datetime) -> None:
    """The scheduler's minute at ``when``, its mail sent as the worker would."""
    with travel_to(when), TestCase.captureOnCommitCallbacks(execute=True):
        services.sweep()


def test_the_digest_goes_out_at_the_beijing_time_with_the_days_events(api, mailbox):
    with travel_to(at(2, 10)), TestCase.captureOnCommitCallbacks(execute=True):
        confirmed(api, mailbox, topics=["notices", "lessons"], frequency="daily")
        immediate = confirmed(api, mailbox, email="now@example.invalid", topics=["notices"])
    mailbox.envelopes.clear()
    event(1, "notices", at(2, 11), at(2, 11, 5))
    event(2, "lessons", at(3, 7), at(3, 7, 59, 59))
    event(3, "policies", at(2, 12), at(2, 12, 5))  # not a topic of theirs
    event(4, "notices", at(2, 9), at(2, 11, 5))  # before they subscribed
    event(5, "notices", at(3, 8), at(3, 8, 0, 1))  # after this morning's digest

    minute(at(3, 7, 59))
    daily = [m for m in mailbox.messages if m["To"] != immediate.email]
    assert daily == []
    minute(at(3, 8))
    [digest] = [m for m in mailbox.messages if m["To"] != immediate.email]
    assert digest["Subject"].strip() == "科技创新容错免责公示平台每日提醒（3月3日，2条更新）"
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    body = digest.get_content()
    assert "截至2026年3月3日 08:00（北京时间）" in body
    notices, lessons = body.index("【新发布的公示公告】"), body.index("【失败经验总结】")
    assert notices < body.index("第1条更新") < lessons
    assert body.index("【失败经验总结】") < body.index("第2条更新")
    assert "http://portal.example.invalid/page-1/" in body
    for absent in ("第3条更新", "第4条更新", "第5条更新"):
        assert absent not in body

    minute(at(3, 8, 30))
    minute(at(3, 23, 59))
    assert len([m for m in mailbox.messages if m["To"] != immediate.email]) == 1  # once a day
    minute(at(4, 8))
    second = [m for m in mailbox.messages if m["To"] != immediate.email][-1]
    assert "第5条更新" in second.get_content() and "第1条更新" not in second.get_content()
    count = len(mailbox.envelopes)
    minute(at(5, 8, 1))  # a day without events sends nothing
    assert len(mailbox.envelopes) == count


def test_the_digest_time_is_a_setting(api, mailbox, settings):
    settings.ALERTS_DIGEST_TIME = "18:30"
    with travel_to(at(2, 10)), TestCase.captureOnCommitCallbacks(execute=True):
        confirmed(api, mailbox, topics=["notices"], frequency="daily")
    mailbox.envelopes.clear()
    event(1, "notices", at(2, 11), at(2, 11, 5))
    minute(at(2, 18, 29))
    assert mailbox.envelopes == []
    minute(at(2, 18, 30))
    assert len(mailbox.envelopes) == 1
    assert "每天18:30，北京时间" in mailbox.messages[0].get_content()


def test_a_missed_morning_is_caught_up_without_losing_events(api, mailbox):
    """The scheduler was down for two days: the next minute sends one digest with all."""
    with travel_to(at(2, 10)), TestCase.captureOnCommitCallbacks(execute=True):
        confirmed(api, mailbox, topics=["notices"], frequency="daily")
    mailbox.envelopes.clear()
    event(1, "notices", at(2, 11), at(2, 11, 5))
    event(2, "notices", at(3, 11), at(3, 11, 5))
    minute(at(4, 9))
    [digest] = mailbox.messages
    assert "第1条更新" in digest.get_content() and "第2条更新" in digest.get_content()


def test_the_slot_is_the_last_digest_time_on_the_beijing_calendar():
    eight = datetime.time(8, 0)
    assert rules.digest_slot(at(3, 7, 59), eight) == at(2, 8)
    assert rules.digest_slot(at(3, 8), eight) == at(3, 8)
    utc_midnight = datetime.datetime(2026, 3, 3, 0, 0, tzinfo=datetime.UTC)  # 08:00 Beijing
    assert rules.digest_slot(utc_midnight, eight) == at(3, 8)
    assert rules.parse_time_of_day("08:00") == eight
    with pytest.raises(ValueError):
        rules.parse_time_of_day("8")


def test_a_digest_time_that_is_no_time_of_day_stops_the_start(settings):
    from cms.alerts.apps import check_digest_time

    assert check_digest_time() == []
    for wrong in ("8", "25:00", "08:60", "８:00"):
        settings.ALERTS_DIGEST_TIME = wrong
        assert [error.id for error in check_digest_time()] == ["alerts.E001"], wrong
