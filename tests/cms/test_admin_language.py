"""The admin in Chinese along the staff's journeys: the pages a superuser, an editor (编辑), an
approver (审定) and an objection handler (异议处理) open, read over HTTP as the browser gets them
(text, the labels screen readers read, the JSON the admin's scripts read, the dialogs fetched as
JSON), hold none of the English that Wagtail's own zh_Hans catalogue leaves untranslated or that
Wagtail writes in English only. The list starts with what was seen in Chromium and holds what
walking these pages turned up; Wagtail's JavaScript strings are checked in its catalogue
(/admin/jsi18n/). Whole-catalogue coverage is in tests/cms/test_translations.py."""

import datetime
import json
import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from wagtail.models import TaskState

from cms.core.models import PortalBuild
from cms.objections.models import Objection

from .notices.conftest import today
from .notices.test_guards import _form_data, _item_data
from .objections.conftest import (  # noqa: F401 (fixtures)
    PDF_BYTES,
    api,
    approver,
    editor,
    handler,
    item,
    make_notice,
    notice_index,
    open_notice,
    payload,
)

pytestmark = pytest.mark.django_db

# English met on these pages; each may appear anywhere in a text, a label or a JSON string.
UNTRANSLATED_PHRASES = [
    # seen in Chromium
    "could not be created due to validation errors",
    "could not be saved due to validation errors",
    "Autosave is paused",
    "is currently awaiting moderation",
    "New: ",
    "Schedule to publish",
    "Required. Letters, digits and @/./+/-/_ only.",
    # found walking the pages
    "- Wagtail",  # the end of every page's <title>
    "JavaScript is required to use Wagtail",
    "instructions how to enable JavaScript",
    "created in ",  # the dashboard's counts, for screen readers
    "Wagtail upgrade available",
    "Read the release notes",
    "Search all pages",
    "Edit account avatar",
    "editor guide",
    "Privacy and access",
    "Go to the first error",
    "Actions (footer)",
    "Date updated",
    "Edited by",
    "Has child pages",
    "Locking:",
    "Anyone can edit this",
    "Reviewers can edit this",
    "Referenced 0 times",
    "Your pages and snippets in a workflow",
    "To be created by",
    "Once scheduled:",
    "Go-live:",
    "has been scheduled to go live",
    "Locked by schedule",
    "Currently locked and will go live",
    "Only reviewers",
    "seconds ago",
    "minutes ago",
    "Sent to ",
    "Changes requested",
    "Is commenting action",
    "Use server language",
    "Theme preferences",
    "Show disabled",
    "Moderators approval",
    "Can add ",
    "Can change ",
    "Can delete ",
    "Exploring",
    "No results in",
    "There are validation errors",
    "More bulk actions",
    "Africa/",  # the account page's time-zone list, the world's zones by their English names
    "America/",
]
# English that is a whole text or label by itself (as a phrase it would match inside others).
UNTRANSLATED_WORDS = {
    "Password",
    "Saved",
    "Root",
    "Actions",
    "Search",
    "True",
    "False",
    "Moderators",
    "Editors",
    "Any",
    "Anyone",
    "Snug",
    "Refresh",
    "Disabled",
    "System",
    "Compare",
    "Never",
    "Checks",
    "Can view",
}
# Strings the admin's scripts show (Wagtail's JavaScript catalogue), missing from Wagtail's own.
UNTRANSLATED_SCRIPT_STRINGS = [
    "Autosave in progress…",
    "Changes have been autosaved.",
    "A network error occurred.",
    "A server error occurred.",
    "Error while sending preview data.",
    "Insert a block",
    "Split block",
    "Write something or type ‘/’ to insert a block",
    "(New)",
    "%(num)s error",
]

READ_ALOUD = ("title", "aria-label", "placeholder", "alt", "data-w-tooltip-content-value")
BUTTON_INPUTS = ("submit", "button", "reset")
SKIPPED = ("script", "style")


