# ruff: noqa: F811 (the shared browser fixtures, by name)
"""The staff journey in headless Chromium, one step after another against the live CMS: an editor
writes a 决定公告 (first with a mistake the form points out), submits it for 集体审定; an approver
approves it with today's start and the publicity scheduler puts it live; a member of the public
objects to one item with the CMS's plain form post and keeps the receipt; a handler answers the
objection; the objector's lookup shows the answer. Every login goes through the admin's login form
and the second factor is typed as a user types it, from the user's own TOTP device.

Screenshots of the key screens are saved only when ``STAFF_SCREENSHOTS`` names a directory
(``make screenshots``)."""

import html
import os
import re
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from cms.domain import dates
from cms.notices.models import DecisionNoticePage, NoticeIndexPage
from cms.objections.models import Objection

from ..portal.browser import _module, browser, in_browser_thread, page  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "rain-on-the-river-42"
TIMEOUT = 30_000  # milliseconds: a slow, shared machine
NUMBER = "浙科容〔2026〕77号"
TITLE = "关于2026年第七批科技创新容错免责认定结果的公示"
REJECTION_EXPLANATION = "项目执行期间存在科研失信行为，经集体审定不予认定。"
OBJECTION_TEXT = "该项目负责人在项目执行期间隐瞒了重大风险事件，我掌握相关会议记录可以证明此事。"
ANSWER = "经调取会议记录核实，所述情况与事实不符，异议不成立。"


@pytest.fixture
def origin(live_server) -> str:
    """The CMS itself: this journey needs no built portal (the browser fixtures ask for one)."""
    return live_server.url


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def shots():
    """Saves a screenshot under ``STAFF_SCREENSHOTS`` when that names a directory."""
    folder = os.environ.get("STAFF_SCREENSHOTS", "")

    def shoot(page, name: str) -> None:
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)

    return shoot


def _user(name: str, group: str, *, second_factor: bool) -> TOTP | None:
    """A staff member; with ``second_factor``, the authenticator app they set up (the browser's
    thread may not touch the database, so the app holds the key, as a phone does)."""
    user = get_user_model().objects.create_user(name, f"{name}@example.invalid", PASSWORD)
    user.groups.add(Group.objects.get(name=group))
    if not second_factor:
        return None
    device = TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=True)
    return TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)


def _code(app: TOTP) -> str:
    """What the user's phone shows now."""
    app.time = time.time()
    return f"{app.token():0{app.digits}d}"


def _visible(page, text: str) -> None:
    page.get_by_text(text, exact=False).first.wait_for(state="visible")


def _log_in(page, base: str, username: str, device: TOTP | None) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    if device is not None:
        page.wait_for_url(re.compile(r"/admin/second-factor/"))
        _visible(page, "两步验证")
        page.fill("input[name=code]", _code(device))
        page.locator("form.login-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))


def _fill_item(page, n: int, **values) -> None:
    prefix = f"#id_items-{n}-"
    for name in ("project_code", "project_name", "undertaking_unit", "project_leader"):
        page.fill(prefix + name, values[name])
    page.select_option(prefix + "programme", values["programme"])
    page.select_option(prefix + "decision", values["decision"])
    for code in values.get("grounds", ()):
        page.check(f'input[name="items-{n}-grounds"][value="{code}"]')
    for code in values.get("reasons", ()):
        page.check(f'input[name="items-{n}-reasons"][value="{code}"]')
    if "explanation" in values:
        page.fill(prefix + "explanation", values["explanation"])
    for name in ("panel_size", "technical_members", "financial_members"):
        if name in values:
            page.fill(prefix + name, str(values[name]))


def _post_page(page, action: str, fields: dict[str, str]) -> None:
    """A plain HTML form, as a page without JavaScript posts it, submitted from the browser."""
    inputs = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in fields.items()
    )
    page.set_content(f'<form method="post" action="{action}">{inputs}</form>')
    with page.expect_navigation():
        page.evaluate("document.forms[0].submit()")


