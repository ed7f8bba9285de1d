"""The groups a superuser chooses from are the platform's roles, each described: Wagtail's own
"Moderators" and "Editors" (and their sample workflow) are gone unless someone is still in them,
and the groups listing and the user form say what 编辑, 审定, 异议处理 and 征求意见处理 do."""

import importlib
import re

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    Page,
    Task,
    Workflow,
    WorkflowTask,
)

from cms.accounts.roles import ROLE_DUTIES, described_roles, role_description

from .notices.conftest import editor, make_notice, notice_index  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

ROLES = ["编辑", "审定", "异议处理", "征求意见处理"]
MIGRATION = importlib.import_module("cms.core.migrations.0004_wagtail_defaults_in_chinese")


def test_after_migrating_only_the_platforms_roles_are_left():
    assert sorted(Group.objects.values_list("name", flat=True)) == sorted(ROLES)
    assert not Workflow.objects.filter(name="Moderators approval").exists()
    assert not Task.objects.filter(name="Moderators approval").exists()
    assert Workflow.objects.filter(active=True).get().name == "集体审定流程"
    assert Page.objects.get(depth=1).title == "根目录"
    assert Collection.objects.get(depth=1).name == "根集合"


def test_a_default_group_someone_is_in_is_kept_under_a_chinese_name():
    moderators = Group.objects.create(name="Moderators")
    moderators.permissions.add(Permission.objects.get(codename="access_admin"))
    Group.objects.create(name="Editors")
    member = get_user_model().objects.create_user("old-moderator", "m@example.invalid", "pw")
    member.groups.add(moderators)

    MIGRATION.retire_default_groups(apps)

    assert not Group.objects.filter(name__in=["Moderators", "Editors"]).exists()
    kept = Group.objects.get(pk=moderators.pk)
    assert kept.name == "Wagtail 默认审核组（非本平台角色，勿再分配）"
    assert list(kept.user_set.all()) == [member]
    assert member.has_perm("wagtailadmin.access_admin")


def test_the_sample_workflow_goes_unless_something_went_through_it(make_notice, editor):  # noqa: F811
    def sample():
        task = GroupApprovalTask.objects.create(name="Moderators approval")
        workflow = Workflow.objects.create(name="Moderators approval", active=True)
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
        return workflow, task

    unused, unused_task = sample()
    MIGRATION.retire_sample_workflow(apps)
    assert not Workflow.objects.filter(pk=unused.pk).exists()
    assert not Task.objects.filter(pk=unused_task.pk).exists()

    used, used_task = sample()
    notice = make_notice()
    used.start(notice, editor)
    MIGRATION.retire_sample_workflow(apps)
    assert Workflow.objects.get(pk=used.pk).name == "Wagtail 示例审核流程（非本平台流程）"
    assert Task.objects.get(pk=used_task.pk).name == "Wagtail 示例审核流程（非本平台流程）"


def test_each_role_has_a_description_and_the_second_factor_is_named_where_it_applies(settings):
    assert list(ROLE_DUTIES) == ROLES
    for name in ROLES:
        described = role_description(name)
        assert described and described.startswith(ROLE_DUTIES[name])
        assert described.endswith("登录须两步验证。") == (name in settings.SECOND_FACTOR_GROUPS)
    assert role_description("Moderators") is None
    assert [name for name, _ in described_roles(["Moderators", "审定", "编辑"])] == ["编辑", "审定"]


def _role_duties(html: str) -> str:
    start = html.index('id="role-duties-heading"')
    return html[start : html.index("</section>", start)]


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@example.invalid", "pw")


def test_the_groups_listing_says_what_each_role_is_for(client, superuser):
    client.force_login(superuser)
    html = client.get("/admin/groups/").content.decode()
    duties = _role_duties(html)
    assert "各角色的职责" in html
    for name in ROLES:
        assert f'<dt class="w-label-3">{name}</dt>' in duties
        assert role_description(name) in duties
    assert "集体审定决定公告" in duties and "可查看异议人身份" in duties
    assert "Moderators" not in html and "Editors" not in html


@pytest.mark.parametrize("url", ["/admin/users/new/", "/admin/users/edit/{pk}/"])
def test_the_user_form_says_what_each_role_is_for_beside_the_groups(client, superuser, url):
    client.force_login(superuser)
    html = client.get(url.format(pk=superuser.pk)).content.decode()
    duties = _role_duties(html)
    for name in ROLES:
        assert role_description(name) in duties
    choices = re.findall(r'<input type="checkbox" name="groups"[^>]*>\s*([^<]+?)\s*</label>', html)
    assert sorted(choices) == sorted(ROLES)
    assert "Moderators" not in html and "Editors" not in html
