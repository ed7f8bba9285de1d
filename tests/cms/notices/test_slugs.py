"""Slugs: a notice's comes from its number, never from its title, and stays once published; the
other page types get a plain ASCII one from the CMS, and the editor types none."""

import re

import pytest
from django.core.exceptions import ValidationError
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from cms.lessons.models import LessonIndexPage, LessonPage
from cms.notices.models import DecisionNoticePage
from cms.policies.models import PolicyIndexPage, PolicyPage

from ..lessons.conftest import REPORT, lesson_index, make_lesson  # noqa: F401
from .conftest import CONTACT, exempted_item
from .test_guards import _item_data, today

pytestmark = pytest.mark.django_db

EIGHTH = ("关于2026年第八批科技计划项目容错免责认定结果的公示", "浙科容〔2026〕8号")
NINTH = ("关于2026年第九批科技计划项目容错免责认定结果的公示", "浙科容〔2026〕9号")


def _notice_form(title: str, number: str) -> dict:
    """What the editor's browser posts: no slug (the form has none)."""
    item = _item_data()
    grounds = item.pop("grounds")
    item.pop("reasons")
    data = nested_form_data(
        {
            "title": title,
            "notice_number": number,
            "publicity_start": today().isoformat(),
            "introduction": "",
            **CONTACT,
            "items": inline_formset([item]),
            "correction_note": "",
        }
    )
    data["items-0-grounds"] = grounds
    return data


def _notice_add_url(index) -> str:
    return f"/admin/pages/add/notices/decisionnoticepage/{index.pk}/"


def _read_only_slug(body: str) -> str:
    """The slug as the edit page shows it: the read-only 网址名 panel, not a field to type in."""
    assert 'name="slug"' not in body
    match = re.search(r"网址名.*?<div[^>]*w-field__input[^>]*>\s*(.*?)\s*</div>", body, re.S)
    assert match, "no 网址名 panel"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


# --- notices, through the editor's form ------------------------------------------------------


def test_two_notices_of_one_year_with_chinese_titles_both_save_with_their_numbers_slugs(
    client, editor, notice_index
):
    client.force_login(editor)
    for title, number in (EIGHTH, NINTH):
        response = client.post(_notice_add_url(notice_index), _notice_form(title, number))
        assert response.status_code == 302, response.context["form"].errors
    eighth = DecisionNoticePage.objects.get(notice_number=EIGHTH[1])
    ninth = DecisionNoticePage.objects.get(notice_number=NINTH[1])
    assert (eighth.slug, ninth.slug) == ("2026-8", "2026-9")
    assert (eighth.title, ninth.title) == (EIGHTH[0], NINTH[0])
    # The editor sees the slug, read-only, in the notice's editor.
    body = client.get(f"/admin/pages/{ninth.pk}/edit/").content.decode()
    assert _read_only_slug(body) == "2026-9"
    assert "由公告编号生成" in body


