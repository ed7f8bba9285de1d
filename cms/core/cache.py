"""The database cache, each ``set`` one statement: the lookup rate limits (DRF's throttles)
write to it on every request, and are shared by every worker through it (the submission limits
count in their own table: :mod:`cms.submissions.counters`).

Django's ``DatabaseCache.set`` costs five statements (a count of the whole table for culling, then
a savepoint, a select, an update or insert, and a release). Here it is one upsert
(``INSERT … ON CONFLICT (cache_key) DO UPDATE``, which SQLite and PostgreSQL both speak), and the
table is counted for culling on one set in :data:`CULL_CHECK_EVERY` (at random), so it may
briefly hold that many more entries than ``MAX_ENTRIES``. ``add`` and ``touch`` keep Django's own
path. No new server: the embedded default and production use the database they already have."""

import base64
import pickle
import random
from contextlib import nullcontext
from datetime import UTC, datetime

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.db import DatabaseError, connections, router, transaction
from django.utils.timezone import now as tz_now

CULL_CHECK_EVERY = 100


class UpsertDatabaseCache(DatabaseCache):
    def _base_set(self, mode, key, value, timeout=DEFAULT_TIMEOUT):
        if mode != "set":
            return super()._base_set(mode, key, value, timeout)
        timeout = self.get_backend_timeout(timeout)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        table = connection.ops.quote_name(self._table)
        expires = datetime.max if timeout is None else datetime.fromtimestamp(timeout, tz=UTC)
        expires = connection.ops.adapt_datetimefield_value(expires.replace(microsecond=0))
        encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
        with connection.cursor() as cursor:
            if random.randrange(CULL_CHECK_EVERY) == 0:  # noqa: S311 (sampling, not a secret)
                cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 (a quoted name)
                count = cursor.fetchone()[0]
                if count > self._max_entries:
                    self._cull(db, cursor, tz_now().replace(microsecond=0), count)
            try:
                # Inside a transaction, a savepoint keeps a failed write from breaking it.
                inside = connection.in_atomic_block
                with transaction.atomic(using=db) if inside else nullcontext():
                    cursor.execute(
                        f"INSERT INTO {table} (cache_key, value, expires) VALUES (%s, %s, %s) "  # noqa: S608
                        "ON CONFLICT (cache_key) DO UPDATE "
                        "SET value = excluded.value, expires = excluded.expires",
                        [key, encoded, expires],
                    )
            except DatabaseError:
                return False
        return True
