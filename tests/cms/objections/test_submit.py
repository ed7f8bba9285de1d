"""Submitting objections: every rule the server enforces, whatever the page shows. The rules
every public submission shares take ``endpoint`` and ``submission`` and run for comments on a
draft policy too (conftest's endpoint profiles)."""

import datetime
import logging
import re
from unittest import mock

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from wagtail.models import ReferenceIndex

from cms.domain.dates import local_date
from cms.domain.windows import PublicityWindow
from cms.objections.models import Objection, ObjectionEvidence

from .conftest import JPEG_BYTES, PDF_BYTES, PNG_BYTES, ofd_bytes

pytestmark = pytest.mark.django_db
URL = "/api/objections/"


def _error(response) -> dict:
    return response.json()["error"]


def test_valid_submission_gets_a_receipt_and_a_lookup_code(api, endpoint, submission):
    response = api.post(endpoint.url, submission, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert re.fullmatch(rf"{endpoint.receipt_prefix}\d{{8}}-[A-Z2-9]{{6}}", body["receipt_number"])
    assert len(body["lookup_code"]) == 10
    assert body["status"] == "received"
    record = endpoint.model.objects.get(receipt_number=body["receipt_number"])
    assert getattr(record, f"{endpoint.target}_id") == submission[endpoint.target]
    assert record.real_name == "赵异议"
    assert body["lookup_code"] not in record.lookup_code_hash  # stored hashed


def test_a_submission_leaves_wagtails_reference_index_alone(api, endpoint, submission):
    """Indexing a submission's links to pages is work in the public request nobody uses."""
    before = ReferenceIndex.objects.count()
    response = api.post(endpoint.url, submission, format="json")
    assert response.status_code == 201, response.json()
    model_type = ContentType.objects.get_for_model(endpoint.model)
    assert not ReferenceIndex.objects.filter(content_type=model_type).exists()
    assert ReferenceIndex.objects.count() == before


def test_an_objection_receipt_names_the_notice_and_item(api, payload, item):
    body = api.post(URL, payload, format="json").json()
    assert body["project_code"] == item.project_code
    assert body["notice_number"] == item.notice.notice_number


@pytest.mark.parametrize(
    ("offset", "accepted"),
    [
        (datetime.timedelta(microseconds=-1), True),  # last instant of day 7
        (datetime.timedelta(0), False),  # first instant of day 8
    ],
)
def test_window_edges_are_decided_by_the_server(api, payload, open_notice, offset, accepted):
    closes = PublicityWindow(open_notice.publicity_start).closes_at
    with mock.patch("django.utils.timezone.now", return_value=closes + offset):
        response = api.post(URL, payload, format="json")
    if accepted:
        assert response.status_code == 201
    else:
        assert response.status_code == 409
        assert _error(response)["code"] == "window_closed"
        assert "不再受理异议" in _error(response)["message"]
        assert "no longer accepted" in _error(response)["message_en"]


def test_before_the_window_opens_the_item_is_not_found(api, payload, make_notice):
    """A notice approved to go live later is not public yet: its items answer as no item does
    (tests/cms/objections/test_hostile_input.py compares the two answers)."""
    future = make_notice(start=local_date(timezone.now()) + datetime.timedelta(days=3))
    future.get_latest_revision().publish()
    payload["item"] = future.items.first().pk
    response = api.post(URL, payload, format="json")
    assert response.status_code == 404
    assert _error(response)["code"] == "item_not_found"


def test_withdrawn_notice_accepts_no_objections(api, payload, open_notice, approver):
    from cms.notices.services import withdraw_notice

    withdraw_notice(open_notice, approver, "撤回。")
    response = api.post(URL, payload, format="json")
    assert response.status_code == 409
    assert _error(response)["code"] == "notice_not_under_publicity"


def test_a_live_correction_closes_the_original_to_objections(api, payload, open_notice, editor):
    """Whether the notice has a live correction comes with the item, in the same query."""
    from cms.notices.services import start_correction

    correction = start_correction(open_notice, editor)
    assert api.post(URL, payload, format="json").status_code == 201  # a draft changes nothing
    correction.save_revision().publish()
    response = api.post(URL, payload, format="json")
    assert response.status_code == 409
    assert _error(response)["code"] == "notice_not_under_publicity"


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("real_name", "", "blank"),
        ("real_name", "赵" * 51, "max_length"),
        ("phone", "12345", "invalid_phone"),
        ("phone", "1380013800a", "invalid_phone"),
        ("email", "not-an-email", "invalid"),
        ("postal_address", "", "blank"),
        ("content", "太短", "min_length"),
        ("content", "长" * 5001, "max_length"),
        ("objector_type", "anonymous", "invalid_choice"),
        ("consent", False, "consent_required"),
    ],
)
def test_each_invalid_field_is_named_in_both_languages(
    api, endpoint, submission, field, value, code
):
    field = endpoint.field(field)
    submission[field] = value
    response = api.post(endpoint.url, submission, format="json")
    assert response.status_code == 400
    error = _error(response)
    assert error["code"] == "invalid"
    detail = next(d for d in error["details"] if d["field"] == field)
    assert detail["code"] == code
    assert detail["message"] and detail["message_en"]
    assert detail["message"] != detail["message_en"]
    assert not endpoint.model.objects.exists()


