"""The admin's preview is the portal's own page, rendered from the page as edited: posted to
Wagtail's preview URL and then opened, as the admin's preview panel does, by a logged-in editor.
Each preview runs the portal's renderer (``python -m portal preview``) in a child process."""

import sys
import uuid
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from cms.core import preview
from cms.notices.models import DecisionNoticePage
from portal.preview import PAGE_TYPES

from ..notices import conftest as notice_fixtures
from ..notices.conftest import today
from ..notices.test_guards import _form_data, _item_data

pytestmark = pytest.mark.django_db
# The notices' fixtures, here too.
editor = notice_fixtures.editor
make_notice = notice_fixtures.make_notice
notice_index = notice_fixtures.notice_index

ROOT = Path(__file__).resolve().parents[3]
# Where the portal's build writes: the live site and its builds, and the exported sources.
PORTAL_OUTPUTS = (ROOT / "publicity_site", ROOT / "content")


def _files() -> set[Path]:
    return {path for top in PORTAL_OUTPUTS for path in top.rglob("*")}


def _holding(text: str) -> list[Path]:
    found = []
    for path in _files():
        if path.is_file() and text.encode() in path.read_bytes():
            found.append(path)
    return found


def _notice_form(title: str, slug: str = "form-notice", **item) -> dict:
    items = [
        _item_data(project_code="ZJ2026-101", project_name="高温超导带材研制", **item),
        _item_data(
            project_code="ZJ2026-102",
            project_name="深海传感网络",
            decision="rejected",
            grounds=[],
            reasons=["X3"],
            explanation="存在科研失信行为。",
        ),
    ]
    data = _form_data(items, today())
    data.update({"title": title, "slug": slug})
    return data


def _preview(client, url: str, data: dict):
    """As the admin's preview panel: the form is posted, then the preview opened."""
    posted = client.post(url, data)
    assert posted.json() == {"is_valid": True, "is_available": True}
    return client.get(url, {"mode": "", "in_preview_panel": "true"})


def _text(soup: BeautifulSoup) -> str:
    return " ".join(soup.get_text(" ").split())


def test_an_editors_preview_of_a_notice_never_saved_is_the_portals_page(
    client, editor, notice_index
):
    client.force_login(editor)
    title = f"关于第{uuid.uuid4().hex[:8]}批认定结果的公示"
    before = _files()
    url = f"/admin/pages/add/notices/decisionnoticepage/{notice_index.pk}/preview/"
    response = _preview(client, url, _notice_form(title))

    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    banner = soup.select_one(".preview-banner")
    assert banner is not None
    assert "预览：尚未发布，仅供审核" in banner.get_text()
    assert "公示期首日" in banner.get_text()
    assert soup.select_one('meta[name="robots"]')["content"] == "noindex"
    # The portal's layout: its header, navigation and footer, its notice page.
    assert soup.select_one(".site-name").get_text(strip=True) == "科技创新容错免责公示平台"
    assert "公示公告" in [a.get_text(strip=True) for a in soup.select(".site-nav a")]
    assert soup.select_one("article.notice h1").get_text(strip=True) == title
    rows = [_text(row) for row in soup.select("table.items tbody tr")]
    assert len(rows) == 2
    assert "ZJ2026-101" in rows[0] and "高温超导带材研制" in rows[0] and "予以免责" in rows[0]
    assert "ZJ2026-102" in rows[1] and "深海传感网络" in rows[1] and "不予认定" in rows[1]
    # As the public will first see it: under publicity, with the objection form (inert here).
    assert soup.select_one(".notice-state").get_text(strip=True) == "公示中"
    assert soup.select_one("#objection-h").get_text(strip=True) == "提出异议"
    assert soup.select_one("form#objection-form").has_attr("inert")
    # The portal's style sheet is in the page: the CMS does not serve the portal's files.
    assert ".site-header" in soup.find("style").get_text()

    assert not DecisionNoticePage.objects.filter(slug="form-notice").exists()
    assert _files() == before, "the preview wrote where the portal's build writes"
    assert _holding(title) == []


def test_a_preview_of_a_saved_draft_shows_the_edits_not_yet_saved(client, editor, make_notice):
    notice = make_notice(title="原标题的公告")
    client.force_login(editor)
    data = _notice_form("改过但未保存的标题", slug=notice.slug)
    response = _preview(client, f"/admin/pages/{notice.pk}/edit/preview/", data)

    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.select_one("article.notice h1").get_text(strip=True) == "改过但未保存的标题"
    assert "预览：尚未发布，仅供审核" in soup.select_one(".preview-banner").get_text()
    assert soup.title.get_text().startswith("【预览】改过但未保存的标题")
    notice.refresh_from_db()
    assert notice.title == "原标题的公告"
    assert notice.get_latest_revision_as_object().title == "原标题的公告"


def test_the_editor_offers_the_portals_preview_for_pages_and_none_for_listings(
    client, editor, make_notice, notice_index
):
    notice = make_notice()
    client.force_login(editor)
    body = client.get(f"/admin/pages/{notice.pk}/edit/").content.decode()
    assert f"/admin/pages/{notice.pk}/edit/preview/" in body
    assert notice.preview_modes == [("", "门户页面")]
    assert notice_index.preview_modes == []
    assert not notice_index.is_previewable()


def test_a_portal_that_fails_gives_a_page_in_chinese_not_a_debug_page(
    client, editor, notice_index, monkeypatch, caplog
):
    monkeypatch.setattr(
        preview, "command", lambda openapi: [sys.executable, "-c", "raise SystemExit(3)"]
    )
    client.force_login(editor)
    url = f"/admin/pages/add/notices/decisionnoticepage/{notice_index.pk}/preview/"
    response = _preview(client, url, _notice_form("关于认定结果的公示"))

    assert response.status_code == 503
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.h1.get_text(strip=True) == "预览失败"
    assert "门户未能生成本页的预览。" in _text(soup)
    assert "编辑中的内容没有受到影响" in _text(soup)
    assert "Traceback" not in response.content.decode()
    assert "exit 3" in caplog.text


def test_a_notice_too_incomplete_for_the_api_is_explained(rf, notice_index):
    """The admin's form refuses a notice without its start date before any preview; a page
    previewed some other way in that state gets the reason, not an error."""
    notice = DecisionNoticePage(title="没有公示开始日期的公告", slug="incomplete")
    notice.depth, notice.path = notice_index.depth + 1, notice_index.path + "0099"
    response = preview.serve(notice, rf.get("/"))

    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.h1.get_text(strip=True) == "预览失败"
    assert "页面内容尚不完整" in _text(soup) and "请先填写必填项" in _text(soup)
    assert notice.pk is None and notice.live  # left as it was


def test_the_cms_offers_a_preview_for_exactly_the_types_the_portal_previews():
    assert preview.PREVIEW_TYPES == PAGE_TYPES


def test_a_policys_draft_is_previewed_with_its_clauses(client, editor, seeded):
    from cms.policies.models import PolicyPage

    policy = PolicyPage.objects.get()
    client.force_login(editor)
    response = client.get(f"/admin/pages/{policy.pk}/view_draft/")

    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    assert "预览：尚未发布，仅供审核" in soup.select_one(".preview-banner").get_text()
    assert soup.h1.get_text(strip=True) == policy.title
    assert "因技术路线选择失误导致难以完成预定目标" in _text(soup.select_one("#s2-2-2"))
