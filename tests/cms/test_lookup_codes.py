"""Lookup codes and Idempotency-Keys, for objections and comments alike (``endpoint``): a code
is random, stored as a digest keyed by kind, and keeps working when SECRET_KEY is rotated; a
replay gets the code back only with its Idempotency-Key, which is stored hashed; one API's key
never returns the other's code; rows stored before the change keep working."""

import hashlib
import hmac
from importlib import import_module
from unittest import mock

import pytest

from cms.submissions import rules

from .objections import conftest as shared

# The objections' fixtures (tests/cms/objections/conftest.py): ``endpoint`` and ``submission``
# run a test against the objection API and the comment API.
api, endpoint, submission = shared.api, shared.endpoint, shared.submission
payload, item, open_notice = shared.payload, shared.item, shared.open_notice
comment_payload, comment_policy = shared.comment_payload, shared.comment_policy
make_notice, notice_index = shared.make_notice, shared.notice_index
fresh_rate_limits, private_evidence_dir = shared.fresh_rate_limits, shared.private_evidence_dir

pytestmark = pytest.mark.django_db
OLD_KEY = "old-secret-key-for-rotation-tests-0123456789abcdef"
NEW_KEY = "new-secret-key-for-rotation-tests-fedcba9876543210"
secrets_migration = import_module("cms.objections.migrations.0004_submission_secrets")