def test_missing_required_fields_are_all_listed(api, endpoint):
    response = api.post(endpoint.url, {}, format="json")
    fields = {d["field"] for d in _error(response)["details"]}
    required = ("item", "objector_type", "real_name", "phone", "email", "postal_address",
                "content", "consent")  # fmt: skip
    assert {endpoint.field(name) for name in required} <= fields


def test_an_organisation_must_give_its_name(api, endpoint, submission):
    submission[endpoint.type_field] = "organisation"
    response = api.post(endpoint.url, submission, format="json")
    assert _error(response)["details"][0]["code"] == "organisation_required"
    submission["organisation"] = "某科技有限公司"
    assert api.post(endpoint.url, submission, format="json").status_code == 201


def test_errors_never_echo_personal_data(api, endpoint, submission):
    submission["phone"] = "not-a-phone"
    body = api.post(endpoint.url, submission, format="json").content.decode()
    assert "赵异议" not in body and "not-a-phone" not in body and "zhao@" not in body


def test_unknown_target_is_404(api, endpoint, submission):
    submission[endpoint.target] = 999999
    response = api.post(endpoint.url, submission, format="json")
    assert response.status_code == 404
    assert _error(response)["code"] == endpoint.not_found_code
    assert _error(response)["field"] == endpoint.target


def test_markup_is_removed_and_text_kept_plain(api, endpoint, submission):
    submission["content"] = (
        "<script>alert(1)</script><b>事实</b>：该项目负责人隐瞒了重大风险事件，有会议记录为证。"
    )
    response = api.post(endpoint.url, submission, format="json")
    record = endpoint.model.objects.get(receipt_number=response.json()["receipt_number"])
    assert "<" not in record.content and "事实：该项目负责人" in record.content


def test_honeypot_filled_in_is_refused(api, endpoint, submission):
    submission["website"] = "http://spam.example"
    response = api.post(endpoint.url, submission, format="json")
    assert response.status_code == 400
    assert _error(response)["code"] == "rejected_automated"
    assert not endpoint.model.objects.exists()


# --- evidence ------------------------------------------------------------------------------


def _upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize(
    ("name", "content", "stored_ext"),
    [
        ("证明.pdf", PDF_BYTES, "pdf"),
        ("photo.PNG", PNG_BYTES, "png"),
        ("scan.jpeg", JPEG_BYTES, "jpg"),
        ("公文.ofd", ofd_bytes(), "ofd"),
        ("misnamed.txt", PDF_BYTES, "pdf"),  # judged by content, not by name
    ],
)
def test_evidence_is_stored_with_a_type_judged_by_content(api, payload, name, content, stored_ext):
    payload["evidence"] = [_upload(name, content)]
    response = api.post(URL, payload, format="multipart")
    assert response.status_code == 201, response.json()
    evidence = ObjectionEvidence.objects.get()
    assert evidence.extension == stored_ext
    assert evidence.original_name.endswith(f".{stored_ext}")
    assert evidence.file.read() == content


