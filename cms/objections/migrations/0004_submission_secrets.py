"""Submissions keep no secret in clear and nothing a leaked database could confirm.

- The Idempotency-Key becomes ``idempotency_key_hash`` (SHA-256 behind a prefix naming the kind).
- A row stored with an Idempotency-Key had its lookup code derived from that key and SECRET_KEY:
  the code is derived once more here (under SECRET_KEY or a fallback, checked against the stored
  digest), stored sealed under the key for replays, and its digest rewritten in the new keyed
  format. Rows without a key had a random code that nobody knows: their digest stays in the old
  format, and the lookup keeps a fallback check for it (``rules.legacy_lookup_code_digest``).
- ``payload_digest`` (a plain SHA-256 of the content) is keyed in place, or blanked on a row whose
  personal data was already purged.

The current formats come from ``cms.submissions.rules`` (what the running code reads); the old
derivation is copied here as it was. Going back leaves idempotency keys empty (replays of those
rows are lost), nothing else.
"""

import hashlib
import hmac

from django.conf import settings
from django.db import migrations, models

from cms.submissions import rules

LEGACY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
LEGACY_LENGTH = 10


def legacy_code(secret: str, idempotency_key: str) -> str:
    digest = hmac.new(secret.encode(), idempotency_key.encode(), hashlib.sha256).digest()
    return "".join(LEGACY_ALPHABET[b % len(LEGACY_ALPHABET)] for b in digest[:LEGACY_LENGTH])


def legacy_digest(secret: str, code: str) -> str:
    return hmac.new(secret.encode(), code.encode(), hashlib.sha256).hexdigest()


def secured_fields(
    kind: str,
    *,
    idempotency_key: str | None,
    lookup_code_hash: str,
    payload_digest: str,
    purged: bool,
    keys: list[str],
) -> dict:
    """The new values of one row's secrets (see the module's docstring)."""
    fields = {
        "payload_digest": (
            ""
            if purged or not payload_digest
            else rules.keyed_payload_digest(payload_digest, keys[0])
        ),
        "idempotency_key_hash": None,
    }
    if not idempotency_key:
        return fields
    fields["idempotency_key_hash"] = rules.idempotency_key_digest(kind, idempotency_key)
    for secret in keys:
        code = legacy_code(secret, idempotency_key)
        if hmac.compare_digest(legacy_digest(secret, code), lookup_code_hash):
            fields["lookup_code_hash"] = rules.lookup_code_digest(kind, code, keys[0])
            fields["lookup_code_sealed"] = rules.seal_lookup_code(kind, code, idempotency_key)
            break
    return fields


def securing(app_label: str, model_name: str, kind: str):
    """The RunPython function that secures every row of one kind of submission."""

    def secure(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        keys = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
        rows = model.objects.only(
            "idempotency_key", "lookup_code_hash", "payload_digest", "personal_data_purged_at"
        )
        for row in rows.iterator():
            fields = secured_fields(
                kind,
                idempotency_key=row.idempotency_key,
                lookup_code_hash=row.lookup_code_hash,
                payload_digest=row.payload_digest,
                purged=row.personal_data_purged_at is not None,
                keys=keys,
            )
            model.objects.filter(pk=row.pk).update(**fields)

    return secure


class Migration(migrations.Migration):
    dependencies = [
        ("objections", "0003_outcome_inadmissible"),
    ]

    operations = [
        migrations.AddField(
            model_name="objection",
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
            model_name="objection",
            name="lookup_code_sealed",
            field=models.CharField(blank=True, editable=False, max_length=100),
        ),
        migrations.AlterField(
            model_name="objection",
            name="payload_digest",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.RunPython(
            securing("objections", "Objection", "objection"), migrations.RunPython.noop
        ),
        migrations.RemoveField(
            model_name="objection",
            name="idempotency_key",
        ),
    ]
