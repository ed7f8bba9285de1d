"""The outbox: every mail queued with the action that causes it, once per key, sent by the
worker through a real SMTP server (tests/cms/smtp.py), tried again after an outage, given up on
a refusal for good, never sent twice by two workers, and sent again after a worker died only
when the server may already have accepted it (the same Message-ID then)."""

import datetime
import logging
import re
from email.utils import parseaddr

import pytest
from django.db import transaction
from django.test import TestCase
from django.utils import timezone

from cms.core.clock import travel_to
from cms.outbox import delivery, rules
from cms.outbox.models import MailState, OutgoingMail
from cms.outbox.services import Draft, delete_owned_by, enqueue, enqueue_many, sweep

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 3, 3, 9, 30, tzinfo=datetime.UTC)
ADDRESS = "li.hua@example.invalid"
SUBJECT = "关于您所提异议的调查处理意见（受理编号 YY20260303-7K3F9Q）"


def draft(key: str = "test:1", to: str = ADDRESS, **extra) -> Draft:
    return Draft(to, SUBJECT, "受理编号：YY20260303-7K3F9Q\n处理结论：异议不成立\n", key, "测试",
                 **extra)  # fmt: skip


def queued(*drafts: Draft) -> list[OutgoingMail]:
    """Queues the drafts at NOW, committed as a request's transaction would be, without asking
    a worker (the tests run the worker's steps themselves)."""
    with TestCase.captureOnCommitCallbacks(execute=False):
        return [enqueue(d, NOW)[0] for d in drafts]


def ours(caplog) -> str:
    """What the platform logged (not the test's SMTP server, which logs its dialogue)."""
    return "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("mail."))


def state(mail: OutgoingMail) -> tuple:
    mail.refresh_from_db()
    return mail.state, mail.attempts, mail.last_error


# --- queuing -----------------------------------------------------------------------------------


