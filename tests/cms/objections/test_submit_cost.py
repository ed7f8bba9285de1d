"""What filing an objection costs the database, counted (never timed): the statements that read
or write, as a request outside any test transaction runs them, with the task queue in the
database as in production. A guard against the count creeping up; ``make bench`` measures the
time."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.submissions import counters

from ..notices.conftest import make_notice, notice_index  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
TRANSACTION_CONTROL = re.compile(r"^(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b", re.I)

# The item with its notice, its view restrictions and whether the notice has a live correction;
# the three rate limits (burst, day, cap on the notice) counted in one upsert; the objection;
# its receipt mail in the outbox; the task that sends it.
STATEMENTS = 5
# The four writes in one transaction: each commit waits for the disk.
COMMITS = 1


def test_filing_an_objection_takes_a_fixed_number_of_statements(
    api, payload, settings, monkeypatch
):
    monkeypatch.setattr(counters.random, "randrange", lambda n: 1)  # the counters' clean-up
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    first = api.post("/api/objections/", {**payload, "email": "a@example.invalid"}, format="json")
    assert first.status_code == 201
    second = {**payload, "email": "b@example.invalid", "phone": "13800138009"}
    with CaptureQueriesContext(connection) as queries:
        response = api.post("/api/objections/", second, format="json")
    assert response.status_code == 201, response.content
    working = [q["sql"] for q in queries if not TRANSACTION_CONTROL.match(q["sql"])]
    assert len(working) <= STATEMENTS, "\n".join(sql[:120] for sql in working)
    assert sum(sql.startswith("INSERT") for sql in working) == 4  # limits, objection, mail, task
    assert working[0].startswith("SELECT") and "notices_decisionitem" in working[0]
    assert "ON CONFLICT" in working[1]  # the limits, counted once the item is known
    assert "django_tasks" in working[4]  # the task, queued with the mail it sends


def test_filing_an_objection_commits_once(api, payload, settings, monkeypatch):
    """The limits' count, the objection, its mail and the task: written in one transaction, none
    before it (autocommitted) nor after it."""
    monkeypatch.setattr(counters.random, "randrange", lambda n: 1)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    api.post("/api/objections/", {**payload, "email": "a@example.invalid"}, format="json")
    second = {**payload, "email": "b@example.invalid", "phone": "13800138009"}
    with CaptureQueriesContext(connection) as queries:
        response = api.post("/api/objections/", second, format="json")
    assert response.status_code == 201, response.content
    sql = [q["sql"] for q in queries]
    assert sum(s.startswith("COMMIT") for s in sql) == COMMITS
    assert sum(s.startswith("BEGIN") for s in sql) == 1
    assert not any(s.startswith("ROLLBACK") for s in sql)
    begin = next(i for i, s in enumerate(sql) if s.startswith("BEGIN"))
    commit = next(i for i, s in enumerate(sql) if s.startswith("COMMIT"))
    writes = [i for i, s in enumerate(sql) if s.startswith(("INSERT", "UPDATE", "DELETE"))]
    assert len(writes) == 4 and begin < min(writes) and max(writes) < commit


def test_the_counters_clean_up_is_one_more_statement_on_a_sampled_request(
    api, payload, monkeypatch
):
    """One request in ``CLEANUP_EVERY`` deletes the counters of windows long ended."""
    monkeypatch.setattr(counters.random, "randrange", lambda n: 0)
    api.post("/api/objections/", payload, format="json")
    with CaptureQueriesContext(connection) as queries:
        assert api.post("/api/objections/", payload, format="json").status_code == 201
    deletes = [q["sql"] for q in queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == 1 and "submissions_ratecounter" in deletes[0]
