"""不予受理 (inadmissible): answering one with a reason, one reason for several at once (the
bulk action, and its plain-form path), and that it counts as answered without correcting."""

# The objection and notice fixtures are imported below, and taken as parameters by name.
# ruff: noqa: F811

import datetime

import pytest
from django.core import mail
from wagtail.models import ModelLogEntry

from cms.notices.models import DecisionNoticePage
from cms.notices.services import finalise_notice
from cms.objections.models import Objection

from .notices.conftest import approver, make_notice, notice_index  # noqa: F401
from .objections.conftest import (  # noqa: F401
    api,
    fresh_rate_limits,
    handler,
    item,
    open_notice,
    payload,
    private_evidence_dir,
    reader,
    staff_user,
)

pytestmark = pytest.mark.django_db
BULK_URL = "/admin/bulk/objections/objection/inadmissible/"
REASON = "异议内容与所公示事项无关，未提出事实和理由，不予受理。"


def _submit(api, payload, n: int = 0) -> dict:
    body = {**payload, "email": f"objector{n}@example.invalid"}
    response = api.post("/api/objections/", body, format="json")
    assert response.status_code == 201
    return response.json()


@pytest.fixture
def receipts(api, payload) -> list[dict]:
    submitted = [_submit(api, payload, n) for n in range(3)]
    mail.outbox.clear()  # the receipts, mailed on submission: the answers are counted here
    return submitted


def _objection(receipt: dict) -> Objection:
    return Objection.objects.get(receipt_number=receipt["receipt_number"])


def _answer(client, objection, **data):
    return client.post(f"/admin/objections/edit/{objection.pk}/", data)


def _ids(*objections) -> str:
    return "&".join(f"id={o.pk}" for o in objections)


# --- one at a time --------------------------------------------------------------------------


def test_inadmissible_without_a_reason_is_refused_on_the_form(client, handler, receipts):
    objection = _objection(receipts[0])
    client.force_login(handler)
    response = _answer(client, objection, investigation="", outcome="inadmissible", answer=" ")
    assert response.status_code == 200
    assert "不予受理的，须在调查处理意见中写明不予受理的理由。" in response.content.decode()
    objection.refresh_from_db()
    assert objection.status == "received" and objection.outcome == ""
    assert mail.outbox == []


def test_inadmissible_with_a_reason_answers_without_correcting_and_unblocks_finalising(
    api, client, handler, approver, receipts, django_capture_on_commit_callbacks
):
    objection = _objection(receipts[0])
    notice = objection.notice.specific
    client.force_login(handler)
    with django_capture_on_commit_callbacks(execute=True):
        response = _answer(
            client, objection, investigation="", outcome="inadmissible", answer=REASON
        )
    assert response.status_code == 302

    objection.refresh_from_db()
    assert (objection.status, objection.outcome, objection.answer) == (
        "answered",
        "inadmissible",
        REASON,
    )
    assert not DecisionNoticePage.objects.filter(corrects=notice).exists()
    sent = mail.outbox[0]
    assert sent.to == ["objector0@example.invalid"]
    assert "处理结论：不予受理" in sent.body and REASON in sent.body
    assert ModelLogEntry.objects.filter(
        action="objections.answer", object_id=str(objection.pk), user=handler
    ).exists()

    # The status lookup shows the outcome by its label.
    credentials = {k: receipts[0][k] for k in ("receipt_number", "lookup_code")}
    status = api.post("/api/objections/status/", credentials, format="json").json()
    assert (status["outcome"], status["outcome_label"]) == ("inadmissible", "不予受理")
    assert status["answer"] == REASON

    # Only the two others still block finalising; once answered, nothing does.
    for receipt in receipts[1:]:
        _answer(
            client, _objection(receipt), investigation="", outcome="inadmissible", answer=REASON
        )
    after_the_window = notice.publicity_window.closes_at + datetime.timedelta(hours=1)
    finalise_notice(notice, approver, now=after_the_window)
    notice.refresh_from_db()
    assert notice.finalised_at is not None


