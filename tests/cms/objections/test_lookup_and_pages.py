"""Looking up an objection, plain HTML form posts, CORS, the schema, and personal data. Tests
taking ``endpoint`` and ``submission`` run for comments on a draft policy too."""

import json
import re

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db
URL = "/api/objections/"
STATUS_URL = "/api/objections/status/"


def _submit(api, payload, url=URL) -> dict:
    response = api.post(url, payload, format="json")
    assert response.status_code == 201
    return response.json()


def test_lookup_with_receipt_and_code_shows_progress_and_answer(
    api, endpoint, submission, approver
):
    receipt = _submit(api, submission, endpoint.url)
    credentials = {k: receipt[k] for k in ("receipt_number", "lookup_code")}
    body = api.post(endpoint.status_url, credentials, format="json").json()
    assert body["status"] == "received" and body["answer"] == ""

    endpoint.answer(endpoint.model.objects.get(), approver, "经核实，所述情况不成立。")
    body = api.post(endpoint.status_url, credentials, format="json").json()
    assert body["status"] == "answered" and body["outcome"].startswith("not_")
    assert body["answer"] == "经核实，所述情况不成立。"
    assert "real_name" not in body and "phone" not in body


def test_lookup_code_is_forgiving_about_case_and_spaces(api, endpoint, submission):
    receipt = _submit(api, submission, endpoint.url)
    code = receipt["lookup_code"].lower()
    spaced = f"{code[:5]} {code[5:]}"
    credentials = {"receipt_number": receipt["receipt_number"], "lookup_code": spaced}
    response = api.post(endpoint.status_url, credentials, format="json")
    assert response.status_code == 200


def test_wrong_code_and_unknown_receipt_look_the_same(api, endpoint, submission):
    receipt = _submit(api, submission, endpoint.url)
    wrong_code = api.post(
        endpoint.status_url,
        {"receipt_number": receipt["receipt_number"], "lookup_code": "AAAAAAAAAA"},
        format="json",
    )
    unknown_receipt = {"receipt_number": "YY20000101-AAAAAA", "lookup_code": "AAAAAAAAAA"}
    unknown = api.post(endpoint.status_url, unknown_receipt, format="json")
    assert wrong_code.status_code == unknown.status_code == 404
    assert wrong_code.json() == unknown.json()
    assert wrong_code.json()["error"]["code"] == "not_found"


def test_a_receipt_of_one_kind_finds_nothing_of_the_other(api, payload, comment_payload):
    objection = _submit(api, payload)
    comment = _submit(api, comment_payload, "/api/policy-comments/")
    credentials = {k: objection[k] for k in ("receipt_number", "lookup_code")}
    assert api.post("/api/policy-comments/status/", credentials).status_code == 404
    credentials = {k: comment[k] for k in ("receipt_number", "lookup_code")}
    assert api.post(STATUS_URL, credentials).status_code == 404


