"""Looking up an objection, plain HTML form posts, CORS, the schema, and personal data."""

import json
import re

import pytest
from django.core.management import call_command

from cms.objections.models import Objection

pytestmark = pytest.mark.django_db
URL = "/api/objections/"
STATUS_URL = "/api/objections/status/"


def _submit(api, payload) -> dict:
    response = api.post(URL, payload, format="json")
    assert response.status_code == 201
    return response.json()


def test_lookup_with_receipt_and_code_shows_progress_and_answer(api, payload, approver):
    from cms.objections.services import answer_objection

    receipt = _submit(api, payload)
    credentials = {k: receipt[k] for k in ("receipt_number", "lookup_code")}
    body = api.post(STATUS_URL, credentials, format="json").json()
    assert body["status"] == "received" and body["answer"] == ""

    objection = Objection.objects.get()
    answer_objection(objection, approver, "not_upheld", "已核实。", "经核实，异议不成立。")
    body = api.post(STATUS_URL, credentials, format="json").json()
    assert (body["status"], body["outcome"]) == ("answered", "not_upheld")
    assert body["answer"] == "经核实，异议不成立。"
    assert "real_name" not in body and "phone" not in body


def test_lookup_code_is_forgiving_about_case_and_spaces(api, payload):
    receipt = _submit(api, payload)
    code = receipt["lookup_code"].lower()
    spaced = f"{code[:5]} {code[5:]}"
    credentials = {"receipt_number": receipt["receipt_number"], "lookup_code": spaced}
    response = api.post(STATUS_URL, credentials, format="json")
    assert response.status_code == 200


def test_wrong_code_and_unknown_receipt_look_the_same(api, payload):
    receipt = _submit(api, payload)
    wrong_code = api.post(
        STATUS_URL,
        {"receipt_number": receipt["receipt_number"], "lookup_code": "AAAAAAAAAA"},
        format="json",
    )
    unknown_receipt = {"receipt_number": "YY20000101-AAAAAA", "lookup_code": "AAAAAAAAAA"}
    unknown = api.post(STATUS_URL, unknown_receipt, format="json")
    assert wrong_code.status_code == unknown.status_code == 404
    assert wrong_code.json() == unknown.json()
    assert wrong_code.json()["error"]["code"] == "not_found"


def test_lookups_are_rate_limited(api, settings):
    from rest_framework.settings import api_settings

    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "objection_lookup": "3/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    from cms.objections.throttles import ObjectionLookupThrottle

    ObjectionLookupThrottle.THROTTLE_RATES = rates
    try:
        guesses = [
            {"receipt_number": "YY20000101-AAAAAA", "lookup_code": f"X{n}"} for n in range(4)
        ]
        statuses = [api.post(STATUS_URL, g, format="json").status_code for g in guesses]
    finally:
        ObjectionLookupThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    assert statuses == [404, 404, 404, 429]


# --- a person with JavaScript off ---------------------------------------------------------

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_plain_form_post_gets_a_readable_receipt_page(client, payload):
    payload["consent"] = "on"
    response = client.post(URL, payload, HTTP_ACCEPT=BROWSER_ACCEPT)
    assert response.status_code == 201
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    objection = Objection.objects.get()
    assert objection.receipt_number in page and "查询码" in page
    assert '<html lang="zh-CN">' in page


def test_plain_form_post_with_errors_gets_a_page_listing_them(client, payload):
    payload.update(consent="", phone="123")
    response = client.post(URL, payload, HTTP_ACCEPT=BROWSER_ACCEPT)
    assert response.status_code == 400
    page = response.content.decode()
    assert "联系电话格式不正确" in page and "隐私声明" in page
    assert 'role="alert"' in page


def test_json_clients_get_json(client, payload):
    response = client.post(
        URL, json.dumps(payload), content_type="application/json", HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 201 and response.json()["receipt_number"]


# --- cross-origin ---------------------------------------------------------------------------


def test_cors_allows_the_portal_origin_only(client, settings):
    def preflight(origin):
        return client.options(
            URL,
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


def test_objector_details_never_reach_the_read_api(api, client, payload, open_notice):
    _submit(api, payload)
    everything = client.get(f"/api/v3/pages/{open_notice.pk}/").content.decode()
    listing = client.get("/api/v3/pages/", {"type": "notices.DecisionNoticePage"})
    everything += listing.content.decode()
    for secret in ("赵异议", "13800138000", "zhao@example.invalid", "某路1号", "隐瞒重大风险事件"):
        assert secret not in everything


def test_personal_data_is_purged_after_the_retention_period(api, payload, approver, settings):
    import datetime

    from django.utils import timezone

    from cms.objections.services import answer_objection, purge_personal_data

    settings.OBJECTION_RETENTION_DAYS = 30
    payload_with_file = dict(payload)
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .conftest import PDF_BYTES

    payload_with_file["evidence"] = [SimpleUploadedFile("a.pdf", PDF_BYTES)]
    api.post(URL, payload_with_file, format="multipart")
    objection = Objection.objects.get()
    answer_objection(objection, approver, "not_upheld", "", "异议不成立。")
    assert purge_personal_data() == 0  # answered just now: kept

    Objection.objects.update(answered_at=timezone.now() - datetime.timedelta(days=31))
    stored = objection.evidence.get().file.path
    assert purge_personal_data() == 1
    objection.refresh_from_db()
    assert (objection.real_name, objection.phone, objection.email) == ("", "", "")
    assert objection.personal_data_purged_at is not None
    assert not objection.evidence.exists()
    import os

    assert not os.path.exists(stored)
    assert objection.answer == "异议不成立。"  # the handling record stays