def test_a_duplicate_number_is_refused_on_the_number_field_in_chinese(client, editor, notice_index):
    client.force_login(editor)
    client.post(_notice_add_url(notice_index), _notice_form(*EIGHTH))
    response = client.post(
        _notice_add_url(notice_index), _notice_form("关于第八批认定结果的补充公示", EIGHTH[1])
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["notice_number"]
    assert errors["notice_number"] == [
        f"公告编号“{EIGHTH[1]}”已被公告《{EIGHTH[0]}》使用，请核对编号。"
    ]
    body = response.content.decode()
    assert "已被公告《关于2026年第八批" in body
    assert "already in use" not in body
    assert DecisionNoticePage.objects.filter(notice_number=EIGHTH[1]).count() == 1


def test_the_editor_s_form_has_no_slug_to_type_and_a_typed_one_is_ignored(
    client, editor, notice_index
):
    client.force_login(editor)
    body = client.get(_notice_add_url(notice_index)).content.decode()
    assert 'name="slug"' not in body
    data = {**_notice_form(*EIGHTH), "slug": "2026"}
    assert client.post(_notice_add_url(notice_index), data).status_code == 302
    assert DecisionNoticePage.objects.get(notice_number=EIGHTH[1]).slug == "2026-8"


def test_a_draft_s_slug_follows_its_corrected_number(client, editor, notice_index):
    client.force_login(editor)
    client.post(_notice_add_url(notice_index), _notice_form(EIGHTH[0], "浙科容〔2026〕80号"))
    notice = DecisionNoticePage.objects.get(notice_number="浙科容〔2026〕80号")
    assert notice.slug == "2026-80"
    response = client.post(f"/admin/pages/{notice.pk}/edit/", _notice_form(*EIGHTH))
    assert response.status_code == 302
    notice.refresh_from_db()
    assert (notice.notice_number, notice.slug) == (EIGHTH[1], "2026-8")


def test_numbers_that_make_the_same_slug_get_a_free_one(client, editor, notice_index):
    client.force_login(editor)
    for number in ("浙科容〔2026〕8号", "浙科监〔２０２６〕８号", "第八批"):
        response = client.post(_notice_add_url(notice_index), _notice_form(EIGHTH[0], number))
        assert response.status_code == 302
    slugs = DecisionNoticePage.objects.order_by("pk").values_list("slug", flat=True)
    assert list(slugs) == ["2026-8", "2026-8-2", "notice"]


# --- notices, in code --------------------------------------------------------------------------


def _notice(index, number: str, **fields) -> DecisionNoticePage:
    notice = DecisionNoticePage(
        title=fields.pop("title", "关于2026年认定结果的公示"),
        notice_number=number,
        publicity_start=today(),
        **CONTACT,
        **fields,
    )
    notice.items.add(exempted_item())
    index.add_child(instance=notice)
    return notice


def test_a_notice_made_in_code_without_a_slug_gets_its_number_s_never_its_title_s(notice_index):
    first = _notice(notice_index, "浙科容〔2026〕8号", title="关于2026年第八批认定结果的公示")
    second = _notice(notice_index, "浙科容〔2026〕9号", title="关于2026年第九批认定结果的公示")
    assert (first.slug, second.slug) == ("2026-8", "2026-9")
    assert first.portal_address() == "notices/2026-8/"


def test_a_number_that_gives_a_listing_path_gets_another(notice_index):
    assert _notice(notice_index, "PAGE").slug == "page-2"
    assert _notice(notice_index, "Closed").slug == "closed-2"


def test_a_published_notice_keeps_its_slug(make_notice):
    notice = make_notice(publish=True)
    published = notice.slug
    notice.slug = "something-else"
    notice.save()
    notice.refresh_from_db()
    assert notice.slug == published


def test_a_published_report_keeps_its_slug_through_a_revision_that_changes_it(
    make_lesson,  # noqa: F811
):
    lesson = make_lesson(publish=True)
    published = lesson.slug
    lesson.slug = "renamed"
    lesson.save_revision().publish()
    lesson.refresh_from_db()
    assert lesson.slug == published and lesson.live


@pytest.mark.parametrize("slug", ["2026年", "Upper", "-lead", "page", "closed"])
def test_a_bad_slug_set_in_code_is_refused_in_chinese(make_notice, slug):
    notice = make_notice()
    notice.slug = slug
    with pytest.raises(ValidationError) as raised:
        notice.full_clean()
    assert "网址名" in raised.value.message_dict["slug"][0]


# --- other page types --------------------------------------------------------------------------


def _lesson_form(title: str) -> dict:
    data = {"title": title, **REPORT, "related_notice": ""}
    return {key: str(value) for key, value in data.items()}


def test_reports_with_chinese_titles_get_plain_numbered_slugs(client, editor, seeded):
    index = LessonIndexPage.objects.get()
    url = f"/admin/pages/add/lessons/lessonpage/{index.pk}/"
    client.force_login(editor)
    body = client.get(url).content.decode()
    assert 'name="slug"' not in body
    for title in ("2026年某项目的失败经验总结", "2026年另一项目的失败经验总结"):
        response = client.post(url, {**_lesson_form(title), "slug": "2026"})
        assert response.status_code == 302, response.context["form"].errors
    lessons = LessonPage.objects.order_by("pk")
    assert [lesson.slug for lesson in lessons] == ["lesson-1", "lesson-2"]
    assert lessons[0].portal_address() == "lessons/lesson-1/"
    body = client.get(f"/admin/pages/{lessons[1].pk}/edit/").content.decode()
    assert _read_only_slug(body) == "lesson-2"


def test_a_policy_with_a_chinese_title_gets_a_plain_slug(admin_client, seeded):
    index = PolicyIndexPage.objects.get()
    data = nested_form_data(
        {
            "title": "关于2026年科技计划项目管理的补充通知",
            "document_number": "浙科发〔2026〕3号",
            "issuing_body": "浙江省科学技术厅",
            "status": "trial",
            "superseded_by": "",
            "issue_date": "",
            "effective_date": "",
            "preamble": "",
            "body": {"count": "0"},
            "interpretation": rich_text(""),
            "comments_open_on": "",
            "comments_close_on": "",
            "comment_summary": rich_text(""),
        }
    )
    data.update({"body-count": "0", "body-0-count": "0"})
    response = admin_client.post(f"/admin/pages/add/policies/policypage/{index.pk}/", data)
    assert response.status_code == 302, response.context["form"].errors
    policy = PolicyPage.objects.get(document_number="浙科发〔2026〕3号")
    assert policy.slug == "policy-1"
    assert policy.portal_address() == "policies/policy-1/"


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("programme", "网址名“programme”是门户上的列表路径，不能使用。"),
        ("失败经验", "网址名只能用小写英文字母、数字和连字符，并以字母或数字开头。"),
        ("Lesson_1", "网址名只能用小写英文字母、数字和连字符，并以字母或数字开头。"),
    ],
)
def test_a_bad_report_slug_set_in_code_is_refused_in_chinese(seeded, slug, message):
    lesson = LessonPage(title="失败经验总结", slug=slug, **REPORT)
    with pytest.raises(ValidationError) as raised:
        lesson.full_clean()
    assert raised.value.message_dict["slug"] == [message]
