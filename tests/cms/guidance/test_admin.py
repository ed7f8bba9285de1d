"""Editors manage the guidance page and the FAQ in the Wagtail admin, in Chinese."""

import json

import pytest

from cms.guidance.models import FaqPage, GuidancePage


def _in_editor(text: str, body: str) -> bool:
    """StreamField values reach the editor as JSON, with non-ASCII text escaped."""
    return json.dumps(text)[1:-1] in body or text in body


@pytest.mark.django_db
def test_the_guidance_editor_shows_its_structured_fields_in_chinese(seeded, admin_client):
    page = GuidancePage.objects.get()
    response = admin_client.get(f"/admin/pages/{page.pk}/edit/")
    assert response.status_code == 200
    body = response.content.decode()
    for label in ("适用主体及范围", "适用情形", "不适用情形", "申报材料清单", "认定程序",
                  "免责后的义务", "联系方式", "表格下载", "依据的政策文件"):  # fmt: skip
        assert label in body, label
    assert _in_editor("容错免责认定申请书", body)  # the seeded checklist is there to edit


@pytest.mark.django_db
def test_the_faq_editor_opens_with_the_seeded_questions(seeded, admin_client):
    faq = FaqPage.objects.get()
    response = admin_client.get(f"/admin/pages/{faq.pk}/edit/")
    assert response.status_code == 200
    assert _in_editor("什么情况下不予免责？", response.content.decode())
