"""The submission throttle: a burst rate and a daily rate per client, counted in fixed windows
(a minute's from each whole minute, a day's from 00:00 Beijing time) in the database, in one
statement."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIRequestFactory

from cms.submissions import counters
from cms.submissions.models import RateCounter
from cms.submissions.throttles import SubmissionThrottle

pytestmark = pytest.mark.django_db


class TwoRates(SubmissionThrottle):
    scope = "test_submit"
    rate_scopes = ("test_burst", "test_day")
    THROTTLE_RATES = {"test_burst": "2/min", "test_day": "3/day"}


DAY_START = 20_000 * 86_400.0 - 28_800  # 00:00 in Beijing: a day's window starts, and a minute's


class Clock:
    def __init__(self, now: float = DAY_START):
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
    clock = Clock()
    assert _attempt(clock)[0] and _attempt(clock)[0]
    clock.now += 20
    allowed, wait = _attempt(clock)
    assert not allowed and wait == pytest.approx(40)
    clock.now += 41
    assert _attempt(clock)[0]


def test_the_daily_rate_holds_after_the_burst_window_has_passed():
    clock = Clock()
    for _ in range(3):
        assert _attempt(clock)[0]
        clock.now += 61
    allowed, wait = _attempt(clock)
    assert not allowed
    # The day's window, which began with the first request, ends at the next midnight in Beijing.
    assert wait == pytest.approx(86400 - 3 * 61)
    assert _attempt(clock, address="10.9.9.9")[0]  # another client has its own allowance
    clock.now += wait + 1
    assert _attempt(clock)[0]


def test_refused_requests_do_not_use_up_the_allowance():
    clock = Clock()
    assert _attempt(clock)[0] and _attempt(clock)[0]
    for _ in range(5):
        assert not _attempt(clock)[0]
    clock.now += 61
    assert _attempt(clock)[0]


def test_both_rates_are_counted_in_one_statement(monkeypatch):
    monkeypatch.setattr(counters.random, "randrange", lambda n: 1)  # no sampled clean-up
    clock = Clock()
    with CaptureQueriesContext(connection) as queries:
        assert _attempt(clock)[0]
    assert len(queries) == 1, [q["sql"] for q in queries]
    counted = RateCounter.objects.values_list("key", "window_start", "window_end", "count")
    assert sorted(counted) == [
        ("test_burst:10.1.2.3", DAY_START, DAY_START + 60, 1),
        ("test_day:10.1.2.3", DAY_START, DAY_START + 86400, 1),
    ]


def test_a_clients_count_outlives_hundreds_of_other_clients():
    """Counters are never culled by number, as a cache's entries are: only once ended."""
    clock = Clock()
    assert _attempt(clock, "10.0.0.1")[0] and _attempt(clock, "10.0.0.1")[0]
    for n in range(400):
        _attempt(clock, f"10.2.{n // 250}.{n % 250}")
    assert not _attempt(clock, "10.0.0.1")[0]


def test_two_workers_share_the_count():
    """Each request has its own throttle, as it would in another worker process: what one
    counted, the other sees, since the count is in the database."""
    clock = Clock()
    first_worker, second_worker = TwoRates(), TwoRates()
    for throttle in (first_worker, second_worker):
        throttle.timer = clock
    request = APIRequestFactory().post("/", REMOTE_ADDR="10.1.2.3")
    request.user = AnonymousUser()
    assert first_worker.allow_request(request, view=None)
    assert second_worker.allow_request(request, view=None)
    assert not first_worker.allow_request(request, view=None)
    assert not second_worker.allow_request(request, view=None)
    assert second_worker.wait() == pytest.approx(60)


def test_a_new_minute_starts_a_new_count_and_the_wait_is_the_rest_of_the_minute():
    clock = Clock(DAY_START + 45)
    assert _attempt(clock)[0] and _attempt(clock)[0]
    assert _attempt(clock) == (False, pytest.approx(15))
    clock.now = DAY_START + 59.5
    assert _attempt(clock) == (False, pytest.approx(0.5))
    clock.now = DAY_START + 60  # the next window: what the last one counted is behind it
    assert _attempt(clock)[0]
    assert not _attempt(clock)[0]  # the day's 3 are used up
    assert _attempt(clock)[1] == pytest.approx(86400 - 60)


def test_the_day_rolls_over_at_midnight_utc():
    clock = Clock(DAY_START - 3600)  # 23:00 in Beijing
    for _ in range(3):
        assert _attempt(clock)[0]
        clock.now += 61
    assert _attempt(clock) == (False, pytest.approx(3600 - 3 * 61))
    clock.now = DAY_START
    assert _attempt(clock)[0]
