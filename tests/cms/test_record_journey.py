# ruff: noqa: F811 (the shared browser fixtures, by name)
"""The approver's and editor's journey after a publicity window closes, in headless Chromium
against the live CMS and the portal built from it: the confirm page says before any click why a
notice cannot be finalised yet (an objection still unanswered); once it is answered the approver
finalises it and downloads the exemption marks; an editor starts a correction from the notice's
menu, writes it and submits it; the approver approves it, and the portal shows the original as
corrected, and the marks name the correction that supersedes them.

Screenshots of the key screens are saved only when ``STAFF_SCREENSHOTS`` names a directory
(``make screenshots``)."""

import csv
import io
import os
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from cms.core.clock import travel_to
from cms.domain import dates
from cms.notices.models import DecisionItem, DecisionNoticePage, NoticeIndexPage
from cms.notices.services import record_state
from cms.objections.models import Objection
from cms.objections.services import answer_objection
from common.addresses import notice_path

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

NUMBER = "浙科容〔2026〕60号"
TITLE = "关于2026年第六批科技创新容错免责认定结果的公示"
CORRECTION_NUMBER = f"{NUMBER}-更正1"
CORRECTION_NOTE = "原公示事项ZJ2026-601的项目承担单位名称有误，现予更正；更正事项重新公示7天。"
CORRECTED_UNIT = "某大学材料学院"


def _closed_notice(index) -> DecisionNoticePage:
    """A notice whose seven days ended three days ago, published on its first day."""
    start = dates.local_date(timezone.now()) - timedelta(days=10)
    notice = DecisionNoticePage(
        title=TITLE, notice_number=NUMBER, publicity_start=start, live=False,
        introduction="经调查核实、专家评审和集体审定，现将认定结果予以公示。",
        contact_office="浙江省科学技术厅监督评估处", contact_phone="0571-87054000",
        contact_email="jdpg@example.invalid", contact_address="杭州市西湖区",
    )  # fmt: skip
    notice.items.add(DecisionItem(
        project_code="ZJ2026-601", project_name="高能量密度电池研究", programme="key_rd",
        undertaking_unit="某大学", project_leader="王五", decision="exempted", grounds=["A1"],
        panel_size=5, technical_members=3, financial_members=2,
    ))  # fmt: skip
    notice.items.add(DecisionItem(
        project_code="ZJ2026-602", project_name="工业视觉检测系统", programme="key_rd",
        undertaking_unit="某研究院", project_leader="赵六", decision="rejected", reasons=["X3"],
        explanation="项目执行期间存在科研失信行为，经集体审定不予认定。",
    ))  # fmt: skip
    index.add_child(instance=notice)
    with travel_to(notice.publicity_window.opens_at + timedelta(minutes=1)):
        notice.save_revision().publish()
        notice.refresh_from_db()
        record_state(notice, timezone.now())
        # An objection filed on the window's first day, through the public API.
        form = {
            "item": str(notice.items.get(project_code="ZJ2026-602").pk),
            "objector_type": "individual", "real_name": "钱异议", "organisation": "",
            "phone": "13800138001", "email": "qian@example.invalid",
            "postal_address": "浙江省宁波市某路2号", "consent": "on",
            "content": "该项目的结题验收材料存在前后矛盾之处，建议重新核查有关记录。",
        }  # fmt: skip
        answered = Client().post("/api/objections/", form, headers={"accept": "application/json"})
        assert answered.status_code == 201, answered.content
    return notice


@pytest.fixture
def journey(seeded, live_server, built_portal):
    notice = _closed_notice(NoticeIndexPage.objects.get())
    return {
        "base": live_server.url,
        "build": built_portal,
        "today": dates.local_date(timezone.now()).isoformat(),
        "notice": notice,
        "editor": make_user("editor", "编辑", second_factor=False),
        "approver": make_user("approver", "审定", second_factor=True),
        "handler": make_user("handler", "异议处理", second_factor=True),
    }