def test_the_same_key_queues_one_mail(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as asked:
        first, created = enqueue(draft(), NOW)
        again, created_again = enqueue(draft(), NOW)
    assert (created, created_again) == (True, False)
    assert first.pk == again.pk and OutgoingMail.objects.count() == 1
    assert len(asked) == 1  # the worker is asked once, after the commit
    assert first.message_id.startswith("<") and first.message_id.endswith("@example.invalid>")


def test_many_at_once_skip_the_keys_already_used():
    queued(draft("test:1"))
    with TestCase.captureOnCommitCallbacks(execute=False):
        added = enqueue_many([draft("test:1"), draft("test:2"), draft("test:3")], NOW)
    assert added == 2 and OutgoingMail.objects.count() == 3


def test_a_mail_queued_by_an_action_rolled_back_is_never_sent(mailbox):
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue(draft(), NOW)
        raise RuntimeError("the action failed")
    assert OutgoingMail.objects.count() == 0
    assert delivery.send_due() == {} and mailbox.envelopes == []


def test_enqueue_asks_the_worker_once_committed(mailbox):
    with TestCase.captureOnCommitCallbacks(execute=True):
        enqueue(draft())
    assert len(mailbox.envelopes) == 1  # the test settings' task backend runs it at once
    assert OutgoingMail.objects.get().state == MailState.SENT


def _send_tasks() -> int:
    from django_tasks_db.models import DBTaskResult

    from cms.outbox.tasks import send_due_mail

    return DBTaskResult.objects.filter(task_path=send_due_mail.module_path).count()


@pytest.fixture
def tasks_in_the_database(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.usefixtures("tasks_in_the_database")
def test_a_task_queue_in_the_database_is_asked_in_the_mails_own_transaction(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks() as waiting_for_commit, transaction.atomic():
        enqueue(draft("test:1"), NOW)
        enqueue(draft("test:1"), NOW)  # the same key: no mail, no task
        enqueue_many([draft("test:2"), draft("test:3")], NOW)
    assert waiting_for_commit == []  # nothing left for after the commit
    assert OutgoingMail.objects.count() == 3 and _send_tasks() == 2  # one per call that queued


@pytest.mark.usefixtures("tasks_in_the_database")
def test_a_mail_rolled_back_takes_its_task_with_it():
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue(draft(), NOW)
        assert _send_tasks() == 1
        raise RuntimeError("the action failed")
    assert OutgoingMail.objects.count() == 0 and _send_tasks() == 0


# --- sending -----------------------------------------------------------------------------------


def test_a_mail_goes_through_smtp_with_its_headers(mailbox):
    headers = {
        "List-Unsubscribe": "<https://cms.example.invalid/api/alerts/unsubscribe/x.y/>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    [mail] = queued(draft(headers=headers))
    with travel_to(NOW):
        assert delivery.send_due() == {"sent": 1}
    [message] = mailbox.messages
    assert parseaddr(message["To"])[1] == ADDRESS
    assert mailbox.envelopes[0].rcpt_tos == [ADDRESS]
    assert message["Subject"].strip() == SUBJECT  # decoded (the header is folded) …
    head = re.split(rb"\r?\n\r?\n", mailbox.raw(), maxsplit=1)[0]
    raw = head.decode("ascii")  # … from RFC 2047 words: the headers are plain ASCII
    assert "subject:" in raw.lower() and "=?utf-8?b?" in raw.lower()
    assert message["Message-ID"] == mail.message_id
    assert message["List-Unsubscribe"] == headers["List-Unsubscribe"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Auto-Submitted"] == "auto-generated"
    assert "处理结论：异议不成立" in message.get_content()
    mail.refresh_from_db()
    assert (mail.state, mail.attempts, mail.sent_at) == (MailState.SENT, 1, NOW)
    with travel_to(NOW + datetime.timedelta(hours=1)):
        assert delivery.send_due() == {}  # sent once
    assert len(mailbox.envelopes) == 1


def test_an_outage_delays_mail_without_losing_it(smtp_server, caplog):
    first, second = queued(draft("test:1"), draft("test:2", to="wang@example.invalid"))
    with travel_to(NOW), caplog.at_level(logging.DEBUG):
        assert delivery.send_due() == {"retry": 1}  # the run stops at the connection's failure
    assert state(first) == (MailState.QUEUED, 1, "ConnectionRefusedError")
    assert first.next_attempt_at == NOW + datetime.timedelta(minutes=1)
    assert state(second) == (MailState.QUEUED, 0, "")  # kept its turn, spent no attempt
    assert ADDRESS not in ours(caplog)

    with travel_to(NOW + datetime.timedelta(seconds=30)), caplog.at_level(logging.DEBUG):
        delivery.send_due()  # the second, due at once, fails the same way
    assert state(second)[:2] == (MailState.QUEUED, 1)
    with travel_to(NOW + datetime.timedelta(minutes=2)):
        assert delivery.send_due() == {"retry": 1}
    assert state(first) == (MailState.QUEUED, 2, "ConnectionRefusedError")
    assert first.next_attempt_at == NOW + datetime.timedelta(minutes=4)  # 1, 2, 4 … minutes

    mailbox = smtp_server.start()
    later = NOW + datetime.timedelta(minutes=5)
    with travel_to(later):
        assert sweep(later) == ["mail due: delivery requested"]  # the scheduler's minute
    assert sorted(e.rcpt_tos[0] for e in mailbox.envelopes) == [ADDRESS, "wang@example.invalid"]
    assert state(first)[0] == state(second)[0] == MailState.SENT
    with travel_to(later + datetime.timedelta(hours=2)):
        assert delivery.send_due() == {} and sweep() == []
    assert len(mailbox.envelopes) == 2  # each once


def test_a_refusal_for_good_gives_up_at_once_without_the_address(mailbox, caplog):
    mailbox.refuse = (550, f"5.1.1 <{ADDRESS}>: no such user")
    [mail] = queued(draft())
    with travel_to(NOW), caplog.at_level(logging.DEBUG):
        assert delivery.send_due() == {"failed": 1}
    assert state(mail) == (MailState.FAILED, 1, "SMTPRecipientsRefused 550")
    assert ADDRESS not in ours(caplog)
    with travel_to(NOW + datetime.timedelta(days=1)):
        assert delivery.send_due() == {}


def test_a_temporary_refusal_is_tried_again_until_the_last_attempt(mailbox, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    mailbox.refuse = (450, "4.2.1 mailbox busy")
    [mail] = queued(draft())
    at = NOW
    for attempt in (1, 2):
        with travel_to(at):
            assert delivery.send_due() == {"retry": 1}
        assert state(mail) == (MailState.QUEUED, attempt, "SMTPRecipientsRefused 450")
        at = mail.next_attempt_at
    with travel_to(at):
        assert delivery.send_due() == {"failed": 1}
    assert state(mail) == (MailState.FAILED, 3, "SMTPRecipientsRefused 450")


# --- two workers, and a worker that dies -------------------------------------------------------


def test_two_workers_never_send_the_same_mail(mailbox, monkeypatch):
    """Worker B runs a whole pass while worker A is in the middle of sending: B passes over
    what A claimed; every mail reaches the server once."""
    mails = queued(*(draft(f"test:{n}", to=f"reader{n}@example.invalid") for n in range(3)))
    send = delivery.send_claimed
    other_pass: list = []

    def worker_a_sending(claim, connection):
        if not other_pass:
            other_pass.append("running")
            other_pass.append(delivery.send_due())  # worker B, meanwhile (sending as usual)
        return send(claim, connection)

    with travel_to(NOW):
        monkeypatch.setattr(delivery, "send_claimed", worker_a_sending)
        claim = delivery.claim_next()
        assert delivery.send_claimed(claim, delivery.mail.get_connection()) == ("sent", None)
    assert other_pass == ["running", {"sent": 2}]
    assert sorted(e.rcpt_tos[0] for e in mailbox.envelopes) == [
        f"reader{n}@example.invalid" for n in range(3)
    ]
    assert {state(mail)[0] for mail in mails} == {MailState.SENT}


def test_a_worker_that_died_before_sending_leaves_the_mail_to_the_next(mailbox, settings):
    [mail] = queued(draft())
    with travel_to(NOW):
        dead = delivery.claim_next()  # claimed, and the worker is killed
        assert delivery.send_due() == {}  # its lease still holds: nobody else sends
    assert state(mail)[0] == MailState.SENDING
    after_lease = NOW + datetime.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    with travel_to(after_lease):
        assert delivery.send_due() == {"sent": 1}
    # Were the first worker to wake up, its claim is gone: it sends nothing.
    with travel_to(after_lease):
        outcome = delivery.send_claimed(dead, delivery.mail.get_connection())
    assert outcome == ("lost", None)
    assert len(mailbox.envelopes) == 1
    assert state(mail) == (MailState.SENT, 2, "")


def test_a_worker_that_died_after_the_server_accepted_may_send_it_again_with_its_message_id(
    mailbox, settings
):
    """The one duplicate SMTP cannot rule out (delivery.py says why): the copy carries the same
    Message-ID."""
    [mail] = queued(draft())
    with travel_to(NOW):
        claim = delivery.claim_next()
        connection = delivery.mail.get_connection()
        row = OutgoingMail.objects.get(pk=claim.pk)
        connection.send_messages([delivery.message_for(row, connection)])  # accepted; then killed
    with travel_to(NOW + datetime.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)):
        assert delivery.send_due() == {"sent": 1}
    first, second = mailbox.messages
    assert first["Message-ID"] == second["Message-ID"] == mail.message_id


# --- keeping and deleting ----------------------------------------------------------------------


def test_mail_is_deleted_after_its_retention_and_with_its_owner(mailbox, settings):
    settings.OUTBOX_RETENTION_DAYS = 30
    old, kept, _owned = queued(draft("test:1"), draft("test:2"), draft("test:3", owner="x:1"))
    with travel_to(NOW):
        delivery.send_due()
    OutgoingMail.objects.exclude(pk=old.pk).update(sent_at=NOW + datetime.timedelta(days=2))
    assert delivery.purge(NOW + datetime.timedelta(days=31)) == 1
    assert not OutgoingMail.objects.filter(pk=old.pk).exists()
    assert delete_owned_by("x:1") == 1
    assert list(OutgoingMail.objects.values_list("pk", flat=True)) == [kept.pk]


# --- rules -------------------------------------------------------------------------------------


def test_retries_wait_longer_each_time_up_to_an_hour():
    assert [rules.retry_delay(n).total_seconds() // 60 for n in (1, 2, 3, 6, 7, 40)] == [
        1, 2, 4, 32, 60, 60,
    ]  # fmt: skip


def test_addresses_are_masked_for_those_who_may_not_read_them():
    assert rules.mask_address("zhao.li@example.org") == "z***@e***.org"
    assert rules.mask_address("a@localhost") == "a***@l***"
    assert rules.mask_address("not an address") == "***"


def test_the_scheduler_sweep_asks_only_when_something_is_due():
    assert sweep(timezone.now()) == []