class ShownText(HTMLParser):
    """What a page shows or reads out: ``words`` holds each text and label whole; ``texts``
    also every other attribute value and every string of the JSON the page's scripts read."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.words: list[str] = []
        self.texts: list[str] = []
        self.skipping: list[str] = []
        self.json: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if not value:
                continue
            shown = name in READ_ALOUD or (
                name == "value" and tag == "input" and attributes.get("type") in BUTTON_INPUTS
            )
            (self.words if shown else self.texts).append(value.strip())
        if tag == "script" and attributes.get("type") == "application/json":
            self.json.append("")
            self.skipping.append("json")
        elif tag in SKIPPED:
            self.skipping.append(tag)

    def handle_endtag(self, tag):
        if tag in SKIPPED and self.skipping:
            self.skipping.pop()

    def handle_data(self, data):
        if self.skipping and self.skipping[-1] == "json":
            self.json[-1] += data
        elif not self.skipping and data.strip():
            self.words.append(" ".join(data.split()))

    def close(self):
        super().close()
        for text in self.json:
            self.walk_json(json.loads(text))

    def walk_json(self, value, key=""):
        if isinstance(value, dict):
            for name, item in value.items():
                self.walk_json(item, name)
        elif isinstance(value, list):
            for item in value:
                self.walk_json(item, key)
        elif isinstance(value, str):
            shown = key in ("label", "title", "text") or key.isupper()  # STRINGS: PLURAL, ALL …
            (self.words if shown else self.texts).append(value)


def shown_text(html: str) -> ShownText:
    parser = ShownText()
    parser.feed(html)
    parser.close()
    return parser


def english_on(html: str) -> list[str]:
    """The known untranslated strings the page shows."""
    text = shown_text(html)
    everything = [*text.words, *text.texts]
    found = [p for p in UNTRANSLATED_PHRASES if any(p in t for t in everything)]
    found += sorted({w for w in text.words if w in UNTRANSLATED_WORDS})
    return found


def test_the_reader_finds_english_where_the_admin_puts_it():
    html = """<html><head><title>控制面板 - Wagtail</title>
      <script id="wagtail-config" type="application/json">{"STRINGS": {"X": "Search"}}</script>
      <script>var s = "Root";</script></head>
      <body><nav aria-label="Actions"></nav><span class="w-sr-only">Can add 异议</span>
      <input type="submit" value="Search"><input type="hidden" value="Root">
      <template><p>Autosave is paused</p></template>
      <div data-w-swap-src-value="/admin/?q=Root">已保存</div></body></html>"""
    expected = ["- Wagtail", "Autosave is paused", "Can add ", "Actions", "Search"]
    assert sorted(english_on(html)) == sorted(expected)


# --- the world the staff work in ------------------------------------------------------------


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@example.invalid", "pw")


@pytest.fixture
def world(make_notice, editor, approver, handler, superuser, api, payload, notice_index):  # noqa: F811
    """A notice in each state the staff meet, an objection to one under publicity, a portal
    build on the dashboard."""
    payload["evidence"] = [SimpleUploadedFile("会议记录.pdf", PDF_BYTES)]
    assert api.post("/api/objections/", payload, format="multipart").status_code == 201
    objection = Objection.objects.get()
    draft = make_notice(title="草稿公告")
    in_review = make_notice(title="审定中公告")
    in_review.get_workflow().start(in_review, editor)
    needs_changes = make_notice(title="退回修改公告")
    state = needs_changes.get_workflow().start(needs_changes, editor)
    state.current_task_state.task.specific.on_action(state.current_task_state, approver, "reject")
    future_draft = make_notice(start=today() + datetime.timedelta(days=3), title="下周公示公告")
    scheduled = make_notice(start=today() + datetime.timedelta(days=2), title="待上线公告")
    scheduled.get_latest_revision().publish()
    now = timezone.now()
    PortalBuild.objects.create(
        reason="发布：测试公告", started_at=now, finished_at=now, succeeded=True
    )
    task_state = TaskState.objects.get(
        workflow_state__object_id=str(in_review.pk), status="in_progress"
    )
    return {
        "index": notice_index,
        "live": objection.notice,
        "draft": draft,
        "in_review": in_review,
        "needs_changes": needs_changes,
        "scheduled": scheduled,
        "future_draft": future_draft,
        "task_state": task_state,
        "workflow_state": task_state.workflow_state,
        "objection": objection,
        "editor_group": Group.objects.get(name="编辑"),
        "users": {"root": superuser, "editor": editor, "approver": approver, "handler": handler},
    }


def _edit(page) -> str:
    return f"/admin/pages/{page.pk}/edit/"


def journeys(w) -> dict[str, list[tuple[str, str]]]:
    """Each role's pages: (URL, something Chinese the page must show)."""
    add = f"/admin/pages/add/notices/decisionnoticepage/{w['index'].pk}/"
    review, live, objection = w["in_review"], w["live"], w["objection"]
    action = f"/admin/pages/workflow/action/{review.pk}/{{}}/{w['task_state'].pk}/"
    history = f"/admin/pages/{review.pk}/workflow_history/"
    writing = [
        ("/admin/", "门户构建"),
        (f"/admin/pages/{w['index'].pk}/", "公示公告"),
        (add, "新建"),
        (_edit(w["draft"]), "草稿公告"),
        (_edit(review), "审定中公告"),
        (_edit(w["needs_changes"]), "要求修改"),  # the state, in the status panel
        (_edit(w["scheduled"]), "待上线公告"),
        (_edit(live), "关于第1批认定结果的公示"),
        (history, "工作流历史"),
        (f"{history}detail/{w['workflow_state'].pk}/", "集体审定"),
        (f"/admin/pages/{live.pk}/history/", "历史"),
        ("/admin/pages/search/?q=公告", "搜索"),
        ("/admin/account/", "帐号"),
    ]
    deciding = [
        (_edit(w["future_draft"]), "定时发布"),  # publishing a draft whose window opens later
        (action.format("approve"), "批准"),
        (action.format("reject"), "请求修改"),
        (f"/admin/notices/{live.pk}/finalise/", "确认认定结果"),
        (f"/admin/notices/{live.pk}/withdraw/", "撤回公告"),
        ("/admin/reports/workflow/", "工作流"),
        ("/admin/reports/locked/", "锁定"),
    ]
    handling = [
        ("/admin/", "门户构建"),
        ("/admin/objections/", objection.receipt_number),
        (f"/admin/objections/inspect/{objection.pk}/", "异议内容"),
        (f"/admin/objections/edit/{objection.pk}/", objection.receipt_number),
        ("/admin/objections/inadmissible/", "批量不予受理"),
        ("/admin/account/", "帐号"),
    ]
    managing = [
        ("/admin/users/", "用户"),
        ("/admin/users/new/", "添加用户"),
        (f"/admin/users/edit/{w['users']['editor'].pk}/", "editor"),
        ("/admin/groups/", "各角色的职责"),
        ("/admin/groups/new/", "添加组"),
        (f"/admin/groups/edit/{w['editor_group'].pk}/", "编辑"),
        ("/admin/workflows/list/", "集体审定流程"),
        ("/admin/workflows/tasks/index/", "集体审定"),
        ("/admin/reports/site-history/", "网站历史"),
    ]
    return {
        "root": [*writing, *deciding, *handling[1:-1], *managing],
        "editor": writing,
        "approver": [*writing, *deciding],
        "handler": handling,
    }


