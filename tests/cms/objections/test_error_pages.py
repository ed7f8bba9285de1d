"""The pages a browser gets for a form posted without JavaScript when something is wrong: each
problem listed once, naming its field; a failed lookup headed as one, not as a refused
submission. Each test runs for objections and for comments (``endpoint``)."""

import re

import pytest

from .conftest import visible_text

pytestmark = pytest.mark.django_db
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def _items(html: str) -> list[str]:
    return [visible_text(item).strip() for item in re.findall(r"<li>(.*?)</li>", html, re.S)]


def test_each_problem_is_listed_once_with_its_field(client, endpoint, submission):
    submission.update(phone="123", email="not-an-address")
    del submission["consent"]  # a box left unticked is not sent
    response = client.post(endpoint.url, submission, HTTP_ACCEPT=BROWSER_ACCEPT)
    assert response.status_code == 400
    html = response.content.decode()
    text = visible_text(html)
    assert "未能受理" in text and "请修改以下3处" in text
    items = _items(html)
    assert len(items) == 3
    expected = {
        "联系电话：联系电话格式不正确（手机号11位，或带区号的固定电话）。": "Phone:",
        "电子邮箱：电子邮箱格式不正确。": "E-mail:",
        "同意隐私声明：须阅读并同意隐私声明后方可提交。": "Consent to the privacy notice:",
    }
    for chinese, english in expected.items():
        [item] = [item for item in items if item.startswith(chinese)]
        assert english in item
        assert text.count(chinese.split("：", 1)[1]) == 1  # said once, not three times
    assert "；" not in text  # no run of every message joined together


def test_an_error_about_no_field_is_said_once(client, endpoint, target_page, submission):
    submission.update(consent="on", website="http://spam.example")
    response = client.post(endpoint.url, submission, HTTP_ACCEPT=BROWSER_ACCEPT)
    assert response.status_code == 400
    text = visible_text(response.content.decode())
    message = "提交未被受理：请勿填写标注为“请勿填写”的栏目。"
    assert text.count(message) == 1 and "“请勿填写”栏：" in text
    assert "website" not in text


def test_a_wrong_lookup_code_is_a_failed_lookup(client, api, endpoint, submission):
    receipt = api.post(endpoint.url, submission, format="json").json()
    credentials = {"receipt_number": receipt["receipt_number"], "lookup_code": "AAAAAAAAAA"}
    response = client.post(endpoint.status_url, credentials, HTTP_ACCEPT=BROWSER_ACCEPT)
    assert response.status_code == 404
    html = response.content.decode()
    text = visible_text(html)
    noun = "异议" if endpoint.kind == "objection" else "意见"
    assert re.search(r"<title>未能查询 - ", html)
    assert "未能查询 Lookup failed" in text and "未能受理" not in text
    assert f"未找到与该受理编号和查询码相符的{noun}，请核对后重试。" in text
    assert f"No {endpoint.kind} matches this receipt number and lookup code." in text
    assert "核对受理编号和查询码后重新查询" in text


def test_a_lookup_without_a_code_names_the_field(client, endpoint):
    response = client.post(
        endpoint.status_url, {"receipt_number": "YY20261207-AAAAAA"}, HTTP_ACCEPT=BROWSER_ACCEPT
    )
    assert response.status_code == 400
    text = visible_text(response.content.decode())
    assert "未能查询" in text and "查询码：请填写查询码。" in text
    assert text.count("请填写查询码。") == 1