def test_file_names_are_sanitised(api, payload):
    payload["evidence"] = [_upload("../../etc/pass wd<script>.pdf", PDF_BYTES)]
    api.post(URL, payload, format="multipart")
    evidence = ObjectionEvidence.objects.get()
    assert "/" not in evidence.original_name and "<" not in evidence.original_name
    assert ".." not in evidence.file.name


def test_wrong_type_is_415(api, payload):
    payload["evidence"] = [_upload("virus.pdf", b"MZ\x90\x00 this is an executable")]
    response = api.post(URL, payload, format="multipart")
    assert response.status_code == 415
    assert _error(response)["code"] == "unsupported_file_type"
    assert not Objection.objects.exists()


def test_a_zip_that_is_not_ofd_is_415(api, payload):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<x/>")
    payload["evidence"] = [_upload("fake.ofd", buffer.getvalue())]
    assert api.post(URL, payload, format="multipart").status_code == 415


def test_oversized_file_is_413(api, payload, settings):
    settings.OBJECTION_MAX_FILE_BYTES = 1024
    payload["evidence"] = [_upload("big.pdf", PDF_BYTES + b"0" * 2048)]
    response = api.post(URL, payload, format="multipart")
    assert response.status_code == 413
    assert _error(response)["code"] == "file_too_large"


def test_too_many_files_is_400(api, payload, settings):
    settings.OBJECTION_MAX_FILES = 2
    payload["evidence"] = [_upload(f"{i}.pdf", PDF_BYTES) for i in range(3)]
    response = api.post(URL, payload, format="multipart")
    assert response.status_code == 400
    assert _error(response)["code"] == "too_many_files"


def test_nothing_half_stored_when_saving_a_file_fails(api, payload, private_evidence_dir):
    payload["evidence"] = [_upload("a.pdf", PDF_BYTES), _upload("b.png", PNG_BYTES)]
    original_save = ObjectionEvidence.save
    calls = []

    def failing_save(self, *args, **kwargs):
        calls.append(self)
        if len(calls) == 2:
            raise OSError("disk full")
        return original_save(self, *args, **kwargs)

    api.raise_request_exception = False
    with mock.patch.object(ObjectionEvidence, "save", failing_save):
        response = api.post(URL, payload, format="multipart")
    assert response.status_code == 500
    assert not Objection.objects.exists() and not ObjectionEvidence.objects.exists()
    leftovers = [p for p in private_evidence_dir.rglob("*") if p.is_file()]
    assert leftovers == []


# --- idempotency, throttling -------------------------------------------------------------


def test_retry_with_the_same_key_returns_the_same_receipt(api, endpoint, submission):
    headers = {"HTTP_IDEMPOTENCY_KEY": "retry-key-0001"}
    first = api.post(endpoint.url, submission, format="json", **headers)
    second = api.post(endpoint.url, submission, format="json", **headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert endpoint.model.objects.count() == 1


def test_same_key_with_different_content_is_409(api, endpoint, submission):
    headers = {"HTTP_IDEMPOTENCY_KEY": "retry-key-0002"}
    api.post(endpoint.url, submission, format="json", **headers)
    submission["content"] += "补充说明。"
    response = api.post(endpoint.url, submission, format="json", **headers)
    assert response.status_code == 409
    assert _error(response)["code"] == "idempotency_key_reused"


def test_a_flood_is_throttled_per_client_whatever_the_email(api, endpoint, submission):
    statuses = []
    for n in range(7):
        submission["email"] = f"user{n}@example.invalid"
        statuses.append(api.post(endpoint.url, submission, format="json").status_code)
    assert statuses[:5] == [201] * 5
    assert statuses[5:] == [429, 429]
    response = api.post(endpoint.url, submission, format="json")
    assert _error(response)["code"] == "throttled" and int(response["Retry-After"]) > 0


def test_logs_carry_the_receipt_not_the_person(api, endpoint, submission, caplog):
    with caplog.at_level(logging.INFO):
        response = api.post(endpoint.url, submission, format="json")
    receipt = response.json()["receipt_number"]
    assert receipt in caplog.text
    for secret in ("赵异议", "13800138000", "zhao@example.invalid", "某路1号"):
        assert secret not in caplog.text


def test_a_browser_form_with_no_file_chosen_is_accepted(client, endpoint, submission):
    """Browsers send an empty part for a file input left blank; it is not an error."""
    boundary = "----formboundary"
    parts = []
    for name, value in {**submission, "consent": "on"}.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        )
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="evidence"; filename=""\r\n'
        "Content-Type: application/octet-stream\r\n\r\n\r\n"
    )
    body = ("".join(parts) + f"--{boundary}--\r\n").encode()
    response = client.generic(
        "POST", endpoint.url, body, content_type=f"multipart/form-data; boundary={boundary}",
        HTTP_ACCEPT="application/json",
    )  # fmt: skip
    assert response.status_code == 201, response.content.decode()
    assert not ObjectionEvidence.objects.exists()


