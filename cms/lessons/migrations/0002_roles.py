"""The 编辑 and 审定 roles (made by notices' 0002) may write failure reports.

Pages themselves are governed by the page permissions those roles hold on the whole tree; these
model permissions say who works on the failure-lessons library, and show its admin menu entry.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = ("编辑", "审定")
CODENAMES = ("add_lessonpage", "change_lessonpage", "view_lessonpage")


def grant(apps, schema_editor):
    app_config = apps.get_app_config("lessons")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="lessons", codename__in=CODENAMES
    )
    for name in ROLES:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="lessons", codename__in=CODENAMES
    )
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [("lessons", "0001_initial"), ("notices", "0002_roles_and_workflow")]

    operations = [migrations.RunPython(grant, revoke)]
