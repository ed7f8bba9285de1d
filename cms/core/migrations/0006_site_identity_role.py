"""The 审定 role (made by notices' 0002) may change the site's identity (网站标识与联系方式).

A change goes live on every portal page at the next build, with no collective decision before
it: so it is for those who may publish, as the dashboard's 立即重建 is. 编辑 does not get it. The
permission is global (every site), which also shows the setting's entry under 设置.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = ("审定",)
CODENAMES = ("change_siteidentity",)


def _permissions(apps):
    Permission = apps.get_model("auth.Permission")
    return Permission.objects.filter(content_type__app_label="core", codename__in=CODENAMES)


def grant(apps, schema_editor):
    app_config = apps.get_app_config("core")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth.Group")
    permissions = _permissions(apps)
    for name in ROLES:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    permissions = _permissions(apps)
    for group in Group.objects.filter(name__in=ROLES):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [("core", "0005_siteidentity"), ("notices", "0002_roles_and_workflow")]

    operations = [migrations.RunPython(grant, revoke)]
