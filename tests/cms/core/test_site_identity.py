"""The site's identity (网站标识与联系方式, 政府网站发展指引): each value's format and its Chinese
error, the settings screen under 设置 for those who may publish (审定) and no one else, the read
API that gives the portal the public values and the links to their records, the rebuild a change
asks for, and the demo's sample values, filled once and never over an editor's."""

import json
import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from wagtail.models import Site

from cms.core.models import PortalBuild, SiteIdentity
from cms.core.site_identity import MARKED_SAMPLES, PUBLIC_FIELDS, SAMPLE_VALUES
from cms.domain import site_identity as rules

from ..test_admin_language import english_on

pytestmark = pytest.mark.django_db

SETTINGS_URL = "/admin/settings/core/siteidentity/"
REAL = {
    "sponsor": "浙江省科学技术厅",
    "organizer": "浙江省科学技术厅监督评估处",
    "address": "浙江省杭州市西湖区某路1号",
    "postcode": "310006",
    "phone": "0571-87054000",
    "email": "jdpg@example.gov.cn",
    "office_hours": "工作日 8:30—12:00，14:30—17:30",
    "site_code": "3300000099",
    "icp_number": "浙ICP备12345678号-1",
    "public_security_number": "浙公网安备 33010602000001号",
    "conac_url": "https://bszs.conac.cn/sitename?method=show&id=0A1B2C3D4E5F60718293A4B5C6D7E8F9",
}


def default_site() -> Site:
    return Site.objects.get(is_default_site=True)


def _user(name: str, group: str | None):
    user = get_user_model().objects.create_user(name, f"{name}@example.invalid", "pw")
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


# --- the formats ------------------------------------------------------------------------------

VALID = [
    ("site_code", "3300000001"),
    ("icp_number", "浙ICP备12345678号"),
    ("icp_number", "浙ICP备12345678号-1"),
    ("icp_number", "京ICP备2025143639号-12"),
    ("public_security_number", "浙公网安备 33010602000001号"),
    ("public_security_number", "浙公网安备33010602000001号"),
    ("phone", "0571-87654321"),
    ("phone", "057187654321"),
    ("phone", "(0571) 8765 4321"),
    ("phone", "010-12345678-8001"),
    ("phone", "400-123-4567"),
    ("email", "office@example.gov.cn"),
    ("email", "jd.pg+site@kjt.zj.gov.cn"),
    ("postcode", "310006"),
    ("conac_url", "https://bszs.conac.cn/sitename?method=show&id=0A1B2C"),
    ("conac_url", "http://bszs.conac.cn/sitename?method=show&id=0A1B2C"),
]
INVALID = [
    ("site_code", "330000000", "网站标识码应为10位数字"),
    ("site_code", "bm3300000001", "网站标识码应为10位数字"),
    ("site_code", "３３０００００００１", "网站标识码应为10位数字"),  # full-width digits
    ("icp_number", "浙ICP备12345678", "ICP备案编号格式不正确"),
    ("icp_number", "ICP备12345678号", "ICP备案编号格式不正确"),
    ("icp_number", "浙ICP证12345678号", "ICP备案编号格式不正确"),
    ("icp_number", "浙ICP备12345678号-", "ICP备案编号格式不正确"),
    ("public_security_number", "浙公网安备 3301060200000号", "公安机关备案号格式不正确"),
    ("public_security_number", "公网安备 33010602000001号", "公安机关备案号格式不正确"),
    ("phone", "87654321", "联系电话格式不正确"),
    ("phone", "0571-8765", "联系电话格式不正确"),
    ("phone", "13912345678", "不要填写个人手机号码"),
    ("phone", "+86 139 1234 5678", "不要填写个人手机号码"),
    ("email", "office@", "电子邮箱格式不正确"),
    ("email", "office example.gov.cn", "电子邮箱格式不正确"),
    ("email", "办公室@example.gov.cn", "电子邮箱格式不正确"),
    ("postcode", "31000", "邮政编码应为6位数字"),
    ("conac_url", "https://conac.example.com/x", "党政机关网站标识链接"),
    ("conac_url", "javascript:alert(1)//conac.cn", "党政机关网站标识链接"),
    ("conac_url", "https://bszs.conac.cn.example.com/", "党政机关网站标识链接"),
]


@pytest.mark.parametrize(("field", "value"), VALID)
def test_a_value_of_the_right_format_passes(field, value):
    assert rules.check(field, value) is None


@pytest.mark.parametrize(("field", "value", "message"), INVALID)
def test_a_value_of_the_wrong_format_is_refused_in_chinese_and_english(field, value, message):
    error = rules.check(field, value)
    assert error is not None and error.field == field
    assert message in error.message
    assert error.message_en and error.message_en != error.message


