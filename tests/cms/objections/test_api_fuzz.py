"""A property-based fuzz of the public API from its own OpenAPI document (schemathesis): every
operation gets data the document calls valid and data it calls invalid, sent in-process to the
Django WSGI application, and every answer must be documented (status code, content type, body
schema) and never a 5xx.

A live notice under publicity and a draft policy open for comments exist, each with a submission
already made, and a generated item or policy id, or receipt number and lookup code, usually
stands for one of them (what exists cannot be read from the document), so that valid data is
accepted and found. Rate limits are raised for the run. The run is
derandomized: the same cases every time. The statuses and the share of accepted submissions
are printed at the end of the session (``-s`` or ``-rA`` shows them)."""

from collections import Counter
from unittest import mock

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = {
    schemathesis.GenerationMode.POSITIVE: 160,
    schemathesis.GenerationMode.NEGATIVE: 100,
}
TARGETS = {"item", "policy"}

#: (operation, mode, status) → cases, for the whole session.
STATUSES: Counter = Counter()


class InProcessApp:
    """The Django WSGI application inside the test's transaction: as Django's test client does,
    the request signals do not close the database connection (the transaction would go with
    it), and the response is read and closed before the signals are connected again."""

    def __init__(self):
        self.handler = WSGIHandler()

    def __call__(self, environ, start_response):
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        try:
            response = self.handler(environ, start_response)
            try:
                return [b"".join(response)]
            finally:
                response.close()
        finally:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)


@pytest.fixture(scope="module", autouse=True)
def summary():
    """Prints what the fuzz saw, for the record."""
    yield
    if not STATUSES:
        return
    total = sum(STATUSES.values())
    by_status = Counter()
    for (_operation, _mode, status), count in STATUSES.items():
        by_status[status] += count
    print(f"\nschemathesis fuzz: {total} cases; statuses {dict(sorted(by_status.items()))}")
    for operation in sorted({key[0] for key in STATUSES}):
        for mode in EXAMPLES:
            seen = {s: n for (o, m, s), n in STATUSES.items() if o == operation and m == mode}
            if seen:
                print(f"  {operation} [{mode.value}]: {dict(sorted(seen.items()))}")
    positive_posts = {
        key: n
        for key, n in STATUSES.items()
        if key[1] is schemathesis.GenerationMode.POSITIVE and not key[0].endswith("status/")
    }
    accepted = sum(n for key, n in positive_posts.items() if key[2] == 201)
    print(f"  valid submissions accepted (201): {accepted}/{sum(positive_posts.values())}")


@pytest.fixture
def existing(api, payload, comment_payload, open_notice, comment_policy) -> dict:
    """Ids the public can see, by field; a receipt number and lookup code, by lookup path."""

    def credentials(url: str, submission: dict) -> dict[str, str]:
        receipt = api.post(url, submission, format="json").json()
        return {name: receipt[name] for name in ("receipt_number", "lookup_code")}

    return {
        "item": list(open_notice.items.values_list("pk", flat=True)),
        "policy": [comment_policy.pk],
        "/api/objections/status/": credentials("/api/objections/", payload),
        "/api/policy-comments/status/": credentials("/api/policy-comments/", comment_payload),
    }


@pytest.fixture
def generous_rate_limits():
    rates = dict.fromkeys(SimpleRateThrottle.THROTTLE_RATES, "1000000/min")
    with mock.patch.dict(SimpleRateThrottle.THROTTLE_RATES, rates):
        yield


def _aim(case, existing: dict) -> None:
    """Points a generated id at something the public can see, unless it is a multiple of 8
    (those keep their id, which mostly does not exist); and a lookup whose generated receipt
    number has an even length at a submission made."""
    body = case.body
    if not isinstance(body, dict):
        return
    for name in TARGETS & body.keys():
        value = body[name]
        if isinstance(value, int) and not isinstance(value, bool) and value % 8:
            body[name] = existing[name][value % len(existing[name])]
    if case.operation.path in existing and len(str(body.get("receipt_number"))) % 2 == 0:
        body.update(existing[case.operation.path])


def fuzz(operation, mode, examples: int, aim, count) -> int:
    """Sends ``examples`` cases generated from ``operation``'s schema in ``mode``, each checked
    against the documented answers (:data:`CHECKS`); ``aim(case)`` adjusts a case before it is
    sent, ``count(response)`` records its answer. How many were sent."""
    calls = 0

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        nonlocal calls
        aim(case)
        response = case.call()
        calls += 1
        count(response)
        case.validate_response(response, checks=CHECKS)

    run()
    return calls


def _fuzz(operation, mode, existing: dict) -> int:
    def aim(case):
        if mode is schemathesis.GenerationMode.POSITIVE:
            _aim(case, existing)

    def count(response):
        STATUSES[operation.path, mode, response.status_code] += 1

    return fuzz(operation, mode, EXAMPLES[mode], aim, count)


def test_every_public_operation_answers_only_as_documented(existing, generous_rate_limits):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", InProcessApp())
    operations = [result.ok() for result in schema.get_all_operations()]
    # The alert API has its own run (tests/cms/alerts/test_api_fuzz.py).
    operations = [op for op in operations if not op.path.startswith("/api/alerts/")]
    assert {op.path for op in operations} == {
        "/api/objections/",
        "/api/objections/status/",
        "/api/policy-comments/",
        "/api/policy-comments/status/",
    }
    calls = {
        (operation.path, mode.value): _fuzz(operation, mode, existing)
        for operation in operations
        for mode in EXAMPLES
    }
    assert sum(calls.values()) >= 1000, calls
    assert all(count >= 50 for count in calls.values()), calls
