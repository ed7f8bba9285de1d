"""The comment window on the policy page: the editor's dates, checked, and what the read API says
of them; the summary of how comments were handled."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from cms.policies.models import PolicyPage, PolicyStatus

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("opens", "closes", "field", "message"),
    [
        (datetime.date(2026, 3, 3), None, "comments_close_on", "须同时填写"),
        (None, datetime.date(2026, 3, 3), "comments_open_on", "须同时填写"),
        (datetime.date(2026, 3, 3), datetime.date(2026, 3, 2), "comments_close_on", "不能早于"),
    ],
)
def test_the_window_is_both_dates_or_neither_and_never_backwards(
    seeded, opens, closes, field, message
):
    policy = PolicyPage.objects.get()
    policy.comments_open_on, policy.comments_close_on = opens, closes
    with pytest.raises(ValidationError) as excinfo:
        policy.full_clean()
    assert message in str(excinfo.value.message_dict[field])


def test_a_one_day_window_and_no_window_are_valid(seeded):
    policy = PolicyPage.objects.get()
    policy.comments_open_on = policy.comments_close_on = datetime.date(2026, 3, 3)
    policy.full_clean()
    policy.comments_open_on = policy.comments_close_on = None
    policy.full_clean()


def test_the_read_api_states_the_window_and_whether_comments_are_accepted(client, comment_policy):
    body = client.get(f"/api/v3/pages/{comment_policy.pk}/").json()
    window = body["comment_window"]
    assert window["opens_on"] == comment_policy.comments_open_on.isoformat()
    assert window["closes_on"] == comment_policy.comments_close_on.isoformat()
    assert window["state"] == "open" and window["accepting"] is True
    assert window["days_left"] == 4  # today and the three days after it
    assert "征求意见期" in window["label"]


def test_once_issued_the_api_carries_the_summary_and_accepts_nothing(client, comment_policy):
    comment_policy.status = PolicyStatus.TRIAL
    comment_policy.comment_summary = "<p>共收到意见12条，采纳5条。</p>"
    comment_policy.save_revision().publish()
    body = client.get(f"/api/v3/pages/{comment_policy.pk}/").json()
    assert body["comment_window"]["accepting"] is False
    assert "共收到意见12条" in body["comment_summary"]


def test_without_a_window_the_api_says_none(client, seeded):
    policy = PolicyPage.objects.get()
    assert client.get(f"/api/v3/pages/{policy.pk}/").json()["comment_window"] is None
