"""Editors (编辑) see and answer comments; the new group 征求意见处理 may also see commenters'
identity and contact details (like 异议处理 for objections)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

HANDLING = ["view_policycomment", "change_policycomment"]
DETAILS = ["view_commenter_details"]
GROUPS = {"编辑": HANDLING, "征求意见处理": [*HANDLING, *DETAILS]}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("consultation")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    access_admin = Permission.objects.filter(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="consultation", codename__in=codenames
            ),
            *access_admin,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("consultation", "0001_initial"),
        ("notices", "0002_roles_and_workflow"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
