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
