"""What no form would send, posted to both public submission APIs (objections, comments on a
draft policy) and their lookups: never a 5xx, always the one JSON error shape with a stable code
(or, for a browser's form post, the HTML error page). Ids are JSON integers of what the public
can see; text is NFC without control, zero-width or bidi characters; a JSON or form body is at
most 1 MB.

Each test posts a table of cases and compares what came back with the table as a whole, so a
failure lists every case that answered otherwise (a 500 comes back as ``(500, ...)``)."""

import datetime
import json
from unittest import mock
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle
from wagtail.models import PageViewRestriction

from cms.domain.dates import local_date
from cms.objections.models import Objection

pytestmark = pytest.mark.django_db
URL = "/api/objections/"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
MB = 1024 * 1024
FORM = "application/x-www-form-urlencoded"


@pytest.fixture(autouse=True)
def generous_rate_limits():
    """The tables here post more often than a person may."""
    rates = dict.fromkeys(SimpleRateThrottle.THROTTLE_RATES, "10000/min")
    with mock.patch.dict(SimpleRateThrottle.THROTTLE_RATES, rates):
        yield


@pytest.fixture
def client() -> Client:
    """A client that answers an unhandled exception with the 500 a server would send."""
    return Client(raise_request_exception=False)


def _post(client, url, body: str | bytes, content_type="application/json", **extra):
    return client.generic("POST", url, body, content_type=content_type, **extra)


def _outcome(response, field: str | None = None) -> tuple[int, str]:
    """The status and the error code; with ``field``, that field's code in ``details``."""
    if not response["Content-Type"].startswith("application/json"):
        return response.status_code, response["Content-Type"].split(";")[0]
    error = response.json().get("error", {})
    if field is None:
        return response.status_code, error.get("code", "")
    codes = [d["code"] for d in error.get("details", []) if d["field"] == field]
    return response.status_code, codes[0] if codes else error.get("code", "")


def _with_raw(submission: dict, field: str, raw: str) -> str:
    """The submission as JSON with ``field``'s value written as the raw JSON ``raw``."""
    body = json.dumps({**submission, field: "__RAW__"}, ensure_ascii=False)
    return body.replace('"__RAW__"', raw)


# --- ids ----------------------------------------------------------------------------------


def test_a_target_id_must_be_a_json_integer(client, endpoint, submission):
    raws = ["1e400", "-1e400", "1.5", "1.0", '"1"', "true", "false", "null", "[1]", '{"id": 1}']
    observed = {
        raw: _outcome(_post(client, endpoint.url, _with_raw(submission, endpoint.target, raw)))
        for raw in raws
    }
    assert observed == dict.fromkeys(raws, (400, "invalid"))
    details = _post(client, endpoint.url, _with_raw(submission, endpoint.target, "1e400"))
    assert _outcome(details, endpoint.target) == (400, "incorrect_type")
    assert not endpoint.model.objects.exists()


def _answer(client, url: str, submission: dict, target: str, target_id: int) -> tuple[int, dict]:
    response = _post(client, url, json.dumps({**submission, target: target_id}))
    return response.status_code, response.json()


def test_a_restriction_above_the_notice_hides_its_items_too(client, payload, make_notice):
    """A view restriction on the notices' section covers every notice in it; one on a sibling
    section covers none of them."""
    notice = make_notice(publish=True)
    item = notice.items.first().pk
    section = notice.get_parent()
    sibling = section.get_parent().get_children().exclude(pk=section.pk).first()
    PageViewRestriction.objects.create(page=sibling, restriction_type="login")
    assert _answer(client, URL, payload, "item", item)[0] == 201
    restriction = PageViewRestriction.objects.create(page=section, restriction_type="login")
    status, body = _answer(client, URL, {**payload, "email": "b@example.invalid"}, "item", item)
    assert status == 404 and body["error"]["code"] == "item_not_found"
    restriction.delete()
    assert _answer(client, URL, {**payload, "email": "c@example.invalid"}, "item", item)[0] == 201


