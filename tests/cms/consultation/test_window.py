"""The comment API accepts comments only on a live draft for comments, inside its window; the
server decides, whatever the page shows. (Every other rule is shared with objections and tested
against both APIs in tests/cms/objections.)"""

import datetime
from unittest import mock

import pytest
from django.utils import timezone

from cms.consultation.models import PolicyComment
from cms.domain.dates import local_date
from cms.domain.windows import comment_window
from cms.policies.models import PolicyStatus

from ..objections.conftest import fresh_rate_limits  # noqa: F401

pytestmark = pytest.mark.django_db
URL = "/api/policy-comments/"


def _error(response) -> dict:
    return response.json()["error"]


def _reopen(policy, opens_on, closes_on, status=PolicyStatus.DRAFT_FOR_COMMENTS):
    policy.comments_open_on, policy.comments_close_on, policy.status = opens_on, closes_on, status
    policy.save_revision().publish()


@pytest.mark.parametrize(
    ("offset", "accepted"),
    [
        (datetime.timedelta(microseconds=-1), True),  # last instant of the closing day
        (datetime.timedelta(0), False),  # first instant of the day after
    ],
)
def test_window_edges_are_decided_by_the_server(
    api, comment_payload, comment_policy, offset, accepted
):
    window = comment_window(comment_policy.comments_open_on, comment_policy.comments_close_on)
    with mock.patch("django.utils.timezone.now", return_value=window.closes_at + offset):
        response = api.post(URL, comment_payload, format="json")
    if accepted:
        assert response.status_code == 201
    else:
        assert response.status_code == 409
        assert _error(response)["code"] == "window_closed"
        assert "不再受理意见" in _error(response)["message"]
        assert "no longer accepted" in _error(response)["message_en"]


def test_before_the_window_opens_comments_are_refused(api, comment_payload, comment_policy):
    today = local_date(timezone.now())
    _reopen(comment_policy, today + datetime.timedelta(days=2), today + datetime.timedelta(9))
    response = api.post(URL, comment_payload, format="json")
    assert response.status_code == 409
    assert _error(response)["code"] == "window_not_started"
    assert not PolicyComment.objects.exists()


def test_an_issued_policy_takes_no_comments_even_inside_its_dates(
    api, comment_payload, comment_policy
):
    _reopen(
        comment_policy,
        comment_policy.comments_open_on,
        comment_policy.comments_close_on,
        PolicyStatus.TRIAL,
    )
    response = api.post(URL, comment_payload, format="json")
    assert response.status_code == 409
    assert _error(response)["code"] == "not_in_consultation"


def test_a_draft_without_a_window_takes_no_comments(api, comment_payload, comment_policy):
    _reopen(comment_policy, None, None)
    response = api.post(URL, comment_payload, format="json")
    assert response.status_code == 409
    assert _error(response)["code"] == "no_comment_window"


def test_an_unpublished_policy_is_not_found(api, comment_payload, comment_policy):
    # A live policy is never unpublished (the gate refuses); a row that is not live stands in.
    # What the public cannot see answers as a policy that does not exist.
    type(comment_policy).objects.filter(pk=comment_policy.pk).update(live=False)
    response = api.post(URL, comment_payload, format="json")
    assert response.status_code == 404
    assert _error(response)["code"] == "policy_not_found"


def test_a_retry_after_the_window_closed_still_gets_its_receipt(
    api, comment_payload, comment_policy
):
    """A receipt once given stays valid: the same Idempotency-Key replays it."""
    headers = {"HTTP_IDEMPOTENCY_KEY": "late-retry-0001"}
    first = api.post(URL, comment_payload, format="json", **headers)
    window = comment_window(comment_policy.comments_open_on, comment_policy.comments_close_on)
    with mock.patch("django.utils.timezone.now", return_value=window.closes_at):
        again = api.post(URL, comment_payload, format="json", **headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()


def test_comments_and_objections_have_their_own_allowances(
    api, comment_payload, comment_policy, settings
):
    """Five comments from one address use up the comment allowance, not the objection one."""
    for n in range(5):
        comment_payload["content"] = f"第{n}条意见：建议细化适用情形的认定标准。"
        assert api.post(URL, comment_payload, format="json").status_code == 201
    assert api.post(URL, comment_payload, format="json").status_code == 429
    response = api.post("/api/objections/", {}, format="json")
    assert response.status_code == 400  # validated, not throttled


BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_a_browsers_form_post_gets_pages_that_speak_of_comments(
    client, comment_payload, comment_policy
):
    comment_payload["consent"] = "on"
    receipt = client.post(URL, comment_payload, HTTP_ACCEPT=BROWSER_ACCEPT).content.decode()
    assert "意见已收到" in receipt and "异议" not in receipt
    assert f"/policies/{comment_policy.slug}/#comments" in receipt
    _reopen(comment_policy, None, None)
    refused = client.post(URL, comment_payload, HTTP_ACCEPT=BROWSER_ACCEPT)
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "暂不受理意见" in page and "异议" not in page
