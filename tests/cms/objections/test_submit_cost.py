"""What filing an objection costs the database, counted (never timed): the statements that read
or write, as a request outside any test transaction runs them, with the task queue in the
database as in production. A guard against the count creeping up; ``make bench`` measures the
time."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.core import cache

from ..notices.conftest import make_notice, notice_index  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
TRANSACTION_CONTROL = re.compile(r"^(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.I)

# Each rate limit: its history read, and written in one upsert (2 × 2); the item with its notice
# (view restrictions in a subquery); the notice's live corrections; the objection; its receipt
# mail in the outbox; the task that sends it.
STATEMENTS = 9


def test_filing_an_objection_takes_a_fixed_number_of_statements(
    api, payload, settings, monkeypatch
):
    monkeypatch.setattr(cache.random, "randrange", lambda n: 1)  # the cache's sampled cull check
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    first = api.post("/api/objections/", {**payload, "email": "a@example.invalid"}, format="json")
    assert first.status_code == 201
    second = {**payload, "email": "b@example.invalid", "phone": "13800138009"}
    with CaptureQueriesContext(connection) as queries:
        response = api.post("/api/objections/", second, format="json")
    assert response.status_code == 201, response.content
    working = [q["sql"] for q in queries if not TRANSACTION_CONTROL.match(q["sql"])]
    assert len(working) <= STATEMENTS, "\n".join(sql[:120] for sql in working)
    assert sum(sql.startswith("INSERT") for sql in working) == 5  # 2 limits, objection, mail, task