def test_an_item_of_a_notice_the_public_cannot_see_is_answered_as_no_item(
    client, payload, make_notice
):
    """Counting through ids reveals nothing: a draft (its window open, or not yet), a notice
    approved and waiting for its go-live, and a live notice behind a view restriction all
    answer exactly as an id never used: 404 item_not_found, with no date and no 409."""
    today = local_date(timezone.now())
    draft = make_notice()
    future = make_notice(start=today + datetime.timedelta(days=5))
    waiting = make_notice(start=today + datetime.timedelta(days=3))
    waiting.get_latest_revision().publish()  # approved: goes live when its window opens
    private = make_notice(publish=True)
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    hidden = {"draft": draft, "future draft": future, "waiting": waiting, "private": private}
    unused = max(item.pk for notice in hidden.values() for item in notice.items.all()) + 100

    missing = _answer(client, URL, payload, "item", unused)
    assert missing[0] == 404 and missing[1]["error"]["code"] == "item_not_found"
    observed = {
        name: _answer(client, URL, payload, "item", notice.items.first().pk)
        for name, notice in hidden.items()
    }
    assert observed == dict.fromkeys(hidden, missing)
    assert not Objection.objects.exists()


def test_a_policy_the_public_cannot_see_is_answered_as_no_policy(
    client, comment_payload, comment_policy
):
    url = "/api/policy-comments/"
    missing = _answer(client, url, comment_payload, "policy", comment_policy.pk + 1000)
    assert missing[0] == 404 and missing[1]["error"]["code"] == "policy_not_found"
    type(comment_policy).objects.filter(pk=comment_policy.pk).update(live=False)
    assert _answer(client, url, comment_payload, "policy", comment_policy.pk) == missing


# --- bodies -------------------------------------------------------------------------------

DEEP = "[" * 10000 + "]" * 10000
BODIES = {
    "list": ("[]", "invalid_body"),
    "string": ('"x"', "invalid_body"),
    "null": ("null", "invalid_body"),
    "number": ("1", "invalid_body"),
    "nested 10,000 deep": (DEEP, "malformed"),
    "nested deep in an object": ('{"a": ' + DEEP + "}", "malformed"),
    "not UTF-8": (b'{"real_name": "\xff\xfe"}', "malformed"),
    "cut short": ('{"a": 1, "b": ', "malformed"),
}


def test_a_body_no_form_sends_is_a_client_error(client, endpoint):
    observed, expected = {}, {}
    for which in ("url", "status_url"):
        for name, (body, code) in BODIES.items():
            observed[which, name] = _outcome(_post(client, getattr(endpoint, which), body))
            expected[which, name] = (400, code)
    assert observed == expected
    assert not endpoint.model.objects.exists()


def test_other_methods_and_formats_are_refused_in_the_error_shape(client, endpoint):
    observed = {}
    for which in ("url", "status_url"):
        url = getattr(endpoint, which)
        for method in ("GET", "PUT", "PATCH", "DELETE"):
            observed[which, method] = _outcome(client.generic(method, url))
        observed[which, "XML"] = _outcome(_post(client, url, "<a/>", "application/xml"))
        observed[which, "Accept"] = _outcome(_post(client, url, "{}", HTTP_ACCEPT="image/png"))
    expected = {}
    for which in ("url", "status_url"):
        expected |= {(which, m): (405, "method_not_allowed") for m in ("GET", "PUT", "PATCH")}
        expected |= {
            (which, "DELETE"): (405, "method_not_allowed"),
            (which, "XML"): (415, "unsupported_media_type"),
            (which, "Accept"): (406, "not_acceptable"),
        }
    assert observed == expected


def test_a_json_body_over_1_mb_is_413_in_the_error_shape(client, endpoint, submission):
    observed = {}
    for which in ("url", "status_url"):
        for size in (1.1, 2.1):  # over our limit; over Django's too
            body = json.dumps({**submission, "padding": "x" * int(size * MB)})
            observed[which, size] = _outcome(_post(client, getattr(endpoint, which), body))
    assert set(observed.values()) == {(413, "body_too_large")}, observed
    error = _post(client, endpoint.url, json.dumps({"x": "x" * MB})).json()["error"]
    assert "1MB" in error["message"] and "1 MB" in error["message_en"]
    assert not endpoint.model.objects.exists()

    just_under = json.dumps({**submission, "padding": "x" * (MB - 2000)})
    assert len(just_under) < MB
    assert _post(client, endpoint.url, just_under).status_code == 201


