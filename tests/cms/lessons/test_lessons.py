"""Failure reports in the CMS: the de-identification guard at the admin form and at publish, the
tree, the roles, the read API (no personal data) and the demo loader."""

import json
from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import RequestFactory
from wagtail.admin.menu import admin_menu
from wagtail.models import Page, TaskState

from cms.lessons.demo import REPORTS, load_demo_lessons
from cms.lessons.models import LessonIndexPage, LessonPage
from cms.notices.guards import NoticeGuardError
from cms.notices.models import DecisionNoticePage

from .conftest import REPORT

pytestmark = pytest.mark.django_db


def _add_url(index) -> str:
    return f"/admin/pages/add/lessons/lessonpage/{index.pk}/"


FORM_TITLE = "某项目的失败经验总结"


def _form_data(**overrides) -> dict:
    data = {"title": FORM_TITLE, **REPORT, "related_notice": ""}
    return {
        key: "" if value is None else str(value) for key, value in {**data, **overrides}.items()
    }


# --- the admin form ------------------------------------------------------------------------


def test_admin_form_refuses_the_related_notice_s_leader_on_the_field(
    admin_client, lesson_index, related_notice
):
    data = _form_data(
        related_notice=related_notice.pk, failure_analysis="张三团队在高电流密度下未能达到指标。"
    )
    data["action-publish"] = "1"
    response = admin_client.post(_add_url(lesson_index), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["failure_analysis"]
    assert "项目负责人姓名“张三”" in form.errors["failure_analysis"][0]
    assert not LessonPage.objects.filter(title=FORM_TITLE).exists()


def test_admin_form_refuses_unit_code_and_contact_details_each_on_its_field(
    admin_client, lesson_index, related_notice
):
    data = _form_data(
        related_notice=related_notice.pk,
        title="某研究院项目的失败经验总结",
        approach="项目ZJ2026-002采用新路线。",
        lessons="欢迎交流：lab@example.com，0571-87654321。",
        scientific_value="身份证号330106199001011234的专家评估认为有价值。",
    )
    response = admin_client.post(_add_url(lesson_index), data)
    errors = response.context["form"].errors
    assert sorted(errors) == ["approach", "lessons", "scientific_value", "title"]
    assert "项目承担单位“某研究院”" in errors["title"][0]
    assert "项目编号“ZJ2026-002”" in errors["approach"][0]
    assert any("电话号码" in e for e in errors["lessons"])
    assert any("电子邮箱" in e for e in errors["lessons"])
    assert "身份证号码" in errors["scientific_value"][0]


def test_admin_form_saves_and_publishes_a_de_identified_report(
    admin_client, lesson_index, related_notice
):
    data = _form_data(related_notice=related_notice.pk)
    data["action-publish"] = "1"
    response = admin_client.post(_add_url(lesson_index), data)
    assert response.status_code == 302
    lesson = LessonPage.objects.get(title=FORM_TITLE)
    assert lesson.live and lesson.related_notice_id == related_notice.pk
    assert lesson.slug == "lesson-1"  # the CMS names it; the editor types no slug


def test_admin_form_checks_years_and_takes_no_slug(admin_client, lesson_index):
    # A report's slug is the CMS's (tests/cms/notices/test_slugs.py): a posted one is ignored.
    data = _form_data(start_year=2024, end_year=2021, slug="programme")
    errors = admin_client.post(_add_url(lesson_index), data).context["form"].errors
    assert "终止年份不能早于起始年份" in errors["end_year"][0]
    assert list(errors) == ["end_year"]


# --- publish ---------------------------------------------------------------------------------


def test_publish_refuses_a_report_that_names_the_related_notice_s_people(
    make_lesson, related_notice
):
    lesson = make_lesson(related_notice=related_notice, lessons="感谢李四和某大学的支持。")
    revision = lesson.latest_revision
    with pytest.raises(NoticeGuardError) as raised:
        revision.publish()
    assert [(e.field, e.code) for e in raised.value.errors] == [
        ("lessons", "names_project_leader"),
        ("lessons", "names_undertaking_unit"),
    ]
    lesson.refresh_from_db()
    assert not lesson.live and lesson.first_published_at is None


def test_wagtail_s_publish_action_called_directly_meets_the_same_guard(make_lesson, related_notice):
    """The admin's edit view and any code call the action class, not ``publish()``: the gate in
    ``save`` refuses there too, and the report stays off line."""
    from wagtail.actions.publish_page_revision import PublishPageRevisionAction

    from cms.core.gate import GateError

    lesson = make_lesson(related_notice=related_notice, lessons="感谢李四的支持。")
    with pytest.raises(GateError) as raised:
        PublishPageRevisionAction(lesson.latest_revision).execute()
    assert [e.code for e in raised.value.errors] == ["names_project_leader"]
    lesson.refresh_from_db()
    assert not lesson.live and lesson.first_published_at is None


def test_publish_checks_the_revision_being_published_not_the_saved_page(make_lesson):
    lesson = make_lesson(publish=True)
    lesson.summary = "联系电话 13812345678。"
    with pytest.raises(NoticeGuardError):
        lesson.save_revision().publish()
    assert LessonPage.objects.get(pk=lesson.pk).summary == REPORT["summary"]


def test_the_same_names_pass_when_no_notice_is_related(make_lesson):
    # Without a related notice there is nothing to compare names with: only the patterns apply.
    lesson = make_lesson(lessons="感谢李四的支持。", publish=True)
    assert lesson.live


def test_years_must_be_in_order_and_plausible(make_lesson):
    lesson = make_lesson()
    lesson.start_year, lesson.end_year = 2024, 2021
    with pytest.raises(ValidationError) as raised:
        lesson.full_clean()
    assert "end_year" in raised.value.message_dict
    lesson.start_year, lesson.end_year = 1900, 2021
    with pytest.raises(ValidationError) as raised:
        lesson.full_clean()
    assert "start_year" in raised.value.message_dict


# --- the tree and the roles ------------------------------------------------------------------


def test_the_seed_command_makes_the_lessons_section_once(seeded):
    index = LessonIndexPage.objects.get()
    assert (index.slug, index.live, index.get_parent().specific_class.__name__) == (
        "lessons",
        True,
        "HomePage",
    )
    call_command("load_seed_policy", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert LessonIndexPage.objects.count() == 1
    assert LessonPage.allowed_parent_page_models() == [LessonIndexPage]


def test_editor_submits_a_report_for_approval_but_cannot_publish_it(client, editor, lesson_index):
    client.force_login(editor)
    data = _form_data()
    data["action-publish"] = "1"
    client.post(_add_url(lesson_index), data)
    lesson = LessonPage.objects.filter(title=FORM_TITLE).first()
    assert lesson is None or not lesson.live
    data = _form_data(title="另一项目的失败经验总结")
    data["action-submit"] = "1"
    assert client.post(_add_url(lesson_index), data).status_code == 302
    submitted = LessonPage.objects.get(title="另一项目的失败经验总结")
    assert submitted.workflow_in_progress and not submitted.live


def test_approver_publishes_a_report(client, approver, lesson_index):
    client.force_login(approver)
    data = _form_data()
    data["action-publish"] = "1"
    assert client.post(_add_url(lesson_index), data).status_code == 302
    assert LessonPage.objects.get(title=FORM_TITLE).live


def _approve(client, page):
    task_state = TaskState.objects.get(workflow_state__object_id=str(page.pk), status="in_progress")
    url = f"/admin/pages/workflow/action/{page.pk}/approve/{task_state.pk}/"
    return client.post(url, {"comment": ""}, follow=True)


def test_approver_approves_a_submitted_report_and_it_goes_live(
    client, editor, approver, make_lesson
):
    lesson = make_lesson()
    lesson.get_workflow().start(lesson, editor)
    client.force_login(approver)
    _approve(client, lesson)
    lesson.refresh_from_db()
    assert lesson.live and not lesson.workflow_in_progress


def test_approval_is_refused_with_why_when_the_report_is_not_de_identified(
    client, editor, approver, make_lesson, related_notice
):
    # Written around the form (as through the API): the approval step still refuses it.
    lesson = make_lesson(related_notice=related_notice, approach="张三课题组先后尝试了三条路线。")
    lesson.get_workflow().start(lesson, editor)
    client.force_login(approver)
    response = _approve(client, lesson)
    assert "不能通过审定" in response.content.decode()
    assert "项目负责人姓名“张三”" in response.content.decode()
    lesson.refresh_from_db()
    assert not lesson.live and lesson.workflow_in_progress


def test_the_library_s_menu_is_shown_to_editors_and_approvers_only(
    client, editor, approver, objection_handler, make_lesson
):
    lesson = make_lesson(field_of_study="海洋科学")
    assert editor.has_perm("lessons.change_lessonpage")
    assert approver.has_perm("lessons.change_lessonpage")
    assert not objection_handler.has_perm("lessons.change_lessonpage")
    client.force_login(editor)  # (this also loads the admin's URLs, which register the menu)
    listing = client.get("/admin/failure_lessons/")
    assert listing.status_code == 200
    assert lesson.title in listing.content.decode() and "海洋科学" in listing.content.decode()
    for user, shown in ((editor, True), (approver, True), (objection_handler, False)):
        request = RequestFactory().get("/admin/")
        request.user = user
        labels = [str(item.label) for item in admin_menu.menu_items_for_request(request)]
        assert ("失败经验总结" in labels) is shown, (user, labels)


# --- the read API ----------------------------------------------------------------------------


def test_api_gives_the_structured_report_and_the_notice_but_no_personal_data(
    client, make_lesson, related_notice
):
    lesson = make_lesson(related_notice=related_notice, publish=True)
    listing = client.get("/api/v3/pages/", {"type": "lessons.LessonPage"}).json()
    assert [item["id"] for item in listing["items"]] == [lesson.pk]
    detail = client.get(f"/api/v3/pages/{lesson.pk}/").json()
    for name in ("field_of_study", "summary", "approach", "failure_analysis", "lessons"):
        assert detail[name] == REPORT[name]
    assert detail["scientific_value"] == REPORT["scientific_value"]
    assert (detail["programme"], detail["programme_label"]) == ("key_rd", "省重点研发计划")
    assert (detail["start_year"], detail["end_year"]) == (2021, 2024)
    assert detail["related_notice_summary"] == {
        "id": related_notice.pk,
        "title": related_notice.title,
        "slug": related_notice.slug,
        "notice_number": related_notice.notice_number,
    }
    text = json.dumps(detail, ensure_ascii=False)
    for item in related_notice.items.all():
        for private in (item.project_leader, item.undertaking_unit, item.project_code):
            assert private not in text, private
    for private in ("panel_size", "technical_members", "contact_phone", "owner"):
        assert private not in text


def test_markup_pasted_into_a_report_is_stored_and_served_as_plain_text(client, make_lesson):
    lesson = make_lesson(
        summary='摘要<script>alert("x")</script><b>加粗</b>',
        lessons='<p onclick="x()">经验</p>\n电流密度<3 mA/cm²时稳定。',
        publish=True,
    )
    detail = client.get(f"/api/v3/pages/{lesson.pk}/").json()
    assert detail["summary"] == '摘要alert("x")加粗'
    assert detail["lessons"] == "经验\n电流密度<3 mA/cm²时稳定。"
    # When it last changed (for the feed's updated), to the millisecond.
    served = datetime.fromisoformat(detail["last_published_at"])
    assert abs(served - lesson.last_published_at) < timedelta(milliseconds=1)


def test_api_hides_drafts_and_a_notice_that_is_not_live(client, make_lesson, make_notice):
    draft = make_lesson()
    assert client.get(f"/api/v3/pages/{draft.pk}/").status_code == 404
    unpublished_notice = make_notice()
    lesson = make_lesson(related_notice=unpublished_notice, publish=True)
    assert client.get(f"/api/v3/pages/{lesson.pk}/").json()["related_notice_summary"] is None


# --- demo -------------------------------------------------------------------------------------


def test_demo_reports_are_labelled_de_identified_related_and_loaded_once(seeded):
    call_command("load_demo_notices", stdout=open("/dev/null", "w"))  # noqa: SIM115
    made = load_demo_lessons()
    assert len(made) == len(REPORTS) == 3
    assert all(lesson.live and lesson.title.startswith("【示例】") for lesson in made)
    related = [lesson for lesson in made if lesson.related_notice_id]
    assert len(related) == 1
    notice = DecisionNoticePage.objects.get(pk=related[0].related_notice_id)
    assert notice.live and notice.items.exists()
    assert all(lesson.deidentification_errors() == [] for lesson in made)
    pages = Page.objects.count()
    assert load_demo_lessons() == []
    call_command("load_demo_lessons", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Page.objects.count() == pages
