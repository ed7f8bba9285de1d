"""Filing an objection commits once: the rate limits' count, the objection, its receipt mail and
the task that sends it, in one transaction. Run outside any test transaction, so that what is
seen here is what was committed, with the task queue in the database as in production.

A request refused after it was counted still commits its count; a database error stores
nothing, count included; and no objection is ever stored without its mail and that mail's
task."""

import datetime
import threading
from unittest import mock

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from cms.domain.windows import PublicityWindow
from cms.objections.models import Objection
from cms.outbox import services as outbox
from cms.outbox.models import OutgoingMail
from cms.outbox.tasks import send_due_mail
from cms.submissions import counters
from cms.submissions.models import RateCounter

from ..notices.conftest import make_notice, notice_index  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
URL = "/api/objections/"
CLIENT = "127.0.0.1"


@pytest.fixture(autouse=True)
def tasks_in_the_database(settings, monkeypatch):
    monkeypatch.setattr(counters.random, "randrange", lambda n: 1)  # no sampled clean-up
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _counts() -> dict[str, int]:
    """Each limit's count (one client, one notice), by the limit's scope."""
    rows = RateCounter.objects.values_list("key", "count")
    return {key.split(":")[0]: count for key, count in rows}


def _send_tasks() -> int:
    return DBTaskResult.objects.filter(task_path=send_due_mail.module_path).count()


def test_an_objection_its_mail_and_the_task_that_sends_it_are_committed(api, payload):
    response = api.post(URL, payload, format="json")
    assert response.status_code == 201
    objection = Objection.objects.get()
    assert OutgoingMail.objects.filter(dedupe_key=f"objection-receipt:{objection.pk}").count() == 1
    assert _send_tasks() == 1
    assert _counts() == {"objection_burst": 1, "objection_sustained": 1, "objection_per_notice": 1}


