"""The 公示公告 explorer draws each notice's row as Wagtail would, for less: its "more" menu
drawn without a template per entry, its permissions tested once per row, no filter by the pages
the user may explore when that filter cannot exclude a notice, no fetch of every row's parent."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.admin.views.pages.listing import ExplorableIndexView
from wagtail.admin.widgets.button import ButtonWithDropdownFromHook
from wagtail.models import GroupPagePermission, Page

from cms.notices import wagtail_hooks
from cms.notices.services import start_correction, withdraw_notice

from .conftest import today

pytestmark = pytest.mark.django_db


def _notices(make_notice, editor, approver):
    """A notice in every state (a draft, in review, scheduled, under publicity, corrected and
    its correction, withdrawn); the draft is returned."""
    draft = make_notice()
    reviewed = make_notice(title="审定中的公告 <b>&")
    reviewed.get_workflow().start(reviewed, editor)
    make_notice(start=today() + datetime.timedelta(days=3), publish=True)
    make_notice(publish=True)
    start_correction(make_notice(publish=True), approver).save_revision().publish()
    withdraw_notice(make_notice(publish=True), approver, "认定依据有误，撤回重审。")
    return draft


def _normalised(html: str) -> str:
    """The page with its whitespace collapsed, without what changes between two requests."""
    html = re.sub(r'<time class="w-human-readable-date__date".*?</time>', "", html, flags=re.S)
    html = re.sub(r'data-w-tooltip-content-value="[^"]*"', "", html)
    html = re.sub(r'"CSRF_TOKEN": "[^"]*"|name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    html = re.sub(r'class="[^"]*bulk-action-btn[^"]*"', "", html)  # Wagtail's own, unordered
    return re.sub(r"\s+", " ", html).strip()


def _explore(client, notice_index, query: str = "") -> str:
    response = client.get(f"/admin/pages/{notice_index.pk}/{query}")
    assert response.status_code == 200
    return response.content.decode()


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("query", ["", "?has_child_pages=false", "?ordering=title"])
def test_the_explorer_is_what_wagtail_draws(
    admin_client, make_notice, editor, approver, notice_index, monkeypatch, query
):
    _notices(make_notice, editor, approver)
    for client in (admin_client, _client(approver), _client(editor)):
        drawn = _explore(client, notice_index, query)
        assert drawn.count('data-controller="w-dropdown"') >= 7
        with monkeypatch.context() as wagtails:
            wagtails.setattr(
                wagtail_hooks.NoticeMenuDropdown,
                "render_html",
                ButtonWithDropdownFromHook.render_html,
            )
            wagtails.setattr(wagtail_hooks, "explores_whole_subtree", lambda *args: False)
            wagtails.setattr(wagtail_hooks.NoticeExplorerView, "setup", ExplorableIndexView.setup)
            reference = _explore(client, notice_index, query)
        assert _normalised(drawn) == _normalised(reference)


def test_a_row_s_permissions_are_tested_once(admin_client, make_notice, editor, approver,
                                             notice_index, monkeypatch):  # fmt: skip
    _notices(make_notice, editor, approver)
    made = []
    tester = wagtail_hooks.DecisionNoticePage.permissions_for_user

    def counted(page, user):
        made.append(page.pk)
        return tester(page, user)

    monkeypatch.setattr(wagtail_hooks.DecisionNoticePage, "permissions_for_user", counted)
    _explore(_client(approver), notice_index)
    assert made and len(made) == len(set(made))


def test_a_user_with_rights_on_some_notices_sees_those_alone(
    make_notice, editor, approver, notice_index
):
    """Rights below the section: Wagtail's filter by the pages the user may explore applies."""
    granted = [_notices(make_notice, editor, approver), make_notice()]
    group = Group.objects.create(name="单篇编辑")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    change = Permission.objects.get(codename="change_page")
    for notice in granted:
        GroupPagePermission.objects.create(group=group, page=notice, permission=change)
    user = get_user_model().objects.create_user("single", "single@example.invalid", "pw")
    user.groups.add(group)
    html = _explore(_client(user), notice_index)
    assert set(re.findall(r'data-object-id="(\d+)"', html)) == {str(n.pk) for n in granted}
    html = _explore(_client(approver), notice_index)
    children = notice_index.get_children().values_list("pk", flat=True)
    assert set(re.findall(r'data-object-id="(\d+)"', html)) == {str(pk) for pk in children}


def test_the_explorer_fetches_no_row_s_parent_and_counts_without_a_join(
    admin_client, make_notice, editor, approver, notice_index, monkeypatch
):
    _notices(make_notice, editor, approver)
    annotated = []
    manager = type(Page.objects)
    monkeypatch.setattr(manager, "annotate_parent_page", lambda self, pages: annotated.append(1))
    _explore(admin_client, notice_index)
    with CaptureQueriesContext(connection) as captured:
        _explore(admin_client, notice_index)
    assert annotated == []
    counts = [q["sql"] for q in captured if "COUNT(*)" in q["sql"] and "notices_" in q["sql"]]
    assert len(counts) == 1 and "U0" not in counts[0]  # not joined with every explorable page
