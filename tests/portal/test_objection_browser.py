"""The objection form with its script, in a real browser: the built portal served on its own origin,
the CMS's API on another, as deployed. Headless Chromium is driven over the DevTools protocol on
a pipe, so no browser-automation package is needed; without Chromium the test is skipped."""

import contextlib
import functools
import http.server
import json
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.management import call_command

from portal.build import build_portal
from portal.client import CMSClient
from portal.notices import NOTICE_TYPE, notice_url

from ..samples import PDF_BYTES as PDF

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
CHROMIUM = next(
    (path for path in ("/usr/lib/chromium/chromium", shutil.which("chromium") or "",
                       shutil.which("chromium-browser") or "", shutil.which("google-chrome") or "")
     if path and os.access(path, os.X_OK)),
    None,
)  # fmt: skip


class Chromium:
    """Just enough of the DevTools protocol: one page, evaluate JavaScript, wait for a condition."""

    def __init__(self, executable: str, profile: Path):
        to_browser, self._commands = os.pipe()
        self._answers, from_browser = os.pipe()

        def wire_pipes():  # the browser reads commands on fd 3 and answers on fd 4
            os.dup2(to_browser, 100)
            os.dup2(from_browser, 101)
            os.dup2(100, 3)
            os.dup2(101, 4)

        flags = [
            "--headless=new", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--disable-dev-shm-usage", f"--user-data-dir={profile}",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            [executable, *flags, "about:blank"],
            pass_fds=(3, 4),
            preexec_fn=wire_pipes,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser)
        os.close(from_browser)
        self._buffer = b""
        self._next_id = 0
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        attached = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})
        self.session = attached["sessionId"]

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        while True:
            while b"\0" not in self._buffer:
                chunk = os.read(self._answers, 1 << 16)
                if not chunk:
                    raise RuntimeError("Chromium closed the DevTools pipe")
                self._buffer += chunk
            raw, self._buffer = self._buffer.split(b"\0", 1)
            answer = json.loads(raw)
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer["result"]

    def js(self, expression: str):
        result = self.send(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
            self.session,
        )
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression[:80]}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, seconds: float = 15):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            value = self.js(expression)
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {expression}")

    def open(self, url: str) -> None:
        self.send("Page.navigate", {"url": url}, self.session)
        self.wait_for(f"location.href === {json.dumps(url)} && document.readyState === 'complete'")

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, OSError):
            self.send("Browser.close")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._commands)
        os.close(self._answers)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def portal(live_server, settings, tmp_path, monkeypatch):
    """The demo notices built into a site served from its own origin, allowed by the CMS's CORS."""
    cache.clear()
    settings.OBJECTION_EVIDENCE_ROOT = tmp_path / "private"
    with open("/dev/null", "w") as quiet:
        call_command("load_seed_policy", stdout=quiet)
        call_command("load_demo_notices", stdout=quiet)
        call_command("load_demo_consultation", stdout=quiet)
    shutil.copytree(ROOT / "content" / "pages", tmp_path / "content" / "pages")
    monkeypatch.setenv("CMS_BASE_URL", live_server.url)
    output = build_portal(
        live_server.url, site_dir=tmp_path / "site", content_dir=tmp_path / "content"
    ).output
    handler = functools.partial(QuietHandler, directory=str(output))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    settings.CORS_ALLOWED_ORIGINS = [origin]
    yield origin, CMSClient(live_server.url).pages_of_type(NOTICE_TYPE)
    server.shutdown()
    server.server_close()
    cache.clear()


