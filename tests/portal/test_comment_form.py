"""The comment form on the draft policy's page (征求意见), as the demo build shows it: built from
the comment API's own description, posted with JavaScript off to a live CMS, answered with a
receipt page, and looked up with the lookup form beside it. The exporter's part is checked on
its own too: the summary appears once the policy is issued, cleaned."""

import json
import re

import pytest
import requests
from django.apps import apps
from django.core.cache import cache
from django.core.management import call_command

from portal import consultation
from portal.client import CMSClient
from portal.export import collect_sources
from portal.objections import ObjectionSchemaError

from .test_objection_form import BROWSER_ACCEPT, PERSON, _fill, _form, _text

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
CMS_PUBLIC_URL = "http://cms.test.invalid"  # where conftest's demo build says the CMS is
POLICY_PAGE = "policies/exemption-policy/index.html"


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


def _post(form: dict, live_server, fields) -> requests.Response:
    action = form["attrs"]["action"]
    assert action.startswith(CMS_PUBLIC_URL)
    return requests.post(
        live_server.url + action.removeprefix(CMS_PUBLIC_URL),
        data=fields,
        headers={"Accept": BROWSER_ACCEPT},
        timeout=30,
    )


def test_the_demo_policy_page_carries_the_comment_form_and_its_window(site):
    [policy] = site.policies
    window = policy["comment_window"]
    assert window["accepting"] is True
    page = (site.output / POLICY_PAGE).read_text(encoding="utf-8")
    assert window["dates_zh"] in page and "提出意见" in page
    assert "theme/js/objection.js" in page
    form = _form(site.output / POLICY_PAGE, "comment-form")
    assert form["attrs"]["action"] == f"{CMS_PUBLIC_URL}/api/policy-comments/"
    assert form["attrs"]["data-kind"] == "comment"
    controls = {c.get("name"): c for c in form["controls"] if c.get("name")}
    assert controls["policy"]["value"] == str(policy["id"])
    assert "evidence" not in controls  # comments take no files
    content = controls["content"]
    assert "required" in content and content["minlength"] == "10"
    lookup = _form(site.output / POLICY_PAGE, "lookup-form")
    assert lookup["attrs"]["action"] == f"{CMS_PUBLIC_URL}/api/policy-comments/status/"


def _reload_demo_policy() -> int:
    """The session's demo build outlives the rows it was built from (each test here starts from
    an emptied database): load the same demo again, and say which id the policy has now."""
    with open("/dev/null", "w") as quiet:
        call_command("load_seed_policy", stdout=quiet)
        call_command("load_demo_consultation", stdout=quiet)
    return apps.get_model("policies", "PolicyPage").objects.get(slug="exemption-policy").pk


def test_without_javascript_a_person_comments_and_looks_the_answer_up(site, live_server):
    form = _form(site.output / POLICY_PAGE, "comment-form")
    comment = {**PERSON, "content": "建议在二（三）中写明隐瞒不报的认定标准。"}
    fields, uploads = _fill(form, comment, [])
    assert not uploads
    policy_id = str(_reload_demo_policy())
    fields = [(name, policy_id if name == "policy" else value) for name, value in fields]
    response = _post(form, live_server, fields)
    assert response.status_code == 201, response.text[:2000]
    assert response.headers["Content-Type"].startswith("text/html")
    receipt_page = _text(response.text)
    assert "意见已收到" in receipt_page
    receipt_number = re.search(r"YJ\d{8}-[A-Z2-9]{6}", receipt_page).group(0)
    lookup_code = re.search(r"查询码([A-Z2-9]{6,})", receipt_page).group(1)

    lookup = _form(site.output / POLICY_PAGE, "lookup-form")
    answers = {"receipt_number": receipt_number, "lookup_code": lookup_code}
    fields, _ = _fill(lookup, answers, [])
    response = _post(lookup, live_server, fields)
    assert response.status_code == 200, response.text[:2000]
    assert receipt_number in response.text and "正在研究中" in response.text
    for secret in PERSON.values():
        assert secret not in response.text

    # Nothing the commenter typed reaches what the portal is built from.
    exported = json.dumps(collect_sources(CMSClient(live_server.url)), ensure_ascii=False)
    assert "exemption-policy" in exported
    for secret in (*comment.values(), receipt_number):
        assert secret not in exported


# --- the exporter's part, without a build -------------------------------------------------------


def _page(**overrides) -> dict:
    window = {"accepting": True, "state": "open", "dates_zh": "2026年3月3日至2026年3月16日"}
    return {"status": "draft_for_comments", "comment_window": window, **overrides}


def test_the_summary_is_shown_once_issued_and_cleaned():
    summary = '<p>共收到意见12条。</p><script>alert(1)</script><p onclick="x()">采纳5条。</p>'
    draft = consultation.consultation(_page(comment_summary=summary))
    assert draft["accepting_comments"] is True and draft["comment_summary_html"] == ""
    issued = consultation.consultation(
        _page(status="trial", comment_summary=summary, comment_window={"accepting": False})
    )
    assert issued["accepting_comments"] is False
    html = issued["comment_summary_html"]
    assert "共收到意见12条" in html and "<script" not in html and "onclick" not in html


def test_a_policy_without_a_window_gets_no_form_and_the_schema_is_not_read():
    class NoCalls:
        def openapi_schema(self):
            raise AssertionError("the schema is read only for a draft with a window")

    source = {"cms": {"status": "draft_for_comments", **consultation.consultation(_page())}}
    source["cms"]["comment_window"] = None
    consultation.add_comment_forms([source], NoCalls())
    assert "comment_form" not in source["cms"]


def test_a_form_field_the_api_no_longer_takes_stops_the_build(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    form = consultation.form_from_schema(schema)
    assert form["fields"]["content"]["min_length"] == 10 and "evidence" not in form
    create = schema["paths"]["/api/policy-comments/"]["post"]["requestBody"]["content"]
    reference = create["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[-1]
    del schema["components"]["schemas"][reference]["properties"]["commenter_type"]
    with pytest.raises(ObjectionSchemaError, match="commenter_type"):
        consultation.form_from_schema(schema)