def test_text_fields_over_djangos_own_limit_in_a_multipart_upload_are_413(client, payload):
    """With evidence files an objection's multipart limit is larger than Django's limit on the
    form fields (2 MB): Django's refusal comes out in the error shape too."""
    payload["content"] = "长" * (800 * 1024)  # 2.4 MB in UTF-8
    assert _outcome(client.post(URL, payload)) == (413, "body_too_large")


def test_too_many_form_fields_is_400(client, endpoint, submission):
    fields = {**submission, **{f"f{n}": "x" for n in range(1100)}}
    observed = {
        "multipart": _outcome(client.post(endpoint.url, fields)),
        "urlencoded": _outcome(_post(client, endpoint.url, urlencode(fields), FORM)),
    }
    assert observed == dict.fromkeys(observed, (400, "too_many_fields"))


def test_a_content_length_that_is_not_a_number_is_no_body(client, endpoint, submission):
    response = _post(client, endpoint.url, json.dumps(submission), CONTENT_LENGTH="lots")
    assert _outcome(response) == (400, "invalid")


# --- text ---------------------------------------------------------------------------------

REFUSED = {
    "NUL": "\x00",
    "BEL": "\x07",
    "ESC": "\x1b",
    "DEL": "\x7f",
    "C1 CSI": "\x9b",
    "ZWSP U+200B": "\u200b",
    "ZWJ U+200D": "\u200d",
    "WJ U+2060": "\u2060",
    "BOM U+FEFF": "\ufeff",
    "LRE U+202A": "\u202a",
    "RLO U+202E": "\u202e",
    "LRI U+2066": "\u2066",
    "PDI U+2069": "\u2069",
}


def _inserted(submission: dict, field: str, char: str) -> str:
    value = submission[field]
    return json.dumps({**submission, field: value[:2] + char + value[2:]})


def test_control_zero_width_and_bidi_characters_are_refused(client, endpoint, submission):
    observed, expected = {}, {}
    for field in ("real_name", "postal_address", "organisation", "content"):
        for name, char in REFUSED.items():
            body = _inserted({**submission, "organisation": "某科技有限公司"}, field, char)
            observed[field, name] = _outcome(_post(client, endpoint.url, body), field)
            expected[field, name] = (400, "forbidden_characters")
    assert observed == expected
    response = _post(client, endpoint.url, _inserted(submission, "real_name", "\u202e"))
    detail = response.json()["error"]["details"][0]
    assert "零宽字符" in detail["message"] and "zero-width" in detail["message_en"]
    assert not endpoint.model.objects.exists()


def test_hidden_characters_are_refused_however_written(client, endpoint, submission):
    cases = {
        "a lone surrogate": ("real_name", r'"赵\ud800异议"'),
        "an RLO as an HTML entity": ("content", '"' + "事实和理由" * 5 + '&#x202e;"'),
        "a zero-width space in an e-mail domain": ("email", r'"zhao@exa\u200bmple.invalid"'),
        "a NUL in the phone": ("phone", r'"138\u000000138000"'),
    }
    observed = {
        name: _outcome(_post(client, endpoint.url, _with_raw(submission, field, raw)), field)
        for name, (field, raw) in cases.items()
    }
    assert observed == dict.fromkeys(cases, (400, "forbidden_characters"))


def test_one_line_fields_refuse_line_breaks_and_tabs(client, endpoint, submission):
    submission.update(organisation="某科技有限公司", phone="138 0013 8000")
    observed, expected = {}, {}
    for field in ("real_name", "postal_address", "organisation", "phone"):
        for char in ("\n", "\r\n", "\r", "\t", "\u2028"):
            body = _inserted(submission, field, char)
            observed[field, char] = _outcome(_post(client, endpoint.url, body), field)
            expected[field, char] = (400, "line_break")
    assert observed == expected
    detail = _post(client, endpoint.url, _inserted(submission, "real_name", "\n")).json()
    assert "一行" in detail["error"]["details"][0]["message"]


