"""The 异议处理 group may view and handle objections and see objectors' details."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = ["view_objection", "change_objection", "view_objector_details"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("objections")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    group, _ = Group.objects.get_or_create(name="异议处理")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="objections", codename__in=CODENAMES)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("objections", "0001_initial"),
        ("notices", "0002_roles_and_workflow"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