def test_every_value_is_optional():
    assert all(rules.check(field, "") is None for field in PUBLIC_FIELDS)


def test_the_records_are_linked_by_their_numbers():
    assert rules.public_security_record_url("浙公网安备 33010602000001号") == (
        "https://beian.mps.gov.cn/#/query/webSearch?code=33010602000001"
    )
    assert rules.public_security_record_url("33010602000001") == ""
    assert rules.error_report_url("3300000001", "http://portal.example/") == (
        "https://zfwzzc.www.gov.cn/check_web/errorInfo/jcInfoNew"
        "?siteCode=3300000001&url=http%3A%2F%2Fportal.example%2F"
    )
    assert rules.error_report_url("330000000") == ""


def test_the_model_refuses_a_wrong_value_on_its_field_in_chinese():
    identity = SiteIdentity(site=default_site(), **{**REAL, "site_code": "12", "phone": "123"})
    with pytest.raises(ValidationError) as caught:
        identity.full_clean()
    errors = caught.value.message_dict
    assert set(errors) == {"site_code", "phone"}
    assert errors["site_code"] == ["网站标识码应为10位数字，如 3300000001。"]
    assert errors["phone"][0].startswith("联系电话格式不正确")
    SiteIdentity(site=default_site(), **REAL).full_clean()  # the right values pass


# --- the settings screen ----------------------------------------------------------------------


@pytest.fixture
def approver():
    return _user("approver", "审定")


def settings_menu(client: Client) -> list[tuple[str, str]]:
    """(label, url) of each entry of the admin sidebar's 设置 menu, as the sidebar's script reads
    them (a JSON document in the page)."""
    html = client.get("/admin/").content.decode()
    props = re.search(r'<script id="wagtail-sidebar-props" type="application/json">(.*?)</script>',
                      html, re.S)  # fmt: skip
    found = []

    def walk(node, in_settings=False):
        if isinstance(node, dict):
            if node.get("_type") == "wagtail.sidebar.SubMenuItem":
                meta, items = node["_args"]
                walk(items, meta.get("label") == "设置")
                return
            if node.get("_type") == "wagtail.sidebar.LinkMenuItem" and in_settings:
                meta = node["_args"][0]
                found.append((meta["label"], meta["url"]))
                return
            node = list(node.values())
        if isinstance(node, list):
            for child in node:
                walk(child, in_settings)

    walk(json.loads(props.group(1)))
    return found


def _form(values: dict[str, str]) -> dict[str, str]:
    return {name: values.get(name, "") for name in PUBLIC_FIELDS}


def test_an_approver_finds_it_under_settings_and_saves_it_which_asks_for_a_rebuild(
    client, approver
):
    client.force_login(approver)
    assert ("网站标识与联系方式", SETTINGS_URL) in settings_menu(client)
    response = client.get(SETTINGS_URL)
    edit_url = f"{SETTINGS_URL}{default_site().pk}/"
    assert response.status_code == 302 and response["Location"] == edit_url
    page = client.get(edit_url)
    assert page.status_code == 200
    html = page.content.decode()
    labels = ("主办单位", "承办单位（联系处室）", "网站标识码", "ICP备案编号", "公安机关备案号")
    assert all(label in html for label in labels)
    assert english_on(html) == []

    response = client.post(edit_url, _form(REAL))
    assert response.status_code == 302
    saved = SiteIdentity.objects.get(site=default_site())
    assert {name: getattr(saved, name) for name in PUBLIC_FIELDS} == REAL
    assert PortalBuild.objects.filter(reason="修改网站标识与联系方式").count() == 1


def test_a_wrong_value_is_refused_on_its_field_in_chinese_and_nothing_is_saved(client, approver):
    client.force_login(approver)
    edit_url = f"{SETTINGS_URL}{default_site().pk}/"
    wrong = {**REAL, "site_code": "33000", "icp_number": "浙ICP12345678", "email": "a@b"}
    response = client.post(edit_url, _form(wrong))
    assert response.status_code == 200
    html = response.content.decode()
    assert "无法保存设置。出现错误。" in html
    for message in ("网站标识码应为10位数字", "ICP备案编号格式不正确", "电子邮箱格式不正确"):
        assert message in html
    errors = response.context["form"].errors
    assert set(errors) == {"site_code", "icp_number", "email"}
    assert english_on(html) == []
    assert not SiteIdentity.objects.exclude(site_code="").exists()
    assert not PortalBuild.objects.exists()