def test_text_is_stored_nfc_trimmed_with_plain_line_breaks(client, endpoint, submission):
    submission.update(
        real_name="  Zoe\u0308 赵 \n",  # e + combining diaeresis; whitespace around
        postal_address="\t浙江省杭州市某路1号  ",
        content="第一段：" + submission["content"] + "\r\n\t第二段。\r第三段。\u2029第四段。\n",
    )
    response = _post(client, endpoint.url, json.dumps(submission))
    assert response.status_code == 201, response.content
    record = endpoint.model.objects.get()
    assert record.real_name == "Zo\u00eb 赵"
    assert record.postal_address == "浙江省杭州市某路1号"
    assert record.content.endswith("\n\t第二段。\n第三段。\n第四段。")


def test_lookup_fields_refuse_hidden_characters(client, endpoint):
    observed = {}
    for char in ("\x00", "\u202e", "\u200b", "\n"):
        body = {"receipt_number": f"YY20260101{char}-ABCDEF", "lookup_code": "ABCD-EFGH-JK"}
        response = _post(client, endpoint.status_url, json.dumps(body))
        observed[char] = _outcome(response, "receipt_number")
    assert observed == {
        "\x00": (400, "forbidden_characters"),
        "\u202e": (400, "forbidden_characters"),
        "\u200b": (400, "forbidden_characters"),
        "\n": (400, "line_break"),
    }


# --- a browser's form post (JavaScript off) -----------------------------------------------


def test_a_form_post_with_a_hidden_character_gets_the_error_page(client, endpoint, submission):
    submission.update(consent="on", real_name="赵\u202e议异")
    response = client.post(endpoint.url, submission, HTTP_ACCEPT=BROWSER_ACCEPT)
    assert (response.status_code, response["Content-Type"]) == (400, "text/html; charset=utf-8")
    page = response.content.decode()
    assert 'role="alert"' in page and "零宽字符" in page and "\u202e" not in page


def test_an_oversized_form_post_gets_the_error_page(client, endpoint, submission):
    submission.update(consent="on", content="长" * (800 * 1024))
    responses = {
        "multipart": client.post(endpoint.url, submission, HTTP_ACCEPT=BROWSER_ACCEPT),
        "urlencoded": _post(
            client, endpoint.url, urlencode(submission), FORM, HTTP_ACCEPT=BROWSER_ACCEPT
        ),
    }
    for response in responses.values():
        assert (response.status_code, response["Content-Type"]) == (413, "text/html; charset=utf-8")
        page = response.content.decode()
        assert 'role="alert"' in page and "提交内容过大" in page
    assert not endpoint.model.objects.exists()


# --- the OpenAPI document states the rules ------------------------------------------------


def test_the_schema_states_what_the_api_enforces(client):
    schema = client.get("/api/schema/?format=json").json()
    components = schema["components"]["schemas"]
    for name in ("ObjectionCreate", "CommentCreate"):
        properties = components[name]["properties"]
        for field in ("real_name", "postal_address", "content", "phone"):
            assert properties[field]["pattern"], (name, field)
        assert properties["organisation"]["maxLength"] == 200  # the portal's form reads it
        assert properties["organisation"]["allOf"][0]["pattern"]
        assert properties["website"]["maxLength"] == 0
        assert components[properties["consent"]["allOf"][0]["$ref"].split("/")[-1]] == {
            "type": "boolean",
            "enum": [True],
        }
        target = properties["item" if name == "ObjectionCreate" else "policy"]
        assert (target["type"], target["minimum"], target["maximum"]) == ("integer", 1, 2**63 - 1)
        assert len(components[name]["anyOf"]) == 2  # an organisation gives its name
    submissions = {p: ops for p, ops in schema["paths"].items() if not p.startswith("/api/alerts/")}
    for path, operation in ((p, ops["post"]) for p, ops in submissions.items()):
        assert {"400", "404", "413", "415", "429"} <= operation["responses"].keys(), path
        if not path.endswith("/status/"):
            (key,) = [p for p in operation["parameters"] if p["name"] == "Idempotency-Key"]
            assert key["schema"]["minLength"] == 8 and key["schema"]["maxLength"] == 100
            assert "body_too_large" in operation["responses"]["413"]["description"]
