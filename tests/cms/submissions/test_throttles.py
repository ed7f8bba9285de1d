"""The submission throttle: a burst rate and a daily rate decided from one history per client."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from rest_framework.test import APIRequestFactory

from cms.submissions.throttles import SubmissionThrottle

pytestmark = pytest.mark.django_db


class TwoRates(SubmissionThrottle):
    scope = "test_submit"
    rate_scopes = ("test_burst", "test_day")
    THROTTLE_RATES = {"test_burst": "2/min", "test_day": "3/day"}


class Clock:
    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def _attempt(clock: Clock, address: str = "10.1.2.3") -> tuple[bool, float | None]:
    throttle = TwoRates()
    throttle.timer = clock
    request = APIRequestFactory().post("/", REMOTE_ADDR=address)
    request.user = AnonymousUser()
    allowed = throttle.allow_request(request, view=None)
    return allowed, throttle.wait()


def test_the_burst_rate_refuses_a_third_request_within_the_minute_and_says_how_long():
    cache.clear()
    clock = Clock()
    assert _attempt(clock)[0] and _attempt(clock)[0]
    clock.now += 20
    allowed, wait = _attempt(clock)
    assert not allowed and wait == pytest.approx(40)
    clock.now += 41
    assert _attempt(clock)[0]


def test_the_daily_rate_holds_after_the_burst_window_has_passed():
    cache.clear()
    clock = Clock()
    for _ in range(3):
        assert _attempt(clock)[0]
        clock.now += 61
    allowed, wait = _attempt(clock)
    assert not allowed
    # The oldest of the three counted requests leaves the day's window first.
    assert wait == pytest.approx(86400 - 3 * 61)
    assert _attempt(clock, address="10.9.9.9")[0]  # another client has its own allowance
    clock.now += wait + 1
    assert _attempt(clock)[0]


def test_refused_requests_do_not_use_up_the_allowance():
    cache.clear()
    clock = Clock()
    assert _attempt(clock)[0] and _attempt(clock)[0]
    for _ in range(5):
        assert not _attempt(clock)[0]
    clock.now += 61
    assert _attempt(clock)[0]


def test_both_rates_are_kept_in_one_cache_entry():
    cache.clear()
    clock = Clock()
    _attempt(clock)
    throttle = TwoRates()
    key = throttle.cache_format % {"scope": "test_submit", "ident": "10.1.2.3"}
    assert cache.get(key) == [clock.now]


def test_a_clients_history_outlives_hundreds_of_other_clients():
    """The cache must not cull rate-limit histories (Django's default keeps 300 entries)."""
    cache.clear()
    clock = Clock()
    assert _attempt(clock, "10.0.0.1")[0] and _attempt(clock, "10.0.0.1")[0]
    for n in range(400):
        _attempt(clock, f"10.2.{n // 250}.{n % 250}")
    assert not _attempt(clock, "10.0.0.1")[0]
