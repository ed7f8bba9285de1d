"""``python -m portal preview``: one page's JSON on stdin, the page as the portal renders it on
stdout, marked as a preview; nothing written where the build writes. Made-up API answers: no
CMS, no database."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from portal.preview import PAGE_TYPES, PreviewError, preview

ROOT = Path(__file__).resolve().parents[2]
PORTAL = "https://portal.test.invalid"
# Where the build writes: the live site and its builds, and the exported sources.
BUILD_OUTPUTS = (ROOT / "publicity_site", ROOT / "content")


def _cited(code: str, label: str, anchor: str) -> dict:
    return {
        "code": code, "label": label, "label_en": "…", "clause_ref": "二（二）1",
        "anchor": anchor, "clause_text": "……；",
        "policy": {"id": 5, "title": "实施意见", "slug": "exemption-policy"},
    }  # fmt: skip


def _item(item_id: int, code: str, name: str, decision: str) -> dict:
    rejected = decision == "rejected"
    return {
        "id": item_id,
        "project_code": code,
        "project_name": name,
        "programme": "key_rd",
        "programme_label": "省重点研发计划",
        "undertaking_unit": "某大学",
        "project_leader": "张三",
        "decision": decision,
        "decision_label": "不予认定" if rejected else "予以免责",
        "grounds": [] if rejected else [_cited("A1", "探索性强、风险高", "s2-2-1")],
        "reasons": [_cited("X3", "存在科研失信行为", "s2-3-3")] if rejected else [],
        "explanation": "存在科研失信行为。" if rejected else "",
    }


def notice(state: str = "draft", state_label: str = "草稿", phase: str = "not_started") -> dict:
    """A notice as ``/api/v3/pages/<id>/`` gives it (the CMS's preview sends one not yet live)."""
    items = [
        _item(31, "ZJ2026-101", "高温超导带材研制", "exempted"),
        _item(32, "ZJ2026-102", "深海传感网络", "rejected"),
    ]
    return {
        "id": 41,
        "title": "关于第九批容错免责认定结果的公示",
        "meta": {"type": "notices.DecisionNoticePage", "slug": "batch-9",
                 "first_published_at": None, "html_url": "http://cms/notices/batch-9/"},
        "notice_number": "浙科容〔2026〕9号",
        "introduction": "根据《实施意见》，现将认定结果予以公示。",
        "window": {
            "start_date": "2026-03-03", "end_date": "2026-03-09",
            "opens_at": "2026-03-03T00:00:00+08:00", "closes_at": "2026-03-10T00:00:00+08:00",
            "days": 7, "phase": phase, "days_left": 7,
            "label": "公示期：2026年3月3日至2026年3月9日（7天），至2026年3月9日24时结束。",
            "label_en": "…", "state": state, "state_label": state_label,
            "computed_at": "2026-03-01T02:00:00+00:00",
        },
        "handling_body": {"code": "department", "label": "省科学技术厅", "label_en": "…"},
        "objection_contact": {"office": "监督评估处", "phone": "0571-87054000",
                              "email": "jdpg@example.invalid", "address": "杭州市"},
        "public_items": items,
        "corrects_summary": None,
        "correction_note": "",
        "corrected_by_summary": [],
        "withdrawal": None,
        "finalised_on": None,
        "record_data": {
            "notice_number": "浙科容〔2026〕9号", "title": "关于第九批容错免责认定结果的公示",
            "window_start": "2026-03-03", "window_end": "2026-03-09", "state": "",
            "corrects": None, "correction_note": "", "withdrawal_reason": None,
            "finalised_on": None, "items": [],
        },
    }  # fmt: skip


def run_preview(tmp_path: Path, page: dict, *args: str, openapi: dict | None = None):
    command = [sys.executable, "-m", "portal", "preview", *args]
    if openapi is not None:
        document = tmp_path / "openapi.json"
        document.write_text(json.dumps(openapi), encoding="utf-8")
        command += ["--openapi", str(document)]
    return subprocess.run(
        command,
        input=json.dumps(page, ensure_ascii=False).encode("utf-8"),
        capture_output=True,
        cwd=ROOT,
        env={**os.environ, "PORTAL_BASE_URL": PORTAL, "PYTHONIOENCODING": "utf-8"},
        timeout=120,
        check=False,
    )


def _files() -> set[Path]:
    return {path for top in BUILD_OUTPUTS for path in top.rglob("*")}


def _text(node) -> str:
    return " ".join(node.get_text(" ").split())


def test_the_command_renders_a_notice_with_the_portals_theme_as_a_preview(
    tmp_path, objection_schema
):
    before = _files()
    completed = run_preview(tmp_path, notice(), openapi=objection_schema)

    assert completed.returncode == 0, completed.stderr.decode()
    soup = BeautifulSoup(completed.stdout.decode("utf-8"), "html.parser")
    assert soup.html["lang"] == "zh-CN"
    assert soup.select_one('meta[name="robots"]')["content"] == "noindex"
    assert soup.title.get_text().startswith("【预览】关于第九批容错免责认定结果的公示")
    banner = soup.body.find(True)  # the first thing on the page
    assert "preview-banner" in banner["class"]
    assert banner.strong.get_text() == "预览：尚未发布，仅供审核"
    assert "公示期首日（2026年3月3日）" in _text(banner)
    # The theme: its header and navigation, its notice page, its style sheet.
    assert soup.select_one(".site-name").get_text(strip=True) == "科技创新容错免责公示平台"
    assert ".site-header" in soup.find("style").get_text()
    assert soup.select_one("article.notice h1").get_text(strip=True) == (
        "关于第九批容错免责认定结果的公示"
    )
    assert "根据《实施意见》，现将认定结果予以公示。" in _text(soup.select_one("article"))
    rows = [_text(row) for row in soup.select("table.items tbody tr")]
    assert len(rows) == 2
    assert rows[0].startswith("ZJ2026-101 高温超导带材研制 省重点研发计划 某大学 张三 予以免责")
    assert rows[1].startswith("ZJ2026-102 深海传感网络 省重点研发计划 某大学 张三 不予认定")
    # As the public will first see it: under publicity, every day left, the objection form.
    assert soup.select_one(".notice-state").get_text(strip=True) == "公示中"
    assert "7天（含当日）" in _text(soup.select_one(".notice-facts"))
    form = soup.select_one("form#objection-form")
    assert form.has_attr("inert")
    options = [_text(option) for option in form.select("#objection-item option")]
    assert "ZJ2026-102 深海传感网络（不予认定）" in options
    # Links lead to the portal; scripts of the theme are left out.
    nav = {a.get_text(strip=True): a["href"] for a in soup.select(".site-nav a")}
    assert nav["公示公告"] == f"{PORTAL}/notices/"
    grounds = soup.select_one("table.items ul.cited a")
    assert grounds["href"] == f"{PORTAL}/policies/exemption-policy/#s2-2-1"
    assert not soup.select("script[src]")

    assert _files() == before, "the preview wrote where the build writes"


def test_a_notice_under_publicity_is_shown_as_the_api_gives_it(tmp_path, objection_schema):
    page = notice("under_publicity", "公示中", "open")
    page["window"]["days_left"] = 3
    completed = run_preview(tmp_path, page, openapi=objection_schema)

    assert completed.returncode == 0, completed.stderr.decode()
    soup = BeautifulSoup(completed.stdout.decode("utf-8"), "html.parser")
    assert _text(soup.select_one(".preview-banner")) == "预览：尚未发布，仅供审核"
    assert "3天（含当日）" in _text(soup.select_one(".notice-facts"))


def test_a_row_of_the_notice_export_is_previewed_given_its_type(tmp_path, objection_schema):
    page = notice()
    meta = page.pop("meta")
    row = {**page, "slug": meta["slug"], "first_published_at": None, "last_published_at": None}
    completed = run_preview(
        tmp_path, row, "--type", "notices.DecisionNoticePage", openapi=objection_schema
    )

    assert completed.returncode == 0, completed.stderr.decode()
    soup = BeautifulSoup(completed.stdout.decode("utf-8"), "html.parser")
    assert soup.select_one("article.notice h1").get_text(strip=True) == page["title"]


@pytest.mark.parametrize(
    ("page", "openapi", "message"),
    [
        ({**notice(), "meta": {"type": "notices.NoticeIndexPage", "slug": "notices"}},
         {}, "门户不预览此类页面"),
        (notice(), None, "本页含表单，须同时提供 CMS 接口的 OpenAPI 文档"),
        ({"title": "无编号"}, {}, "输入不是一个页面"),
    ],
)  # fmt: skip
def test_what_cannot_be_previewed_is_refused_in_chinese(tmp_path, page, openapi, message):
    completed = run_preview(tmp_path, page, openapi=openapi)

    assert completed.returncode == 2
    assert completed.stdout == b""
    assert message in completed.stderr.decode("utf-8")


def test_every_previewable_type_is_one_the_export_makes_a_page_of():
    assert {
        "notices.DecisionNoticePage", "policies.PolicyPage", "guidance.GuidancePage",
        "guidance.FaqPage", "lessons.LessonPage",
    } == PAGE_TYPES  # fmt: skip
    with pytest.raises(PreviewError, match="not JSON"):
        preview(b"<html>")