def test_an_objection_refused_after_it_was_counted_keeps_its_count(api, payload, open_notice):
    """The window closed: 409, nothing stored, but the attempt counts toward every limit."""
    closes = PublicityWindow(open_notice.publicity_start).closes_at
    with mock.patch("django.utils.timezone.now", return_value=closes + datetime.timedelta(1)):
        response = api.post(URL, payload, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "window_closed"
    assert not Objection.objects.exists() and not OutgoingMail.objects.exists()
    assert _send_tasks() == 0
    assert _counts() == {"objection_burst": 1, "objection_sustained": 1, "objection_per_notice": 1}


def test_a_refusal_by_the_cap_alone_keeps_its_count_toward_the_burst(api, payload, monkeypatch):
    from cms.objections.throttles import NoticeCapThrottle, ObjectionThrottle

    rates = {**ObjectionThrottle.THROTTLE_RATES, "objection_per_notice": "1/day"}
    for throttle in (ObjectionThrottle, NoticeCapThrottle):
        monkeypatch.setattr(throttle, "THROTTLE_RATES", rates)
    assert api.post(URL, payload, format="json").status_code == 201
    refused = api.post(URL, payload, format="json")
    assert refused.json()["error"]["code"] == "notice_limit_reached"
    assert _counts() == {"objection_burst": 2, "objection_sustained": 2, "objection_per_notice": 1}
    assert Objection.objects.count() == 1 and _send_tasks() == 1


def test_a_retry_with_the_same_key_commits_its_count(api, payload):
    """The retry finds the earlier receipt by its Idempotency-Key; the transaction that counted
    it commits, with nothing stored twice."""
    headers = {"HTTP_IDEMPOTENCY_KEY": "commit-key-0001"}
    first = api.post(URL, payload, format="json", **headers)
    retry = api.post(URL, payload, format="json", **headers)
    assert first.status_code == retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true" and retry.json() == first.json()
    assert Objection.objects.count() == OutgoingMail.objects.count() == _send_tasks() == 1
    assert _counts() == {"objection_burst": 2, "objection_sustained": 2, "objection_per_notice": 2}


def test_an_objection_whose_task_cannot_be_queued_is_not_stored(api, payload, monkeypatch):
    """No mail without the task that sends it: a failure to queue the task rolls back the
    objection, its mail and its count (a database error is a 500, with nothing half done)."""

    def fails(*args, **kwargs):
        raise DatabaseError("the task queue refused the row")

    monkeypatch.setattr(DatabaseBackend, "enqueue", fails)
    api.raise_request_exception = False
    response = api.post(URL, payload, format="json")
    assert response.status_code == 500
    assert not Objection.objects.exists() and not OutgoingMail.objects.exists()
    assert _send_tasks() == 0 and _counts() == {}


def test_the_task_is_queued_in_the_transaction_only_with_a_database_queue(settings):
    assert outbox.task_queue_shares_the_outbox_database()
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert not outbox.task_queue_shares_the_outbox_database()


def test_a_retry_that_missed_the_earlier_objection_is_caught_by_the_keys_constraint(
    api, payload, monkeypatch
):
    """Two posts with one key at once: the second looked before the first committed, so only
    the key's unique constraint stops its insert, which inserts nothing and raises nothing
    (``ON CONFLICT DO NOTHING``): no savepoint, no rollback. The same transaction finds the
    earlier receipt and commits its count."""
    from cms.objections import services

    headers = {"HTTP_IDEMPOTENCY_KEY": "commit-key-0002"}
    first = api.post(URL, payload, format="json", **headers)
    # The look before the insert (in the item's query) found nothing.
    monkeypatch.setattr(services, "replay_for_item", lambda *args: None)
    with CaptureQueriesContext(connection) as queries:
        retry = api.post(URL, payload, format="json", **headers)
    assert first.status_code == retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true" and retry.json() == first.json()
    assert Objection.objects.count() == OutgoingMail.objects.count() == _send_tasks() == 1
    assert _counts() == {"objection_burst": 2, "objection_sustained": 2, "objection_per_notice": 2}
    sql = [query["sql"] for query in queries]
    assert any("ON CONFLICT" in s and "objections_objection" in s for s in sql)
    assert not any(s.startswith(("SAVEPOINT", "ROLLBACK")) for s in sql), sql
    assert sum(s.startswith("COMMIT") for s in sql) == 1


def test_a_failure_after_the_insert_stores_nothing_count_included(api, payload, monkeypatch):
    """Without a savepoint around the insert, a failure after it (here the receipt mail's
    text) marks the whole transaction for rollback: a 500, and nothing committed, neither the
    objection nor its count (never an objection without its mail)."""
    from cms.objections import services

    def fails(objection):
        raise RuntimeError("the receipt could not be written")

    monkeypatch.setattr(services, "receipt_mail", fails)
    api.raise_request_exception = False
    response = api.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="commit-key-0004")
    assert response.status_code == 500
    assert not Objection.objects.exists() and not OutgoingMail.objects.exists()
    assert _send_tasks() == 0 and _counts() == {}


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's test database is one shared in-memory cache, where a second writer fails at "
    "once instead of waiting its turn as on a file; the PostgreSQL pass runs this",
)
def test_concurrent_posts_with_one_key_store_one_objection(payload):
    """Two clients post the same objection with the same key at the same moment, each on its
    own connection: one objection, one mail, one task, and both get its receipt."""
    from rest_framework.test import APIClient

    start, results = threading.Barrier(2), []

    def post(address: str) -> None:
        try:
            start.wait(timeout=10)
            response = APIClient(REMOTE_ADDR=address).post(
                URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="commit-key-0003"
            )
            results.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(f"10.0.0.{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [status for status, _ in results] == [201, 201], results
    assert results[0][1]["receipt_number"] == results[1][1]["receipt_number"]
    assert Objection.objects.count() == OutgoingMail.objects.count() == _send_tasks() == 1
