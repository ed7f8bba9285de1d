"""The objection API's rate limits as a client meets them: counted in the database once the item
is known (the burst, the day's allowance and the cap on the notice together), bad bodies counted
toward the burst, and Retry-After the rest of the full window."""

# The objection and notice fixtures are imported below, and taken as parameters by name.
# ruff: noqa: F811

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cms.notices.models import DecisionItem
from cms.objections.throttles import NoticeCapThrottle, ObjectionThrottle
from cms.submissions.models import RateCounter

from ..notices.conftest import make_notice, notice_index  # noqa: F401

pytestmark = pytest.mark.django_db
URL = "/api/objections/"
CLIENT = "127.0.0.1"


@pytest.fixture
def rates(monkeypatch):
    """Sets the objection limits for a test: ``rates(burst="2/min", ...)``."""

    def limit(burst="100/min", sustained="100/day", per_notice="100/day") -> None:
        values = {
            **ObjectionThrottle.THROTTLE_RATES,
            "objection_burst": burst,
            "objection_sustained": sustained,
            "objection_per_notice": per_notice,
        }
        for throttle in (ObjectionThrottle, NoticeCapThrottle):
            monkeypatch.setattr(throttle, "THROTTLE_RATES", values)

    return limit


@pytest.fixture
def other_payload(make_notice, payload):
    other = make_notice(publish=True)
    return {**payload, "item": other.items.get(project_code="ZJ2026-002").pk}


def _counts() -> dict[str, int]:
    return dict(RateCounter.objects.values_list("key", "count"))


def _post(api, payload, **headers):
    return api.post(URL, payload, format="json", **headers)


def test_the_burst_limit_answers_429_with_the_rest_of_the_minute(api, payload, rate_limit_clock):
    statuses = [_post(api, payload).status_code for _ in range(6)]
    assert statuses == [201] * 5 + [429]  # the default: 5 a minute
    refused = _post(api, payload)
    error = refused.json()["error"]
    assert error["code"] == "throttled"
    assert "30秒" in error["message"] and "30 seconds" in error["message_en"]
    assert refused["Retry-After"] == "30"  # the clock stands 30 s into its minute
    rate_limit_clock.now += 30  # the next minute
    assert _post(api, payload).status_code == 201


def test_the_cap_on_a_notice_answers_429_until_the_day_ends_and_spares_other_notices(
    api, payload, other_payload, rates, item
):
    rates(per_notice="2/day")
    assert [_post(api, payload).status_code for _ in range(3)] == [201, 201, 429]
    refused = _post(api, payload)
    error = refused.json()["error"]
    assert error["code"] == "notice_limit_reached" and error["field"] == "item"
    assert "约12小时" in error["message"] and "about 12 hours" in error["message_en"]
    assert refused["Retry-After"] == str(86400 - 43_230)  # until midnight in Beijing
    assert _post(api, other_payload).status_code == 201
    other_notice_id = DecisionItem.objects.get(pk=other_payload["item"]).notice_id
    per_notice = {k: v for k, v in _counts().items() if k.startswith("objection_per_notice:")}
    assert per_notice == {
        f"objection_per_notice:{item.notice_id}@{CLIENT}": 2,
        f"objection_per_notice:{other_notice_id}@{CLIENT}": 1,
    }


def test_two_clients_each_have_their_own_counts(api, payload, rates):
    rates(burst="1/min")
    assert _post(api, payload).status_code == 201
    assert _post(api, payload).status_code == 429
    assert _post(api, payload, REMOTE_ADDR="192.0.2.44").status_code == 201


def test_a_burst_of_bad_bodies_is_limited_like_a_burst_of_objections(
    api, payload, item, rates, rate_limit_clock
):
    rates(burst="3/min", per_notice="1/day")
    bad_bodies = [
        {**payload, "item": "第一项"},  # a field wrong
        {**payload, "item": 999_999},  # no such item: 404
        {},
    ]
    assert [_post(api, body).status_code for body in bad_bodies] == [400, 404, 400]
    malformed = api.generic("POST", URL, '{"item": ', content_type="application/json")
    assert malformed.status_code == 429 and malformed.json()["error"]["code"] == "throttled"
    assert int(malformed["Retry-After"]) == 30
    assert _post(api, payload).status_code == 429  # a good one too, within that minute
    # The client's limits counted the bad bodies; the refused requests were taken back.
    assert _counts() == {
        f"objection_burst:{CLIENT}": 3,
        f"objection_sustained:{CLIENT}": 3,
        f"objection_per_notice:{item.notice_id}@{CLIENT}": 0,
    }
    rate_limit_clock.now += 30
    assert _post(api, payload).status_code == 201  # the cap on the notice is untouched


def test_an_objection_refused_by_the_burst_limit_counts_nowhere(
    api, payload, item, rates, rate_limit_clock
):
    rates(burst="2/min", sustained="3/day")
    assert [_post(api, payload).status_code for _ in range(4)] == [201, 201, 429, 429]
    assert _counts() == {
        f"objection_burst:{CLIENT}": 2,
        f"objection_sustained:{CLIENT}": 2,
        f"objection_per_notice:{item.notice_id}@{CLIENT}": 2,
    }
    rate_limit_clock.now += 60
    assert [_post(api, payload).status_code for _ in range(2)] == [201, 429]
    refused = _post(api, payload)
    assert refused.json()["error"]["code"] == "throttled"
    assert refused["Retry-After"] == str(86400 - 43_230 - 60)  # the day's window, not the minute's


def test_an_objection_refused_by_the_cap_alone_still_counts_toward_the_burst(
    api, payload, other_payload, rates
):
    rates(burst="3/min", per_notice="1/day")
    statuses = [_post(api, payload).status_code for _ in range(3)]
    assert statuses == [201, 429, 429]
    assert _post(api, other_payload).json()["error"]["code"] == "throttled"


def test_the_limits_are_counted_before_the_files_are_examined(api, payload, rates, monkeypatch):
    """An attempt whose files are refused counts toward the cap; a client at its cap has none
    of its files examined."""
    from cms.objections import views

    examined = []
    examine = views.evidence_checks.examine
    monkeypatch.setattr(
        views.evidence_checks, "examine", lambda *args: examined.append(1) or examine(*args)
    )
    rates(per_notice="1/day")

    def post_with_a_file():
        upload = SimpleUploadedFile("a.pdf", b"not a pdf at all", content_type="application/pdf")
        form = {**payload, "consent": "on", "evidence": upload}
        return api.post(URL, form, format="multipart")

    assert post_with_a_file().json()["error"]["code"] == "unsupported_file_type"
    assert post_with_a_file().json()["error"]["code"] == "notice_limit_reached"
    assert len(examined) == 1
