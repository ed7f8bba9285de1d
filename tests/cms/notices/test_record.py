"""The public record: what is appended for each public event, the chain, and that nothing in
the application (nor the database) can change or remove an entry."""

import datetime

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from cms.notices import services
from cms.notices.models import DecisionNoticePage
from cms.notices.publication import record_data
from cms.policies.models import PolicyPage, PolicyStatus
from cms.record import chain
from cms.record.models import AppendOnlyError, RecordEntry
from cms.record.services import append, head

from .conftest import today

pytestmark = pytest.mark.django_db


def _events(subject: str) -> list[str]:
    entries = RecordEntry.objects.filter(subject=subject).order_by("sequence")
    return list(entries.values_list("event", flat=True))


def _last(subject: str) -> RecordEntry:
    return RecordEntry.objects.filter(subject=subject).order_by("-sequence").first()


def _assert_chain() -> None:
    previous = chain.GENESIS_HASH
    for number, entry in enumerate(RecordEntry.objects.order_by("sequence"), start=1):
        fields = entry.fields()
        assert fields["sequence"] == number
        assert fields["previous_hash"] == previous
        assert fields["hash"] == chain.entry_hash(fields)
        previous = fields["hash"]


def test_a_notice_s_public_events_are_appended_in_order(make_notice, approver, editor):
    notice = make_notice(publish=True, started_days_ago=7)
    assert _events(notice.notice_number) == ["published", "window_opened"]
    services.record_state_changes()
    assert _events(notice.notice_number)[-1] == "window_closed"
    services.finalise_notice(notice, approver)
    assert _events(notice.notice_number)[-1] == "finalised"

    original = make_notice(publish=True)
    correction = services.start_correction(original, editor)
    assert _events(correction.notice_number) == []  # a draft is not public
    correction.save_revision().publish()
    assert _events(correction.notice_number) == ["correction_published", "window_opened"]
    assert _events(original.notice_number)[-1] == "corrected"

    withdrawn = make_notice(publish=True)
    services.withdraw_notice(withdrawn, approver, "材料需补充核实。")
    assert _events(withdrawn.notice_number)[-1] == "withdrawn"
    _assert_chain()


def test_each_entry_hashes_the_public_data_the_read_api_serves(make_notice, approver, client):
    notice = make_notice(publish=True)
    services.withdraw_notice(notice, approver, "材料需补充核实。")
    served = client.get(f"/api/v3/pages/{notice.pk}/").json()["record_data"]
    assert served["state"] == "withdrawn" and served["withdrawal_reason"] == "材料需补充核实。"
    assert "panel_size" not in str(served)
    assert chain.data_hash(served) == _last(notice.notice_number).data_sha256
    bulk = client.get("/api/v3/notices/", {"ids": str(notice.pk)}).json()["items"][0]
    assert bulk["record_data"] == served
    stored = DecisionNoticePage.objects.get(pk=notice.pk)
    assert chain.data_hash(record_data(stored)) == _last(notice.notice_number).data_sha256


def test_a_notice_withdrawn_before_going_live_leaves_no_public_entry(make_notice, approver):
    notice = make_notice(start=today() + datetime.timedelta(days=3))
    notice.save_revision().publish()  # approved, waiting for its start date
    services.withdraw_notice(notice, approver, "撤回。")
    assert _events(notice.notice_number) == []


def test_a_policy_s_changes_are_recorded_once_each(seeded):
    policy = PolicyPage.objects.get()
    assert _events(policy.slug) == ["policy_status"]  # published by the seed
    policy.save_revision().publish()  # nothing public changed
    assert _events(policy.slug) == ["policy_status"]
    policy.status = PolicyStatus.TRIAL
    policy.save_revision().publish()
    assert _events(policy.slug) == ["policy_status", "policy_status"]
    assert chain.data_hash(policy.record_data()) == _last(policy.slug).data_sha256
    _assert_chain()


def test_the_application_has_no_way_to_change_or_remove_an_entry(seeded):
    entry = append("notice", "浙科容〔2026〕99号", "published", {"x": 1})
    entry.event = "withdrawn"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        RecordEntry.objects.filter(pk=entry.pk).update(event="withdrawn")
    with pytest.raises(AppendOnlyError):
        RecordEntry.objects.all().delete()
    assert RecordEntry.objects.get(pk=entry.pk).event == "published"


def test_the_database_refuses_an_update_and_on_postgresql_a_delete(seeded):
    entry = append("notice", "浙科容〔2026〕98号", "published", {"x": 1})
    table = RecordEntry._meta.db_table
    update = f"UPDATE {table} SET event = 'withdrawn' WHERE id = %s"  # noqa: S608
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(update, [entry.pk])
    if connection.vendor == "postgresql":
        delete = f"DELETE FROM {table} WHERE id = %s"  # noqa: S608
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(delete, [entry.pk])
    assert RecordEntry.objects.get(pk=entry.pk).event == "published"


def test_the_read_api_pages_the_record_after_a_sequence(make_notice, client):
    make_notice(publish=True)
    sequence, last_hash = head()
    first = client.get("/api/v3/record/", {"limit": 1}).json()
    assert first["count"] == 1 and first["items"][0]["sequence"] == 1
    assert first["head"] == {"sequence": sequence, "hash": last_hash}
    rest = client.get("/api/v3/record/", {"after": 1}).json()
    assert [item["sequence"] for item in rest["items"]] == list(range(2, sequence + 1))
    assert rest["items"][-1]["hash"] == last_hash
    assert rest["items"][0]["recorded_at"].endswith("+08:00")
    for bad in ({"after": -1}, {"limit": 0}, {"limit": 1001}, {"after": "x"}):
        assert client.get("/api/v3/record/", bad).status_code in (400, 422)


def test_notices_live_before_the_record_existed_are_recorded_once(make_notice, approver):
    from django.core.management import call_command

    notice = make_notice(start=today() - datetime.timedelta(days=8))
    first = notice.publicity_window.opens_at
    DecisionNoticePage.objects.filter(pk=notice.pk).update(
        live=True, first_published_at=first, last_published_at=first
    )  # live from before the record: no signal, no entry
    assert _events(notice.notice_number) == []
    call_command("record_existing", stdout=open("/dev/null", "w"))  # noqa: SIM115
    entries = RecordEntry.objects.filter(subject=notice.notice_number).order_by("sequence")
    assert [e.event for e in entries] == ["published", "window_closed"]
    assert entries[0].recorded_at == first
    call_command("record_existing", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _events(notice.notice_number) == ["published", "window_closed"]
    services.finalise_notice(notice, approver)  # its history lets it be finalised
    _assert_chain()