def _submit(api, endpoint, submission, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    response = api.post(endpoint.url, submission, format="json", **headers)
    assert response.status_code == 201, response.json()
    return response


def _look_up(api, endpoint, receipt_number, code) -> int:
    body = {"receipt_number": receipt_number, "lookup_code": code}
    return api.post(endpoint.status_url, body, format="json").status_code


def test_a_code_still_opens_its_submission_after_the_key_is_rotated(
    api, endpoint, submission, settings
):
    settings.SECRET_KEY = OLD_KEY
    receipt = _submit(api, endpoint, submission).json()
    number, code = receipt["receipt_number"], receipt["lookup_code"]
    wrong = ("A" if code[0] != "A" else "B") + code[1:]

    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, [OLD_KEY]
    assert _look_up(api, endpoint, number, code) == 200
    assert _look_up(api, endpoint, number, wrong) == 404

    settings.SECRET_KEY_FALLBACKS = []  # the old key dropped: its digests open nothing
    assert _look_up(api, endpoint, number, code) == 404


def test_a_replay_after_the_key_is_rotated_gets_the_same_code(api, endpoint, submission, settings):
    settings.SECRET_KEY = OLD_KEY
    first = _submit(api, endpoint, submission, key="rotation-replay-0001")
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, [OLD_KEY]
    again = _submit(api, endpoint, submission, key="rotation-replay-0001")
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    different = {**submission, "content": submission["content"] + "另有补充。"}
    response = api.post(
        endpoint.url, different, format="json", HTTP_IDEMPOTENCY_KEY="rotation-replay-0001"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_key_reused"


def test_codes_are_random_and_the_database_holds_neither_code_nor_key(api, endpoint, submission):
    first = _submit(api, endpoint, submission, key="stored-in-clear-0001").json()
    second = _submit(api, endpoint, submission, key="stored-in-clear-0002").json()
    assert first["lookup_code"] != second["lookup_code"]
    record = endpoint.model.objects.get(receipt_number=first["receipt_number"])
    stored = " ".join(str(getattr(record, f.attname)) for f in record._meta.concrete_fields)
    assert first["lookup_code"] not in stored
    assert "stored-in-clear-0001" not in stored
    assert record.idempotency_key_hash == rules.idempotency_key_digest(
        endpoint.kind, "stored-in-clear-0001"
    )
    # Sealed under the key and the kind: nothing else opens it.
    sealed, kind = record.lookup_code_sealed, endpoint.kind
    assert rules.unseal_lookup_code(kind, sealed, "stored-in-clear-0001") == first["lookup_code"]
    assert rules.unseal_lookup_code(kind, sealed, "stored-in-clear-0002") is None
    other_kind = "comment" if kind == "objection" else "objection"
    assert rules.unseal_lookup_code(other_kind, sealed, "stored-in-clear-0001") is None


@pytest.mark.parametrize("first_api", ["objection", "comment"])
def test_a_key_sent_to_the_other_api_never_returns_the_first_ones_code(
    api, payload, comment_payload, first_api
):
    apis = {
        "objection": ("/api/objections/", "/api/objections/status/", payload),
        "comment": ("/api/policy-comments/", "/api/policy-comments/status/", comment_payload),
    }
    second_api = "comment" if first_api == "objection" else "objection"
    (url, status_url, body), (other_url, other_status_url, other_body) = (
        apis[first_api],
        apis[second_api],
    )
    headers = {"HTTP_IDEMPOTENCY_KEY": "shared-key-across-apis-01"}
    first = api.post(url, body, format="json", **headers)
    other = api.post(other_url, other_body, format="json", **headers)
    assert first.status_code == other.status_code == 201
    assert "Idempotent-Replayed" not in other  # a submission of its own
    first, other = first.json(), other.json()
    assert other["lookup_code"] != first["lookup_code"]
    assert other["receipt_number"] != first["receipt_number"]

    def look_up(at, receipt, code):
        return api.post(at, {"receipt_number": receipt, "lookup_code": code}, format="json")

    assert (
        look_up(other_status_url, other["receipt_number"], first["lookup_code"]).status_code == 404
    )
    assert look_up(status_url, first["receipt_number"], other["lookup_code"]).status_code == 404
    assert look_up(status_url, first["receipt_number"], first["lookup_code"]).status_code == 200


def test_a_digest_of_one_kind_does_not_verify_as_the_other():
    digest = rules.lookup_code_digest("objection", "ABCDEFGHJK", NEW_KEY)
    assert rules.lookup_code_matches("objection", "ABCDEFGHJK", digest, [NEW_KEY])
    assert not rules.lookup_code_matches("comment", "ABCDEFGHJK", digest, [NEW_KEY])


# --- rows stored before migration 0004 --------------------------------------------------------


def _legacy_code(secret: str, idempotency_key: str) -> str:
    """How a code was derived from an Idempotency-Key before migration 0004."""
    return secrets_migration.legacy_code(secret, idempotency_key)


def _legacy_digest(secret: str, code: str) -> str:
    return hmac.new(secret.encode(), code.encode(), hashlib.sha256).hexdigest()


def test_an_old_random_code_still_opens_its_submission(api, endpoint, submission, settings):
    """Rows without an Idempotency-Key keep the old digest: the lookup checks it as a fallback."""
    number = _submit(api, endpoint, submission).json()["receipt_number"]
    endpoint.model.objects.filter(receipt_number=number).update(
        lookup_code_hash=_legacy_digest(OLD_KEY, "K7Q2M9XR4T")
    )
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = NEW_KEY, [OLD_KEY]
    assert _look_up(api, endpoint, number, "K7Q2M9XR4T") == 200
    assert _look_up(api, endpoint, number, "K7Q2M9XR4U") == 404


def _as_before_the_migration(api, endpoint, submission, settings, *, keys_at_migration):
    """A submission stored with an Idempotency-Key the old way (code derived from the key under
    OLD_KEY, plain payload digest, key in clear), then converted as migration 0004 converts it
    while SECRET_KEY is NEW_KEY and the fallbacks are ``keys_at_migration[1:]``."""
    spy = mock.patch.object(rules, "keyed_payload_digest", wraps=rules.keyed_payload_digest)
    with spy as keyed:
        number = _submit(api, endpoint, submission).json()["receipt_number"]
    plain_payload_digest = keyed.call_args.args[0]
    key = "legacy-client-key-0001"
    legacy = {
        "lookup_code_hash": _legacy_digest(OLD_KEY, _legacy_code(OLD_KEY, key)),
        "lookup_code_sealed": "",
    }
    fields = secrets_migration.secured_fields(
        endpoint.kind,
        idempotency_key=key,
        lookup_code_hash=legacy["lookup_code_hash"],
        payload_digest=plain_payload_digest,
        purged=False,
        keys=keys_at_migration,
    )
    endpoint.model.objects.filter(receipt_number=number).update(**{**legacy, **fields})
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = keys_at_migration[0], keys_at_migration[1:]
    return number, key


def test_an_old_keyed_submission_replays_with_its_old_code(api, endpoint, submission, settings):
    number, key = _as_before_the_migration(
        api, endpoint, submission, settings, keys_at_migration=[NEW_KEY, OLD_KEY]
    )
    replayed = _submit(api, endpoint, submission, key=key)
    assert replayed["Idempotent-Replayed"] == "true"
    assert replayed.json()["receipt_number"] == number
    assert replayed.json()["lookup_code"] == _legacy_code(OLD_KEY, key)
    settings.SECRET_KEY_FALLBACKS = []  # converted to the new digest: the old key is not needed
    assert _look_up(api, endpoint, number, _legacy_code(OLD_KEY, key)) == 200


def test_an_old_keyed_submission_whose_key_is_gone_gets_a_new_code_on_replay(
    api, endpoint, submission, settings
):
    """Migrated after OLD_KEY was dropped, the old code opens nothing; a replay issues a new one."""
    number, key = _as_before_the_migration(
        api, endpoint, submission, settings, keys_at_migration=[NEW_KEY]
    )
    assert _look_up(api, endpoint, number, _legacy_code(OLD_KEY, key)) == 404
    code = _submit(api, endpoint, submission, key=key).json()["lookup_code"]
    assert code != _legacy_code(OLD_KEY, key)
    assert _look_up(api, endpoint, number, code) == 200
    assert _submit(api, endpoint, submission, key=key).json()["lookup_code"] == code
