"""Handling objections in the admin: who sees what, answering, corrections, finalisation. Who
sees a submitter's identity is shared with comments (tests taking ``endpoint``)."""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.models import ModelLogEntry

from cms.notices.guards import NoticeGuardError
from cms.notices.models import DecisionNoticePage
from cms.notices.services import finalise_notice
from cms.objections.models import Objection

from .conftest import PDF_BYTES, staff_user

pytestmark = pytest.mark.django_db
URL = "/api/objections/"


@pytest.fixture
def endpoint_handler(db, endpoint):
    """A member of the group that handles the endpoint's submissions, with the details right."""
    return staff_user("endpoint-handler", Group.objects.get(name=endpoint.handler_group))


@pytest.fixture
def viewer_without_details(db, endpoint):
    group = Group.objects.create(name="只读")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename=endpoint.view_codename),
    )
    return staff_user("viewer", group)


@pytest.fixture
def record(api, endpoint, submission):
    response = api.post(endpoint.url, submission, format="json")
    assert response.status_code == 201
    return endpoint.model.objects.get()


@pytest.fixture
def objection(api, payload) -> Objection:
    payload["evidence"] = [SimpleUploadedFile("会议记录.pdf", PDF_BYTES)]
    response = api.post(URL, payload, format="multipart")
    assert response.status_code == 201
    return Objection.objects.get()


def _inspect(client, objection):
    return client.get(f"/admin/objections/inspect/{objection.pk}/")


def test_handlers_see_the_submitters_details_and_the_viewing_is_logged(
    client, endpoint, endpoint_handler, record
):
    client.force_login(endpoint_handler)
    assert record.receipt_number in client.get(endpoint.admin_url).content.decode()
    page = client.get(f"{endpoint.admin_url}inspect/{record.pk}/").content.decode()
    assert "13800138000" in page and "赵异议" in page
    logged = ModelLogEntry.objects.filter(user=endpoint_handler, object_id=str(record.pk))
    assert logged.filter(action__endswith=".view_details").exists()


def test_handlers_download_evidence(client, handler, objection):
    client.force_login(handler)
    evidence = objection.evidence.get()
    download = client.get(f"/admin/objections/evidence/{evidence.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF_BYTES


def test_staff_without_the_permission_do_not_see_details(
    client, endpoint, viewer_without_details, record
):
    client.force_login(viewer_without_details)
    page = client.get(f"{endpoint.admin_url}inspect/{record.pk}/").content.decode()
    assert record.receipt_number in page
    assert "13800138000" not in page and "赵异议" not in page and "zhao@" not in page
    assert not ModelLogEntry.objects.filter(action__endswith=".view_details").exists()


@pytest.mark.parametrize("endpoint", ["objection"], indirect=True)
def test_evidence_is_not_downloaded_without_the_permission(
    client, endpoint, viewer_without_details, objection
):
    client.force_login(viewer_without_details)
    evidence = objection.evidence.get()
    response = client.get(f"/admin/objections/evidence/{evidence.pk}/")
    assert response.status_code in (302, 403)


def test_editors_cannot_open_objections(client, editor, objection):
    client.force_login(editor)
    response = _inspect(client, objection)
    assert response.status_code in (302, 403)
    assert b"13800138000" not in response.content


def _handle(client, objection, **data):
    return client.post(f"/admin/objections/edit/{objection.pk}/", data)


def test_answer_is_recorded_sent_and_logged(
    client, handler, objection, django_capture_on_commit_callbacks
):
    client.force_login(handler)
    _handle(client, objection, investigation="调取会议记录核实。", outcome="", answer="")
    objection.refresh_from_db()
    assert objection.status == "investigating"

    with django_capture_on_commit_callbacks(execute=True) as mailed:
        response = _handle(
            client, objection, investigation="调取会议记录核实。", outcome="not_upheld",
            answer="经核实，会议记录不能证明所述情况，异议不成立。",
        )  # fmt: skip
    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.status == "answered" and objection.answered_by == handler
    assert len(mailed) == 1  # the answer e-mail waits for the commit
    [answer] = [sent for sent in mail.outbox if "调查处理意见" in sent.subject]
    assert answer.to == ["zhao@example.invalid"]
    assert objection.receipt_number in answer.subject
    assert "异议不成立" in answer.body
    assert ModelLogEntry.objects.filter(action="objections.answer", user=handler).exists()


def test_an_outcome_needs_an_answer(client, handler, objection):
    client.force_login(handler)
    response = _handle(client, objection, investigation="", outcome="upheld", answer=" ")
    assert response.status_code == 200
    assert "须填写调查处理意见" in response.content.decode()
    objection.refresh_from_db()
    assert objection.status == "received"


def test_an_upheld_objection_starts_a_correction(client, handler, objection):
    client.force_login(handler)
    _handle(
        client, objection, investigation="核实属实。", outcome="upheld",
        answer="经核实，异议成立，将发布更正公告。",
    )  # fmt: skip
    correction = DecisionNoticePage.objects.get(corrects=objection.notice)
    assert not correction.live
    assert correction.items.count() == objection.notice.items.count()


def test_an_unanswered_objection_blocks_finalisation(approver, handler, objection):
    from cms.objections.services import answer_objection

    notice = objection.notice.specific
    after_the_window = notice.publicity_window.closes_at + datetime.timedelta(hours=1)
    with pytest.raises(NoticeGuardError) as excinfo:
        finalise_notice(notice, approver, now=after_the_window)
    assert excinfo.value.errors[0].code == "objections_unanswered"
    answer_objection(objection, handler, "not_upheld", "", "异议不成立。")
    finalise_notice(notice, approver, now=after_the_window)
    notice.refresh_from_db()
    assert notice.finalised_at is not None


def test_an_unanswered_objection_on_the_original_blocks_finalising_its_correction(
    approver, editor, handler, objection
):
    """Finalising counts objections along the whole correction chain."""
    from cms.notices.services import start_correction
    from cms.objections.services import answer_objection

    original = objection.notice.specific
    correction = start_correction(original, editor)
    correction.save_revision().publish()
    correction.refresh_from_db()
    after_the_window = correction.publicity_window.closes_at + datetime.timedelta(hours=1)
    with pytest.raises(NoticeGuardError) as excinfo:
        finalise_notice(correction, approver, now=after_the_window)
    assert [error.code for error in excinfo.value.errors] == ["objections_unanswered"]
    answer_objection(objection, handler, "not_upheld", "", "异议不成立。")
    finalise_notice(correction, approver, now=after_the_window)
    correction.refresh_from_db()
    assert correction.finalised_at is not None
