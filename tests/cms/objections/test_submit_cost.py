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

# The item with its notice, its view restrictions, whether the notice has a live correction and,
# given an Idempotency-Key, the objection already stored under it; the three rate limits (burst,
# day, cap on the notice) counted in one upsert; the objection (``ON CONFLICT DO NOTHING`` on the
# key: no savepoint); its receipt mail in the outbox; the task that sends it.
STATEMENTS = 5
# BEGIN and COMMIT: the four writes in one transaction, and each commit waits for the disk.
TRANSACTION_STATEMENTS = 2
COMMITS = 1
# A retry: the item's query finds the objection, the limits count it, and it commits.
RETRY_STATEMENTS = 2


def _post(api, payload, key: str | None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return api.post("/api/objections/", payload, format="json", **headers)


@pytest.fixture
def tasks_in_the_database(settings, monkeypatch):
    monkeypatch.setattr(counters.random, "randrange", lambda n: 1)  # the counters' clean-up
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.parametrize("key", [None, "cost-key-0001"])
def test_filing_an_objection_takes_a_fixed_number_of_statements(
    api, payload, tasks_in_the_database, key
):
    first = _post(api, {**payload, "email": "a@example.invalid"}, "cost-key-0000" if key else None)
    assert first.status_code == 201
    second = {**payload, "email": "b@example.invalid", "phone": "13800138009"}
    with CaptureQueriesContext(connection) as queries:
        response = _post(api, second, key)
    assert response.status_code == 201, response.content
    sql = [q["sql"] for q in queries]
    working = [s for s in sql if not TRANSACTION_CONTROL.match(s)]
    assert len(working) == STATEMENTS, "\n".join(s[:120] for s in working)
    assert len(sql) == STATEMENTS + TRANSACTION_STATEMENTS, "\n".join(s[:120] for s in sql)
    assert sum(s.startswith("INSERT") for s in working) == 4  # limits, objection, mail, task
    assert working[0].startswith("SELECT") and "notices_decisionitem" in working[0]
    # The objection stored under the key is looked up only when there is a key.
    assert ("objections_objection" in working[0]) is bool(key)
    assert "ON CONFLICT" in working[1]  # the limits, counted once the item is known
    assert "objections_objection" in working[2] and "ON CONFLICT" in working[2]
    assert "outbox_outgoingmail" in working[3]
    assert "django_tasks" in working[4]  # the task, queued with the mail it sends
    assert not any(s.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")) for s in sql)


def test_a_retry_takes_the_item_query_and_its_count(api, payload, tasks_in_the_database):
    """The objection stored under the key comes with the item, and the receipt shows its notice
    and item from the same query: nothing more is read."""
    first = _post(api, payload, "cost-key-0002")
    with CaptureQueriesContext(connection) as queries:
        retry = _post(api, payload, "cost-key-0002")
    assert retry.status_code == 201 and retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    sql = [q["sql"] for q in queries]
    working = [s for s in sql if not TRANSACTION_CONTROL.match(s)]
    assert len(working) == RETRY_STATEMENTS, "\n".join(s[:120] for s in working)
    assert "objections_objection" in working[0] and "submissions_ratecounter" in working[1]
    assert len(sql) == RETRY_STATEMENTS + TRANSACTION_STATEMENTS


def test_filing_an_objection_commits_once(api, payload, tasks_in_the_database):
    """The limits' count, the objection, its mail and the task: written in one transaction, none
    before it (autocommitted) nor after it."""
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
