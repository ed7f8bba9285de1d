"""Factories for notices, and users in the three roles the data migration creates."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from cms.core.clock import travel_to
from cms.domain import dates
from cms.notices.models import DecisionItem, DecisionNoticePage, NoticeIndexPage

CONTACT = {
    "contact_office": "浙江省科学技术厅监督评估处",
    "contact_phone": "0571-87054000",
    "contact_email": "jdpg@example.invalid",
    "contact_address": "杭州市西湖区",
}


def exempted_item(code="ZJ2026-001", **overrides) -> DecisionItem:
    values = {
        "project_code": code,
        "project_name": "新型电池材料研究",
        "programme": "key_rd",
        "undertaking_unit": "某大学",
        "project_leader": "张三",
        "decision": "exempted",
        "grounds": ["A2"],
        "panel_size": 5,
        "technical_members": 3,
        "financial_members": 2,
    }
    return DecisionItem(**{**values, **overrides})


def rejected_item(code="ZJ2026-002", **overrides) -> DecisionItem:
    values = {
        "project_code": code,
        "project_name": "传感器芯片研发",
        "programme": "key_rd",
        "undertaking_unit": "某研究院",
        "project_leader": "李四",
        "decision": "rejected",
        "reasons": ["X3"],
        "explanation": "存在科研失信行为。",
    }
    return DecisionItem(**{**values, **overrides})


def today() -> datetime.date:
    return dates.local_date(timezone.now())


@pytest.fixture
def notice_index(seeded) -> NoticeIndexPage:
    return NoticeIndexPage.objects.get()


@pytest.fixture
def make_notice(notice_index):
    counter = iter(range(1, 1000))

    def make(
        items=None, start=None, publish=False, started_days_ago=0, **fields
    ) -> DecisionNoticePage:
        """A notice; ``started_days_ago`` publishes it on that past day, as if it were then."""
        number = next(counter)
        if started_days_ago:
            start = today() - datetime.timedelta(days=started_days_ago)
        notice = DecisionNoticePage(
            title=fields.pop("title", f"关于第{number}批认定结果的公示"),
            slug=f"notice-{number}",
            notice_number=f"浙科容〔2026〕{number}号",
            publicity_start=start or today(),
            live=False,
            **{**CONTACT, **fields},
        )
        for item in items if items is not None else [exempted_item(), rejected_item()]:
            notice.items.add(item)
        notice_index.add_child(instance=notice)
        revision = notice.save_revision()
        if publish and started_days_ago:
            with travel_to(notice.publicity_window.opens_at + datetime.timedelta(minutes=1)):
                revision.publish()
            notice.refresh_from_db()
        elif publish:
            revision.publish()
            notice.refresh_from_db()
        return notice

    return make


def _user(name: str, group: str | None):
    user = get_user_model().objects.create_user(name, f"{name}@example.invalid", "pw")
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(db):
    return _user("editor", "编辑")


@pytest.fixture
def approver(db):
    return _user("approver", "审定")


def move_start(notice: DecisionNoticePage, days_back: int) -> DecisionNoticePage:
    """Move the notice's window ``days_back`` days into the past behind the guards' back (the
    public record still shows when it really went live: finalising it is refused; use
    ``make_notice(publish=True, started_days_ago=...)`` for a notice that may be finalised)."""
    start = notice.publicity_start - datetime.timedelta(days=days_back)
    DecisionNoticePage.objects.filter(pk=notice.pk).update(publicity_start=start)
    notice.refresh_from_db()
    return notice