def test_a_closed_notice_finalised_its_marks_downloaded_and_corrected(journey, page):
    shots = screenshooter()
    page.set_default_timeout(TIMEOUT)
    notice = journey["notice"]
    _steps(_finalise_refused_step, page, journey, shots)

    objection = Objection.objects.get(notice=notice)
    handler = get_user_model().objects.get(username="handler")
    answer_objection(objection, handler, "not_upheld", "调取验收材料核实。", "经核实，异议不成立。")
    marks = _steps(_finalise_step, page, journey, shots)
    assert [(row["project_code"], row["decision"], row["notice_number"]) for row in marks] == [
        ("ZJ2026-601", "exempted", NUMBER), ("ZJ2026-602", "rejected", NUMBER)
    ]  # fmt: skip
    assert {row["superseded_by"] for row in marks} == {""}

    _steps(_correction_step, page, journey, shots)
    correction = DecisionNoticePage.objects.get(notice_number=CORRECTION_NUMBER)
    assert not correction.live and correction.corrects_id == notice.pk
    journey["correction"] = correction
    marks = _steps(_approve_correction_step, page, journey, shots)
    call_command("run_publicity_scheduler", stdout=open(os.devnull, "w"))  # noqa: SIM115 (cron)
    correction.refresh_from_db()
    assert correction.live
    assert correction.items.get(project_code="ZJ2026-601").undertaking_unit == CORRECTED_UNIT

    journey["portal"] = journey["build"]()
    journey["paths"] = (
        notice_path(notice.slug, notice.pk), notice_path(correction.slug, correction.pk)
    )  # fmt: skip
    marks = _steps(_marks_and_portal_step, page, journey, shots)
    assert [(row["project_code"], row["superseded_by"]) for row in marks] == [
        ("ZJ2026-601", CORRECTION_NUMBER), ("ZJ2026-602", CORRECTION_NUMBER)
    ]  # fmt: skip


@in_browser_thread
def _steps(step, page, journey, shots):
    page.set_default_timeout(TIMEOUT)
    return step(page, journey, shots)


def _open_notice_action(page, journey, label: str) -> None:
    """The notice's row in 决定公告, its 更多 menu, then ``label``."""
    page.goto(f"{journey['base']}/admin/notices/")
    row = page.locator("tr", has_text=TITLE).first
    row.get_by_role("button", name="更多").click()
    with page.expect_navigation():
        row.get_by_role("link", name=label).click()


def _finalise_refused_step(page, journey, shots):
    log_in(page, journey["base"], "approver", journey["approver"])
    _open_notice_action(page, journey, "确认认定结果")
    visible(page, "现在不能确认认定结果：")
    alert = page.get_by_role("alert").inner_text()
    assert "未答复" in alert or "尚未答复" in alert, alert
    assert page.get_by_role("button", name="确认认定结果").count() == 0
    facts = page.locator("dl").inner_text()
    assert "当前状态\n公示结束" in facts and "未答复异议（含被更正公告）\n1 件" in facts, facts
    shots(page, "7-finalise-refused")


def _download(page, name: str) -> list[dict]:
    with page.expect_download() as download:
        page.get_by_role("link", name=name).click()
    text = open(download.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    return list(csv.DictReader(io.StringIO(text)))


def _finalise_step(page, journey, shots):
    page.reload()
    assert page.get_by_role("alert").count() == 0
    with page.expect_navigation():
        page.get_by_role("button", name="确认认定结果").click()
    visible(page, "已确认认定结果，生成免责标注 2 条。")
    shots(page, "8-finalised")
    return _download(page, "免责标注导出(CSV)")


def _correction_step(page, journey, shots):
    log_in(page, journey["base"], "editor", None)
    _open_notice_action(page, journey, "更正公告")
    assert page.locator("#id_start_date").input_value() == journey["today"]
    with page.expect_navigation():
        page.get_by_role("button", name="创建更正公告").click()
    visible(page, "已创建更正公告草稿，请修改后提交集体审定。")
    assert page.locator("#id_notice_number").input_value() == CORRECTION_NUMBER
    page.fill("#id_correction_note", CORRECTION_NOTE)
    fill_item(page, 0, undertaking_unit=CORRECTED_UNIT)
    page.locator("#id_correction_note").scroll_into_view_if_needed()
    shots(page, "9-correction-draft")
    footer_action(page, "action-submit")
    visible(page, "的更正公告' 已经提交进行审核。")


def _approve_correction_step(page, journey, shots):
    log_in(page, journey["base"], "approver", journey["approver"])
    page.goto(f"{journey['base']}/admin/pages/{journey['correction'].pk}/edit/")
    assert page.locator("#id_correction_note").input_value() == CORRECTION_NOTE
    approve(page)
    visible(page, "已被更新")


def _marks_and_portal_step(page, journey, shots):
    original, correction = (f"{journey['portal']}/{path}" for path in journey["paths"])
    page.goto(original)
    notice_text = page.locator("main").inner_text()
    assert "本公告已更正，请以更正公告为准" in notice_text, notice_text
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name="的更正公告").first.click()
    assert page.url == correction
    text = page.locator("main").inner_text()
    assert CORRECTION_NOTE in text and CORRECTED_UNIT in text and "公示中" in text
    shots(page, "10-portal-correction")
    page.goto(f"{journey['base']}/admin/")
    return _download(page, "免责标注导出(CSV)")
