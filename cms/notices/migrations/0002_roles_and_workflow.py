"""Roles as Wagtail groups (编辑, 审定, 异议处理) and the 集体审定 workflow on the whole tree."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLE_EDITOR, ROLE_APPROVER, ROLE_OBJECTIONS = "编辑", "审定", "异议处理"
EDITOR_PAGE_PERMISSIONS = ["add_page", "change_page"]
APPROVER_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
DOCUMENT_PERMISSIONS = ["add_document", "change_document", "choose_document"]
APPROVER_MODEL_PERMISSIONS = [
    ("notices", "finalise_decisionnoticepage"),
    ("notices", "withdraw_decisionnoticepage"),
    ("notices", "view_exemptionmark"),
]


def _ensure_permissions(apps):
    for label in ("wagtailcore", "wagtailadmin", "wagtaildocs", "notices"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None


def create_roles(apps, schema_editor):
    _ensure_permissions(apps)
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    Page = apps.get_model("wagtailcore.Page")
    Collection = apps.get_model("wagtailcore.Collection")
    GroupPagePermission = apps.get_model("wagtailcore.GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore.GroupCollectionPermission")
    ContentType = apps.get_model("contenttypes.ContentType")
    Workflow = apps.get_model("wagtailcore.Workflow")
    WorkflowTask = apps.get_model("wagtailcore.WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore.WorkflowPage")
    Task = apps.get_model("notices.CollectiveDecisionTask")

    access_admin = Permission.objects.get(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    root_page = Page.objects.filter(depth=1).first()
    root_collection = Collection.objects.filter(depth=1).first()

    def perm(app_label, codename):
        return Permission.objects.get(content_type__app_label=app_label, codename=codename)

    groups = {}
    for name in (ROLE_EDITOR, ROLE_APPROVER, ROLE_OBJECTIONS):
        groups[name], _ = Group.objects.get_or_create(name=name)
        groups[name].permissions.add(access_admin)

    for name, codenames in (
        (ROLE_EDITOR, EDITOR_PAGE_PERMISSIONS),
        (ROLE_APPROVER, APPROVER_PAGE_PERMISSIONS),
    ):
        for codename in codenames:
            if root_page is not None:
                GroupPagePermission.objects.get_or_create(
                    group=groups[name], page=root_page, permission=perm("wagtailcore", codename)
                )
        for codename in DOCUMENT_PERMISSIONS:
            if root_collection is not None:
                GroupCollectionPermission.objects.get_or_create(
                    group=groups[name],
                    collection=root_collection,
                    permission=perm("wagtaildocs", codename),
                )
    for app_label, codename in APPROVER_MODEL_PERMISSIONS:
        groups[ROLE_APPROVER].permissions.add(perm(app_label, codename))

    task_type, _ = ContentType.objects.get_or_create(
        app_label="notices", model="collectivedecisiontask"
    )
    task = Task.objects.filter(name="集体审定").first()
    if task is None:
        task = Task.objects.create(name="集体审定", active=True, content_type=task_type)
    task.groups.set([groups[ROLE_APPROVER]])
    workflow, _ = Workflow.objects.get_or_create(name="集体审定流程", defaults={"active": True})
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    if root_page is not None:
        # Replace Wagtail's sample "Moderators approval" on the whole tree with ours.
        Workflow.objects.exclude(pk=workflow.pk).filter(workflow_pages__page=root_page).update(
            active=False
        )
        WorkflowPage.objects.update_or_create(page=root_page, defaults={"workflow": workflow})


class Migration(migrations.Migration):
    dependencies = [
        ("notices", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailadmin", "0006_formstate"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
