import pytest
from django.core.management import call_command

from cms.notices.models import DecisionNoticePage
from cms.notices.rules import NoticeState

pytestmark = pytest.mark.django_db


def test_demo_notices_cover_every_state_and_are_labelled(seeded):
    call_command("load_demo_notices", stdout=open("/dev/null", "w"))  # noqa: SIM115
    notices = DecisionNoticePage.objects.all()
    assert {n.state_at() for n in notices} == set(NoticeState)
    assert all("示例" in n.title for n in notices)
    count = notices.count()
    call_command("load_demo_notices", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert DecisionNoticePage.objects.count() == count


def test_when_midnight_passes_during_the_load_it_starts_again_from_the_new_day(seeded, monkeypatch):
    from datetime import timedelta

    from cms.notices import demo

    today = demo._today()
    days = iter([today - timedelta(days=1), today, today])  # the load began the day before
    monkeypatch.setattr(demo, "_today", lambda: next(days))
    made = demo.load_demo_notices()
    notices = DecisionNoticePage.objects.all()
    assert notices.count() == len(made)  # nothing left over from the refused first attempt
    assert {n.state_at() for n in notices} == set(NoticeState)
    assert min(n.publicity_start for n in made if n.live) <= today


def test_a_refusal_on_the_same_day_is_not_retried(seeded, monkeypatch):
    from datetime import timedelta

    from cms.notices import demo
    from cms.notices.guards import NoticeGuardError

    yesterday = demo._today() - timedelta(days=1)
    monkeypatch.setattr(demo, "_today", lambda: yesterday)
    with pytest.raises(NoticeGuardError):
        demo.load_demo_notices()
    assert not DecisionNoticePage.objects.exists()