# --- bodies and values no form would send --------------------------------------------------


@pytest.mark.parametrize("body", ["[]", '"x"', "null", "1"])
@pytest.mark.parametrize("which", ["url", "status_url"])
def test_a_json_body_that_is_not_an_object_is_400(api, endpoint, body, which):
    response = api.generic("POST", getattr(endpoint, which), body, content_type="application/json")
    assert response.status_code == 400
    error = _error(response)
    assert error["code"] == "invalid_body"
    assert error["message"] and error["message_en"]
    assert not endpoint.model.objects.exists()


DEEP = "[" * 10000 + "]" * 10000


@pytest.mark.parametrize("body", [DEEP, '{"a": ' + DEEP + "}"])
@pytest.mark.parametrize("which", ["url", "status_url"])
def test_json_nested_too_deep_is_malformed(api, endpoint, body, which):
    response = api.generic("POST", getattr(endpoint, which), body, content_type="application/json")
    assert response.status_code == 400
    assert _error(response)["code"] == "malformed"
    assert not endpoint.model.objects.exists()


@pytest.mark.parametrize("raw", ["1e400", "-1e400", "1.5", "1.0", '"1"', "true", "1e30"])
def test_the_target_id_must_be_a_json_integer(api, endpoint, submission, raw):
    import json

    body = json.dumps(submission).replace(
        f'"{endpoint.target}": {submission[endpoint.target]}', f'"{endpoint.target}": {raw}'
    )
    assert raw in body
    response = api.generic("POST", endpoint.url, body, content_type="application/json")
    assert response.status_code == 400
    error = _error(response)
    assert error["code"] == "invalid"
    assert error["field"] == endpoint.target
    assert error["details"][0]["code"] == "incorrect_type"
    assert not endpoint.model.objects.exists()


def test_a_huge_integer_target_id_is_not_found(api, endpoint, submission):
    submission[endpoint.target] = 10**30
    response = api.post(endpoint.url, submission, format="json")
    assert response.status_code == 404
    assert _error(response)["code"] == endpoint.not_found_code
    assert not endpoint.model.objects.exists()


def test_the_schema_still_gives_the_target_id_as_an_integer(api):
    schema = api.get("/api/schema/?format=json").json()["components"]["schemas"]
    assert schema["ObjectionCreate"]["properties"]["item"]["type"] == "integer"
    assert schema["CommentCreate"]["properties"]["policy"]["type"] == "integer"


def test_an_ofd_whose_member_name_is_not_utf8_is_refused(api, payload):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("OFD.xml", "<ofd:OFD/>")
        archive.writestr("Doc_\u00e9.xml", "<x/>")  # flagged as UTF-8 ...
    content = buffer.getvalue().replace("Doc_\u00e9".encode(), b"Doc_\xff\xfe")  # ... but not
    payload["evidence"] = [_upload("bad.ofd", content)]
    response = api.post(URL, payload, format="multipart")
    assert response.status_code == 415
    assert _error(response)["code"] == "unsupported_file_type"
    assert not Objection.objects.exists()
    assert not ObjectionEvidence.objects.exists()
