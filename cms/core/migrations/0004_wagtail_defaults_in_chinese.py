"""What Wagtail's own migrations leave behind in English, beside the project's roles.

- The groups "Moderators" and "Editors" sit next to 编辑, 审定, 异议处理 and 征求意见处理 and invite
  the wrong choice: removed when nobody is in them; a group someone is still in is kept (its
  members keep their permissions) under a Chinese name saying it is no role of this platform.
- The sample workflow "Moderators approval" and its task (inactive since notices' 0002 put 集体审定
  on the whole tree): removed when nothing ever went through them, else renamed in Chinese.
- The root page, titled "Root", opens every page's breadcrumbs: titled 根目录; the root
  collection, "Root" in every collection chooser (documents, group permissions): named 根集合.
"""

from django.db import migrations

KEPT_GROUP_NAMES = {
    "Moderators": "Wagtail 默认审核组（非本平台角色，勿再分配）",
    "Editors": "Wagtail 默认编辑组（非本平台角色，勿再分配）",
}
SAMPLE_WORKFLOW = "Moderators approval"
SAMPLE_WORKFLOW_KEPT_NAME = "Wagtail 示例审核流程（非本平台流程）"
ROOT_TITLE = "根目录"
ROOT_COLLECTION_NAME = "根集合"


def retire_sample_workflow(apps) -> None:
    Workflow = apps.get_model("wagtailcore", "Workflow")
    Task = apps.get_model("wagtailcore", "Task")
    WorkflowState = apps.get_model("wagtailcore", "WorkflowState")
    TaskState = apps.get_model("wagtailcore", "TaskState")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    for workflow in Workflow.objects.filter(name=SAMPLE_WORKFLOW):
        if WorkflowState.objects.filter(workflow=workflow).exists():
            workflow.name = SAMPLE_WORKFLOW_KEPT_NAME
            workflow.save(update_fields=["name"])
        else:
            workflow.delete()
    for task in Task.objects.filter(name=SAMPLE_WORKFLOW):
        used = TaskState.objects.filter(task=task).exists()
        if used or WorkflowTask.objects.filter(task=task).exists():
            task.name = SAMPLE_WORKFLOW_KEPT_NAME
            task.save(update_fields=["name"])
        else:
            task.delete()


def retire_default_groups(apps) -> None:
    Group = apps.get_model("auth", "Group")
    for name, kept_name in KEPT_GROUP_NAMES.items():
        for group in Group.objects.filter(name=name):
            if group.user_set.exists():
                group.name = kept_name
                group.save(update_fields=["name"])
            else:
                group.delete()


def name_roots(apps) -> None:
    Page = apps.get_model("wagtailcore", "Page")
    Page.objects.filter(depth=1, title="Root").update(title=ROOT_TITLE, draft_title=ROOT_TITLE)
    Collection = apps.get_model("wagtailcore", "Collection")
    Collection.objects.filter(depth=1, name="Root").update(name=ROOT_COLLECTION_NAME)


def forwards(apps, schema_editor):
    retire_sample_workflow(apps)
    retire_default_groups(apps)
    name_roots(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_portalbuild_phase_outcome"),
        ("auth", "0012_alter_user_first_name_max_length"),
        # Wagtail's migrations that create the groups, give them permissions, or build the
        # sample workflow from them.
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0006_formstate"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailimages", "0027_image_description"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
