"""Counting attempts in fixed windows (:mod:`cms.submissions.limits`) in the database, so that
every worker and every machine shares the counts: the :class:`~.models.RateCounter` rows.

Hand-written SQL, because one statement adds one to several windows' counters and gives back
their counts: ``INSERT … ON CONFLICT (key, window_start) DO UPDATE SET count = count + 1
RETURNING``, which SQLite (3.35 and later) and PostgreSQL both speak, and which is atomic
however many workers count the same window at once. Django's
``bulk_create(update_conflicts=True)`` can only overwrite a column with the new row's value,
never add to it, nor give back a count on every backend. Taking back a refused attempt is the
same statement, adding -1, so that it locks the rows in the same order as counting does.

Counted inside a transaction (an objection's: the count commits with what it counted), the rows
stay locked until that transaction ends: another attempt of the same client on the same windows
waits for that commit, and none counts twice or is lost.

Rows of windows that have ended are deleted on one call in :data:`CLEANUP_EVERY` (at random),
an hour after their end, a margin for workers whose clocks differ a little."""

import random
from collections.abc import Sequence

from django.db import connections, router

from .limits import Window
from .models import RateCounter

CLEANUP_EVERY = 100
KEPT_AFTER_END = 3600


def _connection_and_names():
    connection = connections[router.db_for_write(RateCounter)]
    quote = connection.ops.quote_name
    return connection, quote(RateCounter._meta.db_table), quote


def _in_lock_order(windows: Sequence[Window]) -> list[Window]:
    """Every statement here changes its rows in this order: two workers' statements on
    PostgreSQL then never each hold a row the other waits for."""
    return sorted(windows, key=lambda window: (window.key, window.start))


def _add(windows: Sequence[Window], step: int) -> dict[tuple[str, int], int]:
    """Adds ``step`` to each window's counter (a new counter starts from 0; none goes below
    0), in one statement; each counter's count afterwards."""
    connection, table, quote = _connection_and_names()
    key, start, end, tally = (
        quote(name) for name in ("key", "window_start", "window_end", "count")
    )
    rows = ", ".join(["(%s, %s, %s, %s)"] * len(windows))
    params = [
        value
        for window in _in_lock_order(windows)
        for value in (window.key, window.start, window.end, max(step, 0))
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key}, {start}, {end}, {tally}) VALUES {rows} "  # noqa: S608
            f"ON CONFLICT ({key}, {start}) DO UPDATE SET {tally} = "
            f"CASE WHEN {table}.{tally} + %s > 0 THEN {table}.{tally} + %s ELSE 0 END "
            f"RETURNING {key}, {start}, {tally}",
            [*params, step, step],
        )
        return {(row[0], row[1]): row[2] for row in cursor.fetchall()}


def count(windows: Sequence[Window], now: float) -> list[int]:
    """Adds this attempt to each window's counter, in one statement; the counts after it, in
    the order of ``windows``."""
    pairs = [(window.key, window.start) for window in windows]
    if len(set(pairs)) != len(pairs):
        raise ValueError("each window is counted once per attempt")
    if random.randrange(CLEANUP_EVERY) == 0:  # noqa: S311 (sampling, not a secret)
        delete_ended(now)
    counted = _add(windows, 1)
    return [counted[pair] for pair in pairs]


def take_back(windows: Sequence[Window]) -> None:
    """Takes one attempt back from each window's counter (one refused, which should not use up
    the allowance), in one statement. Until this runs the counts are one too high: a concurrent
    attempt of the same client may meet a window that looks full a moment early."""
    if windows:
        _add(windows, -1)


def delete_ended(now: float) -> int:
    """Deletes the counters of windows that ended more than :data:`KEPT_AFTER_END` seconds
    before ``now``; how many."""
    connection, table, quote = _connection_and_names()
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE {quote('window_end')} < %s",  # noqa: S608 (quoted names)
            [int(now) - KEPT_AFTER_END],
        )
        return cursor.rowcount