def test_lookups_are_rate_limited(api, endpoint, settings):
    from rest_framework.settings import api_settings

    rates = {**api_settings.DEFAULT_THROTTLE_RATES, endpoint.lookup_scope: "3/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    throttle = endpoint.throttle_class()
    throttle.THROTTLE_RATES = rates
    try:
        guesses = [
            {"receipt_number": "YY20000101-AAAAAA", "lookup_code": f"X{n}"} for n in range(4)
        ]
        statuses = [api.post(endpoint.status_url, g, format="json").status_code for g in guesses]
    finally:
        throttle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    assert statuses == [404, 404, 404, 429]


# --- a person with JavaScript off ---------------------------------------------------------

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_plain_form_post_gets_a_readable_receipt_page(client, endpoint, submission):
    submission["consent"] = "on"
    response = client.post(endpoint.url, submission, HTTP_ACCEPT=BROWSER_ACCEPT)
    assert response.status_code == 201
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    record = endpoint.model.objects.get()
    assert record.receipt_number in page and "查询码" in page
    assert '<html lang="zh-CN">' in page


def test_plain_form_post_with_errors_gets_a_page_listing_them(client, endpoint, submission):
    submission.update(consent="", phone="123")
    response = client.post(endpoint.url, submission, HTTP_ACCEPT=BROWSER_ACCEPT)
    assert response.status_code == 400
    page = response.content.decode()
    assert "联系电话格式不正确" in page and "隐私声明" in page
    assert 'role="alert"' in page


def test_json_clients_get_json(client, endpoint, submission):
    response = client.post(
        endpoint.url,
        json.dumps(submission),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 201 and response.json()["receipt_number"]


# --- cross-origin ---------------------------------------------------------------------------


def test_cors_allows_the_portal_origin_only(client, endpoint, settings):
    def preflight(origin):
        return client.options(
            endpoint.url,
            HTTP_ORIGIN=origin,
            HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
            HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type,idempotency-key",
        )

    allowed = preflight(settings.PORTAL_BASE_URL)
    assert allowed["Access-Control-Allow-Origin"] == settings.PORTAL_BASE_URL
    assert "idempotency-key" in allowed["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Origin" not in preflight("https://evil.example")


# --- schema -------------------------------------------------------------------------------


def test_openapi_schema_validates_and_documents_every_error_code(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = target.read_text()
    for code in (
        "window_closed", "window_not_started", "notice_not_under_publicity", "item_not_found",
        "idempotency_key_reused", "file_too_large", "unsupported_file_type", "throttled",
        "too_many_files", "rejected_automated", "not_found", "invalid",
    ):  # fmt: skip
        assert code in schema, code
    for status in ("'400'", "'404'", "'409'", "'413'", "'415'", "'429'"):
        assert status in schema


def test_schema_and_docs_are_served(client):
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/").content.decode()
    assert not re.search(r'src="https?://', docs)  # served locally, no CDN


# --- personal data ----------------------------------------------------------------------


def test_submitters_details_never_reach_the_read_api(
    api, client, endpoint, submission, target_page
):
    _submit(api, submission, endpoint.url)
    everything = client.get(f"/api/v3/pages/{target_page.pk}/").content.decode()
    listing = client.get("/api/v3/pages/", {"type": target_page.specific_class._meta.label})
    everything += listing.content.decode()
    everything += client.get("/api/v3/notices/").content.decode()
    for secret in ("赵异议", "13800138000", "zhao@example.invalid", "某路1号", "隐瞒重大风险事件"):
        assert secret not in everything


def test_personal_data_is_purged_after_the_retention_period(
    api, endpoint, submission, approver, settings
):
    import datetime
    import os

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from cms.consultation.services import purge_personal_data as purge_comments
    from cms.objections.services import purge_personal_data as purge_objections

    from .conftest import PDF_BYTES

    purge = purge_objections if endpoint.kind == "objection" else purge_comments
    settings.OBJECTION_RETENTION_DAYS = 30
    if endpoint.accepts_files:
        submission = {**submission, "evidence": [SimpleUploadedFile("a.pdf", PDF_BYTES)]}
    assert api.post(endpoint.url, submission, format="multipart").status_code == 201
    record = endpoint.model.objects.get()
    endpoint.answer(record, approver, "所述情况不成立。")
    assert purge() == 0  # answered just now: kept

    endpoint.model.objects.update(answered_at=timezone.now() - datetime.timedelta(days=31))
    stored = record.evidence.get().file.path if endpoint.accepts_files else None
    assert purge() == 1
    record.refresh_from_db()
    assert (record.real_name, record.phone, record.email) == ("", "", "")
    assert record.personal_data_purged_at is not None
    if endpoint.accepts_files:
        assert not record.evidence.exists()
        assert not os.path.exists(stored)
    assert record.answer == "所述情况不成立。"  # the handling record stays
    assert purge() == 0  # once only