@pytest.fixture
def journey(seeded, live_server):
    return {
        "base": live_server.url,
        "today": dates.local_date(timezone.now()).isoformat(),
        "index": NoticeIndexPage.objects.get(),
        "editor": _user("editor", "编辑", second_factor=False),
        "approver": _user("approver", "审定", second_factor=True),
        "handler": _user("handler", "异议处理", second_factor=True),
    }


def test_a_notice_from_draft_to_answered_objection(journey, page, shots):
    _run(journey, page, shots)


@in_browser_thread
def _browser_steps(step, page, journey, shots):
    return step(page, journey, shots)


def _run(journey, page, shots):
    page.set_default_timeout(TIMEOUT)  # set again on the browser's thread below
    _browser_steps(_editor_step, page, journey, shots)
    notice = DecisionNoticePage.objects.get(notice_number=NUMBER)
    assert not notice.live
    journey["notice"] = notice

    _browser_steps(_approver_step, page, journey, shots)
    call_command("run_publicity_scheduler", stdout=open(os.devnull, "w"))  # noqa: SIM115 (cron)
    notice.refresh_from_db()
    assert notice.live
    journey["item"] = notice.items.get(project_code="ZJ2026-702").pk

    receipt = _browser_steps(_objector_step, page, journey, shots)
    journey["objection"] = Objection.objects.get(receipt_number=receipt["receipt_number"])
    journey["receipt"] = receipt

    _browser_steps(_handler_step, page, journey, shots)
    _browser_steps(_lookup_step, page, journey, shots)


def _editor_step(page, journey, shots):
    page.set_default_timeout(TIMEOUT)
    base = journey["base"]
    _log_in(page, base, "editor", None)
    page.goto(f"{base}/admin/pages/add/notices/decisionnoticepage/{journey['index'].pk}/")
    _visible(page, "认定事项")
    page.fill("#id_title", TITLE)
    page.fill("#id_notice_number", NUMBER)
    page.fill("#id_publicity_start", journey["today"])
    page.fill("#id_contact_office", "浙江省科学技术厅监督评估处")
    page.fill("#id_contact_phone", "0571-87054000")
    page.fill("#id_contact_email", "jdpg@example.invalid")
    page.fill("#id_contact_address", "杭州市西湖区")
    _fill_item(
        page, 0, project_code="ZJ2026-701", project_name="新型电池材料研究", programme="key_rd",
        undertaking_unit="某大学", project_leader="张三", decision="exempted", grounds=["A2"],
        panel_size=5, technical_members=3, financial_members=2,
    )  # fmt: skip
    page.locator("#id_items-ADD").click()
    page.locator("#id_items-1-project_code").wait_for(state="visible")
    _fill_item(
        page, 1, project_code="ZJ2026-702", project_name="传感器芯片研发", programme="key_rd",
        undertaking_unit="某研究院", project_leader="李四", decision="rejected",
        explanation=REJECTION_EXPLANATION,
    )  # fmt: skip
    _submit_for_approval(page)  # the rejection has no reason yet

    _visible(page, "页面未能创建：有填写错误，请按提示修改。")
    reasons = page.locator('.w-field:has(input[name="items-1-reasons"])')
    error = reasons.locator(".error-message")
    error.wait_for(state="visible")
    assert error.inner_text().strip() == "事项 ZJ2026-702：不予认定须至少选择一项理由。"
    assert page.locator('.w-field:has(input[name="items-0-grounds"]) .error-message').count() == 0
    error.scroll_into_view_if_needed()
    shots(page, "1-editor-form-error")

    page.check('input[name="items-1-reasons"][value="X3"]')
    _submit_for_approval(page)
    _visible(page, f"页面 '{TITLE}' 已创建并提交审核。")


