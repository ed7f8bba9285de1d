# ruff: noqa: F811 (the shared browser fixtures, by name)
"""The staff journey in headless Chromium, one step after another against the live CMS and the
portal built from it: an editor writes a 决定公告 (first with a mistake the form points out),
submits it for 集体审定; an approver approves it with today's start and the publicity scheduler
puts it live; the portal is built and the notice is on its listing; a member of the public objects
to one item through the notice page's form with its script and keeps the receipt, another with
JavaScript off; a handler answers the first objection; the objector's lookup on the portal shows
the answer. Every login goes through the admin's login form and the second factor is typed as a
user types it, from the user's own TOTP device.

Screenshots of the key screens are saved only when ``STAFF_SCREENSHOTS`` names a directory
(``make screenshots``)."""

import os
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from cms.domain import dates
from cms.notices.models import DecisionNoticePage, NoticeIndexPage
from cms.objections.models import Objection
from common.addresses import NOTICES_PATH, notice_path

from ..portal.browser import _BROWSER, _module, browser, in_browser_thread, page  # noqa: F401
from .journey import (
    TIMEOUT,
    approve,
    built_portal,  # noqa: F401
    fill_item,
    footer_action,
    fresh_rate_limits,  # noqa: F401
    log_in,
    make_user,
    origin,  # noqa: F401
    screenshooter,
    visible,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NUMBER = "浙科容〔2026〕77号"
TITLE = "关于2026年第七批科技创新容错免责认定结果的公示"
REJECTION_EXPLANATION = "项目执行期间存在科研失信行为，经集体审定不予认定。"
OBJECTION_TEXT = "该项目负责人在项目执行期间隐瞒了重大风险事件，我掌握相关会议记录可以证明此事。"
PLAIN_OBJECTION_TEXT = "该项目的结题材料与实际进展不符，我是课题组原成员，愿意配合调查核实。"
ANSWER = "经调取会议记录核实，所述情况与事实不符，异议不成立。"


@pytest.fixture
def shots():
    return screenshooter()


@pytest.fixture
def journey(seeded, live_server, built_portal, settings, tmp_path):
    settings.OBJECTION_EVIDENCE_ROOT = tmp_path / "evidence"
    return {
        "base": live_server.url,
        "build": built_portal,
        "today": dates.local_date(timezone.now()).isoformat(),
        "index": NoticeIndexPage.objects.get(),
        "editor": make_user("editor", "编辑", second_factor=False),
        "approver": make_user("approver", "审定", second_factor=True),
        "handler": make_user("handler", "异议处理", second_factor=True),
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
    journey["portal"] = journey["build"]()  # as the task worker does after a publication
    journey["notice_path"] = notice_path(notice.slug, notice.pk)

    receipt = _browser_steps(_objector_step, page, journey, shots)
    journey["objection"] = Objection.objects.get(receipt_number=receipt["receipt_number"])
    journey["receipt"] = receipt
    plain = _browser_steps(_plain_objector_step, page, journey, shots)
    assert Objection.objects.get(receipt_number=plain).content == PLAIN_OBJECTION_TEXT
    assert journey["objection"].content == OBJECTION_TEXT

    _browser_steps(_handler_step, page, journey, shots)
    _browser_steps(_lookup_step, page, journey, shots)


def _editor_step(page, journey, shots):
    page.set_default_timeout(TIMEOUT)
    base = journey["base"]
    log_in(page, base, "editor", None)
    page.goto(f"{base}/admin/pages/add/notices/decisionnoticepage/{journey['index'].pk}/")
    visible(page, "认定事项")
    page.fill("#id_title", TITLE)
    page.fill("#id_notice_number", NUMBER)
    page.fill("#id_publicity_start", journey["today"])
    page.fill("#id_contact_office", "浙江省科学技术厅监督评估处")
    page.fill("#id_contact_phone", "0571-87054000")
    page.fill("#id_contact_email", "jdpg@example.invalid")
    page.fill("#id_contact_address", "杭州市西湖区")
    fill_item(
        page, 0, project_code="ZJ2026-701", project_name="新型电池材料研究", programme="key_rd",
        undertaking_unit="某大学", project_leader="张三", decision="exempted", grounds=["A2"],
        panel_size=5, technical_members=3, financial_members=2,
    )  # fmt: skip
    page.locator("#id_items-ADD").click()
    page.locator("#id_items-1-project_code").wait_for(state="visible")
    fill_item(
        page, 1, project_code="ZJ2026-702", project_name="传感器芯片研发", programme="key_rd",
        undertaking_unit="某研究院", project_leader="李四", decision="rejected",
        explanation=REJECTION_EXPLANATION,
    )  # fmt: skip
    footer_action(page, "action-submit")  # the rejection has no reason yet

    visible(page, "页面未能创建：有填写错误，请按提示修改。")
    reasons = page.locator('.w-field:has(input[name="items-1-reasons"])')
    error = reasons.locator(".error-message")
    error.wait_for(state="visible")
    assert error.inner_text().strip() == "事项 ZJ2026-702：不予认定须至少选择一项理由。"
    assert page.locator('.w-field:has(input[name="items-0-grounds"]) .error-message').count() == 0
    error.scroll_into_view_if_needed()
    shots(page, "1-editor-form-error")

    page.check('input[name="items-1-reasons"][value="X3"]')
    footer_action(page, "action-submit")
    visible(page, f"页面 '{TITLE}' 已创建并提交审核。")


def _approver_step(page, journey, shots):
    page.set_default_timeout(TIMEOUT)
    base = journey["base"]
    log_in(page, base, "approver", journey["approver"])
    page.goto(f"{base}/admin/pages/{journey['notice'].pk}/edit/")
    page.locator("#id_publicity_start").wait_for()
    assert page.locator("#id_publicity_start").input_value() == journey["today"]
    assert page.locator("#id_items-1-explanation").input_value() == REJECTION_EXPLANATION
    approve(page, lambda page: shots(page, "2-approver-workflow"))
    visible(page, f"页面 '{TITLE}' 已被更新。")


PERSON = {
    "#objection-real-name": "赵异议",
    "#objection-phone": "13800138000",
    "#objection-email": "zhao@example.invalid",
    "#objection-postal-address": "浙江省杭州市某路1号",
}


def _fill_objection(page, item: int, content: str) -> None:
    page.select_option("#objection-item", str(item))
    for selector, value in PERSON.items():
        page.fill(selector, value)
    page.fill("#objection-content", content)
    page.check("#objection-consent")


def _objector_step(page, journey, shots):
    """From the portal's listing to the notice, then the objection form with its script."""
    page.set_default_timeout(TIMEOUT)
    page.context.clear_cookies()
    page.goto(f"{journey['portal']}/{NOTICES_PATH}")
    with page.expect_navigation():
        page.get_by_role("link", name=TITLE).first.click()
    assert page.url.endswith(journey["notice_path"])
    assert page.locator("h1").inner_text().strip() == TITLE
    visible(page, "ZJ2026-702")
    _fill_objection(page, journey["item"], OBJECTION_TEXT)
    page.get_by_role("button", name="提交异议").click()
    outcome = page.locator("#objection-outcome")
    outcome.get_by_text("受理编号", exact=True).wait_for(state="visible")
    assert page.url.split("#")[0].endswith(journey["notice_path"])  # no page change
    outcome.scroll_into_view_if_needed()
    shots(page, "4-public-objection-receipt")
    receipt_number, lookup_code = (
        text.strip() for text in outcome.locator("dd").all_inner_texts()[:2]
    )
    assert re.fullmatch(r"YY\d{8}-[A-Z0-9]+", receipt_number), receipt_number
    return {"receipt_number": receipt_number, "lookup_code": lookup_code}


def _plain_objector_step(page, journey, shots):
    """The same form with JavaScript off: a plain post, answered by the CMS's receipt page."""
    context = page.context.browser.new_context(locale="zh-CN", java_script_enabled=False)
    try:
        plain = context.new_page()
        plain.set_default_timeout(TIMEOUT)
        plain.goto(f"{journey['portal']}/{journey['notice_path']}")
        _fill_objection(plain, journey["item"], PLAIN_OBJECTION_TEXT)
        with plain.expect_navigation():
            plain.get_by_role("button", name="提交异议").click()
        visible(plain, "异议已受理")
        text = plain.inner_text("body")
        assert f"您对公告 {NUMBER} 中事项 ZJ2026-702 提出的异议已受理。" in text
        shots(plain, "5-public-objection-without-javascript")
        receipt = re.search(r"受理编号\s+(YY\d{8}-[A-Z0-9]+)", text)
        assert receipt and re.search(r"查询码\s+[A-Z0-9]{10}", text), text
        return receipt.group(1)
    finally:
        context.close()


def _handler_step(page, journey, shots):
    page.set_default_timeout(TIMEOUT)
    base, number = journey["base"], journey["receipt"]["receipt_number"]
    log_in(page, base, "handler", journey["handler"])
    page.goto(f"{base}/admin/objections/")
    with page.expect_navigation():
        page.get_by_role("link", name=number).first.click()
    page.locator("[name=answer]").wait_for(state="visible")
    text = page.inner_text("body")
    for shown in (number, OBJECTION_TEXT, NUMBER, "ZJ2026-702", "传感器芯片研发", "不予认定"):
        assert shown in text, shown
    assert PLAIN_OBJECTION_TEXT not in text  # the other objection has its own screen
    shots(page, "3-handler-screen")
    page.fill("[name=investigation]", "调取会议记录核实。")
    if page.locator("select[name=outcome]").count():
        page.select_option("select[name=outcome]", "not_upheld")
    else:
        page.check("input[name=outcome][value=not_upheld]")
    page.fill("[name=answer]", ANSWER)
    with page.expect_navigation():
        page.locator("form button[type=submit].action-save, form button[type=submit]").last.click()
    visible(
        page, f"已答复异议 {number}：异议不成立。答复将通过电子邮件发送至 zhao@example.invalid。"
    )


def _lookup_step(page, journey, shots):
    """The portal's lookup page, as the objector uses it."""
    page.set_default_timeout(TIMEOUT)
    page.context.clear_cookies()
    page.goto(f"{journey['portal']}/objections/status/")
    page.fill("#lookup-receipt-number", journey["receipt"]["receipt_number"])
    page.fill("#lookup-lookup-code", journey["receipt"]["lookup_code"])
    page.get_by_role("button", name="查询").click()
    page.locator("#lookup-outcome").get_by_text(ANSWER).wait_for(state="visible")
    text = page.locator("#lookup-outcome").inner_text()
    assert journey["receipt"]["receipt_number"] in text and "异议不成立" in text
    shots(page, "6-objector-lookup")
