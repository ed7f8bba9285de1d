"""Comments keep no secret in clear: the same conversion as objections' migration 0004
(cms/objections/migrations/0004_submission_secrets.py), for the kind "comment"."""

from importlib import import_module

from django.db import migrations, models

secrets_migration = import_module("cms.objections.migrations.0004_submission_secrets")


class Migration(migrations.Migration):
    dependencies = [
        ("consultation", "0002_comment_handlers"),
        ("objections", "0004_submission_secrets"),
    ]

    operations = [
        migrations.AddField(
            model_name="policycomment",
            name="idempotency_key_hash",
            field=models.CharField(
                blank=True,
                editable=False,
                max_length=64,
                null=True,
                unique=True,
                verbose_name="幂等键摘要",
            ),
        ),
        migrations.AddField(
            model_name="policycomment",
            name="lookup_code_sealed",
            field=models.CharField(blank=True, editable=False, max_length=100),
        ),
        migrations.AlterField(
            model_name="policycomment",
            name="payload_digest",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.RunPython(
            secrets_migration.securing("consultation", "PolicyComment", "comment"),
            migrations.RunPython.noop,
        ),
        migrations.RemoveField(
            model_name="policycomment",
            name="idempotency_key",
        ),
    ]