def _submit_for_approval(page) -> None:
    """The footer's menu, then 提交给集体审定流程 in it."""
    submit = page.locator('button[name="action-submit"]')
    if not submit.is_visible():
        page.locator("footer [data-w-dropdown-target=toggle]").first.click()
    submit.wait_for(state="visible")
    with page.expect_navigation():
        submit.click()


def _approver_step(page, journey, shots):
    page.set_default_timeout(TIMEOUT)
    base = journey["base"]
    _log_in(page, base, "approver", journey["approver"])
    page.goto(f"{base}/admin/pages/{journey['notice'].pk}/edit/")
    page.locator("#id_publicity_start").wait_for()
    assert page.locator("#id_publicity_start").input_value() == journey["today"]
    assert page.locator("#id_items-1-explanation").input_value() == REJECTION_EXPLANATION
    approve = page.locator(
        "footer button[data-workflow-action-name=approve]:not([data-workflow-action-modal-url])"
    )
    page.locator("footer [data-w-dropdown-target=toggle]").first.click()
    approve.wait_for(state="visible")
    assert " ".join(approve.inner_text().split()) == "批准 和发布"
    assert page.get_by_role("button", name="请求修改").is_visible()
    shots(page, "2-approver-workflow")
    with page.expect_navigation():
        approve.click()
    _visible(page, f"页面 '{TITLE}' 已被更新。")


def _objector_step(page, journey, shots):
    page.set_default_timeout(TIMEOUT)
    page.context.clear_cookies()
    fields = {
        "item": str(journey["item"]), "objector_type": "individual", "real_name": "赵异议",
        "organisation": "", "phone": "13800138000", "email": "zhao@example.invalid",
        "postal_address": "浙江省杭州市某路1号", "content": OBJECTION_TEXT, "consent": "on",
    }  # fmt: skip
    _post_page(page, f"{journey['base']}/api/objections/", fields)
    _visible(page, "异议已受理")
    text = page.inner_text("body")
    assert f"您对公告 {NUMBER} 中事项 ZJ2026-702 提出的异议已受理。" in text
    receipt = re.search(r"受理编号\s+(YY\d{8}-[A-Z0-9]+)", text)
    code = re.search(r"查询码\s+([A-Z0-9]{10})", text)
    assert receipt and code, text
    return {"receipt_number": receipt.group(1), "lookup_code": code.group(1)}


def _handler_step(page, journey, shots):
    page.set_default_timeout(TIMEOUT)
    base, number = journey["base"], journey["receipt"]["receipt_number"]
    _log_in(page, base, "handler", journey["handler"])
    page.goto(f"{base}/admin/objections/")
    with page.expect_navigation():
        page.get_by_role("link", name=number).first.click()
    page.locator("[name=answer]").wait_for(state="visible")
    text = page.inner_text("body")
    for shown in (number, OBJECTION_TEXT, NUMBER, "ZJ2026-702", "传感器芯片研发", "不予认定"):
        assert shown in text, shown
    shots(page, "3-handler-screen")
    page.fill("[name=investigation]", "调取会议记录核实。")
    if page.locator("select[name=outcome]").count():
        page.select_option("select[name=outcome]", "not_upheld")
    else:
        page.check("input[name=outcome][value=not_upheld]")
    page.fill("[name=answer]", ANSWER)
    with page.expect_navigation():
        page.locator("form button[type=submit].action-save, form button[type=submit]").last.click()
    _visible(
        page, f"已答复异议 {number}：异议不成立。答复已通过电子邮件发送至 zhao@example.invalid。"
    )


def _lookup_step(page, journey, shots):
    page.set_default_timeout(TIMEOUT)
    page.context.clear_cookies()
    _post_page(page, f"{journey['base']}/api/objections/status/", journey["receipt"])
    page.get_by_text(ANSWER).first.wait_for(state="visible")
    text = page.inner_text("body")
    assert journey["receipt"]["receipt_number"] in text and "异议不成立" in text
    shots(page, "4-objector-lookup")
