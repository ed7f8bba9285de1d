"""Fixed-window counters in the database: the window arithmetic (plain Python), and the counting
every worker shares (one statement for several windows, atomic under concurrent requests)."""

import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from cms.submissions import counters
from cms.submissions.limits import Rate, Window, refusal_wait, window_at
from cms.submissions.models import RateCounter

MINUTE, DAY = Rate(2, 60), Rate(3, 86400)
NOON = 20_000 * 86_400 - 28_800 + 43_200  # 12:00 Beijing time (04:00 UTC)


@pytest.fixture
def no_clean_up(monkeypatch):
    monkeypatch.setattr(counters.random, "randrange", lambda n: 1)


# --- the windows: plain Python ---------------------------------------------------------------


def test_a_window_starts_at_a_whole_multiple_of_its_length():
    assert window_at("k", MINUTE, NOON + 59.9) == Window("k", NOON, MINUTE)
    assert window_at("k", MINUTE, NOON + 60) == Window("k", NOON + 60, MINUTE)
    day = window_at("k", DAY, NOON)
    assert (day.start, day.end) == (NOON - 43_200, NOON + 43_200)  # 00:00 to 24:00 in Beijing


def test_the_wait_is_the_rest_of_the_longest_full_window():
    minute, day = window_at("m", MINUTE, NOON + 10), window_at("d", DAY, NOON + 10)
    assert refusal_wait([minute, day], [2, 3], NOON + 10) is None  # at the limits, not over
    assert refusal_wait([minute, day], [3, 1], NOON + 10) == 50
    assert refusal_wait([minute, day], [3, 4], NOON + 10) == 43_190


# --- counting in the database ----------------------------------------------------------------


@pytest.mark.django_db
def test_several_windows_are_counted_in_one_statement(no_clean_up):
    windows = [window_at("a", MINUTE, NOON), window_at("b", DAY, NOON)]
    assert counters.count(windows, NOON) == [1, 1]
    with CaptureQueriesContext(connection) as queries:
        assert counters.count(windows, NOON) == [2, 2]
    assert len(queries) == 1
    assert counters.count(windows[::-1], NOON) == [3, 3]  # given back in the order asked


@pytest.mark.django_db
def test_a_new_window_counts_from_one(no_clean_up):
    counters.count([window_at("a", MINUTE, NOON)], NOON)
    assert counters.count([window_at("a", MINUTE, NOON + 60)], NOON + 60) == [1]


@pytest.mark.django_db
def test_taking_back_undoes_one_attempt_and_never_goes_below_zero(no_clean_up):
    window = window_at("a", MINUTE, NOON)
    counters.count([window], NOON)
    counters.take_back([window])
    counters.take_back([window])
    assert RateCounter.objects.get().count == 0
    assert counters.count([window], NOON) == [1]


@pytest.mark.django_db
def test_the_sampled_clean_up_deletes_windows_ended_over_an_hour_ago(monkeypatch):
    monkeypatch.setattr(counters.random, "randrange", lambda n: 1)
    long_ended = window_at("a", MINUTE, NOON - counters.KEPT_AFTER_END - 61)
    just_ended = window_at("b", MINUTE, NOON - 61)
    counters.count([long_ended, just_ended], NOON)
    monkeypatch.setattr(counters.random, "randrange", lambda n: 0)  # the one call in 100
    counters.count([window_at("c", MINUTE, NOON)], NOON)
    assert sorted(RateCounter.objects.values_list("key", flat=True)) == ["b", "c"]


def _run_workers(workers: int, work) -> list[Exception]:
    """Runs ``work(n)`` in ``workers`` threads at once, each with its own database connection;
    the errors they met."""
    start, errors = threading.Barrier(workers), []

    def run(n: int) -> None:
        try:
            start.wait()
            work(n)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def _needs_concurrent_writers() -> None:
    """The SQLite test database is in shared memory, where a writer meeting another is refused
    at once ("table is locked") rather than kept waiting as with the file and busy timeout the
    platform runs SQLite on; PostgreSQL shows what concurrent workers do."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (or SQLite on a file)")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_workers_never_lose_a_count(no_clean_up):
    """Workers counting the same windows at once: each gets a count of its own, none is lost."""
    _needs_concurrent_writers()
    workers, rounds = 4, 5
    windows = [window_at("a", MINUTE, NOON), window_at("b", DAY, NOON)]
    seen = []

    def work(n: int) -> None:
        for _ in range(rounds):
            seen.append(tuple(counters.count(windows, NOON)))

    assert _run_workers(workers, work) == []
    total = workers * rounds
    assert sorted(seen) == [(n, n) for n in range(1, total + 1)]
    assert sorted(RateCounter.objects.values_list("count", flat=True)) == [total, total]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_counting_and_taking_back_at_once_in_any_order_never_deadlock(no_clean_up):
    """Each statement changes its rows in one order, whatever order it was given them in."""
    _needs_concurrent_writers()
    workers, rounds = 4, 10
    windows = [window_at(key, MINUTE, NOON) for key in ("a", "b", "c")]

    def work(n: int) -> None:
        mine = windows if n % 2 else windows[::-1]
        for _ in range(rounds):
            counters.count(mine, NOON)
            counters.take_back(mine[1:] + mine[:1])

    assert _run_workers(workers, work) == []
    assert list(RateCounter.objects.values_list("count", flat=True)) == [0, 0, 0]
