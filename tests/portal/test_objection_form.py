"""The objection form as a person with JavaScript off uses it: the built notice page's form, filled
in and posted as a browser would, to a live CMS; then the built lookup form. And afterwards, no
page of a rebuilt portal carries anything the objector typed."""

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
import requests
from django.core.cache import cache
from django.core.management import call_command

from portal.build import build_portal
from portal.client import CMSClient
from portal.notices import NOTICE_TYPE, notice_url

from ..samples import PDF_BYTES as PDF

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
RECEIPT = re.compile(r"YY\d{8}-[A-Z2-9]{6}")
PERSON = {
    "real_name": "钱望舒",
    "phone": "13912345678",
    "email": "qian.wangshu@objector.example.invalid",
    "postal_address": "浙江省宁波市海曙区望京街道九十九号",
    "content": "该项目执行期间曾发生设备安全事故但未按规定报告，"
    "我持有当时的现场照片和值班记录可以证明。",
}


@pytest.fixture(autouse=True)
def _quiet_limits_and_private_files(settings, tmp_path):
    cache.clear()  # the API's per-client limits live in the cache
    settings.OBJECTION_EVIDENCE_ROOT = tmp_path / "private"
    yield
    cache.clear()


def _load_demo() -> None:
    with open("/dev/null", "w") as quiet:
        call_command("load_seed_policy", stdout=quiet)
        call_command("load_demo_notices", stdout=quiet)


def _build(cms_url: str, base: Path, monkeypatch) -> tuple[Path, Path]:
    content = base / "content"
    if not content.exists():
        shutil.copytree(ROOT / "content" / "pages", content / "pages")
    monkeypatch.setenv("CMS_BASE_URL", cms_url)  # where the built forms post (pelicanconf)
    result = build_portal(cms_url, site_dir=base / "site", content_dir=content)
    return result.output, content / "generated"


def _under_publicity(cms_url: str) -> list[dict]:
    notices = CMSClient(cms_url).pages_of_type(NOTICE_TYPE)
    return [n for n in notices if n["window"]["state"] == "under_publicity"]


# --- a form, read as a browser reads it --------------------------------------------------------