def page_html(response) -> str:
    """The page, or the dialog a page fetches as JSON (``{"html": …}``)."""
    if response["Content-Type"].startswith("application/json"):
        return response.json()["html"]
    return response.content.decode()


def assert_in_chinese(response, url: str, expected: str):
    assert response.status_code == 200, (url, response.status_code)
    html = page_html(response)
    assert expected in html, (url, expected)
    assert english_on(html) == [], url


@pytest.mark.parametrize("role", ["root", "editor", "approver", "handler"])
def test_every_page_of_a_staff_journey_is_in_chinese(client, world, role):
    client.force_login(world["users"][role])
    for url, expected in journeys(world)[role]:
        assert_in_chinese(client.get(url), url, expected)


@pytest.mark.parametrize("role", ["root", "editor"])
def test_a_failed_save_says_why_in_chinese(client, world, role):
    client.force_login(world["users"][role])
    add = f"/admin/pages/add/notices/decisionnoticepage/{world['index'].pk}/"
    response = client.post(add, _form_data([_item_data(panel_size="3")], today()))
    assert_in_chinese(response, add, "页面未能创建：有填写错误，请按提示修改。")
    assert "专家组应不少于5人，现为3人" in response.content.decode()

    edit = _edit(world["draft"])
    response = client.post(edit, _form_data([_item_data(panel_size="3")], today()))
    assert_in_chinese(response, edit, "页面未能保存：有填写错误，请按提示修改。")


