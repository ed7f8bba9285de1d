"""The public record's hash chain, in plain Python: canonical JSON, data hashes, entry hashes.

The portal's verifier computes the same things from the published files on its own
(``portal/record.py``); docs/public-record.md is the contract between the two.
"""

import hashlib
import json
from typing import Any, Final

GENESIS_HASH: Final = "0" * 64
#: The fields of an entry that its hash covers, i.e. all but ``hash``.
ENTRY_FIELDS: Final = (
    "sequence", "recorded_at", "kind", "subject", "event", "data_sha256", "previous_hash",
)  # fmt: skip


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no spaces, UTF-8 as is: the one byte form of a value."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def data_hash(data: Any) -> str:
    """SHA-256 of a subject's canonical public data."""
    return sha256_hex(canonical_json(data))


def entry_hash(fields: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of an entry's fields other than ``hash``."""
    return sha256_hex(canonical_json({name: fields[name] for name in ENTRY_FIELDS}))