def test_the_list_shows_and_filters_by_the_outcome(client, handler, receipts):
    inadmissible, pending = _objection(receipts[0]), _objection(receipts[1])
    client.force_login(handler)
    _answer(client, inadmissible, investigation="", outcome="inadmissible", answer=REASON)
    page = client.get("/admin/objections/?outcome=inadmissible").content.decode()
    assert inadmissible.receipt_number in page and "不予受理" in page
    assert pending.receipt_number not in page


# --- several at once ------------------------------------------------------------------------


def test_the_bulk_action_answers_each_chosen_unanswered_objection(
    client, handler, receipts, django_capture_on_commit_callbacks
):
    first, second, answered = (_objection(r) for r in receipts)
    client.force_login(handler)
    _answer(client, answered, investigation="", outcome="not_upheld", answer="经核实，异议不成立。")
    mail.outbox.clear()
    url = f"{BULK_URL}?{_ids(first, second, answered)}&next=/admin/objections/"

    confirmation = client.get(url).content.decode()
    assert first.receipt_number in confirmation and second.receipt_number in confirmation
    assert "已经答复，不在此次处理之列" in confirmation and "不予受理的理由" in confirmation

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": REASON})
    assert response.status_code == 302 and response["Location"] == "/admin/objections/"
    for objection in (first, second):
        objection.refresh_from_db()
        assert (objection.status, objection.outcome, objection.answer) == (
            "answered",
            "inadmissible",
            REASON,
        )
        assert objection.answered_by == handler
    answered.refresh_from_db()
    assert answered.outcome == "not_upheld"
    assert sorted(m.to[0] for m in mail.outbox if REASON in m.body) == [
        "objector0@example.invalid",
        "objector1@example.invalid",
    ]
    logged = ModelLogEntry.objects.filter(action="objections.answer", user=handler)
    assert logged.count() == 3  # the single answer and the two in bulk


def test_the_bulk_action_needs_a_reason(client, handler, receipts):
    chosen = [_objection(r) for r in receipts]
    client.force_login(handler)
    response = client.post(f"{BULK_URL}?{_ids(*chosen)}", {"reason": "  "})
    assert response.status_code == 200
    assert "请填写不予受理的理由。" in response.content.decode()
    assert not Objection.objects.filter(status="answered").exists()
    assert mail.outbox == []


def test_handlers_get_checkboxes_and_a_plain_form_path(client, handler, receipts):
    client.force_login(handler)
    listing = client.get("/admin/objections/").content.decode()
    assert "data-bulk-action-checkbox" in listing and BULK_URL in listing
    assert "/admin/objections/inadmissible/" in listing

    chooser = client.get("/admin/objections/inadmissible/").content.decode()
    assert f'action="{BULK_URL}"' in chooser
    for receipt in receipts:
        pk = _objection(receipt).pk
        assert f'name="id" value="{pk}"' in chooser


def test_staff_who_may_not_answer_cannot_mark_objections_inadmissible(client, reader, receipts):
    chosen = [_objection(r) for r in receipts]
    client.force_login(reader)
    listing = client.get("/admin/objections/").content.decode()
    assert chosen[0].receipt_number in listing
    assert "data-bulk-action-checkbox" not in listing

    url = f"{BULK_URL}?{_ids(*chosen)}"
    refused = (302, 403)  # Wagtail's admin turns "permission denied" into a redirect home
    assert client.get(url).status_code in refused
    assert client.post(url, {"reason": REASON}).status_code in refused
    assert client.get("/admin/objections/inadmissible/").status_code in refused
    assert not Objection.objects.filter(status="answered").exists()
    assert mail.outbox == []


def test_an_answer_rolled_back_with_its_transaction_is_never_mailed(
    handler, receipts, django_capture_on_commit_callbacks
):
    """A bulk action that fails half-way undoes its answers: none of them is mailed."""
    from django.db import transaction

    from cms.objections.services import declare_inadmissible

    objections = [_objection(r) for r in receipts[:2]]
    capture = django_capture_on_commit_callbacks(execute=True)
    with capture, pytest.raises(RuntimeError), transaction.atomic():
        declare_inadmissible(objections, handler, REASON)
        raise RuntimeError("the batch failed")
    assert mail.outbox == []
    assert {_objection(r).status for r in receipts[:2]} == {"received"}