class Forms(HTMLParser):
    """Every form of a page: its attributes and its controls, in document order."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._select: dict | None = None
        self._option: dict | None = None
        self._textarea: dict | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = {name: value if value is not None else "" for name, value in attrs}
        if tag == "form":
            self.forms.append({"attrs": attributes, "controls": []})
        elif not self.forms:
            return
        elif tag == "input":
            self.forms[-1]["controls"].append({"tag": tag, **attributes})
        elif tag == "select":
            self._select = {"tag": tag, "options": [], **attributes}
            self.forms[-1]["controls"].append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = {"value": attributes.get("value"), "text": ""}
            self._select["options"].append(self._option)
        elif tag == "textarea":
            self._textarea = {"tag": tag, "text": "", **attributes}
            self.forms[-1]["controls"].append(self._textarea)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "option":
            self._option = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._option is not None:
            self._option["text"] += data
        if self._textarea is not None:
            self._textarea["text"] += data


def _form(page: Path, form_id: str) -> dict:
    [form] = [
        f for f in Forms(page.read_text(encoding="utf-8")).forms if f["attrs"].get("id") == form_id
    ]
    return form


def _fill(form: dict, answers: dict[str, str], files: list[tuple[str, bytes]]):
    """What a browser sends for the form once a person has filled it in: the first item chosen,
    the default objector type kept, the consent ticked, the honeypot left as it is (empty)."""
    fields: list[tuple[str, str]] = []
    uploads: list[tuple[str, tuple[str, bytes, str]]] = []
    for control in form["controls"]:
        name = control.get("name")
        kind = control.get("type", control["tag"])
        if not name or "disabled" in control:
            continue
        if control["tag"] == "select":
            chosen = next(o for o in control["options"] if o["value"])
            fields.append((name, chosen["value"]))
        elif control["tag"] == "textarea":
            fields.append((name, answers.get(name, control["text"])))
        elif kind == "radio":
            if "checked" in control:
                fields.append((name, control.get("value", "on")))
        elif kind == "checkbox":
            fields.append((name, control.get("value") or "on"))  # the person ticks it
        elif kind == "file":
            chosen = files or [("", b"")]  # no file chosen: browsers send an empty part
            for filename, content in chosen:
                uploads.append((name, (filename, content, "application/octet-stream")))
        elif kind not in ("submit", "button", "reset", "image"):
            fields.append((name, answers.get(name, control.get("value", ""))))
    return fields, uploads


def _text(html: str) -> str:
    parser = HTMLParser()
    parts: list[str] = []
    parser.handle_data = parts.append
    parser.feed(html)
    return "".join("".join(parts).split())


# --- tests -------------------------------------------------------------------------------------


def test_without_javascript_a_person_objects_and_looks_the_objection_up(
    live_server, tmp_path, monkeypatch
):
    _load_demo()
    output, _ = _build(live_server.url, tmp_path, monkeypatch)
    [notice, *_] = _under_publicity(live_server.url)
    form = _form(output / notice_url(notice["meta"]["slug"], notice["id"]) / "index.html",
                 "objection-form")  # fmt: skip
    assert form["attrs"]["method"] == "post"
    assert form["attrs"]["enctype"] == "multipart/form-data"
    assert form["attrs"]["action"] == f"{live_server.url}/api/objections/"
    [select] = [c for c in form["controls"] if c["tag"] == "select"]
    assert [o["value"] for o in select["options"] if o["value"]] == [
        str(item["id"]) for item in notice["public_items"]
    ]
    [honeypot] = [c for c in form["controls"] if c.get("name") == "website"]
    assert honeypot.get("value", "") == ""

    fields, uploads = _fill(form, PERSON, [("现场记录.pdf", PDF)])
    assert ("website", "") in fields
    response = requests.post(
        form["attrs"]["action"],
        data=fields,
        files=uploads,
        headers={"Accept": BROWSER_ACCEPT},
        timeout=30,
    )
    assert response.status_code == 201, response.text[:2000]
    assert response.headers["Content-Type"].startswith("text/html")
    receipt_page = _text(response.text)
    receipt_number = RECEIPT.search(receipt_page).group(0)
    assert "查询码" in receipt_page
    lookup_code = re.search(r"查询码([A-Z2-9]{6,})", receipt_page).group(1)
    first_item = notice["public_items"][0]
    assert first_item["project_code"] in receipt_page and notice["notice_number"] in receipt_page

    lookup = _form(output / "objections" / "status" / "index.html", "lookup-form")
    assert lookup["attrs"]["action"] == f"{live_server.url}/api/objections/status/"
    assert lookup["attrs"]["method"] == "post" and "enctype" not in lookup["attrs"]
    answers = {"receipt_number": receipt_number, "lookup_code": lookup_code.lower()}
    fields, uploads = _fill(lookup, answers, [])
    assert [name for name, _ in fields] == ["receipt_number", "lookup_code"] and not uploads
    response = requests.post(
        lookup["attrs"]["action"], data=fields, headers={"Accept": BROWSER_ACCEPT}, timeout=30
    )
    assert response.status_code == 200, response.text[:2000]
    status_page = _text(response.text)
    assert receipt_number in status_page and "已受理" in status_page
    assert first_item["project_code"] in status_page


def test_nothing_the_objector_typed_reaches_the_rebuilt_portal(live_server, tmp_path, monkeypatch):
    _load_demo()
    notice = _under_publicity(live_server.url)[-1]
    person = {**PERSON, "organisation": "望舒科技咨询有限公司"}
    for objector_type, item in (("individual", 0), ("organisation", -1)):
        response = requests.post(
            f"{live_server.url}/api/objections/",
            data={
                **person,
                "item": notice["public_items"][item]["id"],
                "objector_type": objector_type,
                "consent": "true",
                "website": "",
            },
            files=[("evidence", (f"{person['real_name']}的记录.pdf", PDF, "application/pdf"))],
            headers={"Accept": "application/json"},
            timeout=30,
        )
        assert response.status_code == 201, response.text

    output, generated = _build(live_server.url, tmp_path, monkeypatch)
    files = [p for p in (*output.rglob("*"), *generated.rglob("*")) if p.is_file()]
    assert any(p.name == "index.html" for p in files) and any(p.suffix == ".json" for p in files)
    secrets = [person[key] for key in ("real_name", "phone", "email", "postal_address",
                                       "organisation", "content")]  # fmt: skip
    secrets += [person["email"].split("@")[0], person["phone"][-8:]]
    for path in files:
        data = path.read_bytes()
        for secret in secrets:
            assert secret.encode() not in data, (path, secret)