@pytest.mark.parametrize("group", ["编辑", "异议处理", None])
def test_no_one_else_may_open_or_change_it(client, group):
    user = _user("someone", group)
    user.user_permissions.add(*Group.objects.get(name="编辑").permissions.all())
    client.force_login(user)
    assert not any(url == SETTINGS_URL for _, url in settings_menu(client))
    edit_url = f"{SETTINGS_URL}{default_site().pk}/"
    refused = client.get(edit_url)  # Wagtail's answer to a page one may not open
    assert refused.status_code == 302 and refused["Location"] == "/admin/"
    assert client.post(edit_url, _form(REAL))["Location"] == "/admin/"
    assert not SiteIdentity.objects.exclude(sponsor="").exists()


# --- the read API -----------------------------------------------------------------------------


def _api(client: Client) -> dict:
    response = client.get("/api/v3/site/")
    assert response.status_code == 200
    return response.json()


def test_the_api_gives_the_public_values_and_the_links_to_their_records(client, settings):
    settings.PORTAL_BASE_URL = "https://portal.example.gov.cn"
    SiteIdentity.objects.create(site=default_site(), **REAL)
    data = _api(client)
    assert {name: data[name] for name in PUBLIC_FIELDS} == REAL
    assert data["icp_url"] == "https://beian.miit.gov.cn/"
    assert data["public_security_url"].endswith("webSearch?code=33010602000001")
    assert data["error_report_url"] == (
        "https://zfwzzc.www.gov.cn/check_web/errorInfo/jcInfoNew?siteCode=3300000099"
        "&url=https%3A%2F%2Fportal.example.gov.cn%2F"
    )
    assert data["samples"] == []
    assert set(data) == {*PUBLIC_FIELDS, "icp_url", "public_security_url", "error_report_url",
                         "samples"}  # fmt: skip


def test_the_api_reads_empty_and_writes_nothing_before_anything_is_set(client):
    data = _api(client)
    assert all(data[name] == "" for name in PUBLIC_FIELDS)
    assert data["icp_url"] == data["public_security_url"] == data["error_report_url"] == ""
    assert not SiteIdentity.objects.exists()
    assert client.post("/api/v3/site/", {}).status_code == 405


def test_a_value_saved_around_the_form_in_a_wrong_format_never_reaches_the_portal(client):
    SiteIdentity.objects.create(
        site=default_site(), **{**REAL, "phone": "13912345678", "conac_url": "javascript:x"}
    )
    data = _api(client)
    assert data["phone"] == "" and data["conac_url"] == ""
    assert data["sponsor"] == REAL["sponsor"]


# --- rebuilds ---------------------------------------------------------------------------------


def test_only_a_change_the_portal_shows_asks_for_a_rebuild():
    identity = SiteIdentity.for_site(default_site())  # the empty row the screen makes
    assert not PortalBuild.objects.exists()
    identity.save()
    assert not PortalBuild.objects.exists()
    identity.sponsor = "浙江省科学技术厅"
    identity.save()
    assert PortalBuild.objects.count() == 1
    identity.save()
    assert PortalBuild.objects.count() == 1


# --- the demo's sample values -----------------------------------------------------------------


def _load_samples() -> str:
    out = StringIO()
    call_command("load_demo_site_identity", stdout=out)
    return out.getvalue()


def test_samples_fill_the_empty_fields_once_and_never_an_editors_value(client):
    SiteIdentity.objects.create(site=default_site(), phone="0571-87054000")
    first = _load_samples()
    assert "已填入示例值" in first and "联系电话" not in first
    identity = SiteIdentity.objects.get()
    assert identity.phone == "0571-87054000"  # the editor's
    assert identity.site_code == SAMPLE_VALUES["site_code"]
    identity.full_clean()  # every sample is a value of the right format
    builds = PortalBuild.objects.count()

    assert _load_samples().strip() == "网站标识与联系方式均已填写，未作改动。"
    assert SiteIdentity.objects.get().site_code == SAMPLE_VALUES["site_code"]
    assert PortalBuild.objects.count() == builds  # nothing changed, nothing to rebuild

    # A sample whose format cannot say 示例 is named as one; a value an editor set is not.
    data = _api(client)
    assert set(data["samples"]) == MARKED_SAMPLES - {"phone"}
    assert all("示例" in SAMPLE_VALUES[name] for name in PUBLIC_FIELDS
               if name not in MARKED_SAMPLES and name != "sponsor")  # fmt: skip
    assert json.dumps(data, ensure_ascii=False).count("示例") >= 3


def test_a_value_cleared_by_an_editor_is_filled_again_and_only_it():
    _load_samples()
    SiteIdentity.objects.update(email="", sponsor="某单位")
    assert _load_samples().strip().startswith("已填入示例值：电子邮箱")
    identity = SiteIdentity.objects.get()
    assert identity.email == SAMPLE_VALUES["email"] and identity.sponsor == "某单位"
