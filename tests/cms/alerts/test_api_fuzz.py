"""The alert API fuzzed from its own OpenAPI document (schemathesis), as the objection API is
(tests/cms/objections/test_api_fuzz.py, whose in-process application this reuses): data the
document calls valid and data it calls invalid, to every operation; every answer documented,
never a 5xx. A generated token usually stands for a real link (pending and confirmed
subscriptions exist), so that the links' answers are reached too. Derandomized."""

from collections import Counter
from unittest import mock

import pytest
import schemathesis
from rest_framework.throttling import SimpleRateThrottle

from cms.alerts import services, tokens
from cms.alerts.models import Subscription

from ..objections.test_api_fuzz import InProcessApp, fuzz

pytestmark = pytest.mark.django_db

EXAMPLES = {
    schemathesis.GenerationMode.POSITIVE: 80,
    schemathesis.GenerationMode.NEGATIVE: 60,
}
STATUSES: Counter = Counter()


@pytest.fixture
def generous_rate_limits():
    rates = dict.fromkeys(SimpleRateThrottle.THROTTLE_RATES, "1000000/min")
    with mock.patch.dict(SimpleRateThrottle.THROTTLE_RATES, rates):
        yield


@pytest.fixture
def subscriptions(db) -> list[Subscription]:
    """One waiting for its confirmation, one confirmed (unsubscribing may delete them)."""
    services.subscribe("pending@example.invalid", ["notices"], "immediate")
    services.subscribe("confirmed@example.invalid", ["lessons"], "daily")
    confirmed = Subscription.objects.get(email="confirmed@example.invalid")
    services.confirm(confirmed)
    return list(Subscription.objects.order_by("pk"))


def _aim(case, subscriptions) -> None:
    """A token that is not a multiple of 3 characters long becomes a real link of its
    operation's purpose."""
    token = (case.path_parameters or {}).get("token")
    if token is None or len(str(token)) % 3 == 0:
        return
    purpose = case.operation.path.split("/")[3]
    chosen = subscriptions[len(str(token)) % len(subscriptions)]
    case.path_parameters["token"] = tokens.make(chosen.public_id, purpose)


def _fuzz(operation, mode, subscriptions) -> int:
    def aim(case):
        _aim(case, subscriptions)  # an invalid body, too, is best sent to a real link

    def count(response):
        STATUSES[operation.method, operation.path, mode.value, response.status_code] += 1

    return fuzz(operation, mode, EXAMPLES[mode], aim, count)


def test_every_alert_operation_answers_only_as_documented(subscriptions, generous_rate_limits):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", InProcessApp())
    operations = [
        op
        for result in schema.get_all_operations()
        if (op := result.ok()).path.startswith("/api/alerts/")
    ]
    assert {(op.method.upper(), op.path) for op in operations} == {
        ("POST", "/api/alerts/subscriptions/"),
        ("GET", "/api/alerts/confirm/{token}/"),
        ("POST", "/api/alerts/confirm/{token}/"),
        ("GET", "/api/alerts/manage/{token}/"),
        ("POST", "/api/alerts/manage/{token}/"),
        ("GET", "/api/alerts/unsubscribe/{token}/"),
        ("POST", "/api/alerts/unsubscribe/{token}/"),
    }
    # A link's only input is its token, a string: nothing can be invalid about it but the
    # body, so only the operations that take a body get invalid data.
    calls = {
        (operation.method, operation.path, mode.value): _fuzz(operation, mode, subscriptions)
        for operation in operations
        for mode in EXAMPLES
        if mode is schemathesis.GenerationMode.POSITIVE or len(operation.body)
    }
    assert len(calls) == 9, calls
    print(f"\nalert API fuzz: {sum(calls.values())} cases; {dict(sorted(STATUSES.items()))}")
    assert all(count >= 20 for count in calls.values()), calls
    statuses = {key[3] for key in STATUSES}
    assert {200, 202, 400, 404} <= statuses  # valid links and requests were reached
    assert not any(status >= 500 for status in statuses)
