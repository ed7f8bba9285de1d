"""The database cache the rate limits count in: a set is one statement, values and expiry behave
as Django's own database cache, and the table is still culled past MAX_ENTRIES."""

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cms.core import cache as upsert

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_a_set_is_one_statement_and_overwrites(monkeypatch):
    monkeypatch.setattr(upsert.random, "randrange", lambda n: 1)  # no cull check this time
    with CaptureQueriesContext(connection) as queries:
        cache.set("history", [3.0, 2.0, 1.0], 60)
    assert len(queries) == 1 and "ON CONFLICT" in queries[0]["sql"]
    cache.set("history", [4.0], 60)
    assert cache.get("history") == [4.0]
    with transaction.atomic():  # inside a transaction, behind a savepoint
        assert cache.set("other", {"一": 1}, 60) is None
    assert cache.get("other") == {"一": 1}


def test_expiry_is_kept(monkeypatch):
    cache.set("gone", 1, 0)  # expires at once, as in Django's own caches
    cache.set("forever", 2, None)
    assert cache.get("gone") is None and cache.get("forever") == 2
    assert cache.add("gone", 3, 60) is True  # add keeps Django's own path
    assert cache.get("gone") == 3


def test_the_table_is_culled_past_max_entries(monkeypatch, settings):
    monkeypatch.setattr(cache, "_max_entries", 10)
    monkeypatch.setattr(upsert.random, "randrange", lambda n: 1)
    for n in range(30):
        cache.set(f"k{n}", n, 60)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM cms_cache")
        assert cursor.fetchone()[0] == 30  # the count is only sampled
    monkeypatch.setattr(upsert.random, "randrange", lambda n: 0)
    cache.set("last", 1, 60)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM cms_cache")
        assert cursor.fetchone()[0] == 30 - 30 // 3 + 1  # a third culled, as Django's cache does
    assert cache.get("last") == 1
