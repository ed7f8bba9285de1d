"""Every link the CMS makes to a page opens the page on the portal: the 实时查看 button after
publishing, the editor's and the explorer's live links, the approval e-mail, the read API; and a
page's own URL on the CMS leads there too."""

import pytest
from django.core import mail
from wagtail.models import Site, TaskState

from cms.guidance.models import FaqPage, GuidancePage
from cms.lessons.models import LessonIndexPage
from cms.notices.models import DecisionNoticePage, NoticeIndexPage
from cms.policies.models import PolicyIndexPage, PolicyPage

from ..lessons.conftest import lesson_index, make_lesson  # noqa: F401
from ..notices.conftest import approver, editor, make_notice, notice_index  # noqa: F401
from ..notices.test_slugs import EIGHTH, _notice_form

pytestmark = pytest.mark.django_db

PORTAL = "https://gongshi.example.invalid"


@pytest.fixture(autouse=True)
def portal_base_url(settings):
    settings.PORTAL_BASE_URL = PORTAL


def cms_path(page) -> str:
    """Where Wagtail serves the page on the CMS's own host."""
    root = Site.objects.get(is_default_site=True).root_page.url_path
    return "/" + page.url_path[len(root) :]


def test_view_live_after_publishing_opens_the_notice_on_the_portal(
    client,
    approver,  # noqa: F811
    notice_index,  # noqa: F811
):
    client.force_login(approver)
    data = {**_notice_form(*EIGHTH), "action-publish": "1"}
    response = client.post(
        f"/admin/pages/add/notices/decisionnoticepage/{notice_index.pk}/", data, follow=True
    )
    notice = DecisionNoticePage.objects.get(notice_number=EIGHTH[1])
    assert notice.live
    body = response.content.decode()
    assert "已发布" in body
    assert f'<a href="{PORTAL}/notices/2026-8/"' in body
    button = body[body.index(f'<a href="{PORTAL}/notices/2026-8/"') :]
    assert button[: button.index("</a>")].endswith("实时查看")


def test_the_editor_and_the_explorer_link_a_live_page_to_the_portal(admin_client, make_notice):  # noqa: F811
    notice = make_notice(publish=True)
    address = f'href="{PORTAL}/notices/{notice.slug}/"'
    explorer = admin_client.get(f"/admin/pages/{notice.get_parent().pk}/").content.decode()
    assert address in explorer and notice.title in explorer
    editor_page = admin_client.get(f"/admin/pages/{notice.pk}/edit/").content.decode()
    assert address in editor_page
    assert f'href="{cms_path(notice)}"' not in editor_page + explorer
    policy = PolicyPage.objects.get()
    explorer = admin_client.get(f"/admin/pages/{policy.get_parent().pk}/").content.decode()
    assert f'href="{PORTAL}/policies/{policy.slug}/"' in explorer


def test_the_approval_email_links_to_the_notice_on_the_portal(
    client,
    editor,  # noqa: F811
    approver,  # noqa: F811
    notice_index,  # noqa: F811
):
    client.force_login(editor)
    data = {**_notice_form(*EIGHTH), "action-submit": "1"}
    url = f"/admin/pages/add/notices/decisionnoticepage/{notice_index.pk}/"
    assert client.post(url, data).status_code == 302
    notice = DecisionNoticePage.objects.get(notice_number=EIGHTH[1])
    task_state = TaskState.objects.get(
        workflow_state__object_id=str(notice.pk), status="in_progress"
    )
    mail.outbox.clear()
    client.force_login(approver)
    action = f"/admin/pages/workflow/action/{notice.pk}/approve/{task_state.pk}/"
    assert client.post(action, {"comment": ""}).status_code == 302
    notice.refresh_from_db()
    assert notice.live
    to_editor = [message for message in mail.outbox if editor.email in message.to]
    assert to_editor, [message.subject for message in mail.outbox]
    for message in to_editor:
        assert f"{PORTAL}/notices/2026-8/" in message.body
        assert f"{cms_path(notice)}" not in message.body.replace(f"{PORTAL}/notices/", "")


def test_the_read_api_gives_the_portal_address_as_html_url(client, make_notice):  # noqa: F811
    notice = make_notice(publish=True)
    meta = client.get(f"/api/v3/pages/{notice.pk}/").json()["meta"]
    assert meta["html_url"] == f"{PORTAL}/notices/{notice.slug}/"


def test_a_page_s_cms_url_redirects_to_its_portal_address(client, make_notice, make_lesson):  # noqa: F811
    notice = make_notice(publish=True)
    lesson = make_lesson(publish=True)
    policy = PolicyPage.objects.get()
    pages = [
        (Site.objects.get(is_default_site=True).root_page, f"{PORTAL}/"),
        (PolicyIndexPage.objects.get(), f"{PORTAL}/policies/"),
        (policy, f"{PORTAL}/policies/{policy.slug}/"),
        (GuidancePage.objects.get(), f"{PORTAL}/guidance/"),
        (FaqPage.objects.get(), f"{PORTAL}/guidance/faq/"),
        (NoticeIndexPage.objects.get(), f"{PORTAL}/notices/"),
        (notice, f"{PORTAL}/notices/{notice.slug}/"),
        (LessonIndexPage.objects.get(), f"{PORTAL}/lessons/"),
        (lesson, f"{PORTAL}/lessons/{lesson.slug}/"),
    ]
    for page, address in pages:
        assert page.specific.full_url == page.specific.url == address
        response = client.get(cms_path(page))
        assert (response.status_code, response["Location"]) == (302, address), page


def test_a_draft_s_cms_url_is_not_found_not_an_error_page(client, make_notice):  # noqa: F811
    notice = make_notice()
    response = client.get(cms_path(notice))
    assert response.status_code == 404
    assert "TemplateDoesNotExist" not in response.content.decode()


@pytest.mark.parametrize("slug", ["lesson-1", "field", "Upper_Case", "", "失败经验"])
def test_the_cms_links_where_the_portal_builds(slug):
    """The portal keeps its own copy of these paths (portal/urls.py): both must agree."""
    from common import addresses
    from portal import urls

    assert addresses.lesson_path(slug, 7) == urls.lesson_url(slug, 7)
    assert addresses.policy_path("exemption-policy") == urls.policy_url("exemption-policy")
    assert addresses.RESERVED_LESSON_SEGMENTS == urls.LESSON_RESERVED_SEGMENTS
    assert (addresses.POLICIES_PATH, addresses.GUIDANCE_PATH, addresses.FAQ_PATH) == (
        urls.POLICIES_URL,
        urls.GUIDANCE_URL,
        urls.FAQ_URL,
    )
    assert (addresses.NOTICES_PATH, addresses.LESSONS_PATH) == (urls.NOTICES_URL, urls.LESSONS_URL)