@pytest.fixture
def browser(tmp_path):
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is required in CI (.ci/run installs Debian's chromium)")
        pytest.skip("no Chromium on this machine")
    chromium = Chromium(CHROMIUM, tmp_path / "profile")
    yield chromium
    chromium.close()


PERSON = {
    "objection-real-name": "孙望舒",
    "objection-email": "sun.wangshu@objector.example.invalid",
    "objection-postal-address": "浙江省温州市鹿城区某路八号",
    "objection-content": "该项目曾发生安全事故但未按规定报告，我持有当时的现场记录和照片可以证明。",
}


def fill(phone: str) -> str:
    """JavaScript that types into the fields as a person does (input and change events)."""
    values = json.dumps({**PERSON, "objection-phone": phone}, ensure_ascii=False)
    return (
        f"Object.entries({values}).forEach(([id, value]) => {{"
        " const field = document.getElementById(id); field.value = value;"
        " field.dispatchEvent(new Event('input', {bubbles: true}));"
        " field.dispatchEvent(new Event('change', {bubbles: true})); });"
        " document.getElementById('objection-consent').checked = true;"
        " document.getElementById('objection-item').selectedIndex = 1; true"
    )


def attach(count: int) -> str:
    """JavaScript that chooses ``count`` small PDF files in the evidence field."""
    return (
        "(() => { const files = new DataTransfer();"
        f" for (let n = 0; n < {count}; n++) files.items.add("
        f"new File([{json.dumps(PDF.decode())}], `记录${{n}}.pdf`, {{type: 'application/pdf'}}));"
        " const input = document.getElementById('objection-evidence'); input.files = files.files;"
        " input.dispatchEvent(new Event('change', {bubbles: true}));"
        " return input.files.length; })()"
    )


def value(element_id: str, text: str) -> str:
    return f"document.getElementById({json.dumps(element_id)}).value = {json.dumps(text)}; true"


SUBMIT = "document.querySelector('#objection-form button[type=submit]').click() || true"
ERRORS = "document.getElementById('objection-errors').innerText"
OUTCOME = "document.getElementById('objection-outcome').innerText"


def test_with_javascript_the_form_checks_submits_and_shows_the_receipt(portal, browser, settings):
    origin, notices = portal
    notice = next(n for n in notices if n["window"]["state"] == "under_publicity")
    rejected = next(i for i in notice["public_items"] if i["decision"] == "rejected")
    page = f"{origin}/{notice_url(notice['meta']['slug'], notice['id'])}"
    browser.open(f"{page}?item={rejected['id']}#objection")

    # The link from a rejection page preselects its item.
    assert browser.js("document.getElementById('objection-item').value") == str(rejected["id"])

    # Nothing filled in: messages beside the fields, and a summary that takes the focus.
    browser.js("document.getElementById('objection-item').value = ''; true")
    browser.js(SUBMIT)
    summary = browser.wait_for(ERRORS)
    for label in ("异议事项", "真实姓名", "联系电话", "电子邮箱", "通信地址", "异议内容"):
        assert label in summary, label
    assert browser.js("document.activeElement.id") == "objection-errors"
    assert browser.js(
        "(() => { const f = document.getElementById('objection-real-name');"
        " return f.getAttribute('aria-invalid') === 'true' && f.getAttribute('aria-describedby')"
        ".split(' ').includes('objection-real-name-error') &&"
        " !document.getElementById('objection-real-name-error').hidden; })()"
    )

    # Too many files: the limit the page carries, checked before anything is sent.
    browser.js(fill(phone="123"))
    too_many = settings.OBJECTION_MAX_FILES + 1
    assert browser.js(attach(too_many)) == too_many
    browser.js(SUBMIT)
    assert f"最多{settings.OBJECTION_MAX_FILES}个文件" in browser.wait_for(ERRORS)

    # What only the server knows (this phone number is not one) comes back on its field.
    browser.js(attach(1))
    browser.js(SUBMIT)
    browser.wait_for(f"{ERRORS}.includes('联系电话格式不正确')")
    assert (
        browser.js("document.getElementById('objection-phone').getAttribute('aria-invalid')")
        == "true"
    )
    assert (
        browser.js("document.getElementById('objection-real-name').hasAttribute('aria-invalid')")
        is False
    )

    # Corrected and sent again: the receipt, in the live region, without leaving the page.
    browser.js(fill(phone="13912345678"))
    browser.js(SUBMIT)
    receipt = browser.wait_for(f"{OUTCOME}.includes('受理编号') && {OUTCOME}")
    assert "查询码" in receipt and "打印" in receipt
    assert browser.js("location.href").startswith(page)
    assert browser.js("document.getElementById('objection-form').hidden") is True
    assert (
        browser.js("document.getElementById('objection-outcome').getAttribute('aria-live')")
        == "polite"
    )
    numbers = browser.js(
        "Array.from(document.querySelectorAll('#objection-outcome dd'), d => d.innerText)"
    )
    receipt_number, lookup_code = numbers[0], numbers[1]
    assert receipt_number.startswith("YY")
    # Sent with the form's Idempotency-Key, and with its evidence; filed once.
    [objection] = apps.get_model("objections", "Objection").objects.all()
    assert objection.receipt_number == receipt_number and objection.idempotency_key_hash
    assert objection.evidence.count() == 1

    # The lookup page, with its script: the answer shown in place.
    browser.open(f"{origin}/objections/status/")
    browser.js(value("lookup-receipt-number", receipt_number))
    browser.js(value("lookup-lookup-code", lookup_code))
    browser.js("document.querySelector('#lookup-form button[type=submit]').click() || true")
    result = browser.wait_for(
        "document.getElementById('lookup-outcome').innerText.includes('已受理') &&"
        " document.getElementById('lookup-outcome').innerText"
    )
    assert receipt_number in result and notice["notice_number"] in result


def test_with_javascript_a_network_failure_keeps_the_form_and_says_so(portal, browser):
    origin, notices = portal
    notice = next(n for n in notices if n["window"]["state"] == "under_publicity")
    browser.open(f"{origin}/{notice_url(notice['meta']['slug'], notice['id'])}")
    browser.js(fill(phone="13912345678"))
    # The CMS unreachable: a port where nothing listens.
    unreachable = "http://127.0.0.1:9/api/objections/"
    browser.js(f"document.getElementById('objection-form').action = '{unreachable}'; true")
    browser.js(SUBMIT)
    message = browser.wait_for(f"{OUTCOME}.includes('网络') && {OUTCOME}")
    assert "尚未提交成功" in message
    assert browser.js("document.getElementById('objection-form').hidden") is False
    assert browser.js("document.getElementById('objection-real-name').value") == "孙望舒"
    assert (
        browser.js("document.querySelector('#objection-form button[type=submit]').disabled")
        is False
    )


# --- the comment form on a draft policy: the same script, the comment's words ------------------


def test_with_javascript_a_comment_is_checked_sent_and_its_answer_looked_up(portal, browser):
    from cms.consultation.services import answer_comment

    origin, _ = portal
    browser.open(f"{origin}/policies/exemption-policy/#comments")
    submit = "document.querySelector('#comment-form button[type=submit]').click() || true"
    errors = "document.getElementById('comment-errors').innerText"
    outcome = "document.getElementById('comment-outcome').innerText"

    browser.js(submit)
    summary = browser.wait_for(errors)
    for label in ("真实姓名", "联系电话", "电子邮箱", "通信地址", "意见内容"):
        assert label in summary, label
    assert browser.js("document.activeElement.id") == "comment-errors"

    answers = {
        "comment-real-name": "孙望舒",
        "comment-phone": "13912345678",
        "comment-email": "sun.wangshu@commenter.example.invalid",
        "comment-postal-address": "浙江省温州市鹿城区某路八号",
        "comment-content": "建议在二（三）中写明“隐瞒不报”的认定标准和举证方式。",
    }
    for element_id, text in answers.items():
        browser.js(value(element_id, text))
    browser.js("document.getElementById('comment-consent').checked = true; true")
    browser.js(submit)
    receipt = browser.wait_for(f"{outcome}.includes('受理编号') && {outcome}")
    assert "意见已收到" in receipt and "查询码" in receipt and "异议" not in receipt
    assert browser.js("document.getElementById('comment-form').hidden") is True
    numbers = browser.js(
        "Array.from(document.querySelectorAll('#comment-outcome dd'), d => d.innerText)"
    )
    receipt_number, lookup_code = numbers[0], numbers[1]
    [comment] = apps.get_model("consultation", "PolicyComment").objects.all()
    assert comment.receipt_number == receipt_number and comment.idempotency_key_hash

    answer_comment(comment, None, "adopted", "已采纳，见修改后的二（三）1。")
    browser.js(value("lookup-receipt-number", receipt_number))
    browser.js(value("lookup-lookup-code", lookup_code))
    browser.js("document.querySelector('#lookup-form button[type=submit]').click() || true")
    result = browser.wait_for(
        "document.getElementById('lookup-outcome').innerText.includes('采纳') &&"
        " document.getElementById('lookup-outcome').innerText"
    )
    assert receipt_number in result and "已采纳，见修改后的二（三）1。" in result