def test_a_notice_awaiting_the_collective_decision_tells_its_editor_so(client, world):
    client.force_login(world["users"]["editor"])
    response = client.get(_edit(world["in_review"]))
    assert_in_chinese(response, "in review", "此页面正在等待审核。")


def test_a_scheduled_notice_says_when_it_goes_live(client, world):
    client.force_login(world["users"]["approver"])
    response = client.get(_edit(world["scheduled"]))
    assert_in_chinese(response, "scheduled", "已被发布计划锁定")
    assert "当前已锁定，将在计划日期上线" in page_html(response)


def test_the_add_user_form_explains_usernames_and_refuses_in_chinese(client, world):
    client.force_login(world["users"]["root"])
    response = client.get("/admin/users/new/")
    assert_in_chinese(response, "add user", "必填。只能包含字母、数字和 @/./+/-/_ 。")
    data = {"username": "张 三", "password1": "short", "password2": "other"}
    response = client.post("/admin/users/new/", data)
    assert_in_chinese(response, "add user (refused)", "无法创建用户。")
    assert "只能使用字母，数字和@/./+/-/_字符。" in page_html(response)
    assert "密码字段不匹配" in page_html(response)


def test_the_doors_are_in_chinese(world):
    """The login page and the password reset for everyone; the second factor's set-up for a
    handler who has just typed the password."""
    anonymous = Client()
    assert_in_chinese(anonymous.get("/admin/login/"), "login", "登录")
    assert_in_chinese(anonymous.get("/admin/password_reset/"), "reset", "密码")

    member = world["users"]["handler"]
    member.set_password("rain-on-the-river-42")
    member.save()
    door = Client()
    door.get("/admin/login/")
    response = door.post(
        "/admin/login/", {"username": "handler", "password": "rain-on-the-river-42"}, follow=True
    )
    assert_in_chinese(response, "second factor", "身份验证器")


def test_the_admin_scripts_strings_are_in_chinese(client, world):
    client.force_login(world["users"]["editor"])
    script = client.get("/admin/jsi18n/").content.decode()
    start = script.index("const newcatalog = ") + len("const newcatalog = ")
    catalog, _ = json.JSONDecoder().raw_decode(script, start)
    for msgid in UNTRANSLATED_SCRIPT_STRINGS:
        translated = catalog.get(msgid)
        assert translated, msgid
        for text in translated if isinstance(translated, list) else [translated]:
            assert re.search(r"[\u4e00-\u9fff]", text), (msgid, text)
    assert catalog["Changes have been autosaved."] == "修改已自动保存。"


class Links(HTMLParser):
    """Each link's class and the class of the icon it starts with, by its address (the first
    link to an address: the page header's menu comes before the side panels)."""

    def __init__(self):
        super().__init__()
        self.links: dict[str, dict] = {}
        self.current: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and "href" in attributes:
            self.current = {"class": attributes.get("class") or "", "icon": None}
            self.links.setdefault(attributes["href"], self.current)  # the first, in the menus
        elif tag == "svg" and self.current is not None and self.current["icon"] is None:
            self.current["icon"] = attributes.get("class")

    def handle_endtag(self, tag):
        if tag == "a":
            self.current = None


def links_on(html: str) -> dict[str, dict]:
    parser = Links()
    parser.feed(html)
    return parser.links


@pytest.mark.parametrize("where", ["listing", "header"])
def test_a_notices_own_actions_look_like_wagtails_own(client, world, where):
    """确认认定结果, 更正公告 and 撤回公告 sit in the same menus as Wagtail's 历史 (the listing's
    "more" menu, the page header's): drawn the same way, each with its icon."""
    client.force_login(world["users"]["approver"])
    live = world["live"]
    url = f"/admin/pages/{world['index'].pk}/" if where == "listing" else _edit(live)
    links = links_on(client.get(url).content.decode())
    wagtails = links[f"/admin/pages/{live.pk}/history/"]
    assert wagtails["icon"] == "icon icon-history icon"
    for action, icon in (("finalise", "tick"), ("correct", "edit"), ("withdraw", "cross")):
        ours = links[f"/admin/notices/{live.pk}/{action}/"]
        assert ours["class"] == wagtails["class"], action
        assert ours["icon"] == f"icon icon-{icon} icon", action
